"""A council's own plans repository, set up by `bcfc init` from the installed wheel, as a planning team would.

The wheel is built from this checkout and installed into a fresh venv with --no-deps; the venv
sees this environment's packages (its dependencies) through a .pth line, but not this checkout, so
what runs is what the wheel carries: the site configuration, the init templates, the schemas.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
import yaml

from conftest import ROOT
from planbuilder import dump
from test_diff import two_scheme_plan
from test_git_workflow import move_money_and_raise_goal

PUBLISHER = "Worcestershire County Council"
CONTACT = "bcf@worcestershire.gov.uk"
TOOLS = Path(sys.executable).parent  # check-jsonschema, zizmor, pre-commit from the test extras


def run(*args, cwd, env=None, timeout=300, check=True):
    result = subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env)
    if check:
        assert result.returncode == 0, f"{args}: {result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The bin folder of a fresh venv with bcfc installed from its wheel."""
    work = tmp_path_factory.mktemp("wheel")
    source = work / "source"  # a clean copy: building writes build/ and egg-info next to the sources
    files = run("git", "ls-files", "-co", "--exclude-standard", cwd=ROOT).stdout.splitlines()
    for name in files:
        if (ROOT / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, source / name)
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", work / "dist", source, cwd=work)
    [wheel] = (work / "dist").glob("bcfc-*.whl")
    venv = work / "venv"
    run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=work)
    python = venv / "bin" / "python"
    site = Path(run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])", cwd=work).stdout.strip())
    (site / "_test_environment.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    run(sys.executable, "-m", "pip", "--python", python, "install", "-q", "--no-deps", wheel, cwd=work)
    where = run(python, "-c", "import bcfc, renderers; print(bcfc.__file__); print(renderers.__file__)", cwd=work)
    assert all(line.startswith(str(site)) for line in where.stdout.split()), where.stdout  # the wheel, not ROOT
    return venv / "bin"


def git(repo, *args):
    return run("git", *args, cwd=repo)


@pytest.fixture(scope="module")
def repo(installed, tmp_path_factory) -> Path:
    """`bcfc init` in a new git repository, the pre-commit hook installed as a local hook (offline)."""
    repo = tmp_path_factory.mktemp("council") / "bcf-plans"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    git(repo, "config", "user.name", "Plan Author")
    git(repo, "config", "user.email", "author@example.org")
    git(repo, "config", "commit.gpgsign", "false")
    result = run(installed / "bcfc", "init", "--publisher", PUBLISHER, "--contact", CONTACT,
                 "--site-url", "https://worcs.example.org/bcf/", cwd=repo)
    for path in ("bcfc.yaml", "plans/README.md", ".pre-commit-config.yaml", ".gitignore", ".vscode/settings.json",
                 ".github/workflows/bcf-plans-check.yml", ".github/workflows/bcf-plans-publish.yml",
                 "schemas/2023-25/plan.schema.json", "schemas/defs.schema.json"):
        assert f"wrote {path}" in result.stdout and (repo / path).is_file(), path
    # The written hook is bcfc's at the pinned version; offline, the same hook runs from the venv.
    written = yaml.safe_load((repo / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    [pinned] = written["repos"]
    assert pinned["rev"] == "v" + run(installed / "python", "-c", "from importlib.metadata import version; "
                                      "print(version('bcfc'))", cwd=repo).stdout.strip()
    definitions = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))}
    assert [h["id"] for h in pinned["hooks"]] == ["bcfc-validate", "bcfc-schemas"]
    local = [{**definitions[h["id"]], "language": "system",
              "entry": definitions[h["id"]]["entry"].replace("bcfc", str(installed / "bcfc"), 1)}
             for h in pinned["hooks"]]
    (repo / ".pre-commit-config.yaml").write_text(yaml.safe_dump({"repos": [{"repo": "local", "hooks": local}]}))
    run(TOOLS / "pre-commit", "install", cwd=repo)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "Set up the plans repository")
    return repo


