"""The `new`, `diff` and `import` commands: click wiring over bcf_schema.scaffold, bcf_schema.plandiff and
renderers.workbook."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from bcf_schema import gitbase
from bcf_schema.framework import available_periods, load_framework
from bcf_schema.loader import load, read_bounded

from . import init as init_repo

# bcf_schema.scaffold and bcf_schema.plandiff are imported by the commands that use them: every command's
# module is imported to start any one, and `bcfc validate` (run on every commit) needs neither.
DIFF_FORMATS = ("json", "markdown", "text")  # plandiff.FORMATS' names (a test keeps them in step)


def _refuse_overwrite(path: Path) -> None:
    if path.exists():
        raise click.UsageError(f"{path} already exists; bcfc will not overwrite a plan "
                               "(give another file with -o, or move that one away first)")


def _replace(path: Path, text: str) -> None:
    """Replace a file whole or not at all (a temporary file beside it, then a rename)."""
    temporary = path.with_name(f".{path.name}.bcfc-import")
    temporary.write_text(text, encoding="utf-8", newline="\n")
    os.replace(temporary, path)


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8", newline="\n") as handle:  # "x": never replace a file
        handle.write(text)


@click.command("new")
@click.argument("hwb", nargs=-1)
@click.option("--period", help=f"The planning period, one of: {', '.join(available_periods())}.")
@click.option("--from", "from_plan", type=click.Path(), help="An earlier plan to carry forward what still applies.")
@click.option("--return", "return_id", metavar="RETURN",
              help="Start a return against the plan given instead of HWB: Q2, year-end (y1-q2 where the plan has "
                   "two years). Written to plans/<hwb>/returns/<period>-<return>.yaml.")
@click.option("-o", "--output", type=click.Path(), help="The plan file (default: plans/<hwb>/<period>.yaml).")
def new(hwb, period, from_plan, return_id, output):
    """Start a plan for HWB (a name or ONS code) for a planning period, or with --return a return against PLAN.

    Every heading of the period's framework is written out, marked to be written; the HWB's
    ONS code, name and ICBs come from the bundled reference list. With --from, the earlier
    plan's metadata, schemes, governance bodies, risks and priorities carry over where the
    new framework has a place for them; what cannot is listed.
    """
    from bcf_schema import scaffold

    if return_id is not None:
        _new_return(hwb, return_id, output)
        return
    if period is None:
        raise click.UsageError("give the planning period: --period 2025-26")
    if period not in available_periods():
        raise click.BadParameter(f"choose one of: {', '.join(available_periods())}", param_hint="--period")
    fw = load_framework(period)
    earlier = None
    if from_plan:
        if not Path(from_plan).is_file():
            raise click.BadParameter(f"no such file: {from_plan}", param_hint="--from")
        loaded = load(from_plan)
        if not loaded.ok:
            finding = loaded.findings[0]
            raise click.BadParameter(f"{finding.location}: {finding.message}", param_hint="--from")
        earlier = loaded.data
    queries = list(hwb)
    if not queries and earlier:
        queries = [str(h.get("code") or h.get("name")) for h in earlier.get("hwbs") or [] if isinstance(h, dict)]
    if not queries:
        raise click.UsageError("name the HWB: bcfc new Worcestershire --period 2025-26 (or give --from PLAN)")
    try:
        boards = [scaffold.resolve_hwb(q) for q in queries]
        built = scaffold.new_plan(boards, fw, earlier=earlier, earlier_path=from_plan or "")
    except ValueError as err:
        raise click.BadParameter(str(err), param_hint="HWB") from err
    path = Path(output) if output else scaffold.default_path(boards[0], fw)
    _refuse_overwrite(path)
    _write(path, scaffold.render(built, path))
    required = sum(1 for e in fw.outline if e.answer == "required" and not built.plan["narrative"].get(e.id))
    click.echo(f"wrote {path}: {', '.join(b.short_name for b in boards)}, {fw.title}; "
               f"{required} required heading(s) to write")
    for warning in built.warnings:
        click.echo(f"warning: {warning}", err=True)
    if from_plan:
        click.echo(f"carried from {from_plan}:", err=True)
        for item in built.carried or ["nothing"]:
            click.echo(f"  {item}", err=True)
        if built.not_carried:
            click.echo("not carried (copy what still applies by hand):", err=True)
            for item in built.not_carried:
                click.echo(f"  {item}", err=True)


def _new_return(args, return_id: str, output) -> None:
    from bcf_schema import returns
    from bcf_schema.rules import FINAL
    if len(args) != 1:
        raise click.UsageError("name the plan the return reports on: bcfc new --return Q2 plans/<hwb>/<period>.yaml")
    plan_path = Path(args[0])
    if not plan_path.is_file():
        raise click.BadParameter(f"no such file: {plan_path}", param_hint="PLAN")
    loaded = load(plan_path)
    if not loaded.ok:
        finding = loaded.findings[0]
        raise click.BadParameter(f"{finding.location}: {finding.message}", param_hint="PLAN")
    period = loaded.data.get("framework")
    if period not in available_periods() or not load_framework(period).data.get("returns"):
        raise click.BadParameter(f"{plan_path}: the framework {period!r} has no returns", param_hint="PLAN")
    if loaded.data.get("status", "draft") not in FINAL:
        raise click.BadParameter(f"{plan_path} is {loaded.data.get('status', 'draft')}: a return reports on a "
                                 "submitted or approved plan; submit the plan first", param_hint="PLAN")
    fw = load_framework(period)
    try:
        chosen = returns.find_return(fw, return_id)
    except ValueError as err:
        raise click.BadParameter(str(err), param_hint="--return") from err
    path = Path(output) if output else plan_path.parent / returns.RETURNS_FOLDER / f"{period}-{chosen['id']}.yaml"
    _refuse_overwrite(path)
    _write(path, returns.scaffold(plan_path, loaded.data, fw, chosen))
    click.echo(f"wrote {path}: {chosen['name']} against {plan_path}; fill in the figures and every 'to be written'")


def _checked(name: str) -> dict:
    """A plan or return for `bcfc diff` of returns, which reads their figures: refused (exit 2) unless it
    loads and has the schema's shape (its other findings are for bcfc validate)."""
    from bcf_schema import validate_file
    if not Path(name).is_file():
        click.echo(f"bcfc diff: no such file: {name}", err=True)
        sys.exit(2)
    result = validate_file(name)
    unreadable = [f for f in result.errors if f.code.startswith(("BCF0", "BCF1"))]  # not loaded, or not the schema's shape
    if unreadable:
        first = unreadable[0]
        click.echo(f"bcfc diff: {first.location}: {first.message} (run bcfc validate {name})", err=True)
        sys.exit(2)
    return result.plan.data


