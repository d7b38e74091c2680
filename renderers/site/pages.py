"""The site's pages, charts and files, generated from the plans and the frameworks.

`SiteBuilder(plans).build()` returns {site path: content}: Markdown pages (from
the Jinja2 templates in templates/), SVG charts, the plans' documents and the
JSON Schemas. The MkDocs plugin (plugin.py) only hands these to MkDocs.

Links inside HTML blocks are not rewritten by MkDocs, so every one is made
relative here from the page's own URL (Linker), for either URL style.
"""
from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import jinja2
from markupsafe import Markup
from mkdocs.structure.files import File
from mkdocs.utils import get_relative_url

from bcf_schema.catalogue import CODES
from bcf_schema.stated import shown
from bcf_schema.framework import FRAMEWORKS_DIR, Framework, available_periods, load_framework

from .. import document as d
from .. import cache_keys, registry
from ..outputs import PlanSource
from ..narrative import cell_text
from bcf_schema import hwbs as reference_hwbs

from . import charts, html, opendata, policy, reviewers, reviews, schema_ref
from .incremental import PageCache, code_digest
from .model import SitePlan, SiteReturn, money_text, numeric_periods, period_words

TEMPLATES = Path(__file__).parent / "templates"
ASSETS = Path(__file__).parent / "assets"
PLANS_INDEX = "plans/index.md"
ASSET_CSS = "assets/bcfc/bcfc.css"
ASSET_JS = "assets/bcfc/bcfc.js"
FALLBACK_DATE = "2000-01-01"  # the fixed time of the rendered documents (renderers.deterministic)
# Material for plan authors (the frameworks as bcfc holds them, every plan field, the JSON Schemas, the plan
# format, editor setup) is a section of its own: out of the public navigation and out of search, so readers
# find plans. A page in docs/ joins it with `audience: plan authors` in its front matter.
AUTHORS = "plan authors"
AUTHORS_INDEX = "reference/index.md"
DATA_PAGE = "data/index.md"
ICBS_INDEX = "icbs/index.md"


def compliance_page(period: str) -> str:
    return f"compare/{period}-conditions.md"


def is_author_page(src_uri: str) -> bool:
    return src_uri.startswith(("reference/", "schemas/"))

# (page name, navigation title): every plan gets these pages, in this order.
PLAN_PAGES = [
    ("index", "Overview"),
    ("narrative", "Narrative"),
    ("funding", "Funding and schemes"),
    ("metrics", "Metrics, capacity and demand"),
    ("risks", "Risks and related documents"),
]

OUTTURN_PAGE = ("outturn", "Plan against outturn")  # only for a plan with published returns


def plan_pages(plan: SitePlan) -> list[tuple[str, str]]:
    """The pages a plan has: every plan's, and its outturn page where it has returns."""
    return PLAN_PAGES + [OUTTURN_PAGE] if plan.returns else PLAN_PAGES


class Linker:
    """Relative URLs between site files, as MkDocs will publish them."""

    def __init__(self, use_directory_urls: bool = True):
        self.use_directory_urls = use_directory_urls
        self._urls: dict[str, str] = {}  # a page is linked from many: its URL made once

    def url(self, src_uri: str) -> str:
        found = self._urls.get(src_uri)
        if found is None:
            found = self._urls[src_uri] = File(src_uri, src_dir=None, dest_dir="",
                                               use_directory_urls=self.use_directory_urls).url
        return found

    def href(self, from_src: str, to_src: str, anchor: str = "") -> str:
        relative = get_relative_url(self.url(to_src), self.url(from_src))
        return relative + (f"#{anchor}" if anchor else "")