def test_init_refuses_to_overwrite_and_writes_nothing(installed, tmp_path):
    (tmp_path / "bcfc.yaml").write_text("site: {name: ours}\n", encoding="utf-8")
    result = run(installed / "bcfc", "init", "--publisher", PUBLISHER, "--contact", CONTACT, cwd=tmp_path, check=False)
    assert result.returncode == 2
    assert "already has bcfc.yaml" in result.stderr and "never overwrites" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bcfc.yaml"]
    assert (tmp_path / "bcfc.yaml").read_text(encoding="utf-8") == "site: {name: ours}\n"


def test_a_plan_committed_through_the_hook_and_the_public_site_leaves_the_draft_off(installed, repo):
    bcfc = installed / "bcfc"
    # A draft started with `bcfc new` (from a complete plan of the same period, so it has no gaps) ...
    draft = "plans/warwickshire/2023-25.yaml"
    result = run(bcfc, "new", "--period", "2023-25", "--from", ROOT / "plans/warwickshire/2023-25.yaml", cwd=repo)
    assert f"wrote {draft}" in result.stdout
    assert yaml.safe_load((repo / draft).read_text(encoding="utf-8"))["status"] == "draft"
    # ... and a submitted plan, the example plan with this repository's modeline.
    submitted = repo / "plans/worcestershire/2023-25.yaml"
    submitted.parent.mkdir(parents=True)
    lines = (ROOT / "plans/worcestershire/2023-25.yaml").read_text(encoding="utf-8").splitlines(keepends=True)
    submitted.write_text((repo / draft).read_text(encoding="utf-8").splitlines(keepends=True)[0] + "".join(lines[1:]),
                         encoding="utf-8")

    git(repo, "add", "-A")
    commit = run("git", "commit", "-m", "Worcestershire submitted, Warwickshire draft", cwd=repo, check=False)
    assert commit.returncode == 0, commit.stdout + commit.stderr
    assert "bcfc validate" in commit.stderr + commit.stdout and "Passed" in commit.stderr + commit.stdout  # the hook ran

    # A plan with an error is refused by the hook, and nothing is committed.
    broken = repo / "plans/worcestershire/2023-25.yaml"
    good = broken.read_text(encoding="utf-8")
    broken.write_text(good.replace("framework: \"2023-25\"", "framework: \"2023-25\"\nversoin: oops", 1), encoding="utf-8")
    git(repo, "add", "-A")
    refused = run("git", "commit", "-m", "typo", cwd=repo, check=False)
    assert refused.returncode != 0 and "BCF103" in refused.stdout + refused.stderr
    broken.write_text(good, encoding="utf-8")
    git(repo, "add", "-A")

    # After an upgrade the schemas hook rewrites a stale editor schema: the commit stops until it is added.
    (repo / "schemas/2023-25/plan.schema.json").write_text("{}\n", encoding="utf-8")
    git(repo, "commit", "-q", "--no-verify", "-am", "Worcestershire submitted; the schemas of an older bcfc")
    with (repo / "plans/README.md").open("a", encoding="utf-8") as readme:
        readme.write("\nOur plans are signed off by the Health and Wellbeing Board.\n")
    stopped = run("git", "commit", "-q", "-am", "A note on sign-off", cwd=repo, check=False)
    assert stopped.returncode != 0 and "files were modified by this hook" in stopped.stdout + stopped.stderr
    git(repo, "commit", "-q", "-am", "A note on sign-off; the editor schemas of this bcfc")
    installed_schema = run(installed / "python", "-c", "from bcf_schema.framework import load_framework; "
                           "print(load_framework('2023-25').schema_path)", cwd=repo).stdout.strip()
    assert (repo / "schemas/2023-25/plan.schema.json").read_bytes() == Path(installed_schema).read_bytes()

    # No mkdocs.yml: the built-in site configuration, with the repository's bcfc.yaml.
    assert not (repo / "mkdocs.yml").exists()
    build = run(bcfc, "build", cwd=repo)
    assert "1 draft(s) left off the site" in build.stdout
    site = repo / "site"
    assert (site / "plans/worcestershire/2023-25/index.html").is_file()
    assert not (site / "plans/warwickshire").exists()
    assert "Warwickshire" not in (site / "index.html").read_text(encoding="utf-8")
    assert (repo / "build/warwickshire/2023-25/narrative.docx").is_file()  # the draft's documents are built
    about = (site / "about/index.html").read_text(encoding="utf-8")
    assert PUBLISHER in about and f'href="mailto:{CONTACT}"' in about
    assert "https://worcs.example.org/bcf/plans/worcestershire/2023-25/" in (site / "sitemap.xml").read_text()
    assert (site / "schemas/2023-25/plan.schema.json").read_bytes() == (repo / "schemas/2023-25/plan.schema.json").read_bytes()
    untracked = git(repo, "status", "--porcelain", "--untracked-files=all").stdout
    assert not any(name in untracked for name in ("build/", "site/", ".bcfc-cache/")), untracked  # .gitignore

    preview = run(bcfc, "build", "--drafts", cwd=repo)
    assert "left off" not in preview.stdout
    page = (site / "plans/warwickshire/2023-25/index.html").read_text(encoding="utf-8")
    assert "<strong>DRAFT</strong>: Warwickshire 2023-25 is a draft" in page


