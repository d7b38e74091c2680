"""The published site, read as files: strict builds, atomic swaps, safe plan text, stable bytes.

The site is built once per session (tests/browser/helpers.built_site) with `bcfc build`, from the
example plans plus two fixture plans; tests that must break something build their own copy.
"""
from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import html.parser
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest
import yaml

from bcf_schema import available_periods, load, load_framework
from browser import helpers
from conftest import EXAMPLE_PLANS, ROOT
from renderers.site import html as site_html
from renderers.site.model import SitePlan
from renderers.outputs import PlanSource

MKDOCS = str(Path(sys.executable).with_name("mkdocs"))


@pytest.fixture(scope="module")
def site():
    return helpers.built_site()


def snapshot(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def html_pages(site_dir: Path) -> list[Path]:
    return sorted(site_dir.rglob("*.html"))


class _Page(html.parser.HTMLParser):
    """Every element with its attributes, the links, and the text inside <script> elements."""

    def __init__(self):
        super().__init__()
        self.elements: list[tuple[str, dict]] = []
        self.links: list[tuple[str, str]] = []  # (tag, url)
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.elements.append((tag, attributes))
        self._in_script = tag == "script"
        for name, value in attrs:
            if value and ((tag == "a" and name == "href") or (tag in ("img", "script") and name == "src")
                          or (tag == "link" and name == "href")):
                self.links.append((tag, value))

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts.append(data)


def parse(text: str) -> _Page:
    page = _Page()
    page.feed(text)
    return page


def links_of(page: Path) -> list[tuple[str, str]]:
    return parse(page.read_text(encoding="utf-8")).links


# -- building -----------------------------------------------------------------------------------

def test_bcfc_build_builds_the_site_with_no_warnings(site):
    assert "built the site into site/" in site.build_output
    assert "WARNING" not in site.build_output
    assert (site.site / "index.html").is_file()
    assert not [p for p in site.work.iterdir() if p.name.startswith(".site.")]  # no staging folder left


def test_mkdocs_build_strict_passes_on_the_example_plans(tmp_path):
    shutil.copy(ROOT / "mkdocs.yml", tmp_path / "mkdocs.yml")
    shutil.copytree(ROOT / "docs", tmp_path / "docs")
    shutil.copytree(ROOT / "plans", tmp_path / "plans")

    result = subprocess.run([MKDOCS, "build", "--strict"], cwd=tmp_path, capture_output=True, text=True,
                            timeout=300, env={**_env(), "NO_MKDOCS_2_WARNING": "1"})

    assert result.returncode == 0, result.stderr
    assert "WARNING" not in result.stderr and "ERROR" not in result.stderr, result.stderr
    for plan in EXAMPLE_PLANS:
        folder = tmp_path / "site" / "plans" / plan.parent.name / plan.stem
        for page in ("index.html", "narrative/index.html", "funding/index.html", "metrics/index.html",
                     "risks/index.html"):
            assert (folder / page).is_file(), f"{plan}: no {page}"


def test_the_same_plans_give_a_byte_identical_site(site, tmp_path):
    # A second build of the same inputs in a fresh folder: no cache, so every document (the PDFs too), page and
    # chart is made afresh.
    for name in ("mkdocs.yml", "bcfc.yaml", "docs", "plans", "reviews"):
        (shutil.copytree if (site.work / name).is_dir() else shutil.copy)(site.work / name, tmp_path / name)
    result = subprocess.run([helpers.bcfc_exe(), "build"], cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    first, second = snapshot(site.site), snapshot(tmp_path / "site")
    assert first.pop(".bcfc-output") and second.pop(".bcfc-output")  # the marker that tells bcfc the folder is its own
    assert first.keys() == second.keys()
    assert [name for name in first if first[name] != second[name]] == []
    # The sitemap's page dates, and so the time in sitemap.xml.gz, are the newest date the plans
    # state, never the clock.
    with gzip.open(site.site / "sitemap.xml.gz") as f:
        assert f.read() == (site.site / "sitemap.xml").read_bytes()
    newest = max(SitePlan(PlanSource(p, load(p).data, load_framework(load(p).data["framework"]))).latest_date()
                 for p in site.plans)
    stamp = int.from_bytes((site.site / "sitemap.xml.gz").read_bytes()[4:8], "little")
    assert dt.datetime.fromtimestamp(stamp, dt.timezone.utc).date().isoformat() == newest


def test_a_failed_site_build_leaves_the_previous_site(tmp_path):
    helpers.make_workspace(tmp_path)
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "index.html").write_text("the previous site", encoding="utf-8")
    (tmp_path / "site" / ".bcfc-output").write_text("bcfc built it\n", encoding="utf-8")
    before = snapshot(tmp_path / "site")
    (tmp_path / "docs" / "broken.md").write_text("# Broken\n\nSee [the missing page](missing.md).\n",
                                                 encoding="utf-8")

    result = subprocess.run([helpers.bcfc_exe(), "build"], cwd=tmp_path, capture_output=True, text=True,
                            timeout=300)

    assert result.returncode == 1
    assert "missing.md" in result.stderr and "the site were left as they were" in result.stderr
    assert snapshot(tmp_path / "site") == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".site.")]


