"""The `bcfc` command: a thin layer that wires the library's steps together."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from bcf_schema import escape, report, return_schema, schema_gen
from bcf_schema.findings import Severity
from bcf_schema.framework import available_periods, load_framework
from bcf_schema import gate
from bcf_schema import status as plan_status
from bcfc import commands, gitbase

# The renderers (openpyxl, python-docx) are imported by the commands that render: `bcfc validate`,
# run on every commit, starts in a third of the time without them.

DEFAULT_RULES = gate.DEFAULT_RULES
SITE_CONFIG = "mkdocs.yml"
CACHE_DIR = ".bcfc-cache"  # what an earlier build rendered, by content hash: only changed plans are rendered again


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="bcfc")
def cli():
    """Better Care Fund plans as code: validate, render and publish BCF plans."""


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(sorted(report.FORMATS)), default="text", show_default=True,
              help="text for people, json for tools, github for workflow annotations.")
@click.option("--strict", is_flag=True, help="Fail on warnings too.")
@click.option("--rules", "rules_file", type=click.Path(),
              help=f"Local house rules (Cerberus schemas). Default: {DEFAULT_RULES} if present.")
@click.option("--base", "base", metavar="GIT_REF",
              help="Also check that each plan changed since this git ref has a new version and history entry.")
def validate(paths, fmt, strict, rules_file, base):
    """Check plans against their framework's schema and rules.

    PATHS are plan files or folders (default: plans/). Exit status: 0 clean,
    1 errors found (or warnings, with --strict), 2 usage or I/O error.
    """
    paths = list(paths) or ["plans"]
    checked = gate.check(paths, rules_file, keep_plans=False)
    result = checked.report
    if base:
        try:
            gitbase.check_versions(result, base)
        except gitbase.GitError as err:
            click.echo(f"bcfc validate: {err}", err=True)
            sys.exit(2)
    click.echo(report.FORMATS[fmt](result.findings, len(result.results)))
    if checked.usage_problem:
        sys.exit(2)
    sys.exit(1 if gate.failing(result.findings, strict) else 0)


@cli.command("status")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(sorted(plan_status.FORMATS)), default="text", show_default=True,
              help="text for people, markdown for a pull request comment, json for tools.")
@click.option("--rules", "rules_file", type=click.Path(),
              help=f"Local house rules (Cerberus schemas). Default: {DEFAULT_RULES} if present.")
def status(paths, fmt, rules_file):
    """What is left before each plan can be submitted: a checklist and a verdict.

    PATHS are plan files or folders (default: plans/). A draft is checked as if it were submitted.
    Exit status: 0 (whatever is left), 2 usage or I/O error.
    """
    statuses, checked = plan_status.of_paths(list(paths) or ["plans"], rules_file)
    if checked.usage_problem:
        click.echo(report.as_text([f for f in checked.findings if f.code in ("BCF001", "BCF301")] or checked.findings,
                                  len(statuses)), err=True)
        sys.exit(2)
    click.echo(plan_status.FORMATS[fmt](statuses))


@cli.command()
@click.argument("period", required=False)
@click.option("--write", is_flag=True, help="Regenerate every period's plan.schema.json and return.schema.json from its framework.yaml.")
@click.option("--check", is_flag=True, help="Exit 1 if any committed plan.schema.json (or, with --export, any "
              "exported copy) is out of date.")
@click.option("--export", "export_dir", type=click.Path(file_okay=False), metavar="DIR",
              help="Copy every period's schema into DIR (DIR/<period>/plan.schema.json), for editors in a plans "
                   "repository; with --check, only say whether the copies are current.")
def schema(period, write, check, export_dir):
    """Print a period's plan JSON Schema, regenerate them all, or export them for editors."""
    if export_dir:
        from bcf_schema import schema_export
        if check:
            stale = schema_export.stale(export_dir)
            if stale:
                click.echo(f"out of date: {', '.join(f'{export_dir}/{name}' for name in stale)}; "
                           f"run bcfc schema --export {export_dir}")
            else:
                click.echo(f"the schemas in {export_dir}/ are those of this bcfc")
            sys.exit(1 if stale else 0)
        written = schema_export.export(export_dir)
        click.echo(f"wrote {', '.join(f'{export_dir}/{name}' for name in written)}" if written
                   else f"the schemas in {export_dir}/ are up to date")
        return
    if write or check:
        stale = []
        for name in available_periods():
            fw = load_framework(name)
            for path, text in ((fw.schema_path, schema_gen.render(fw)),
                               (fw.return_schema_path, return_schema.render(fw))):
                if text is None:
                    continue
                current = path.read_text(encoding="utf-8") if path.exists() else ""
                if current != text:
                    stale.append(f"{name}/{path.name}")
                    if write:
                        path.write_text(text, encoding="utf-8")
        verb = "rewrote" if write else "out of date"
        click.echo(f"{verb}: {', '.join(stale)}" if stale else "all schemas are up to date")
        sys.exit(1 if check and stale else 0)
    if period not in available_periods():
        raise click.BadParameter(f"choose one of: {', '.join(available_periods())}", param_hint="PERIOD")
    click.echo(schema_gen.render(load_framework(period)), nl=False)


