"""The bcfc MkDocs plugin: the plans under plans/ become the site's pages at build time.

    plugins:
      - search
      - bcfc:
          plans: plans          # the folder of plan files, relative to mkdocs.yml

Events used (MkDocs 1.6):
- on_config: resolve the plans folder; add the site's stylesheet and script.
- on_pre_build: load and validate every plan through bcf_schema.gate, house rules included (the
  `rules:` option, default bcfc-rules.yaml beside mkdocs.yml). A plan with errors stops the build
  with a PluginError that names file:line for each error. This runs before MkDocs cleans site_dir.
- on_files: generate every page, chart, download and schema as File.generated(...).
- on_nav / on_pre_page: the navigation, and each page's date for the sitemap (the newest date
  the plans state, so the same plans give the same sitemap.xml.gz).
- on_serve: watch the plans folder, so `mkdocs serve` / `bcfc serve` rebuilds on a change.
"""
from __future__ import annotations

import hashlib
from html import escape
import logging
import os
import tempfile
from pathlib import Path

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.utils.meta import get_data

from bcf_schema import gate, report
from bcf_schema.findings import Severity
from bcf_schema.reviews import load_review, review_path

from .. import folders, outputs, registry
from ..document import long_date
from . import banner, html, policy, public_pages
from .incremental import SearchSpool, WorkDir, write_search_index
from .model import SitePlan, SiteReturn, attach_returns
from .pages import (ASSET_CSS, ASSET_JS, AUTHORS, FALLBACK_DATE, ICBS_INDEX, PLANS_INDEX, SiteBuilder, is_author_page,
                    plan_pages)
from .siteconfig import CONFIG_FILE, SiteConfigError, load_site_config

log = logging.getLogger("mkdocs.plugins.bcfc")


# Rendered documents by (plan bytes, period): `mkdocs serve` rebuilds re-render only changed plans.
_DOCUMENT_CACHE: dict[tuple[str, str, str], dict[str, bytes]] = {}
_CACHE_LIMIT = 1024


class BcfcConfig(base.Config):
    plans = c.Type(str, default="plans")
    # The plans repository's house rules (relative to mkdocs.yml); default bcfc-rules.yaml beside it if present.
    rules = c.Optional(c.Type(str))
    # A folder of documents already rendered by `bcfc build` (OUT/<hwb>/<period>/): reused where its
    # copy of the plan is byte-identical to the plan being published, otherwise rendered afresh.
    documents = c.Optional(c.Type(str))
    # Drafts are published only in a preview: `mkdocs serve` / `bcfc serve`, or `bcfc build --drafts`.
    drafts = c.Type(bool, default=False)
    # The repository's bcfc.yaml (publisher, contact, site address), relative to mkdocs.yml.
    site_config = c.Type(str, default=CONFIG_FILE)


def _index_head(index) -> bytes:
    """How the theme's search index begins, up to its first entry: as the theme writes an index of none."""
    entries, index.entries = index.entries, []
    try:
        written = index.generate_search_index(None).encode()
    finally:
        index.entries = entries
    return written.rsplit(b'"docs":[]', 1)[0] + b'"docs":['