@click.command("diff")
@click.argument("files", nargs=-1, type=click.Path())
@click.option("--base", "base", metavar="GIT_REF",
              help="Compare every plan under --plans changed since this git ref with the working tree.")
@click.option("--plans", "plans_dir", default="plans", show_default=True, help="The plans folder (with --base).")
@click.option("--format", "fmt", type=click.Choice(DIFF_FORMATS), default="text", show_default=True,
              help="text for people, markdown for a pull request comment, json for tools.")
def diff(files, base, plans_dir, fmt):
    """What changed between two plans, in the plan's terms: OLD NEW, or --base GIT_REF.

    Funding by stream and year, schemes added, removed and changed, metric goals,
    narrative sections (words added and removed) and metadata. Exit status 0 whether
    or not anything changed; 2 for a usage, file or git error.
    """
    from bcf_schema import plandiff
    if base and files:
        raise click.UsageError("give either two files or --base GIT_REF, not both")
    if base:
        try:
            changed = gitbase.changed_plans(base, plans_dir)
            reviews = Path(plans_dir).parent / "reviews"  # the plans' assurance reviews, beside them
            if reviews.is_dir():
                changed += gitbase.changed_plans(base, reviews)
        except gitbase.GitError as err:
            click.echo(f"bcfc diff: {err}", err=True)
            sys.exit(2)
        diffs = [plandiff.compare_sources(c.old, c.new, c.path) for c in changed]
    else:
        if len(files) != 2:
            raise click.UsageError("give two plan files (OLD NEW), or --base GIT_REF")
        from bcf_schema import return_diff
        if return_diff.involves_returns(files):
            click.echo(return_diff.FORMATS[fmt](return_diff.compare(files[0], _checked(files[0]),
                                                                    files[1], _checked(files[1]))), nl=False)
            return
        raws = []
        for name in files:
            try:
                raws.append(read_bounded(name))
            except OSError as err:
                click.echo(f"bcfc diff: cannot read {name}: {err.strerror}", err=True)
                sys.exit(2)
        diffs = [plandiff.compare_sources(raws[0], raws[1], f"{files[0]} -> {files[1]}")]
    click.echo(plandiff.FORMATS[fmt](diffs), nl=False)


@click.command("import")
@click.argument("template", type=click.Path())
@click.option("-o", "--output", type=click.Path(),
              help="The plan file (default: plans/<hwb>/<period>.yaml); '-' for standard output.")
@click.option("--into", "into", type=click.Path(), metavar="PLAN",
              help="Update this plan's funding, schemes, metrics, capacity and demand and cover details "
                   "from the workbook; the rest of the file stays as it was.")