def _valid_plan(path: str, fmt: str = "text"):
    """Validate one plan before rendering it; on errors show them and stop (exit 1)."""
    if not Path(path).is_file():
        raise click.BadParameter(f"no such file: {path}", param_hint="PLAN")
    checked = gate.check([path])
    problems = [f for f in checked.findings if f.severity is not Severity.INFO]
    if checked.usage_problem or not checked.passed:
        click.echo(report.FORMATS[fmt](problems, 1), err=True)
        if checked.usage_problem:
            sys.exit(2)
        click.echo(f"not rendered: {path} has errors", err=True)
        sys.exit(1)
    if problems:
        click.echo(f"{path}: {len(problems)} warning(s); `bcfc validate {path}` lists them, `bcfc status {path}` "
                   "what is left before submission", err=True)
    result = checked.passed[0]
    from renderers import outputs
    return outputs.PlanSource(Path(path), result.plan.data, result.framework, result.plan.raw)


@cli.group()
def render():
    """Render one plan's narrative or planning template."""


@render.command("narrative")
@click.argument("plan", type=click.Path())
@click.option("-o", "--output", type=click.Path(), help="A .md or .docx file (default: Markdown to standard output).")
def render_narrative(plan, output):
    """The narrative under the framework's headings, as Markdown or Word."""
    from renderers import narrative, word
    source = _valid_plan(plan)
    if output and output.endswith(".docx"):
        Path(output).write_bytes(word.render(source.data, source.framework))
    elif output:
        Path(output).write_text(narrative.render(source.data, source.framework), encoding="utf-8")
    else:
        click.echo(narrative.render(source.data, source.framework), nl=False)


@render.command("return")
@click.argument("return_file", metavar="RETURN", type=click.Path())
@click.option("-o", "--output", type=click.Path(), help="A .md, .docx or .pdf file (default: Markdown to standard output).")
def render_return(return_file, output):
    """A return's short narrative against its plan, as Markdown, Word or PDF."""
    from bcf_schema.loader import load as load_file
    from bcf_schema.returns import plan_path_of
    from renderers import narrative, pdf, return_narrative, word
    result = _valid_return(return_file)
    plan = load_file(plan_path_of(return_file, result.plan.data)).data
    doc = return_narrative.build(result.plan.data, plan, result.framework)
    if output and output.endswith((".docx", ".pdf")):
        docx = word.to_docx(doc)
        if output.endswith(".pdf"):
            why = pdf.available()
            if why:
                click.echo(f"bcfc render return: no PDF: {why}", err=True)
                sys.exit(2)
            import tempfile
            with tempfile.TemporaryDirectory(prefix="bcfc-return-") as tmp:
                source = Path(tmp) / "return.docx"
                source.write_bytes(docx)
                pdf.convert([pdf.Job(source, Path(output).resolve())])
        else:
            Path(output).write_bytes(docx)
    elif output:
        Path(output).write_text(narrative.to_markdown(doc), encoding="utf-8")
    else:
        click.echo(narrative.to_markdown(doc), nl=False)


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


@render.command("return-excel")
@click.argument("return_file", metavar="RETURN", type=click.Path())
@click.option("-o", "--output", type=click.Path(), help="The .xlsx file (default: return.xlsx).")
def render_return_excel(return_file, output):
    """A return's workbook: its figures in yellow input cells, to fill in and bring back with bcfc import --into."""
    from bcf_schema.loader import load as load_file
    from bcf_schema.returns import plan_path_of
    from renderers import return_workbook
    result = _valid_return(return_file)
    plan = load_file(plan_path_of(return_file, result.plan.data)).data
    Path(output or "return.xlsx").write_bytes(return_workbook.render(result.plan.data, plan, result.framework))