@dataclass
class SiteBuilder:
    plans: list[SitePlan]
    documents: Callable[[SitePlan], dict[str, bytes]] = lambda plan: {}  # a plan's {document name: bytes}
    optional_documents: Callable[[SitePlan], list[str]] = lambda plan: []  # which of those not always made it has
    return_documents: Callable[[SitePlan, SiteReturn], dict[str, bytes]] = lambda plan, ret: {}  # {suffix: bytes}
    page_cache: PageCache | None = None  # each plan's generated files, kept between builds
    use_directory_urls: bool = True
    extra_docs: list[tuple[str, str]] = field(default_factory=list)  # (src, title): docs_dir pages, for the nav
    author_docs: list[tuple[str, str]] = field(default_factory=list)  # (src, title): docs_dir pages for plan authors
    files: dict[str, str | bytes | Path] = field(default_factory=dict)

    def __post_init__(self):
        self.plans = sorted(self.plans, key=lambda p: (p.period, p.hwb_name.lower(), p.slug))
        self.linker = Linker(self.use_directory_urls)
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True, undefined=jinja2.StrictUndefined,
            finalize=html.page_value,  # every printed value reaches Markdown as a token (see html.py)
            trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
        self.env.globals.update(
            heading=html.heading, prose=html.prose, marker=html.marker, editor_note=html.editor_note, prompt=html.prompt, table=html.table,
            money=money_text, cell=cell_text, blocks=html.blocks_to_page, funding_source=d.funding_source_text,
        )
        self.env.filters["long_date"] = d.long_date
        self.env.filters["period_words"] = period_words

    # -- the whole site -----------------------------------------------------------------

    @property
    def last_updated(self) -> str:
        """The newest date the plans state (never the clock): the site's last-updated date."""
        return max((d for d in (p.latest_date() for p in self.plans) if d), default=FALLBACK_DATE)

    @property
    def periods_with_plans(self) -> list[str]:
        return sorted({p.period for p in self.plans})

    def build(self) -> dict[str, str | bytes | Path]:
        self.files[ASSET_CSS] = ASSETS / "bcfc.css"
        self.files[ASSET_JS] = ASSETS / "bcfc.js"
        self._page("index.md", "home.md.j2", plans=self.plans, periods=self.periods_with_plans,
                   frameworks=[load_framework(p) for p in available_periods()], statuses=policy.STATUSES,
                   last_updated=self.last_updated, drafts=sum(policy.is_draft(p.data) for p in self.plans),
                   preview_banner=Markup(policy.preview_banner(sum(policy.is_draft(p.data) for p in self.plans))))
        if self.plans:
            self._page(PLANS_INDEX, "plans_index.md.j2", plans=self.plans, periods=self.periods_with_plans)
        for plan in self.plans:
            self._plan(plan)
        self._across_plans()
        self._reference()
        return self.files

    def nav(self) -> list:
        """Sections, not plans: every page renders the whole navigation, so listing each plan's pages
        would make the build time grow with the square of the number of plans. A plan's pages link
        to each other, and the Plans page lists every plan."""
        nav: list = [{"Home": "index.md"}]
        if self.plans:
            nav.append({"Plans": PLANS_INDEX})
            nav.append({"Comparisons": [{f"{period} plans": f"compare/{period}.md"}
                                        for period in self.periods_with_plans]})
            nav.append({"For reviewers": [{"ICBs": ICBS_INDEX}] + [
                {f"{period} submissions and conditions": compliance_page(period)} for period in self.periods_with_plans]})
        nav.append({"Data": DATA_PAGE})
        nav += [{title: src} for src, title in self.extra_docs]
        return nav

    # -- helpers for templates ---------------------------------------------------------------

    def _page(self, src: str, template: str, **context) -> None:
        link: Callable[..., str] = lambda to, anchor="": self.linker.href(src, to, anchor)  # noqa: E731
        content = self.env.get_template(template).render(link=link, src=src, **context)
        self.files[src] = content

    def _chart(self, page_src: str, path: str, svg: bytes, alt: str, caption: str,
               key: list[tuple[str, int]] = ()) -> Markup:
        self.files[path] = svg
        src = self.linker.href(page_src, path)
        return Markup(
            '<figure class="bcfc-chart">'
            f'<img src="{html.text(src)}" alt="{html.text(alt)}">'
            + ('<ul class="bcfc-chart-key">' + "".join(
                f'<li><span class="bcfc-swatch bcfc-swatch-{place}" aria-hidden="true"></span>{html.text(name)}</li>'
                for name, place in key) + "</ul>" if key else "")
            + f"<figcaption>{html.text(caption)}</figcaption></figure>")

    def _drawn(self, draw, *args, **options) -> bytes:
        """A chart from the page cache where its figures are unchanged (comparison charts are most of a rebuild)."""
        if self.page_cache is None:
            return draw(*args, **options)
        return self.page_cache.drawn(draw, *args, **options)

    # -- a plan ----------------------------------------------------------------------------

    def _plan(self, plan: SitePlan) -> None:
        """A plan's pages, charts and downloads: from the page cache where its inputs are unchanged."""
        self._cached(self._plan_key(plan) if self.page_cache is not None else None, lambda: self._render_plan(plan))

    def _cached(self, key: str | None, render: Callable[[], None]) -> None:
        """The files render() adds, from the page cache where key (everything they come from) is unchanged."""
        cached = self.page_cache.get(key) if key else None
        if cached is not None:
            self.files.update(cached)
            return
        everything, self.files = self.files, {}
        charts_before = set(self.page_cache.used) if key else set()
        try:
            render()
            produced = self.files
        finally:
            self.files = everything
        self.files.update(produced)
        if key:
            self.page_cache.put(key, produced, charts=sorted(n for n in self.page_cache.used - charts_before if n.endswith(".svg")))

    def _plan_key(self, plan: SitePlan) -> str:
        """Everything a plan's pages come from: its file and path, its framework, this code, the URL style."""
        digest = hashlib.sha256(f"{code_digest()}\0{self.use_directory_urls}\0{plan.source.path.as_posix()}\0".encode())
        digest.update("\0".join(self.optional_documents(plan)).encode() + b"\0")
        digest.update("\0".join(f"{o.file}{o.suffix}{o.label}{o.icon}" for o in registry.on_site()).encode() + b"\0")
        digest.update(plan.source.content)
        digest.update(b"\0review\0" + plan.review_raw)
        for ret in plan.returns:
            digest.update(b"\0return\0" + ret.path.as_posix().encode() + b"\0" + ret.raw)
            digest.update("\0".join(sorted(self.return_documents(plan, ret))).encode())
        digest.update(cache_keys.file_bytes(plan.fw.folder / "framework.yaml"))
        return digest.hexdigest()[:32]

    def _render_plan(self, plan: SitePlan) -> None:
        documents = self.documents(plan)
        downloads = []
        for output in registry.on_site():  # what each plan offers to download
            content = documents.get(output.file)
            if content is None:
                continue
            path = f"{plan.folder}/{plan.file_stem}{output.suffix}"
            self.files[path] = content
            downloads.append({"path": path, "label": output.label, "size": _size(len(content)),
                              "name": f"{plan.file_stem}{output.suffix}", "icon": output.icon})
        # Outline ids a plan's notes and tables use to point at a heading reach the reader as its title.
        words = lambda text: d.readers_text(text, plan.data, plan.fw) if text else ""  # noqa: E731
        tables = lambda blocks: d.in_readers_words(blocks, plan.data, plan.fw)  # noqa: E731
        common = dict(plan=plan, fw=plan.fw, pages=plan_pages(plan), downloads=downloads, words=words)

        src = plan.page("index")
        review = reviews.summary(plan.review, d.outline_titles(plan.data, plan.fw),
                                 lambda entry_id: self.linker.href(src, plan.page("narrative"), entry_id))
        self._page(src, "plan_overview.md.j2", **common, review=review,
                   income=tables(d.income_table(plan.data, plan.fw)),
                   funding_chart=self._funding_chart(plan, src))

        doc = d.build(plan.data, plan.fw)
        first_section = next((i for i, b in enumerate(doc.blocks) if isinstance(b, d.Heading) and b.level == 2),
                             len(doc.blocks))
        narrative = reviews.beside_answers(doc.blocks[first_section:], plan.review)
        self._page(plan.page("narrative"), "plan_narrative.md.j2", **common, narrative=narrative,
                   sortable=frozenset({"Expenditure by scheme"}))

        src = plan.page("funding")
        self._page(src, "plan_funding.md.j2", **common, income=tables(d.income_table(plan.data, plan.fw)),
                   funding_chart=self._funding_chart(plan, src),
                   expenditure=tables(d.expenditure_table(plan.data, plan.fw)) if plan.schemes else [],
                   schemes_not_stated=words(_not_stated(plan.data.get("schemes"))),
                   spend_by_source=tables(d.spend_by_source_table(plan.data, plan.fw)),
                   type_chart=self._scheme_type_chart(plan, src),
                   category=tables(d.spend_by_category_table(plan.data, plan.fw)),
                   category_chart=self._category_chart(plan, src),
                   dfg=tables(d.dfg_table(plan.data, plan.fw)), minimum_spend=self._minimum_spend(plan),
                   names={key: plan.fw.names(key) for key in ("scheme_types", "funding_streams", "areas_of_spend",
                                                                "commissioner_kinds")})

        src = plan.page("metrics")
        self._page(src, "plan_metrics.md.j2", **common, metrics=self._metrics(plan, src),
                   capacity=tables(d.capacity_demand_table(plan.data, plan.fw)))

        risks = [[r["risk"], " ".join(str(r.get("mitigation") or "").split()), r.get("likelihood"), r.get("impact"),
                  r.get("owner"), r.get("timescale")] for r in plan.data.get("risks") or []]
        self._page(plan.page("risks"), "plan_risks.md.j2", **common,
                   risks=html.table(["Risk", "Mitigation", "Likelihood", "Impact", "Owner", "Timescale"], risks,
                                    caption="Risks and mitigations", drop_empty_columns=True) if risks else "",
                   uec=tables(d.uec_table(plan.data, plan.fw)), related=plan.data.get("related_documents") or [],
                   safe_link=_safe_http_link)
        if plan.returns:
            self._outturn(plan, common)

    def _outturn(self, plan: SitePlan, common: dict) -> None:
        """Plan against outturn: each return (latest first) against the plan, and the conditions through the year."""
        src = plan.page("outturn")
        streams, metrics = plan.fw.names("funding_streams"), plan.fw.names("metrics")
        goals = plan.data.get("metrics") or {}
        returns = []
        for ret in plan.returns:
            money = ret.money(plan.data)
            rows = [[streams.get(s, s), money["plan_income"].get(s), money["income"].get(s, 0),
                     money["plan_spend"].get(s), money["spend"].get(s, 0),
                     _percent(money["spend"].get(s, 0), money["plan_spend"].get(s))] for s in money["streams"]]
            # Explanations are sentences: under the table, not squeezed into a column of figures.
            variance = [(streams.get(k, k), v) for k, v in (ret.data.get("variance") or {}).items()]
            year = money["year"]
            table = html.table(["Funding stream", f"Planned income {year}", "Income to date",
                                f"Planned spend {year}", "Spend to date", "Spent of planned"],
                               rows, caption=f"{ret.name}: income and spend by funding stream against the plan",
                               money_columns=frozenset({1, 2, 3, 4}), css_class="bcfc-stack") if rows else ""
            metric_rows = []
            for metric, by_period in (ret.data.get("metrics") or {}).items():
                for label, entry in by_period.items():
                    goal = ((goals.get(metric) or {}).get("goals") or {}).get(label)
                    actual = f"{entry['actual']:g}" if "actual" in entry else \
                        f"Data not available: {entry.get('data_not_available', 'no reason given')}"
                    metric_rows.append([metrics.get(metric, metric), period_words(label), actual,
                                        f"{goal:g}" if isinstance(goal, (int, float)) else None,
                                        entry["verdict"].replace("_", " ").capitalize(), entry.get("comment", "")])
            metric_table = html.table(["Metric", "Period", "Actual", "Goal in the plan", "Verdict", "Comment"],
                                      metric_rows, caption=f"{ret.name}: each metric's actual against its goal",
                                      drop_empty_columns=True, css_class="bcfc-stack") if metric_rows else ""
            # A goal the plan gives in words only (its figures in the planning template): once, under the table.
            in_words = [(metrics.get(m, m), " ".join(str(goals[m]["goal_as_stated"]).split()))
                        for m in ret.data.get("metrics") or {}
                        if isinstance(goals.get(m), dict) and goals[m].get("goal_as_stated")]
            downloads = []
            for suffix, content in sorted(self.return_documents(plan, ret).items()):
                path = f"{plan.folder}/returns/{ret.stem}{suffix}"
                self.files[path] = content
                downloads.append({"path": path, "name": f"{ret.stem}{suffix}", "size": _size(len(content)),
                                  "label": {".docx": "Return narrative (Word)", ".xlsx": "Return workbook (Excel)"}
                                  .get(suffix, suffix), "icon": {".docx": "DOC", ".xlsx": "XLS"}.get(suffix, "")})
            returns.append({"ret": ret, "money": money, "table": table, "metrics": metric_table,
                            "variance": variance, "in_words": in_words,
                            "downloads": downloads, "anchor": ret.data["return"]})
        conditions = plan.fw.data["returns"]["national_conditions"]
        oldest_first = list(reversed(plan.returns))
        rows = []
        for condition in conditions:
            cells = []
            for ret in oldest_first:
                answer = (ret.data.get("national_conditions") or {}).get(condition["id"])
                if answer is None:
                    cells.append("Not answered")
                else:
                    cells.append(("Met" if answer.get("met") else "Not met")
                                 + (f": {answer['comment']}" if answer.get("comment") else ""))
            rows.append([condition["name"], *cells])
        condition_table = html.table(["National condition", *[r.name for r in oldest_first]], rows,
                                     caption="National conditions through the year, as each return answers them")
        self._page(src, "plan_outturn.md.j2", **common, returns=returns, conditions=condition_table)

    def _funding_chart(self, plan: SitePlan, page_src: str) -> Markup:
        stated = [s for s in plan.streams if s.amounts]
        years = plan.comparable_years
        if not stated or not years:
            return Markup("")
        # A year with fewer streams stated is left out: its shorter bar would read as a fall in the fund.
        left_out = [y for y in plan.totals if y not in years]
        colours = _stream_colours(plan.fw)
        series = [charts.Series(s.name, [s.amounts.get(y) for y in years], colours[s.id]) for s in stated]
        alt = "Bar chart of the pooled fund by funding stream. " + " ".join(
            f"{y}: " + "; ".join(f"{s.name} {money_text(s.amounts[y])}" for s in stated if y in s.amounts) + "."
            for y in years)
        caption = "Funding mix: the income the plan states, by funding stream and year"
        if any(s.not_stated for s in plan.streams):
            caption += " (streams the document leaves to the planning template are not shown)"
        if left_out:
            caption += (". Not charted: " + ", ".join(f"{y} (only {', '.join(plan.stated_in(y))} stated)" for y in left_out)
                        + ", which would not compare with the other years")
        path = f"{plan.folder}/charts/funding-mix.svg"
        svg = self.files.get(path) or charts.stacked_bars(years, series, legend=False)  # overview and funding share it
        return self._chart(page_src, path, svg, alt, caption, charts.key(series))

    def _scheme_type_chart(self, plan: SitePlan, page_src: str) -> dict:
        """Scheme expenditure summed by scheme type, with its table; empty where no scheme gives a type."""
        schemes = plan.schemes
        if not schemes or not any(s.get("type") for s in schemes):
            return {}
        years = plan.fw.financial_years
        types = plan.fw.names("scheme_types")
        sums: dict[str, dict[str, int]] = {}
        for scheme in schemes:
            label = types.get(scheme.get("type"), "Type not given")
            for year in years:
                amount = (scheme.get("expenditure") or {}).get(year)
                if isinstance(amount, int):
                    sums.setdefault(label, {}).setdefault(year, 0)
                    sums[label][year] += amount
        labels = sorted(sums, key=lambda k: (-sum(sums[k].values()), k))
        rows = [[label] + [sums[label].get(y) for y in years] for label in labels]
        used_years = [y for y in years if any(y in sums[k] for k in labels)]
        series = [charts.Series(y, [sums[k].get(y) for k in labels]) for y in used_years]
        alt = "Bar chart of scheme expenditure by scheme type. " + " ".join(
            f"{label}: " + ", ".join(f"{money_text(sums[label][y])} in {y}" for y in used_years if y in sums[label])
            + "." for label in labels)
        figure = self._chart(page_src, f"{plan.folder}/charts/spend-by-scheme-type.svg",
                             charts.stacked_bars(labels, series, legend=False), alt,
                             "Scheme expenditure by scheme type, stacked by financial year", charts.key(series))
        table = html.table(["Scheme type"] + years, rows, caption="Scheme expenditure by scheme type",
                           money_columns=frozenset(range(1, len(years) + 1)))
        return {"figure": figure, "table": table}

    def _category_chart(self, plan: SitePlan, page_src: str) -> Markup:
        rows = plan.data.get("spend_by_category") or []
        years = [y for y in plan.fw.financial_years if any(y in (r.get("amounts") or {}) for r in rows)]
        if not rows or not years:
            return Markup("")
        labels = [r["category"] for r in rows]
        series = [charts.Series(y, [(r.get("amounts") or {}).get(y) for r in rows]) for y in years]
        alt = "Bar chart of spend by category. " + " ".join(
            f"{r['category']}: " + ", ".join(f"{money_text(r['amounts'][y])} in {y}" for y in years
                                             if y in r["amounts"]) + "." for r in rows)
        return self._chart(page_src, f"{plan.folder}/charts/spend-by-category.svg",
                           charts.stacked_bars(labels, series, legend=False), alt,
                           "Spend by category, as the plan states it", charts.key(series))

    def _minimum_spend(self, plan: SitePlan) -> Markup:
        stated = plan.data.get("minimum_spend") or {}
        if not stated:
            return Markup("")
        years = plan.fw.financial_years
        names = {rule["id"]: rule["name"] for rule in plan.fw.items("minimum_spend")}
        rows = [[names.get(rule_id, rule_id)] + [amounts.get(y) for y in years] for rule_id, amounts in stated.items()]
        return html.table(["Minimum"] + years, rows, caption="Minimum spend the plan states",
                          money_columns=frozenset(range(1, len(years) + 1)))

    def _metrics(self, plan: SitePlan, page_src: str) -> list[dict]:
        given = plan.data.get("metrics") or {}
        out = []
        entries = [(m, given.get(m["id"]), False) for m in plan.fw.items("metrics")]
        entries += [({"id": f"local-{m['id']}", "name": m["name"], "unit": m.get("unit", ""), "definition": ""}, m,
                     True) for m in plan.data.get("local_metrics") or []]
        for metric, value, local in entries:
            item = {"metric": metric, "local": local, "value": value or {},
                    "not_stated": d.readers_text(_not_stated(value), plan.data, plan.fw),
                    "missing": value is None, "table": Markup(""), "figure": Markup("")}
            baseline = [(period_words(p), v) for p, v in numeric_periods((value or {}).get("baseline"))]
            goals = [(period_words(p), v) for p, v in numeric_periods((value or {}).get("goals"))]
            unit = metric.get("unit", "")
            if baseline or goals:
                rows = [[p, v, None] for p, v in baseline] + [[p, None, v] for p, v in goals]
                item["table"] = html.table(["Period", "Baseline", "Goal"], rows,
                                           caption=f"{metric['name']}: baseline and goals",
                                           numeric_columns=frozenset({1, 2}))
            if baseline and goals or len(baseline) + len(goals) > 1:
                alt = (f"Chart of {metric['name']} ({unit}), on an axis that fits the figures. "
                       + ("Baseline: " + "; ".join(f"{p} {d.number(v)}" for p, v in baseline) + ". " if baseline else "")
                       + ("Goals: " + "; ".join(f"{p} {d.number(v)}" for p, v in goals) + "." if goals else ""))
                change = _change(numeric_periods((value or {}).get("baseline")),
                                 numeric_periods((value or {}).get("goals")))
                item["figure"] = self._chart(page_src, f"{plan.folder}/charts/metric-{metric['id']}.svg",
                                             charts.goal_against_baseline(baseline, goals), (alt + change).strip(),
                                             f"{metric['name']}: goals against the baseline ({unit}); "
                                             "the axis does not start at zero, so small changes show." + change)
            out.append(item)
        return out

    # -- the pages across plans ----------------------------------------------------------------

    def _across_plans(self) -> None:
        """The comparisons, the reviewers' pages and the open data: every plan's figures, none of its narrative
        answers. They are made from the plans without their narrative, so an edit to an answer (most edits)
        leaves them to the page cache; any other change to any plan makes them again."""
        everything = self.plans
        self.plans = [replace(p, source=PlanSource(p.source.path, _without_narrative(p.data), p.fw, b""))
                      for p in everything]
        try:
            self._cached(self._across_key() if self.page_cache is not None else None, self._render_across_plans)
        finally:
            self.plans = everything

    def _across_key(self) -> str:
        digest = hashlib.sha256(f"{code_digest()}\0{self.use_directory_urls}\0".encode())
        for path in sorted(p for p in FRAMEWORKS_DIR.rglob("*") if p.is_file()):  # names, schemas (the data page)
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
        digest.update(reference_hwbs.DATA.read_bytes())
        for plan in self.plans:
            digest.update(b"\0plan\0" + plan.source.path.as_posix().encode() + b"\0")
            digest.update(json.dumps(plan.data, default=str, ensure_ascii=False).encode())
            digest.update(b"\0review\0" + plan.review_raw)
            for ret in plan.returns:
                digest.update(b"\0return\0" + ret.path.as_posix().encode() + b"\0" + ret.raw)
        return digest.hexdigest()[:32]

    def _render_across_plans(self) -> None:
        for period in self.periods_with_plans:
            self._comparison(period)
        for period in self.periods_with_plans:
            self._compliance(period)
        self._icbs()
        data_files, tables = opendata.files(self.plans)
        self.files.update(data_files)
        self._page(DATA_PAGE, "data.md.j2", tables=tables)

    # -- comparisons across HWBs -----------------------------------------------------------

    def _scopes(self, period: str) -> list[dict]:
        """The regions and ICBs of the period's plans, each with every HWB it covers (from the HWB list) and
        its own comparison page: compare/<period>/region-<slug>.md, compare/<period>/icb-<slug>.md."""
        codes = {h.get("code") for p in self.plans if p.period == period for h in p.data.get("hwbs") or []}
        regions: dict[str, list] = {}
        for hwb in reference_hwbs.all_hwbs():
            regions.setdefault(hwb.region, []).append(hwb)
        scopes = [{"kind": "Region", "name": name, "hwbs": sorted(hwbs, key=lambda h: h.name),
                   "src": f"compare/{period}/region-{_slug(name)}.md"} for name, hwbs in sorted(regions.items())]
        scopes += [{"kind": "ICB", "name": icb.name, "hwbs": list(icb.hwbs),
                    "src": f"compare/{period}/icb-{icb.slug}.md"} for icb in reviewers.icbs()]
        return [s for s in scopes if any(h.code in codes for h in s["hwbs"])]

    def _comparison(self, period: str, scope: dict | None = None) -> None:
        fw = load_framework(period)
        plans = [p for p in self.plans if p.period == period]
        src = f"compare/{period}.md"
        unplanned, filters = [], []
        if scope is None:
            filters = [{"kind": s["kind"], "name": s["name"], "href": self.linker.href(src, s["src"])}
                       for s in self._scopes(period)]
        else:
            covered = {h.code for h in scope["hwbs"]}
            plans = [p for p in plans if any(h.get("code") in covered for h in p.data.get("hwbs") or [])]
            planned = {h.get("code") for p in plans for h in p.data.get("hwbs") or []}
            unplanned = [h.name for h in scope["hwbs"] if h.code not in planned]
            src = scope["src"]
        chart_name = src.removesuffix(".md").removeprefix("compare/").replace("/", "-")
        years = fw.financial_years
        streams = fw.items("funding_streams")
        pooled = []
        for year in years:
            # A stream no plan gives a figure for in this year is named in a note, not a column of blanks.
            used = [s for s in streams if any(st.id == s["id"] and year in st.amounts for p in plans for st in p.streams)]
            unused = [s["name"] for s in streams if s not in used]
            rows = []
            for plan in plans:
                by_id = {s.id: s for s in plan.streams}
                row = [plan.hwb_name]
                for stream in used:
                    got = by_id.get(stream["id"])
                    row.append(got.amounts.get(year) if got and year in got.amounts
                               else ("not stated" if got and got.not_stated else None))
                row.append(plan.totals.get(year))
                rows.append(row)
            charted = [p for p in plans if year in p.totals]
            figure = Markup("")
            if charted:
                colours = _stream_colours(fw)
                series = [charts.Series(s["name"], [next((st.amounts.get(year) for st in p.streams if st.id == s["id"]),
                                                         None) for p in charted], colours[s["id"]]) for s in used]
                alt = f"Bar chart of the pooled fund in {year} by HWB, stacked by funding stream. " + " ".join(
                    f"{p.hwb_name}: {money_text(p.totals[year])}" + (" (stated streams only)" if p.totals_partial
                                                                     else "") + "." for p in charted)
                figure = self._chart(src, f"compare/charts/{chart_name}-pooled-fund-{year}.svg",
                                     self._drawn(charts.stacked_bars, [p.hwb_name for p in charted], series, legend=False),
                                     alt,
                                     f"Pooled fund {year} by HWB and funding stream (stated amounts)",
                                     charts.key(series))
            pooled.append({"year": year, "rows": rows, "figure": figure, "streams": used, "unused": unused})

        per_head = []
        for plan in plans:
            population = plan.population
            per_head.append({"plan": plan, "population": population,
                             "values": {y: plan.spend_per_head(y) for y in years}})

        metrics = []
        for metric in fw.items("metrics"):
            goal_periods: list[str] = []
            rows = []
            for plan in plans:
                value = (plan.data.get("metrics") or {}).get(metric["id"])
                goals = dict(numeric_periods((value or {}).get("goals")))
                for label in goals:
                    if label not in goal_periods:
                        goal_periods.append(label)
                rows.append({"plan": plan, "value": value or {}, "goals": goals,
                             "not_stated": d.readers_text(_not_stated(value), plan.data, plan.fw),
                             "baseline": "; ".join(f"{p}: {d.number(v)}"
                                                   for p, v in numeric_periods((value or {}).get("baseline")))})
            metrics.append({"metric": metric, "rows": rows, "periods": sorted(goal_periods)})
        self._page(src, "compare.md.j2", fw=fw, plans=plans,
                   other_periods=[p for p in self.periods_with_plans if p != period], streams=streams, years=years, pooled=pooled,
                   per_head=per_head, metrics=metrics, scope=scope, unplanned=unplanned, filters=filters,
                   breakdowns=[_spend_breakdown(fw, plans, key) for key in ("areas_of_spend", "scheme_types")],
                   latest_returns=self._latest_returns(plans, src,
                                                       f"{period}: the latest return of each plan that has one"))
        if scope is None:
            for each in self._scopes(period):
                self._comparison(period, each)

    def _latest_returns(self, plans: list[SitePlan], src: str, caption: str) -> Markup:
        """Each plan's latest return: its spend to date against the plan's for the year; empty if none has one."""
        rows = []
        for plan in plans:
            ret = plan.latest_return
            if ret is None:
                continue
            money = ret.money(plan.data)
            rows.append([html.Link(f"{plan.hwb_name} {plan.period}", self.linker.href(src, plan.page("outturn"))),
                         ret.name, money["spent"] if money["streams"] else "None reported",
                         money["planned"] if money["streams"] else None,
                         _percent(money["spent"], money["planned"]) if money["streams"] else ""])
        if not rows:
            return Markup("")
        return html.table(["Plan", "Latest return", "Spend to date", "Planned for the year", "Spent of planned"],
                          rows, caption=caption, money_columns=frozenset({2, 3}), css_class="bcfc-stack")

    # -- views for reviewers ------------------------------------------------------------------

    def _compliance(self, period: str) -> None:
        src = compliance_page(period)
        plans = [p for p in self.plans if p.period == period]
        submissions, checks, counts = [], [], {}
        for plan in plans:
            where = reviewers.place(plan)
            name = html.Link(plan.hwb_name, self.linker.href(src, plan.page("index")))
            dated = sorted((str(s["date"]), shown(s["body"])) for s in plan.data.get("sign_off") or [] if s.get("date"))
            signed = f"{dated[-1][1]}, {d.long_date(dated[-1][0])}" if dated else ""  # the last body to sign it off
            submissions.append([name, where["region"], where["icbs"], shown(plan.data.get("status", "")).capitalize(),
                                plan.version_number or "None given", d.long_date(plan.data.get("date")), signed])
            for row in reviewers.compliance(plan):
                evidence = html.Link(row["status"], self.linker.href(src, plan.page("funding"), row["anchor"]))
                checks.append([plan.hwb_name, where["region"], where["icbs"], row["check"], row["year"], evidence,
                               d.readers_text(row["detail"], plan.data, plan.fw)])
                counts[row["status"]] = counts.get(row["status"], 0) + 1
            for row in self._return_conditions(plan):  # the national conditions as the latest return answers them
                evidence = html.Link(row["status"], self.linker.href(src, plan.page("outturn")))
                checks.append([plan.hwb_name, where["region"], where["icbs"], row["check"], row["year"], evidence,
                               row["detail"]])
                counts[row["status"]] = counts.get(row["status"], 0) + 1
        summary = ", ".join(f"{counts.get(k, 0)} {k.lower()}" for k in (reviewers.MET, reviewers.NOT_MET,
                                                                       reviewers.NOT_STATED))
        self._page(src, "compliance.md.j2", period=period, fw=load_framework(period), submissions=submissions,
                   checks=checks, counts=f"{len(checks)} checks: {summary}",
                   latest_returns=self._latest_returns(plans, src, f"{period}: the latest return of each plan "
                                                                   "that has one"))

    @staticmethod
    def _return_conditions(plan: SitePlan) -> list[dict]:
        """Each national condition as the plan's latest return answers it (met, not met, or not answered)."""
        ret = plan.latest_return
        if ret is None:
            return []
        rows = []
        for condition in plan.fw.data["returns"]["national_conditions"]:
            answer = (ret.data.get("national_conditions") or {}).get(condition["id"])
            status = (reviewers.NOT_STATED if answer is None else reviewers.MET if answer.get("met")
                      else reviewers.NOT_MET)
            rows.append({"check": f"{condition['name']} (latest return: {ret.name})", "status": status,
                         "year": ret.period.get("financial_year", ""),
                         "detail": "Not answered in the return" if answer is None else answer.get("comment", "")})
        return rows

    def _icbs(self) -> None:
        by_code: dict[str, list[SitePlan]] = {}
        for plan in self.plans:
            for hwb in plan.data.get("hwbs") or []:
                found = reference_hwbs.by_code().get(hwb.get("code", ""))
                if found:
                    by_code.setdefault(found.code, []).append(plan)
        rows = []
        for icb in reviewers.icbs():
            src = icb.page
            hwb_rows, published = [], []
            for hwb in icb.hwbs:
                plans = by_code.get(hwb.code, [])
                published += [p for p in plans if p not in published]
                others = "; ".join(n for n in hwb.icbs if n != icb.name)
                links = [html.Link(f"{p.period}", self.linker.href(src, p.page("index"))) for p in plans]
                hwb_rows.append([hwb.name, hwb.code, others, links or "None published"])
            totals = []
            for period in sorted({p.period for p in published}):
                period_plans = [p for p in published if p.period == period]
                years = [y for y in load_framework(period).financial_years if any(y in p.totals for p in period_plans)]
                table_rows = [[html.Link(p.hwb_name, self.linker.href(src, p.page("index")))]
                              + [p.totals.get(y) if not p.unstated_in(y) else
                                 (f"{money_text(p.totals[y])} ({len(p.stated_in(y))} of {len(p.streams)} streams stated)"
                                  if y in p.totals else None) for y in years] for p in period_plans]
                caption = f"{period}: the pooled fund of each HWB's plan, as its document states it"
                totals.append({"period": period, "table": html.table(
                    ["Health and Wellbeing Board"] + years, table_rows, caption=caption,
                    money_columns=frozenset(range(1, len(years) + 1)))})
            self._page(src, "icb.md.j2", icb=icb, rows=hwb_rows, totals=totals,
                       latest_returns=self._latest_returns(published, src,
                                                           "The latest return of each plan that has one"))
            rows.append([html.Link(icb.name, self.linker.href(ICBS_INDEX, src)), icb.code, icb.region,
                         len(icb.hwbs), len(published)])
        self._page(ICBS_INDEX, "icbs.md.j2", rows=rows)

    # -- reference pages from the frameworks ------------------------------------------------

    def _reference(self) -> None:
        defs = schema_ref.load_defs(FRAMEWORKS_DIR)
        self.files["schemas/defs.schema.json"] = FRAMEWORKS_DIR / schema_ref.DEFS_FILE
        frameworks = [load_framework(p) for p in available_periods()]
        for fw in frameworks:
            self.files[f"schemas/{fw.period}/plan.schema.json"] = fw.schema_path
            self._page(f"reference/{fw.period}/index.md", "framework.md.j2", fw=fw,
                       outline=list(fw.outline), kinds=_KIND_WORDS, money_rules=_money_rules(fw),
                       plans=[p for p in self.plans if p.period == fw.period])
            self._page(f"reference/{fw.period}/fields.md", "fields.md.j2", fw=fw,
                       fields=schema_ref.fields(fw, defs), schema_title=fw.schema().get("title", ""))
        self._page("reference/findings.md", "findings.md.j2", codes=CODES)
        self._page(AUTHORS_INDEX, "reference.md.j2", frameworks=frameworks, author_docs=self.author_docs,
                   defs_title=defs.get("title", ""))