def test_the_modeline_and_the_editor_settings_resolve_in_the_repository(installed, repo):
    plan = repo / "plans/herefordshire/2025-26.yaml"
    run(installed / "bcfc", "new", "Herefordshire", "--period", "2025-26", cwd=repo)
    first = plan.read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=../../schemas/2025-26/plan.schema.json"
    schema = (plan.parent / first.split("$schema=", 1)[1]).resolve()
    assert schema == (repo / "schemas/2025-26/plan.schema.json").resolve()
    # The schema an editor finds from the plan's folder checks the plan, its $ref resolved beside it.
    checked = run(TOOLS / "check-jsonschema", "--schemafile", schema, repo / "plans/worcestershire/2023-25.yaml",
                  cwd=repo, check=False)
    assert "Schema validation errors" in checked.stdout  # a 2023-25 plan is not a 2025-26 plan ...
    run(TOOLS / "check-jsonschema", "--schemafile", repo / "schemas/2023-25/plan.schema.json",
        repo / "plans/worcestershire/2023-25.yaml", cwd=repo)  # ... and passes its own period's schema
    settings = json.loads((repo / ".vscode/settings.json").read_text(encoding="utf-8"))["yaml.schemas"]
    assert settings["./schemas/2025-26/plan.schema.json"] == ["plans/*/2025-26.yaml"]
    for path in settings:
        assert (repo / path).is_file(), path
    assert run(installed / "bcfc", "schema", "--export", "schemas", "--check", cwd=repo).returncode == 0
    (repo / "schemas/2025-26/plan.schema.json").write_text("{}", encoding="utf-8")  # as after an upgrade
    stale = run(installed / "bcfc", "schema", "--export", "schemas", "--check", cwd=repo, check=False)
    assert stale.returncode == 1 and "schemas/2025-26/plan.schema.json" in stale.stdout
    run(installed / "bcfc", "schema", "--export", "schemas", cwd=repo)
    assert (repo / "schemas/2025-26/plan.schema.json").read_bytes() == schema.read_bytes() != b"{}"


@pytest.mark.parametrize("where", ["written by init", "this repository"])
def test_the_workflows_pass_the_schema_check_and_zizmor(repo, where):
    root = repo if where == "written by init" else ROOT
    workflows = sorted((root / ".github/workflows").glob("*.yml"))
    assert workflows
    for workflow in workflows:
        text = workflow.read_text(encoding="utf-8")
        assert "pip install ." not in text
        run(TOOLS / "check-jsonschema", "--builtin-schema", "vendor.github-workflows", workflow, cwd=root)
    if where == "this repository":
        run(TOOLS / "check-jsonschema", "--builtin-schema", "vendor.github-actions", ROOT / "action.yml", cwd=root)
    else:  # the plans repository's workflows run bcfc through the action, at the pinned tag
        uses = [step.get("uses", "") for wf in workflows for job in yaml.safe_load(wf.read_text())["jobs"].values()
                for step in job.get("steps", [])]
        assert sum(u.endswith("/bcfc@v0.1.0") for u in uses) == 3, uses
    audit = run(TOOLS / "zizmor", "--offline", "--no-progress", root, cwd=root, check=False)
    assert audit.returncode == 0, audit.stdout + audit.stderr
    assert "No findings to report" in audit.stdout + audit.stderr