def _valid_return(return_file):
    from bcf_schema.returns import is_return_path
    if not Path(return_file).is_file() or not is_return_path(return_file):
        raise click.BadParameter(f"not a return: {return_file} (returns are plans/<hwb>/returns/<period>-<return>.yaml)",
                                 param_hint="RETURN")
    checked = gate.check([return_file])
    problems = [f for f in checked.findings if f.severity is not Severity.INFO]
    if checked.usage_problem or not checked.returns_passed:
        click.echo(report.FORMATS["text"](problems, 1), err=True)
        click.echo(f"not rendered: {return_file} has errors", err=True)
        sys.exit(2 if checked.usage_problem else 1)
    return checked.returns_passed[0]


@render.command("excel")
@click.argument("plan", type=click.Path())
@click.option("-o", "--output", type=click.Path(), help="The .xlsx file (default: planning-template.xlsx).")
def render_excel(plan, output):
    """The planning template as an xlsx workbook."""
    from renderers import excel, outputs
    source = _valid_plan(plan)
    Path(output or outputs.TEMPLATE_XLSX).write_bytes(excel.render(source.data, source.framework, plan))


@cli.command()
@click.option("--plans", "plans_dir", default="plans", show_default=True, type=click.Path(),
              help="The folder of plans.")
@click.option("--out", "out_dir", default="build", show_default=True, type=click.Path(),
              help="Where the documents go: OUT/<hwb>/<period>/.")
@click.option("--rules", "rules_file", type=click.Path(), help=f"Local house rules (default: {DEFAULT_RULES} if present).")
@click.option("-f", "--config-file", "config_file", type=click.Path(),
              help=f"The site's MkDocs configuration (default: {SITE_CONFIG} if present, else bcfc's built-in one).")
@click.option("--site/--no-site", "with_site", default=True, show_default=True,
              help="Build the site (mkdocs, strict) after the documents.")
@click.option("--drafts", is_flag=True, help="Put draft plans on the site too, under a DRAFT banner (for a preview, "
              "not for publishing: the public site shows submitted and approved plans).")