_KIND_WORDS = {
    "national_condition": "National condition", "planning_requirement": "Planning requirement",
    "kloe": "Key line of enquiry", "section": "Section", "prompt": "Prompt", "part": "Part",
}


def _stream_colours(fw: Framework) -> dict[str, int]:
    """Each funding stream's place in the palette: its place in the framework's list of streams."""
    return {stream_id: index for index, stream_id in enumerate(fw.ids("funding_streams"))}


def _money_rules(fw: Framework) -> list[list[str]]:
    streams = fw.names("funding_streams")
    lists = {"area_of_spend": "areas_of_spend", "commissioner": "commissioner_kinds", "scheme_type": "scheme_types"}
    words = {"area_of_spend": "area of spend", "commissioner": "commissioner", "scheme_type": "scheme type"}
    rows = []
    for rule in fw.items("minimum_spend"):
        where = "; ".join(f"{words.get(key, key)}: " + ", ".join(fw.names(lists[key]).get(v, v) for v in values)
                          for key, values in (rule.get("where") or {}).items() if key in lists)
        rows.append([rule["name"], f"At least the minimum the plan states, from {streams.get(rule['funding_stream'])}",
                     where or "all schemes the stream funds"])
    for rule in fw.items("ring_fenced"):
        types = fw.names("scheme_types")
        rows.append([f"Ring-fenced: {streams.get(rule['funding_stream'])}", "Spent only on schemes of these types",
                     ", ".join(types.get(t, t) for t in rule["scheme_types"])])
    return rows