def test_a_plan_with_errors_stops_mkdocs_naming_the_file_and_line(tmp_path):
    helpers.make_workspace(tmp_path)
    plan = tmp_path / "plans" / "rutland" / "2023-25.yaml"
    text = plan.read_text(encoding="utf-8")
    plan.write_text(text.replace("version:", "versoin:", 1), encoding="utf-8")
    line = next(i for i, row in enumerate(text.splitlines(), 1) if row.startswith("version:"))
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "keep.txt").write_text("previous", encoding="utf-8")

    result = subprocess.run([MKDOCS, "build"], cwd=tmp_path, capture_output=True, text=True, timeout=300,
                            env=_env())

    assert result.returncode != 0
    assert f"plans/rutland/2023-25.yaml:{line}:1: error BCF103" in result.stderr, result.stderr
    assert "the site was not built" in result.stderr
    assert (tmp_path / "site" / "keep.txt").read_text(encoding="utf-8") == "previous"


def _env():
    import os
    return {**os.environ, "NO_MKDOCS_2_WARNING": "1"}


# -- what is in the site --------------------------------------------------------------------------

def test_every_plan_has_its_pages_and_downloads(site):
    for plan in site.plans:
        folder = site.site / "plans" / plan.parent.name / plan.stem
        stem = f"{plan.parent.name}-{plan.stem}"
        assert (folder / f"{stem}.yaml").read_bytes() == plan.read_bytes()
        assert (folder / f"{stem}-narrative.docx").read_bytes()[:2] == b"PK"
        assert (folder / f"{stem}-planning-template.xlsx").read_bytes()[:2] == b"PK"


def test_every_link_and_image_in_the_site_resolves(site):
    broken = []
    for page in html_pages(site.site):
        base = "/" + page.relative_to(site.site).as_posix()
        for tag, url in links_of(page):
            parts = urlsplit(url)
            if parts.scheme or parts.netloc or url.startswith(("#", "mailto:")):
                continue
            target = urlsplit(urljoin(base, url)).path
            path = site.site / unquote(target).lstrip("/")
            if target.endswith("/"):
                path = path / "index.html"
            if not path.is_file():
                broken.append(f"{base}: {tag} {url}")
    assert broken == []


def test_nothing_is_fetched_from_elsewhere_when_a_page_is_read(site):
    outside = []
    for page in html_pages(site.site):
        for tag, url in links_of(page):
            if tag in ("script", "link", "img") and urlsplit(url).scheme in ("http", "https", ""):
                if urlsplit(url).netloc and not url.startswith(helpers.SITE_URL):  # the canonical link: itself
                    outside.append(f"{page.name}: {tag} {url}")
    assert outside == []
    for css in site.site.rglob("*.css"):
        text = css.read_text(encoding="utf-8", errors="replace")
        assert "fonts.googleapis" not in text and "@import url(http" not in text, css


