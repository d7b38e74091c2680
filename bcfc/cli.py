"""The `bcfc` command: a thin layer that wires the library's steps together."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from bcf_schema import report
from bcfc import checking
from bcf_schema.findings import Severity
from bcf_schema.framework import available_periods, load_framework
from bcf_schema import gate
from bcf_schema import status as plan_status

# The renderers (openpyxl, python-docx) are imported by the commands that render, and the commands of
# bcfc.commands when one of them is run: `bcfc validate`, run on every commit, starts without them.

DEFAULT_RULES = gate.DEFAULT_RULES
SITE_CONFIG = "mkdocs.yml"


class _Commands(click.Group):
    """bcfc's commands, those of bcfc.commands imported only to run or list one of them."""

    IN_COMMANDS = {"new": "new", "diff": "diff", "import": "import_", "init": "init"}  # name: function

    def list_commands(self, ctx):
        return sorted([*super().list_commands(ctx), *self.IN_COMMANDS])

    def get_command(self, ctx, name):
        if name in self.IN_COMMANDS:
            from bcfc import commands

            return getattr(commands, self.IN_COMMANDS[name])
        return super().get_command(ctx, name)


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
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
    sys.exit(checking.validate_command(list(paths), fmt, strict, rules_file, base))


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
    from bcf_schema import schema_export, schema_gen

    if export_dir:
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
        stale = schema_export.regenerate(write)
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
    """Render one plan's narrative, planning template or any other output."""


def _render_to(name: str, plan: str, output: str | None) -> None:
    """One registered output (renderers/registry.py) of a valid plan, written whole to output (or its file name)."""
    from renderers import registry
    data = registry.get(name).render(_valid_plan(plan))
    Path(output or registry.get(name).file).write_bytes(data)


@render.command("narrative")
@click.argument("plan", type=click.Path())
@click.option("-o", "--output", type=click.Path(), help="A .md or .docx file (default: Markdown to standard output).")
def render_narrative(plan, output):
    """The narrative under the framework's headings, as Markdown or Word."""
    if output:
        _render_to("narrative-word" if output.endswith(".docx") else "narrative-markdown", plan, output)
    else:
        from renderers import registry
        click.echo(registry.get("narrative-markdown").render(_valid_plan(plan)).decode("utf-8"), nl=False)


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
    _render_to("planning-template", plan, output)


@render.command("output")
@click.argument("plan", type=click.Path())
@click.argument("name")
@click.option("-o", "--output", type=click.Path(), help="The file (default: the output's name in a build folder).")
def render_output(plan, name, output):
    """Any output `bcfc build` renders of a plan, by NAME (narrative-markdown, planning-template, ...)."""
    from renderers import registry  # the renderers: imported only by the commands that render
    names = [o.name for o in registry.rendered()]
    if name not in names:
        raise click.BadParameter(f"choose one of: {', '.join(names)}", param_hint="NAME")
    _render_to(name, plan, output)


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
@click.option("--pdf/--no-pdf", "with_pdf", default=True, show_default=True,
              help="Make the PDF narratives (LibreOffice: most of a clean build's time). --no-pdf for a quick "
              "preview; the site then links no PDF.")
def build(plans_dir, out_dir, rules_file, config_file, with_site, drafts, with_pdf):
    """Validate every plan, render its narrative and planning template, then build the site.

    If any plan has errors nothing is replaced: the previous outputs stay as they were. The site is
    built into a staging folder and swapped in only when the whole build succeeded.
    """
    from renderers.build import BuildStopped, build as build_all
    config_file = _site_config_file(config_file)
    try:
        built = build_all(plans_dir, out_dir, rules_file, config_file, with_site, drafts,
                          say=lambda text: click.echo(text, err=True), with_pdf=with_pdf)
    except BuildStopped as stop:
        click.echo(str(stop), err=True)
        sys.exit(stop.status)
    click.echo(f"built {built.plans} plan(s) into {out_dir}/ ({built.rendered} rendered, "
               f"{built.plans - built.rendered} unchanged since the last build)")
    if built.site_dir:
        left = built.drafts_left_off
        click.echo(f"built the site into {os.path.relpath(built.site_dir)}/: {built.on_site} plan(s)"
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


def main():
    """The `bcfc` command (bcfc.entry.main, as installed, starts `bcfc validate PLAN` without click)."""
    from bcfc.entry import guarded

    guarded(cli)