def _period_kind(label: str) -> str:
    """"month", "quarter" or "year" (a financial year, 2023-24, or anything else)."""
    match = re.fullmatch(r"\d{4}-\d{2} ([MQ])\d+", label)
    return {"M": "month", "Q": "quarter"}[match[1]] if match else "year"


def _change(baseline: list[tuple[str, float]], goals: list[tuple[str, float]]) -> str:
    """The last goal against the latest baseline of the same kind of period, in words: " The goal for March
    2025, 95.1, is 2.3 (2.4%) higher than the baseline for March 2023, 92.8." A year is not set against a
    quarter (the change would be the length of the period): then the caption says so."""
    if not baseline or not goals:
        return ""
    goal_period, goal = goals[-1]
    same = [(p, v) for p, v in baseline if _period_kind(p) == _period_kind(goal_period)]
    if not same:
        kinds = lambda items: " and ".join(sorted({_period_kind(p) + "s" for p, _ in items}))  # noqa: E731
        return (f" The baseline is given for {kinds(baseline)} and the goals for {kinds(goals)}, "
                "so the two are not compared.")
    base_period, base = same[-1]
    goal_words, base_words = period_words(goal_period), period_words(base_period)
    diff = goal - base
    if diff == 0:
        return f" The goal for {goal_words}, {d.number(goal)}, is the baseline for {base_words}."
    share = f" ({abs(diff) / abs(base):.1%})" if base else ""
    return (f" The goal for {goal_words}, {d.number(goal)}, is {d.number(round(abs(diff), 6))}{share} "
            f"{'higher' if diff > 0 else 'lower'} than the baseline for {base_words}, {d.number(base)}.")


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def _not_stated(value) -> str:
    return str(value["not_stated"]) if isinstance(value, dict) and value.get("not_stated") else ""