def build(plans_dir, out_dir, rules_file, config_file, with_site, drafts):
    """Validate every plan, render its narrative and planning template, then build the site.

    If any plan has errors nothing is replaced: the previous outputs stay as they were. The site is
    built into a staging folder and swapped in only when the whole build succeeded.
    """
    from renderers import folders, outputs, pdf
    config_file = _site_config_file(config_file)
    if with_site:
        from renderers.site.siteconfig import CONFIG_FILE, SiteConfigError, load_site_config
        try:
            load_site_config(CONFIG_FILE)  # checked before anything is rendered
        except SiteConfigError as err:
            click.echo(f"{err}\nbuild stopped: fix {CONFIG_FILE}; nothing was built", err=True)
            sys.exit(2)
    folders.recover(Path(out_dir).absolute().parent)  # finish a swap a killed build left half done
    checked = gate.check([plans_dir], rules_file)
    problems = [f for f in checked.findings if f.severity is not Severity.INFO]
    if problems:
        click.echo(report.as_text(problems, len(checked.report.results)), err=True)
    if checked.usage_problem:
        sys.exit(2)
    if not checked.ok:
        click.echo(f"build stopped: fix the errors above; {out_dir}/ was left as it was", err=True)
        sys.exit(1)
    sources = [outputs.PlanSource(Path(r.path), r.plan.data, r.framework, r.plan.raw) for r in checked.passed]
    returns = [(Path(r.path), r.plan.data, r.framework) for r in checked.returns_passed]
    del checked  # the source maps (a line for every value) are for findings only: free them before rendering
    clashes = outputs.clashes(sources)
    if clashes:
        click.echo("\n".join(f"error: {escape.terminal(clash)}" for clash in clashes), err=True)
        click.echo(f"build stopped: {out_dir}/ was left as it was", err=True)
        sys.exit(1)
    done = 0

    def progress(source):
        nonlocal done
        done += 1
        click.echo(f"[{done}/{len(sources)}] {escape.terminal(source.path)}", err=True)

    site = with_site
    protected, roots = [Path(plans_dir), Path("docs")], [Path.cwd()]  # never replaced, whatever --out says
    # Documents and site are staged and swapped in together at the end: a failure anywhere leaves
    # both build/ and site/ as they were.
    try:
        with folders.Swap(protected, roots) as swap:
            documents = swap.stage(Path(out_dir), legacy=outputs.is_documents_folder)
            folders.claim_cache(Path(CACHE_DIR), protected, roots, subfolders=("documents", "pdf", "site"))
            rendered = outputs.render_into(sources, documents, progress, cache=Path(CACHE_DIR) / "documents")
            _render_returns(returns, documents)
            no_pdf = pdf.available()
            if no_pdf:  # said once; everything else is built, and the site links no PDF
                click.echo(f"no PDF narratives: {no_pdf}", err=True)
            elif sources:
                click.echo("making the PDF narratives with LibreOffice ...", err=True)
                try:
                    outputs.render_pdfs(sources, documents, cache=Path(CACHE_DIR) / "pdf")
                except pdf.ConversionError as err:
                    click.echo(f"{err}\nbuild stopped: {out_dir}/ and the site were left as they were", err=True)
                    sys.exit(1)
            if site:
                from renderers.site import SiteBuildError, build_site
                click.echo(f"building the site from {config_file or 'the built-in configuration'} ...", err=True)
                try:
                    site_dir = build_site(config_file, plans_dir=plans_dir, documents_dir=documents, plans=sources,
                                          work_dir=Path(CACHE_DIR) / "site", swap=swap, drafts=drafts)
                except SiteBuildError as err:
                    click.echo(f"{err}\nbuild stopped: {out_dir}/ and the site were left as they were", err=True)
                    sys.exit(1)
    except folders.OutputFolderError as err:
        click.echo(f"bcfc build: {err}. Nothing was deleted.", err=True)
        sys.exit(2)
    except OSError as err:  # a full disk, a read-only folder ...
        click.echo(f"bcfc build: cannot write the outputs: {folders.io_message(err)}\n"
                   f"build stopped: {out_dir}/ and the site were left as they were", err=True)
        sys.exit(2)
    click.echo(f"built {len(sources)} plan(s) into {out_dir}/ ({rendered} rendered, "
               f"{len(sources) - rendered} unchanged since the last build)")
    if site:
        from renderers.site.policy import published
        shown = len(published(sources, drafts))
        left = len(sources) - shown
        click.echo(f"built the site into {os.path.relpath(site_dir)}/: {shown} plan(s)"
                   + (f"; {left} draft(s) left off the site (bcfc build --drafts to preview them)" if left else ""))


def _site_config_file(config_file: str | None) -> str | None:
    """The MkDocs configuration to use: the one given, else mkdocs.yml if present, else None (built-in)."""
    if config_file is not None:
        if not Path(config_file).is_file():
            raise click.BadParameter(f"no such file: {config_file}", param_hint="--config-file")
        return config_file
    return SITE_CONFIG if Path(SITE_CONFIG).is_file() else None


@cli.command()
@click.option("-f", "--config-file", "config_file", type=click.Path(),
              help=f"The site's MkDocs configuration (default: {SITE_CONFIG} if present, else bcfc's built-in one).")
@click.option("-a", "--dev-addr", "dev_addr", metavar="IP:PORT", help="Where to serve (default: 127.0.0.1:8000).")
@click.option("--open", "open_in_browser", is_flag=True, help="Open the preview in a browser.")
def serve(config_file, dev_addr, open_in_browser):
    """Preview the site, drafts included (marked DRAFT), rebuilding and reloading the page when a plan or
    page changes."""
    config_file = _site_config_file(config_file)
    from renderers.site import serve_site
    from renderers.site.siteconfig import SiteConfigError
    try:
        serve_site(config_file, dev_addr=dev_addr, open_in_browser=open_in_browser)
    except SiteConfigError as err:
        click.echo(f"bcfc serve: {err}", err=True)
        sys.exit(2)


cli.add_command(commands.new)
cli.add_command(commands.diff)
cli.add_command(commands.import_)
cli.add_command(commands.init)


def main():
    try:
        cli()
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as err:  # a bug in bcfc, not in the plan: say so plainly
        if os.environ.get("BCFC_DEBUG"):
            raise
        click.echo(f"bcfc: internal error: {type(err).__name__}: {err} (set BCFC_DEBUG=1 for details)", err=True)
        sys.exit(2)