def test_every_image_has_a_text_alternative(site):
    missing = [f"{page}: {attrs.get('src')}" for page in html_pages(site.site)
               for tag, attrs in parse(page.read_text(encoding="utf-8")).elements
               if tag == "img" and not (attrs.get("alt") or "").strip()]
    assert missing == []


def test_charts_are_static_svg_with_their_figures_in_a_table(site):
    rich = site.site / "plans" / "rutland" / "2023-25"
    for chart in ("funding-mix", "spend-by-scheme-type", "spend-by-category"):
        svg = (rich / "charts" / f"{chart}.svg").read_bytes()
        assert svg.lstrip().startswith(b"<?xml") and b"<svg" in svg and b"<script" not in svg
        assert b"<dc:date>" not in svg  # no build time in the file
    funding = (rich / "funding" / "index.html").read_text(encoding="utf-8")
    assert 'alt="Bar chart of the pooled fund by funding stream. 2023-24: Minimum NHS contribution £3,000,000' \
        in funding
    assert "<caption>Scheme expenditure by scheme type</caption>" in funding  # the chart's own figures
    metrics = (rich / "metrics" / "index.html").read_text(encoding="utf-8")
    assert "charts/metric-avoidable_admissions.svg" in metrics and "Baseline: 2022-23 812.5" in metrics


def _fills(svg: Path) -> set[str]:
    """The fill colours an SVG chart paints with, upper case."""
    return {c.upper() for c in re.findall(r"fill: ?(#[0-9a-fA-F]{6})", svg.read_text(encoding="utf-8"))}


def test_a_funding_stream_keeps_its_colour_on_every_chart(site):
    """A reader comparing two charts matches streams by colour, so a stream's colour may not depend on
    which other streams a chart happens to show."""
    from renderers.site.charts import PALETTE

    fw = load_framework("2023-25")
    colour = {stream: PALETTE[i % len(PALETTE)] for i, stream in enumerate(fw.ids("funding_streams"))}
    charts = site.site / "compare" / "charts"
    both_years = _fills(charts / "2023-25-pooled-fund-2023-24.svg") & _fills(charts / "2023-25-pooled-fund-2024-25.svg")
    # Warwickshire states both discharge funds in both years: they are drawn in their own colours each time.
    assert {colour["la_discharge_fund"], colour["icb_discharge_fund"]} <= both_years
    assert colour["la_discharge_fund"] in _fills(site.site / "plans/warwickshire/2023-25/charts/funding-mix.svg")


def _contrast_on_white(colour: str) -> float:
    """WCAG 2.2 contrast ratio of an sRGB colour against white."""
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return 1.05 / (luminance + 0.05)


def test_every_chart_colour_stands_out_from_the_page(site):
    charts = sorted(site.site.rglob("*.svg"))
    assert charts
    for chart in charts:
        weak = {c for c in _fills(chart) - {"#FFFFFF"} if _contrast_on_white(c) < 3}
        assert not weak, f"{chart.relative_to(site.site)}: {weak} have less than 3:1 contrast on white"


def test_comparisons_show_each_periods_plans_side_by_side(site):
    page = (site.site / "compare" / "2023-25" / "index.html").read_text(encoding="utf-8")
    for name in ("Rutland", "Bracknell Forest", "Warwickshire", "Worcestershire"):
        assert f'<th scope="row">{name}</th>' in page
    assert "£102.32" in page  # Rutland: £4,200,000 / 41,049 people in 2023-24, rounded to the penny
    assert "Pooled fund per head of population" in page
    for metric in load_framework("2023-25").items("metrics"):
        assert f"{metric['name']}: each plan" in page
    for period in {yaml.safe_load(p.read_text(encoding="utf-8"))["framework"] for p in site.plans}:
        assert (site.site / "compare" / period / "index.html").is_file()