def _safe_http_link(url) -> str:
    text = str(url or "").strip()
    return text if text.lower().startswith(("https://", "http://")) else ""


def _percent(actual: int, planned) -> str:
    return f"{round(100 * actual / planned)}%" if isinstance(planned, int) and planned else ""


def _size(count: int) -> str:
    return f"{count / 1024:,.0f} KB" if count >= 1024 else f"{count} bytes"


def _spend_breakdown(fw, plans: list[SitePlan], key: str) -> dict:
    """Planned scheme spend by area of spend (or scheme type) for each plan and year: the rows a
    reviewer compares. Only the plan's own scheme figures count; a plan with no scheme list, or whose
    schemes give no figure for a year, is said to be so rather than shown as £0."""
    field = {"areas_of_spend": "area_of_spend", "scheme_types": "type"}[key]
    names = fw.names(key)
    tables = []
    for year in fw.financial_years:
        sums = {plan.slug: {} for plan in plans}
        for plan in plans:
            for scheme in plan.schemes:
                amount = (scheme.get("expenditure") or {}).get(year)
                if isinstance(amount, int) and scheme.get(field):
                    kind = scheme[field]
                    sums[plan.slug][kind] = sums[plan.slug].get(kind, 0) + amount
        used = [k for k in names if any(k in by_kind for by_kind in sums.values())]
        used += sorted({k for by_kind in sums.values() for k in by_kind} - set(names))  # a plan's own words
        if not used:
            continue
        # a plan with no figures for the year is named under the table, not given a column of dashes
        shown = [p for p in plans if sums[p.slug]]
        rows = [{"kind": names.get(k, k), "totals": [sums[p.slug].get(k) for p in shown],
                 "all": sum(sums[p.slug].get(k, 0) for p in shown)} for k in used]
        rows.sort(key=lambda row: (-row["all"], row["kind"]))
        silent = [p.hwb_name for p in plans if not sums[p.slug]]
        tables.append({"year": year, "plans": shown, "rows": rows, "silent": silent})
    return {"key": key, "title": {"areas_of_spend": "area of spend", "scheme_types": "scheme type"}[key],
            "tables": tables}


def _without_narrative(data: dict) -> dict:
    return {key: value for key, value in data.items() if key != "narrative"}