@click.option("--dry-run", is_flag=True, help="With --into: print the change, write nothing.")
def import_(template, output, into, dry_run):
    """Read a planning template (.xlsx, as `bcfc render excel` lays it out) into a plan's YAML.

    Income, schemes, metric goals, capacity and demand and the cover's details come back
    as data; formulas (totals) are not imported. With --into PLAN they update that plan in place
    and the change is printed as `bcfc diff` prints it; without, a new plan is written with its
    narrative headings marked to be written. Nothing is written if the workbook has a problem.
    """
    from bcf_schema import plandiff
    from renderers.workbook import merge, reader, xlsx_import  # openpyxl: imported only by the command that needs it

    if not Path(template).is_file():
        raise click.BadParameter(f"no such file: {template}", param_hint="TEMPLATE")
    if dry_run and not into:
        raise click.UsageError("--dry-run goes with --into PLAN")
    if into and output:
        raise click.UsageError("give either --into PLAN or -o FILE, not both")
    from bcf_schema.returns import is_return_path
    if into and is_return_path(into):
        _import_return(template, into, dry_run)
        return
    try:
        imported = reader.read(template)
    except reader.TemplateError as err:
        click.echo(f"bcfc import: {template}: {err}", err=True)
        sys.exit(2)
    if imported.problems:
        for problem in imported.problems:
            click.echo(f"{template}: {problem}", err=True)
        click.echo(f"not imported: {len(imported.problems)} problem(s) in {template}; nothing was written", err=True)
        sys.exit(1)
    for note in imported.notes:
        click.echo(f"note: {note}", err=True)
    if into:
        if not Path(into).is_file():
            raise click.BadParameter(f"no such file: {into}", param_hint="--into")
        old = Path(into).read_text(encoding="utf-8")
        try:
            new = merge.merge(old, imported, into)
        except reader.TemplateError as err:
            click.echo(f"bcfc import: {template}: {err}; nothing was written", err=True)
            sys.exit(2)
        click.echo(plandiff.FORMATS["text"]([plandiff.compare_sources(old, new, into)]), nl=False)
        if not dry_run and new != old:
            _replace(Path(into), new)
            click.echo(f"updated {into} from {template}")
        elif dry_run:
            click.echo(f"dry run: {into} was not changed")
        return
    to_stdout = output == "-"
    path = Path("plan.yaml") if to_stdout else Path(output) if output else xlsx_import.default_path(imported)
    text = xlsx_import.render(imported, path if not to_stdout else Path.cwd() / "plans" / "x" / "plan.yaml",
                              Path(template).name)
    if to_stdout:
        click.echo(text, nl=False)
    else:
        _refuse_overwrite(path)
        _write(path, text)
        click.echo(f"wrote {path} from {template}")


def _import_return(template: str, into: str, dry_run: bool) -> None:
    """A return workbook's figures into its return; nothing written if the workbook or the result has a problem."""
    from bcf_schema.loader import loads
    from bcf_schema.validate import validate_return
    from renderers import return_workbook
    if not Path(into).is_file():
        raise click.BadParameter(f"no such file: {into}", param_hint="--into")
    imported = return_workbook.read(read_bounded(template))
    if imported.problems:
        for problem in imported.problems:
            click.echo(f"{template}: {problem}", err=True)
        click.echo(f"not imported: {len(imported.problems)} problem(s) in {template}; nothing was written", err=True)
        sys.exit(1)
    old = Path(into).read_text(encoding="utf-8")
    new = return_workbook.merged(old, imported)
    errors = [f for f in validate_return(loads(new, into)).errors if f.code.startswith(("BCF0", "BCF1"))]
    if errors:
        for f in errors:
            click.echo(f"{template}: {f.pointer}: {f.message}", err=True)
        click.echo(f"not imported: the figures do not fit {into}; nothing was written", err=True)
        sys.exit(1)
    if dry_run:
        click.echo(f"dry run: {into} was not changed")
    elif new != old:
        _replace(Path(into), new)
        click.echo(f"updated {into} from {template}")
    else:
        click.echo(f"{into} already has the workbook's figures")


@click.command("init")
@click.argument("folder", default=".", type=click.Path(file_okay=False))
@click.option("--name", default="Better Care Fund plans", show_default=True, help="The site's name.")
@click.option("--publisher", prompt="Who publishes the plans (the council or HWB)",
              help="Who publishes the plans, for the About page (the council or the HWB).")
@click.option("--contact", prompt="A contact for readers (email address or https:// page)",
              help="An email address or web page where readers can reach the publisher.")
@click.option("--site-url", default="", help="Where the site will be published (https://...); gives it a sitemap. "
              "It can be added to bcfc.yaml later.")
@click.option("--source", default=init_repo.SOURCE, show_default=True, metavar="OWNER/NAME",
              help="The GitHub repository of bcfc whose hook and action the repository pins.")
def init(folder, name, publisher, contact, site_url, source):
    """Set up a plans repository in FOLDER (default: here): plans/, bcfc.yaml, the pre-commit hook,
    GitHub workflows, editor schemas and settings, all pinned to this version of bcfc.

    Never overwrites a file: if any is already there, nothing is written.
    """
    settings = init_repo.Settings(name=name, publisher=publisher, contact=contact, site_url=site_url, source=source)
    try:
        written = init_repo.init(folder, settings)
    except init_repo.InitError as err:
        raise click.UsageError(str(err)) from err
    click.echo(f"set up a plans repository in {folder} (bcfc {settings.ref}):")
    for path in written:
        click.echo(f"  wrote {path}")
    click.echo("next: git init (if it is not a repository yet), pre-commit install, "
               "bcfc new <HWB> --period <period>, bcfc serve")