def action_step(name: str) -> dict:
    """A step of this repository's composite action, by name."""
    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    [step] = [s for s in action["runs"]["steps"] if s.get("name") == name]
    return step


def run_action_step(name: str, inputs: dict, bin_dir: Path, cwd: Path, tmp: Path):
    """Run one step's script as the runner would (bash -eo pipefail), its env filled from the inputs."""
    step = action_step(name)
    env = {key: str(value) for key, value in step.get("env", {}).items()}
    for key, value in env.items():
        for input_name, given in inputs.items():
            value = value.replace("${{ inputs.%s }}" % input_name, given)
        env[key] = value
    files = {"GITHUB_STEP_SUMMARY": tmp / "summary.md", "GITHUB_OUTPUT": tmp / "output"}
    full = {"PATH": f"{bin_dir}:/usr/bin:/bin", "HOME": str(tmp), "RUNNER_TEMP": str(tmp),
            **{k: str(v) for k, v in files.items()}, **env}
    result = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]], cwd=cwd,
                            env=full, capture_output=True, text=True, timeout=120)
    return result, files


def test_the_action_reports_the_diff_and_the_checklist_and_annotates_findings(installed, tmp_path):
    repo = tmp_path / "repo"
    (repo / "plans/worcestershire").mkdir(parents=True)
    plan = repo / "plans/worcestershire/2023-25.yaml"
    plan.write_text(dump(two_scheme_plan()), encoding="utf-8")
    for args in (("init", "-q", "-b", "main"), ("config", "user.email", "a@example.org"), ("config", "user.name", "A"),
                 ("config", "commit.gpgsign", "false"), ("add", "-A"), ("commit", "-q", "-m", "1.0"),
                 ("checkout", "-q", "-b", "move-money")):
        git(repo, *args)
    plan.write_text(dump(move_money_and_raise_goal(two_scheme_plan())), encoding="utf-8")  # version not raised
    git(repo, "commit", "-qam", "Move money")

    result, files = run_action_step("The plan diff and the checklist", {"plans": "plans", "base": "main"},
                                    installed, repo, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    [output] = files["GITHUB_OUTPUT"].read_text(encoding="utf-8").splitlines()
    report = Path(output.removeprefix("report=")).read_text(encoding="utf-8")
    assert report == files["GITHUB_STEP_SUMMARY"].read_text(encoding="utf-8")  # the comment and the summary
    assert report.startswith("## Plan changes\n") and "## What is left before submission" in report
    assert "### `plans/worcestershire/2023-25.yaml`: changed" in report
    assert "| S1 Home care | expenditure | 2023-24 | £1,000,000 | £750,000 | -£250,000, -25.0% |" in report
    checklist = run(installed / "bcfc", "status", "plans", "--format", "markdown", cwd=repo).stdout
    assert checklist.strip() and report.endswith(checklist)  # the checklist, whole, after the diff

    result, _ = run_action_step("Validate the plans", {"plans": "plans", "base": "main"}, installed, repo, tmp_path)
    assert result.returncode == 1
    assert "::error file=plans/worcestershire/2023-25.yaml,line=" in result.stdout and "BCF401" in result.stdout

    published = tmp_path / "published"
    (published / "plans/worcestershire").mkdir(parents=True)
    shutil.copy(ROOT / "plans/worcestershire/2023-25.yaml", published / "plans/worcestershire/2023-25.yaml")
    (published / "bcfc.yaml").write_text("site:\n  name: Plans\n  publisher: P\n  contact: p@example.org\n")
    result, _ = run_action_step("Build the documents and the site", {"plans": "plans"}, installed, published, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (published / "site/plans/worcestershire/2023-25/index.html").is_file()