@pytest.mark.parametrize("period", available_periods())
def test_reference_pages_hold_every_heading_metric_and_field(site, period):
    fw = load_framework(period)
    source = (site.site / "reference" / period / "index.html").read_text(encoding="utf-8")
    text = page_text(source)
    for entry in fw.outline:
        assert f'id="{entry.id}"' in source
        assert " ".join(entry.title.split()) in text
        if entry.wording:
            assert " ".join(entry.wording.split()) in text, entry.id
    for metric in fw.items("metrics"):
        assert " ".join(metric["definition"].split()) in text
    fields = page_text((site.site / "reference" / period / "fields" / "index.html").read_text(encoding="utf-8"))
    for key in fw.schema()["properties"]:
        assert f" {key} " in fields
    assert " schemes[].funding_source " in fields


def test_the_findings_codes_page_lists_every_catalogued_code(site):
    from bcf_schema.catalogue import CODES
    text = page_text((site.site / "reference" / "findings" / "index.html").read_text(encoding="utf-8"))
    for code in CODES:
        assert f"{code.code} {code.title} {code.severity}" in text, code.code


def page_text(source: str) -> str:
    """The text a reader sees (entities decoded), with whitespace collapsed."""
    parts: list[str] = []
    parser = html.parser.HTMLParser()
    parser.handle_data = parts.append
    parser.feed(source)
    return " ".join(" ".join(parts).split())


def test_the_json_schemas_are_published_and_their_refs_resolve(site):
    import jsonschema
    import referencing

    base = "https://bcfc.example/schemas/"

    def retrieve(uri: str):
        path = site.site / "schemas" / uri.removeprefix(base)
        return referencing.Resource.from_contents(json.loads(path.read_text(encoding="utf-8")))

    registry = referencing.Registry(retrieve=retrieve)
    for period in available_periods():
        published = site.site / "schemas" / period / "plan.schema.json"
        assert published.read_bytes() == load_framework(period).schema_path.read_bytes()
        validator = jsonschema.Draft202012Validator({"$ref": f"{base}{period}/plan.schema.json"}, registry=registry)
        for plan in EXAMPLE_PLANS:
            data = load(plan).data  # dates as the loader gives them: strings
            if data["framework"] == period:
                assert list(validator.iter_errors(data)) == [], plan
    assert (site.site / "schemas" / "defs.schema.json").is_file()


# -- plan text is untrusted -----------------------------------------------------------------------------

def test_plan_markdown_keeps_no_html_and_no_script_links():
    out = site_html.prose(helpers.HOSTILE_TEXT)
    assert "<script" not in out and "<img" not in out and "<iframe" not in out and "<svg" not in out
    assert "&lt;script&gt;" in out
    assert 'href="javascript' not in out.lower() and 'href="data:' not in out.lower()
    link = site_html.prose("[site](https://example.org) [local](../funding/) [mail](mailto:a@b.org) "
                           "[x](JaVaScRiPt:alert(1)) [y](java\tscript:alert(1)) [z](vbscript:msgbox)")
    assert 'href="https://example.org"' in link and 'href="../funding/"' in link and 'href="mailto:a@b.org"' in link
    assert link.count("<a ") == 3


def test_plan_headings_cannot_carry_html_or_attributes():
    import markdown

    line = site_html.heading(3, helpers.HOSTILE_TITLE)
    rendered = markdown.markdown(line, extensions=["attr_list", "toc"])  # as MkDocs renders it
    elements = parse(rendered).elements
    assert [tag for tag, _ in elements] == ["h3"]
    assert set(elements[0][1]) == {"id"}  # no onclick, nothing but the heading's anchor
    shown = html.unescape(re.sub(r"<[^>]+>", "", rendered))  # what the reader sees: the text, as text
    assert "<script>" in shown and 'onclick="window.' in shown


