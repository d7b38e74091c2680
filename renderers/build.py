"""`bcfc build` as a plain function: validate every plan, render its outputs, build the site, swap them in.

If any plan has errors nothing is replaced: the previous outputs stay as they were. Documents and site
are staged and swapped in together at the end, so a failure anywhere leaves both as they were.
Progress and warnings go to `say` (the command gives click.echo to standard error); a stop is a
BuildStopped, whose message says what to fix and whose `status` is the exit status (1 for the plans
or the outputs, 2 for usage or I/O).
"""
from __future__ import annotations

import gc
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bcf_schema import escape, gate, report
from bcf_schema.findings import Severity

from . import folders, up_to_date

CACHE_DIR = ".bcfc-cache"  # what an earlier build rendered, by content hash: only changed plans are rendered again
CACHE_PARTS = ("documents", "pdf", "site", "checked", up_to_date.STAMP)


class BuildStopped(Exception):
    """The build stopped before anything was replaced; str() says why and what to do."""

    def __init__(self, message: str, status: int = 1):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Built:
    plans: int  # plans built into the output folder
    rendered: int  # of which rendered again (the rest came from the cache)
    site_dir: Path | None = None  # where the site went, if one was built
    on_site: int = 0  # plans the site shows
    drafts_left_off: int = 0


def _stderr(text: str) -> None:
    print(text, file=sys.stderr)