class BcfcPlugin(BasePlugin[BcfcConfig]):
    supports_multiple_instances = False

    def __init__(self):
        # Set by renderers.site.publish for `bcfc build`: the plans it has already validated (so each
        # is parsed once), and the work folder of an incremental build.
        self.preloaded: list[outputs.PlanSource] | None = None
        self.preloaded_returns: list[SiteReturn] = []
        self.work: WorkDir | None = None
        self.dirty = False
        self.page_order: list[str] = []
        self.search_spool: SearchSpool | None = None
        self.final_files: Files | None = None
        self.plans: list[SitePlan] = []
        self.plans_dir: Path | None = None
        self.page_dates: dict[str, str] = {}
        self.generated_nav: list | None = None
        self.default_date = FALLBACK_DATE
        self.site_config = None
        self.draft_folders: dict[str, str] = {}  # a draft plan's site folder -> its label, for the banner
        self.serving = False  # `mkdocs serve`: a plan with errors keeps its last good version, under a banner
        self.last_good: dict[str, SitePlan] = {}
        self.banner = ""

    def on_startup(self, *, command, dirty):
        # Defining this keeps the same plugin across `mkdocs serve` rebuilds, and with it last_good.
        self.serving = command == "serve"

    # -- configuration -----------------------------------------------------------------------

    def _resolve(self, config, value: str) -> Path:
        base_dir = Path(config.config_file_path).parent if config.config_file_path else Path.cwd()
        return (base_dir / value).resolve()

    @property
    def with_drafts(self) -> bool:
        return self.config.drafts or self.serving

    def on_config(self, config):
        site_config = self._resolve(config, self.config.site_config)
        try:
            self.site_config = load_site_config(site_config)
        except SiteConfigError as err:
            raise PluginError(f"bcfc: {err}") from err
        if self.site_config is not None and self.site_config.url and not config.site_url:
            config.site_url = self.site_config.url  # the sitemap's and canonical links' address
        if self.generated_nav is not None and config.nav is self.generated_nav:
            config.nav = None  # the same config built again: generate the navigation afresh
        self.plans_dir = self._resolve(config, self.config.plans)
        if ASSET_CSS not in config.extra_css:
            config.extra_css.append(ASSET_CSS)
        if ASSET_JS not in [str(script) for script in config.extra_javascript]:
            config.extra_javascript.append(c.ExtraScriptValue(ASSET_JS))
        return config

    # -- the plans -------------------------------------------------------------------------------

    def on_pre_build(self, *, config):
        assert self.plans_dir is not None
        self.search_spool = None  # (a build cut off leaves its spool: this build writes its own)
        if not self.plans_dir.is_dir():
            raise PluginError(f"bcfc: no plans folder at {self._show(self.plans_dir)} (set `plans:` under the bcfc "
                              "plugin in mkdocs.yml)")
        if self.preloaded is not None:
            self.plans = [SitePlan(source) for source in policy.published(self.preloaded, self.with_drafts)]
            attach_returns(self.plans, policy.published(self.preloaded_returns, self.with_drafts))
            self._load_reviews()
            return
        # The same gate as `bcfc build`, house rules included. Paths as `bcfc build` gives them (relative
        # to the working folder): the planning template records it, so both routes give the same bytes.
        config_dir = Path(config.config_file_path).parent if config.config_file_path else Path.cwd()
        rules = str(self._resolve(config, self.config.rules)) if self.config.rules else None
        checked = gate.check([self._show(self.plans_dir)], rules and self._show(Path(rules)),
                             base_dir=self._show(config_dir))
        for finding in checked.findings:
            if finding.severity is Severity.WARNING:
                log.info(f"{finding.location}: warning {finding.code}: {finding.message}")
        plans = [SitePlan(outputs.PlanSource(Path(r.path), r.plan.data, r.framework, r.plan.raw)) for r in checked.passed]
        errors = [f for f in checked.findings if f.severity is Severity.ERROR]
        if not checked.ok and self.serving:  # keep serving: the last good version of each broken plan
            broken = {f.file for f in errors}
            kept = [self.last_good[path] for path in sorted(broken) if path in self.last_good]
            self.last_good = {str(p.source.path): p for p in plans + kept}
            plans += kept
            self.banner = banner.html(errors, [str(p.source.path) for p in kept])
            log.error(f"bcfc: plans have errors; the preview keeps the last good build:\n"
                      f"{report.as_text(errors, len(checked.report.results))}")
        elif not checked.ok:
            text = report.as_text(errors, len(checked.report.results))
            raise PluginError(f"bcfc: the site was not built because plans have errors:\n{text}")
        else:
            self.last_good, self.banner = {str(p.source.path): p for p in plans}, ""
        clashes = outputs.clashes(plan.source for plan in plans)
        if clashes:
            raise PluginError("bcfc: the site was not built: " + "\n".join(clashes))
        self.plans = policy.published(plans, self.with_drafts)
        returns = [SiteReturn(Path(r.path), r.plan.data, r.framework, r.plan.raw) for r in checked.returns_passed]
        attach_returns(self.plans, policy.published(returns, self.with_drafts))
        self._load_reviews()

    def _load_reviews(self) -> None:
        """Each plan's assurance review, where reviews/<hwb>/<period>.yaml has one; a review with errors stops
        the build, naming its file and line, as a plan's would."""
        assert self.plans_dir is not None
        errors, checked = [], 0
        for plan in self.plans:
            path = review_path(plan.source.path, self.plans_dir)
            if not path.is_file():
                continue
            shown = self._show(path)
            data, findings = load_review(shown, plan.fw)
            errors += findings
            checked += 1
            plan.review, plan.review_raw = data, path.read_bytes()
        if errors:
            text = report.as_text(errors, 0, checked)
            raise PluginError(f"bcfc: the site was not built because reviews have errors:\n{text}")

    @staticmethod
    def _show(path: Path) -> str:
        """A path as a person would type it: relative to the working folder where it is inside it."""
        try:
            return os.path.relpath(path)
        except ValueError:
            return str(path)

    def _documents(self, plan: SitePlan) -> dict[str, bytes]:
        raw = plan.source.content
        key = (hashlib.sha256(raw).hexdigest(), plan.period, str(plan.source.path))  # the template records the path
        if key in _DOCUMENT_CACHE:
            return _DOCUMENT_CACHE[key]
        names = [o.file for o in registry.on_site() if not o.optional]  # the site offers them: renderers/registry.py
        if self.config.documents:
            folder = Path(self.config.documents) / plan.slug
            try:
                if (folder / outputs.PLAN_YAML).read_bytes() == raw:
                    # Not read at all: the site links the build's own files (on_files), and a national
                    # build would otherwise hold every plan's documents in memory to the end.
                    return {name: OnDisk(folder / name) for name in names + self._optional_documents(plan)}
            except OSError:
                pass  # not there (yet): rendered below
        with tempfile.TemporaryDirectory(prefix="bcfc-site-") as tmp:
            outputs.render_plan(plan.source, Path(tmp))
            documents = {name: (Path(tmp) / name).read_bytes() for name in names}
        if len(_DOCUMENT_CACHE) >= _CACHE_LIMIT:
            _DOCUMENT_CACHE.clear()
        _DOCUMENT_CACHE[key] = documents
        return documents

    def _return_documents(self, plan: SitePlan, ret: SiteReturn) -> dict[str, bytes]:
        """A return's Word narrative and workbook, where `bcfc build` made them (OUT/<hwb>/<period>/returns/)."""
        if not self.config.documents:
            return {}
        folder = Path(self.config.documents) / plan.slug / "returns"
        return {suffix: (folder / f"{ret.stem}{suffix}").read_bytes() for suffix in (".docx", ".xlsx")
                if (folder / f"{ret.stem}{suffix}").is_file()}

    def _optional_documents(self, plan: SitePlan) -> list[str]:
        """The optional outputs (the PDF: it needs LibreOffice) `bcfc build` made for this very plan."""
        if not self.config.documents:
            return []
        folder = Path(self.config.documents) / plan.slug
        try:
            current = (folder / outputs.PLAN_YAML).read_bytes() == plan.source.path.read_bytes()
        except OSError:
            return []
        return [o.file for o in registry.on_site() if o.optional and current and (folder / o.file).is_file()]

    # -- the files ---------------------------------------------------------------------------------

    def on_files(self, files: Files, /, *, config):
        extra_docs, author_docs = [], []
        for file in files.documentation_pages():
            if file.generated_by is None and file.src_uri != "index.md":
                title, meta = _title_of(file)
                entry = (file.src_uri, title or file.name.replace("-", " ").capitalize())
                if meta.get("audience") == AUTHORS:
                    # For plan authors: listed on that section's page, not in the public navigation.
                    file.inclusion = InclusionLevel.NOT_IN_NAV
                    author_docs.append(entry)
                else:
                    extra_docs.append(entry)
        builder = SiteBuilder(self.plans, documents=self._documents, optional_documents=self._optional_documents,
                              return_documents=self._return_documents,
                              use_directory_urls=config.use_directory_urls, extra_docs=sorted(extra_docs),
                              author_docs=sorted(author_docs),
                              page_cache=self.work.pages if self.work else None)
        # (the About pages' environment is the module's: set or unset, never left pointing at another build's)
        builder.env.bytecode_cache = self.work.template_cache("pages") if self.work else None
        public_pages.ENV.bytecode_cache = self.work.template_cache("about") if self.work else None
        generated = builder.build()
        self.draft_folders = {p.folder + "/": p.label for p in self.plans if policy.is_draft(p.data)}
        generated.update(public_pages.pages(self.site_config, last_updated=builder.last_updated,
                                            plan_count=len(self.plans)))
        if not config.copyright and self.site_config is not None and self.site_config.publisher:
            config.copyright = escape(f"Published by {self.site_config.publisher}. "
                                           f"Last updated {long_date(builder.last_updated)}.")
        for src_uri, content in generated.items():
            existing = files.get_file_from_path(src_uri)
            if existing is not None:
                log.info(f"bcfc: the generated {src_uri} replaces the one in {config.docs_dir}")
                files.remove(existing)
            # A plan's own pages are reached from the Plans page and from each other, not the navigation;
            # the pages for plan authors from their own section's page.
            in_nav = not (src_uri.startswith("plans/") and src_uri != PLANS_INDEX) and not is_author_page(src_uri) \
                and not (src_uri.startswith("icbs/") and src_uri != ICBS_INDEX) \
                and not (src_uri.startswith("compare/") and src_uri.count("/") > 1)  # each ICB, region: from its index
            inclusion = InclusionLevel.INCLUDED if in_nav else InclusionLevel.NOT_IN_NAV
            if isinstance(content, OnDisk):  # a document of the build: linked, not written again
                content = self.work.sources.link(src_uri, content.path) if self.work is not None else content.path
            elif self.work is not None and not isinstance(content, Path):
                # On disk, rewritten only when changed: MkDocs' dirty build then skips the unchanged.
                content = self.work.sources.write(src_uri, content)
            if isinstance(content, Path):
                files.append(File.generated(config, src_uri, abs_src_path=str(content), inclusion=inclusion))
            else:
                files.append(File.generated(config, src_uri, content=content, inclusion=inclusion))
        if self.work is not None:
            self.work.sources.prune(set(generated))
        if not config.nav:  # a nav written in mkdocs.yml wins
            config.nav = self.generated_nav = builder.nav() + public_pages.nav()
        dates = {p.page(name): p.latest_date() for p in self.plans for name, _ in plan_pages(p)}
        newest = max((d for d in dates.values() if d), default=FALLBACK_DATE)
        self.page_dates = {uri: date or newest for uri, date in dates.items()}
        self.default_date = newest
        return files

    def on_env(self, env, /, *, config, files):
        self.final_files = files
        if self.work is not None:
            env.bytecode_cache = self.work.template_cache("theme")
            self._clear_unlisted(files)  # the last build's outputs are linked into site/: write each anew, never in place
            sources = os.path.abspath(self.work.sources.root) + os.sep
            for file in files:
                dest = Path(file.abs_dest_path)
                if (not file.is_documentation_page() and file.abs_src_path
                        and os.path.abspath(file.abs_src_path).startswith(sources)):
                    # A generated download, chart or data file: the output is the source, linked (so MkDocs,
                    # seeing the same time on both, copies nothing)
                    _link_into(Path(file.abs_src_path), dest)
                elif file.is_modified():
                    dest.unlink(missing_ok=True)
        for file in files.documentation_pages():
            if file.page is not None:  # pages a dirty build skips got no on_pre_page: date them too
                file.page.update_date = self.page_dates.get(file.src_uri, self.default_date)
        # As the search index names them: the home page's "./" is "" there.
        self.page_order = [f.url.removeprefix("./") for f in files.documentation_pages(inclusion=InclusionLevel.is_included)]
        return env

    def _clear_unlisted(self, files: Files) -> None:
        """What the last build wrote beside the pages and media (the search index, the sitemap, 404.html)
        MkDocs writes again in place: remove it first, so each is a new file and the published site,
        which links the last one, never changes under this build. The search index is moved aside: a
        dirty build adds the entries of the pages it skips from it (write_search_index)."""
        listed = {os.path.abspath(f.abs_dest_path) for f in files}
        index = os.path.join(os.path.abspath(self.work.site), "search", "search_index.json")
        for root, _dirs, names in os.walk(os.path.abspath(self.work.site)):
            for name in names:
                path = os.path.join(root, name)
                if path == index and self.dirty:
                    os.replace(path, self.work.last_index)
                elif path not in listed:
                    os.unlink(path)

    @event_priority(-100)  # after the search plugin has written its index
    def on_post_build(self, *, config):
        if not config.site_url:  # a sitemap needs the site's address: without it, its links would be wrong
            for name in ("sitemap.xml", "sitemap.xml.gz"):
                (Path(config.site_dir) / name).unlink(missing_ok=True)
        if self.work is not None:
            index = Path(config.site_dir) / "search" / "search_index.json"
            if index.is_file():
                write_search_index(index, self.page_order, self.work.search_pages,
                                   self.work.last_index if self.dirty else None, self.search_spool)
            self.search_spool = None

    @event_priority(-100)  # after the search plugin has indexed the page
    def on_page_context(self, context, /, *, page, config, nav):
        if self.work is not None:
            index = getattr(config.plugins.get("material/search"), "search_index", None)
            entries = getattr(index, "entries", None)
            if isinstance(entries, list):
                if self.search_spool is None:
                    self.search_spool = SearchSpool(self.work.search_spool, _index_head(index))
                self.search_spool.add(entries)
        return context

    def on_pre_page(self, page, /, *, config, files):
        # The sitemap's <lastmod> and the gzip time of sitemap.xml.gz come from these dates: the
        # newest date a plan states, never the time of the build.
        page.update_date = self.page_dates.get(page.file.src_uri, self.default_date)
        return page

    def _on_page_content_restore(self, page_html: str, /, *, page, config, files) -> str:
        # The generated pages carry plan content as tokens that Python-Markdown passed through
        # untouched; here, after Markdown, each becomes its HTML again (renderers.site.html).
        page_html = html.restore(page_html)
        for folder, label in self.draft_folders.items():
            if page.file.src_uri.startswith(folder):
                return policy.draft_banner(label) + page_html  # a draft plan's every page
        return page_html

    # MkDocs converts every page before it writes any, holding each page's Markdown and HTML to the end:
    # a national build's memory grew by about a megabyte a plan. The Markdown is let go once converted,
    # the HTML once the page is written (each page's title, from the render, is kept for the pages that
    # link it); after every other plugin's handler, so none misses them.
    @event_priority(-100)
    def _on_page_content_forget(self, page_html: str, /, *, page, config, files) -> str:
        page.markdown = ""
        return page_html

    on_page_content = CombinedEvent(_on_page_content_restore, _on_page_content_forget)

    def _on_post_page_banner(self, output: str, /, *, page, config) -> str:
        output = banner.add(output, self.banner)
        # Material's search dialog has role="dialog" but no name (axe: aria-dialog-name).
        return output.replace('<div class="md-search" data-md-component="search" role="dialog">',
                              '<div class="md-search" data-md-component="search" role="dialog" aria-label="Search">', 1)

    @event_priority(-100)
    def _on_post_page_forget(self, output: str, /, *, page, config) -> str:
        page.content = ""
        return output

    on_post_page = CombinedEvent(_on_post_page_banner, _on_post_page_forget)

    # -- live preview ------------------------------------------------------------------------------

    def on_serve(self, server, /, *, config, builder):
        if self.plans_dir is not None and self.plans_dir.is_dir():
            server.watch(str(self.plans_dir))
        if self.site_config is not None:
            server.watch(self.site_config.path)  # bcfc.yaml: the About page, the footer
        return server


class OnDisk:
    """A document `bcfc build` wrote, for the site to offer without reading it: its size for the page."""
    __slots__ = ("path", "size")

    def __init__(self, path: Path):
        self.path, self.size = path, path.stat().st_size  # OSError where it is not there: rendered afresh

    def __len__(self) -> int:
        return self.size


def _link_into(source: Path, dest: Path) -> None:
    try:
        if dest.samefile(source):
            return
        dest.unlink()
    except FileNotFoundError:
        dest.parent.mkdir(parents=True, exist_ok=True)
    folders.link_or_copy(source, dest)


def _title_of(file: File) -> tuple[str, dict]:
    """The first level-1 heading of a Markdown page in docs_dir, for the navigation, and its front matter."""
    try:
        body, meta = get_data(Path(file.abs_src_path).read_text(encoding="utf-8"))
    except (OSError, TypeError):
        return "", {}
    for line in body.splitlines():
        if line.startswith("# "):
            return line[2:].strip(), meta
    return "", meta