def test_the_hostile_plans_pages_hold_its_text_as_text(site):
    folder = site.site / "plans" / "bracknell-forest" / "2023-25"
    for path in folder.rglob("index.html"):
        page = parse(path.read_text(encoding="utf-8"))
        handlers = [(tag, name) for tag, attrs in page.elements for name in attrs if name.startswith("on")]
        assert handlers == [], path
        assert not [tag for tag, _ in page.elements if tag in ("iframe", "object", "embed")], path
        assert helpers.PWNED_FLAG not in "".join(page.scripts), path
        assert not [url for tag, url in page.links if url.strip().lower().startswith(("javascript:", "data:"))]
    narrative = (folder / "narrative" / "index.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;window.__bcfcPwned" in narrative
    assert "&lt;img src=x onerror=" in narrative


# -- the numbers ----------------------------------------------------------------------------------------

def test_totals_are_whole_pounds_and_spend_per_head_is_exact():
    fw = load_framework("2023-25")
    plan = SitePlan(PlanSource(Path("plans/x/2023-25.yaml"), {
        "hwbs": [{"name": "X", "code": "E06000017"}], "population": {"count": 3},
        "funding": {"streams": {"minimum_nhs_contribution": {"2023-24": 10, "2024-25": 1},
                                "ibcf": {"not_stated": "elsewhere"}}}}, fw))
    assert plan.totals == {"2023-24": 10, "2024-25": 1} and plan.totals_partial
    assert str(plan.spend_per_head("2023-24")) == "3.33"
    assert plan.spend_per_head("2024-25") is not None and str(plan.spend_per_head("2024-25")) == "0.33"


# -- readers and plan authors ------------------------------------------------------------------------

def _nav_links(site_dir: Path) -> set[str]:
    """The pages the home page's navigation (tabs and drawer) links to, as site paths."""
    source = (site_dir / "index.html").read_text(encoding="utf-8")
    nav = source[source.index('<nav class="md-tabs"'):source.index('<div class="md-content"')]
    return {href.strip("./") for href in re.findall(r'href="([^"]+)"', nav)}


def test_plan_author_pages_are_outside_the_public_navigation_and_search(site):
    import json
    author_pages = ["reference/", "reference/2023-25/", "reference/2023-25/fields/", "plan-format/", "editor-setup/"]
    for path in author_pages:
        assert (site.site / path / "index.html").is_file(), path
    nav = _nav_links(site.site)
    assert not [link for link in nav if link.startswith(("reference", "plan-format", "editor-setup", "schemas"))]
    assert "plans" in nav
    index = json.loads((site.site / "search" / "search_index.json").read_text(encoding="utf-8"))
    searched = {doc["location"].split("#")[0] for doc in index["docs"]}
    assert not {p for p in searched if p.startswith(("reference/", "plan-format/", "editor-setup/"))}
    assert "plans/warwickshire/2023-25/narrative/" in searched
    # The section is still reached: from the home page's footer line.
    home = (site.site / "index.html").read_text(encoding="utf-8")
    assert re.search(r'<a href="reference/">for plan authors</a>', home)
    authors = page_text((site.site / "reference" / "index.html").read_text(encoding="utf-8"))
    assert "For plan authors" in authors and "The plan format" in authors and "Editor setup" in authors


def test_a_year_with_only_some_streams_stated_is_not_called_the_pooled_fund(site):
    # Warwickshire 2023-25 states four streams for 2023-24 and only the two discharge funds for 2024-25.
    source = (site.site / "plans" / "warwickshire" / "2023-25" / "index.html").read_text(encoding="utf-8")
    text = page_text(source)
    assert "Income stated for 2024-25 £8,202,770 2 of 7 funding streams: Local authority discharge funding, ICB " \
           "discharge funding. Not stated for 2024-25: Minimum NHS contribution" in text
    assert "Pooled fund 2024-25" not in text
    # Its chart leaves 2024-25 out (a shorter bar would read as a fall) and says so.
    chart = re.search(r'<img src="charts/funding-mix.svg" alt="([^"]*)"', source)
    assert chart and "2023-24" in chart[1] and "2024-25" not in chart[1]
    assert "Not charted: 2024-25 (only Local authority discharge funding, ICB discharge funding stated)" in text
    home = page_text((site.site / "index.html").read_text(encoding="utf-8"))
    assert "£8,202,770 (2024-25) 2 of 7 streams" in home


def test_transcription_notes_are_editors_notes_not_the_plans_words(site):
    source = (site.site / "plans" / "warwickshire" / "2023-25" / "funding" / "index.html").read_text(encoding="utf-8")
    note = re.search(r'<aside class="bcfc-editor-note"><p class="bcfc-editor-note-label">Editor\'s note</p>'
                     r'<div class="bcfc-prose">\s*<p>Printed &quot;W-ICBF 24&quot; in the document', source)
    assert note, "a scheme's transcription note is set apart as an editor's note"
    metrics = (site.site / "plans" / "warwickshire" / "2023-25" / "metrics" / "index.html").read_text(encoding="utf-8")
    assert re.search(r'<aside class="bcfc-editor-note">.{0,120}<p>Capacity and demand: not stated in this document',
                     metrics)
    # Where the note points at a heading by its outline id, the reader sees the heading's title.
    title = next(e.title for e in load_framework("2023-25").outline if e.id == "nc2.pr4.capacity_demand")
    assert "nc2.pr4.capacity_demand" not in page_text(metrics)
    assert f"gives the rationale (&quot;{title}&quot;, " in metrics


def test_metric_periods_read_as_months_and_goal_charts_show_the_change(site):
    from renderers.site.model import period_words
    assert [period_words(p) for p in ("2025-26 M01", "2025-26 M12", "2023-24 Q1", "2023-24 Q4", "2023-24")] == [
        "April 2025", "March 2026", "April to June 2023", "January to March 2024", "2023-24"]
    page = (site.site / "plans" / "rutland" / "2023-25" / "metrics" / "index.html").read_text(encoding="utf-8")
    text = page_text(page)
    # Rutland's goals: 200.0 in 2023-24 Q1 and 190.5 in Q2, against a baseline of 812.5.
    assert "April to June 2023 200" in text and "July to September 2023 190.5" in text
    assert "2023-24 Q1" not in text
    assert "the axis does not start at zero, so small changes show" in text
    compare = page_text((site.site / "compare" / "2023-25" / "index.html").read_text(encoding="utf-8"))
    assert "Goal April to June 2023" in compare


# -- views for reviewers --------------------------------------------------------------------------------

def test_every_icb_has_a_page_rolling_up_the_hwbs_it_covers(site):
    from bcf_schema import hwbs
    from renderers.site import reviewers
    icbs = reviewers.icbs()
    assert len(icbs) == len({code for h in hwbs.all_hwbs() for code in h.icb_ods_codes}) == 42
    index = page_text((site.site / "icbs" / "index.html").read_text(encoding="utf-8"))
    for icb in icbs:
        page = site.site / "icbs" / icb.slug / "index.html"
        text = page_text(page.read_text(encoding="utf-8"))
        for hwb in icb.hwbs:
            assert f" {hwb.name} {hwb.code} " in text, (icb.name, hwb.name)
        assert icb.name in index
    # Buckinghamshire is covered by two ICBs: it is on both pages, each naming the other.
    bucks = next(h for h in hwbs.all_hwbs() if h.name == "Buckinghamshire")
    for name in bucks.icbs:
        icb = next(i for i in icbs if i.name == name)
        text = page_text((site.site / "icbs" / icb.slug / "index.html").read_text(encoding="utf-8"))
        other = next(n for n in bucks.icbs if n != name)
        assert f"Buckinghamshire {bucks.code} {other}" in text
    # A published plan is linked from its ICB's page, with its pooled fund as stated.
    source = (site.site / "icbs" / "coventry-and-warwickshire" / "index.html").read_text(encoding="utf-8")
    assert '<a href="../../plans/warwickshire/2023-25/">2023-25</a>' in source
    assert "£8,202,770 (2 of 7 streams stated)" in page_text(source)
    assert "Coventry E08000026 None published" in page_text(source)


def test_the_comparison_filters_by_region_and_icb_with_static_pages_listing_every_hwb(site):
    from bcf_schema import hwbs
    source = (site.site / "compare" / "2023-25" / "index.html").read_text(encoding="utf-8")
    assert '<a href="region-west-midlands/">West Midlands</a>' in source
    assert '<a href="icb-coventry-and-warwickshire/">NHS Coventry and Warwickshire Integrated Care Board</a>' in source
    region = page_text((site.site / "compare" / "2023-25" / "region-west-midlands" / "index.html")
                       .read_text(encoding="utf-8"))
    assert "Comparing the 2023-25 plans: West Midlands" in region
    assert "£25,178,448" in region  # Warwickshire's stated 2023-24 streams, in the region's table
    assert "Rutland" not in region  # East Midlands: on its own region's page
    others = [h.name for h in hwbs.all_hwbs() if h.region == "West Midlands" and h.name not in
              ("Warwickshire", "Worcestershire")]
    assert f"No 2023-25 plan on this site for: {'; '.join(sorted(others))}." in region
    icb = page_text((site.site / "compare" / "2023-25" / "icb-coventry-and-warwickshire" / "index.html")
                    .read_text(encoding="utf-8"))
    assert "No 2023-25 plan on this site for: Coventry." in icb and "Worcestershire" not in icb


def test_the_conditions_page_shows_submissions_and_each_check_with_its_evidence(site):
    source = (site.site / "compare" / "2023-25-conditions" / "index.html").read_text(encoding="utf-8")
    text = page_text(source)
    assert "Warwickshire West Midlands NHS Coventry and Warwickshire Integrated Care Board Submitted V0.4 22 June 2023" \
           in text
    fw = load_framework("2023-25")
    first, second = fw.items("funding_streams")[0]["name"], fw.items("funding_streams")[1]["name"]
    # Rutland (the fixture plan): each stream's schemes spend exactly its income.
    rows = re.findall(r"<tr><th scope=\"row\">Rutland</th>(.*?)</tr>", source)
    cells = [page_text(r) for r in rows]
    assert any(f"Income and spend meet: {first} 2023-24 Met income £3,000,000, schemes £3,000,000" in c for c in cells)
    assert any(f"Income and spend meet: {second} 2024-25 Met" in c for c in cells)
    assert '<a href="../../plans/rutland/2023-25/funding/#expenditure-by-scheme">Met</a>' in source
    # Warwickshire leaves the minimum NHS contribution to the planning template: not stated, with the reason.
    assert re.search(r"Income and spend meet: Minimum NHS contribution Not stated Income: in the Excel planning template", text)


def test_a_compliance_check_is_not_met_when_the_schemes_do_not_spend_the_income():
    from renderers.site.reviewers import compliance
    fw = load_framework("2023-25")
    stream, ring = fw.ids("funding_streams")[0], fw.items("ring_fenced")[0]
    data = {"framework": "2023-25", "hwbs": [{"name": "Rutland", "code": "E06000017"}], "schemes": [
        {"id": "A", "name": "A", "funding_source": stream, "type": fw.ids("scheme_types")[0],
         "expenditure": {"2023-24": 900}},
        {"id": "D", "name": "D", "funding_source": ring["funding_stream"], "type": "other",
         "expenditure": {"2023-24": 50}}],
        "funding": {"streams": {stream: {"2023-24": 1000}, ring["funding_stream"]: {"2023-24": 50}}}}
    rows = compliance(SitePlan(PlanSource(Path("plans/rutland/2023-25.yaml"), data, fw)))
    by_check = {(r["check"], r["year"]): r for r in rows}
    name = fw.names("funding_streams")[stream]
    assert by_check[(f"Income and spend meet: {name}", "2023-24")]["status"] == "Not met"
    assert by_check[(f"Income and spend meet: {name}", "2023-24")]["detail"] == "income £1,000, schemes £900"
    ring_name = fw.names("funding_streams")[ring["funding_stream"]]
    assert by_check[(f"Ring-fenced: {ring_name}", "")]["status"] == "Not met"
    assert all(r["status"] == "Not stated" for r in rows if r["check"] in {m["name"] for m in fw.items("minimum_spend")})


def test_a_stacked_chart_has_its_key_as_text_beside_it_in_the_palette_colours(site):
    import re
    from renderers.site import charts
    source = (site.site / "plans" / "warwickshire" / "2023-25" / "funding" / "index.html").read_text(encoding="utf-8")
    key = re.search(r'<img src="../charts/funding-mix.svg"[^>]*><ul class="bcfc-chart-key">(.*?)</ul>', source)
    assert key, "the funding mix chart has no key beside it"
    assert re.findall(r"</span>([^<]+)</li>", key.group(1)) == [
        "Improved Better Care Fund (iBCF)", "Disabled Facilities Grant (DFG)", "Local authority discharge funding",
        "ICB discharge funding"]
    css = (site.site / "assets" / "bcfc" / "bcfc.css").read_text(encoding="utf-8")
    for place, colour in enumerate(charts.PALETTE):  # the swatches are the chart's colours
        assert f".bcfc-swatch-{place} {{ background: {colour}; }}" in css


def test_a_goal_chart_caption_states_the_change_against_a_baseline_of_the_same_kind_of_period():
    from renderers.site.pages import _change
    assert _change([("2023-24 M12", 92.8)], [("2024-25 M06", 94.0), ("2024-25 M12", 95.1)]) == (
        " The goal for March 2025, 95.1, is 2.3 (2.5%) higher than the baseline for March 2024, 92.8.")
    assert _change([("2022-23", 812)], [("2024-25 Q4", 133.5)]) == (
        " The baseline is given for years and the goals for quarters, so the two are not compared.")
    assert _change([("2022-23", 812)], []) == ""


@pytest.mark.parametrize("key, field, title", [("areas_of_spend", "area_of_spend", "area of spend"),
                                                ("scheme_types", "type", "scheme type")])
def test_the_comparison_breaks_scheme_spend_down_by_area_and_type_and_names_plans_without_schemes(site, key, field,
                                                                                                  title):
    """Each area of spend's (scheme type's) row holds each plan's own scheme figures summed, as a reviewer
    compares them, and a plan whose schemes give none is named, not shown as £0."""
    import yaml
    from renderers.site.model import money_text
    fw = load_framework("2023-25")
    source = (site.site / "compare" / "2023-25" / "index.html").read_text(encoding="utf-8")
    head = re.search(rf"<caption>Planned scheme spend by {title}, 2023-24.*?</thead>", source, re.S)
    assert head, f"no spend-by-{title} table for 2023-24"
    columns = re.findall(r'<th scope="col" class="bcfc-num">(.*?)</th>', head[0])
    assert columns[-1] == "All plans here"
    sums: dict[str, dict[str, int]] = {}
    for path in [p for p in site.plans if p.name == "2023-25.yaml"]:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for scheme in data.get("schemes") if isinstance(data.get("schemes"), list) else []:
            amount = (scheme.get("expenditure") or {}).get("2023-24")
            if isinstance(amount, int) and scheme.get(field):
                kind = fw.names(key).get(scheme[field], scheme[field])
                by_plan = sums.setdefault(kind, {})
                by_plan[data["hwbs"][0]["name"]] = by_plan.get(data["hwbs"][0]["name"], 0) + amount
    assert len(sums) >= 2, "the fixture plans give schemes of at least two kinds"
    table = source[head.end():source.index("</table>", head.end())]
    for kind, by_plan in sums.items():
        row = re.search(rf'<tr><th scope="row">{re.escape(kind)}</th>(.*?)</tr>', table)
        cells = [page_text(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row[1])]
        assert cells == [money_text(by_plan[n]) if n in by_plan else "–" for n in columns[:-1]] + [
            money_text(sum(by_plan.values()))]
    giving = {n for by_plan in sums.values() for n in by_plan}
    assert sorted(columns[:-1]) == sorted(giving), "a column for each plan that gives figures, and only those"
    silent = sorted(n for n in (yaml.safe_load(p.read_text(encoding="utf-8"))["hwbs"][0]["name"] for p in site.plans
                                if p.name == "2023-25.yaml") if n not in giving)
    assert silent, "an example plan keeps its scheme types elsewhere"
    assert f"No scheme figures by {title} for 2023-24 in: {'; '.join(silent)}" in page_text(source)