def build(plans_dir: str | Path = "plans", out_dir: str | Path = "build", rules_file: str | None = None,
          config_file: str | None = None, with_site: bool = True, drafts: bool = False,
          say: Callable[[str], None] = _stderr, with_pdf: bool = True) -> Built:
    """Build every plan under plans_dir into out_dir/<hwb>/<period>/ and, with_site, the site.
    with_pdf=False: no PDF narratives (a quick preview), as if LibreOffice were not installed."""
    out_dir = Path(out_dir)
    if with_site:
        from .site.siteconfig import CONFIG_FILE, SiteConfigError, load_site_config
        try:
            load_site_config(CONFIG_FILE)  # checked before anything is rendered
        except SiteConfigError as err:
            raise BuildStopped(f"{err}\nbuild stopped: fix {CONFIG_FILE}; nothing was built", 2) from None
    folders.recover(out_dir.absolute().parent)  # finish a swap a killed build left half done
    cache = Path(CACHE_DIR)
    inputs = up_to_date.inputs_digest(
        plans_dir=Path(plans_dir), out_dir=out_dir, cache=cache, config_file=config_file,
        rules_file=gate.rules_file_for(rules_file), site_dir=up_to_date.last_site_dir(cache),
        options={"site": with_site, "drafts": drafts, "pdf": with_pdf, "out": str(out_dir.absolute())})
    last = up_to_date.unchanged(cache, inputs, out_dir)
    if last is not None:
        if last.said:
            say(last.said)
        say("nothing changed since the last build: the outputs are as it left them")
        return Built(last.plans, 0, Path(last.site_dir) if last.site_dir else None, last.on_site,
                     last.drafts_left_off)
    from . import outputs, pdf  # the renderers (openpyxl, python-docx, pikepdf): not needed when nothing changed
    from bcf_schema.checked_cache import CheckedCache
    checks = CheckedCache(cache / "checked", gate.rules_file_for(rules_file))
    gc.disable()  # loading the plans makes only objects that live to the end: no collector passes over them
    try:
        checked = gate.check([str(plans_dir)], rules_file, cache=checks)
    finally:
        gc.enable()
    problems = [f for f in checked.findings if f.severity is not Severity.INFO]
    said = report.as_text(problems, len(checked.report.results)) if problems else ""
    if said:
        say(said)
    if checked.usage_problem:
        raise BuildStopped(f"build stopped: {out_dir}/ was left as it was", 2)
    if not checked.ok:
        raise BuildStopped(f"build stopped: fix the errors above; {out_dir}/ was left as it was")
    sources = [outputs.PlanSource(Path(r.path), r.plan.data, r.framework, r.plan.raw) for r in checked.passed]
    returns = [(Path(r.path), r.plan.data, r.framework) for r in checked.returns_passed]
    return_raws = [r.plan.raw for r in checked.returns_passed]  # the site publishes what was checked
    clashes = outputs.clashes(sources)
    if clashes:
        raise BuildStopped("\n".join(f"error: {escape.terminal(clash)}" for clash in clashes)
                           + f"\nbuild stopped: {out_dir}/ was left as it was")
    fresh = checks.fresh(checked.report.results)  # kept once the cache folder is claimed
    del checked  # the source maps (a line for every value) are for findings only: free them before rendering
    gc.freeze()  # the plans, held to the end: later full passes need not walk them (with the above, 0.2 s of a rebuild)
    done = 0

    def progress(source):
        nonlocal done
        done += 1
        say(f"[{done}/{len(sources)}] {escape.terminal(source.path)}")

    site_dir, on_site = None, len(sources)
    protected, roots = [Path(plans_dir), Path("docs")], [Path.cwd()]  # never replaced, whatever --out says
    try:
        with folders.Swap(protected, roots) as swap:
            documents = swap.stage(out_dir, legacy=outputs.is_documents_folder)
            folders.claim_cache(cache, protected, roots, subfolders=CACHE_PARTS)
            up_to_date.forget(cache)
            checks.save(fresh)
            rendered = outputs.render_into(sources, documents, progress, cache=cache / "documents")
            _render_returns(returns, documents)
            no_pdf = pdf.available() if with_pdf else None
            if not with_pdf:
                say("no PDF narratives (--no-pdf)")
            elif no_pdf:  # said once; everything else is built, and the site links no PDF
                say(f"no PDF narratives: {no_pdf}")
            elif sources:
                say("making the PDF narratives with LibreOffice ...")
                try:
                    outputs.render_pdfs(sources, documents, cache=cache / "pdf")
                except pdf.ConversionError as err:
                    raise BuildStopped(f"{err}\nbuild stopped: {out_dir}/ and the site were left as they were") \
                        from None
            if with_site:
                from .site import SiteBuildError, build_site
                say(f"building the site from {config_file or 'the built-in configuration'} ...")
                try:
                    site_dir, on_site = build_site(
                        config_file, plans_dir=plans_dir, documents_dir=documents, plans=sources,
                        returns=[(*r, raw) for r, raw in zip(returns, return_raws)],
                        work_dir=cache / "site", swap=swap, drafts=drafts)
                except SiteBuildError as err:
                    raise BuildStopped(f"{err}\nbuild stopped: {out_dir}/ and the site were left as they were") \
                        from None
    except folders.OutputFolderError as err:
        raise BuildStopped(f"bcfc build: {err}. Nothing was deleted.", 2) from None
    except OSError as err:  # a full disk, a read-only folder ...
        raise BuildStopped(f"bcfc build: cannot write the outputs: {folders.io_message(err)}\n"
                           f"build stopped: {out_dir}/ and the site were left as they were", 2) from None
    built = Built(len(sources), rendered, site_dir, on_site if with_site else 0,
                  len(sources) - on_site if with_site else 0)
    up_to_date.record(cache, up_to_date.LastBuild(
        inputs, up_to_date.outputs_digest(out_dir, str(site_dir) if site_dir else None), said, built.plans,
        str(site_dir.absolute()) if site_dir else None, built.on_site, built.drafts_left_off))
    return built


def _render_returns(returns, documents: Path) -> None:
    """Each return's narrative (Markdown, Word) and workbook, beside its plan's documents:
    OUT/<hwb>/<period>/returns/<period>-<return>.md, .docx, .xlsx."""
    from bcf_schema.loader import load as load_file
    from bcf_schema.returns import plan_path_of
    from renderers import narrative, return_narrative, return_workbook, word
    for path, data, fw in returns:
        plan = load_file(plan_path_of(path, data)).data
        folder = documents / path.parent.parent.name / fw.period / "returns"
        folder.mkdir(parents=True, exist_ok=True)
        doc = return_narrative.build(data, plan, fw)
        (folder / f"{path.stem}.md").write_text(narrative.to_markdown(doc), encoding="utf-8")
        (folder / f"{path.stem}.docx").write_bytes(word.to_docx(doc))
        (folder / f"{path.stem}.xlsx").write_bytes(return_workbook.render(data, plan, fw))
