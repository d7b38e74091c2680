"""Plans in git: a pull request's diff, version discipline, and the pre-commit hook, in real repositories."""
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from bcf_schema.versions import compare_versions, next_version, version_key
from conftest import ROOT, run_bcfc
from planbuilder import dump, variant
from test_diff import two_scheme_plan

PLAN = "plans/worcestershire/2023-25.yaml"
MODELINE = "# yaml-language-server: $schema=../../bcf_schema/frameworks/2023-25/plan.schema.json\n"


def git(repo, *args):
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout


def write(repo, plan, path=PLAN):
    file = repo / path
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text(MODELINE + dump(plan), encoding="utf-8")


@pytest.fixture
def repo(tmp_path):
    """A plans repository whose main branch holds one approved plan, version 1.0."""
    repo = tmp_path / "plans-repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    git(repo, "config", "user.name", "Plan Author")
    git(repo, "config", "user.email", "author@example.org")
    git(repo, "config", "commit.gpgsign", "false")
    plan = two_scheme_plan()
    write(repo, plan)
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "Worcestershire 2023-25, version 1.0")
    assert run_bcfc("validate", cwd=repo).returncode == 0
    return repo


def commit_all(repo, message):
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


def move_money_and_raise_goal(plan):
    new = variant(plan)
    new["schemes"][0]["expenditure"]["2023-24"] -= 250_000
    new["schemes"][1]["expenditure"]["2023-24"] += 250_000
    new["metrics"]["avoidable_admissions"]["goals"]["2023-24 Q1"] = 215.0
    return new


def test_a_branch_that_moves_money_and_raises_a_goal_gets_a_diff_naming_them(repo):
    git(repo, "checkout", "-q", "-b", "move-money")
    new = move_money_and_raise_goal(two_scheme_plan())
    new["version"] = "1.1"
    new["history"].append({"version": "1.1", "date": "2023-09-01", "change": "£250,000 from home care to reablement"})
    write(repo, new)
    commit_all(repo, "Move £250,000 to reablement")

    text = run_bcfc("diff", "--base", "main", cwd=repo)
    assert text.returncode == 0, text.stderr
    assert f"{PLAN}: changed" in text.stdout
    assert "S1 'Home care': expenditure 2023-24: £1,000,000 -> £750,000 (-£250,000, -25.0%)" in text.stdout
    assert "S2 'Reablement': expenditure 2023-24: £500,000 -> £750,000 (+£250,000, +50.0%)" in text.stdout
    assert "Avoidable admissions goal April to June 2023: 200.0 -> 215.0 (+15)" in text.stdout
    assert "version: 1.0 -> 1.1" in text.stdout

    markdown = run_bcfc("diff", "--base", "main", "--format", "markdown", cwd=repo).stdout
    assert f"### `{PLAN}`: changed" in markdown
    assert "| S1 Home care | expenditure | 2023-24 | £1,000,000 | £750,000 | -£250,000, -25.0% |" in markdown
    assert "| S2 Reablement | expenditure | 2023-24 | £500,000 | £750,000 | +£250,000, +50.0% |" in markdown
    assert "| Avoidable admissions | goal | April to June 2023 | 200.0 | 215.0 | +15 |" in markdown

    data = json.loads(run_bcfc("diff", "--base", "main", "--format", "json", cwd=repo).stdout)
    [plan] = data["plans"]
    assert {s["id"] for s in plan["schemes_changed"]} == {"S1", "S2"}
    assert [m["new"] for m in plan["metrics"]] == [215.0]

    # the version and its history entry are there, so the discipline check passes
    checked = run_bcfc("validate", "--base", "main", cwd=repo)
    assert checked.returncode == 0, checked.stdout


def test_diff_base_sees_uncommitted_new_and_deleted_plans(repo):
    write(repo, two_scheme_plan() | {"hwbs": [{"name": "Warwickshire", "code": "E10000031"}]},
          "plans/warwickshire/2023-25.yaml")  # untracked
    git(repo, "rm", "-q", PLAN)
    result = run_bcfc("diff", "--base", "main", cwd=repo)
    assert result.returncode == 0, result.stderr
    assert f"{PLAN}: removed" in result.stdout
    assert "plans/warwickshire/2023-25.yaml: added" in result.stdout
    unchanged = run_bcfc("diff", "--base", "HEAD", "--plans", "nowhere", cwd=repo)
    assert unchanged.returncode == 0 and "0 plan file(s) compared" in unchanged.stdout


def test_a_content_change_without_a_new_version_fails_validate_base(repo):
    plan = two_scheme_plan()
    plan["narrative"]["nc1.pr1.organisations"] = "Rewritten after the board meeting."
    write(repo, plan)
    result = run_bcfc("validate", "--base", "main", cwd=repo)
    assert result.returncode == 1
    assert "error BCF401: the plan changed since main but its version is still 1.0" in result.stdout
    assert "error BCF402: the plan changed since main but history has no new entry for version 1.0" in result.stdout
    line = next(i for i, text in enumerate((repo / PLAN).read_text().splitlines(), 1) if text.startswith("version:"))
    assert f"{PLAN}:{line}:" in result.stdout
    # without --base the same plan is clean: the discipline is about change, not content
    assert run_bcfc("validate", cwd=repo).returncode == 0
    # GitHub annotations for the pull request check
    github = run_bcfc("validate", "--base", "main", "--format", "github", cwd=repo)
    assert f"::error file={PLAN},line={line}" in github.stdout and "title=BCF401" in github.stdout


def test_a_new_version_without_a_history_entry_fails(repo):
    plan = move_money_and_raise_goal(two_scheme_plan())
    plan["version"] = "1.1"
    write(repo, plan)
    result = run_bcfc("validate", "--base", "main", cwd=repo)
    assert result.returncode == 1
    assert "BCF402" in result.stdout and "BCF401" not in result.stdout


def test_a_version_that_goes_backwards_fails(repo):
    plan = two_scheme_plan()
    plan["version"] = "V0.9"
    plan["history"].append({"version": "V0.9", "date": "2023-09-01", "change": "Renumbered"})
    write(repo, plan)
    commit_all(repo, "Renumber")
    result = run_bcfc("validate", "--base", "main~1", PLAN, cwd=repo)
    assert result.returncode == 1
    assert "error BCF403: the version went backwards since main~1: 1.0 -> V0.9" in result.stdout


def test_comment_only_edits_and_new_plans_need_no_new_version(repo):
    file = repo / PLAN
    file.write_text(file.read_text() + "# a note for reviewers\n", encoding="utf-8")
    write(repo, two_scheme_plan(), "plans/leeds/2023-25.yaml")
    assert run_bcfc("validate", "--base", "main", cwd=repo).returncode == 0


def test_a_ref_that_does_not_exist_is_a_usage_error(repo, tmp_path):
    for command in (["validate", "--base", "origin/nowhere"], ["diff", "--base", "origin/nowhere"]):
        result = run_bcfc(*command, cwd=repo)
        assert result.returncode == 2 and "'origin/nowhere' is not a commit" in result.stderr
    outside = tmp_path / "not-a-repo"
    outside.mkdir()
    result = run_bcfc("diff", "--base", "main", cwd=outside)
    assert result.returncode == 2 and "not inside a git repository" in result.stderr


@pytest.mark.parametrize("old, new, order", [
    ("0.4", "V0.4", 0), ("v0.4", "0.5", 1), ("0.9", "0.10", 1), ("1.0", "1", 0), ("V1.2", "1.1.9", -1),
    ("Version 2 (final)", "2.0.1", 1), ("not stated in the document", "1.0", None),
    ("not stated in the document", "not stated in the document", 0),
])
def test_versions_compare_by_their_dotted_numbers(old, new, order):
    assert compare_versions(old, new) == order


def test_version_keys():
    assert version_key("V0.4") == version_key("0.4") == (0, 4)
    assert version_key("V.03") == (3,)  # Warwickshire's "V.03": the number the text gives
    assert version_key("draft") is None
    assert [next_version(v) for v in ("1.0", "V0.4", "0.9", "draft")] == ["1.1", "V0.5", "0.10", None]


# -- the pre-commit hook ---------------------------------------------------------------------

def _hook_repository(tmp_path):
    """The bcfc repository as pre-commit should clone it: ROOT itself once everything is committed,
    else a snapshot of its working tree (try-repo takes tracked changes but not untracked files)."""
    untracked = subprocess.run(["git", "ls-files", "--others", "--exclude-standard", "--", ".pre-commit-hooks.yaml",
                                "bcfc", "bcf_schema", "renderers", "pyproject.toml"],
                               cwd=ROOT, capture_output=True, text=True)
    if untracked.returncode == 0 and not untracked.stdout.strip():
        return ROOT
    snapshot = tmp_path / "bcfc-snapshot"
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT, check=True,
                           capture_output=True).stdout.decode().split("\0")
    for name in filter(None, files):
        source = ROOT / name
        if source.is_file():
            (snapshot / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, snapshot / name)
    git(snapshot, "init", "-q")
    git(snapshot, "add", "-A")
    git(snapshot, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-q", "-m", "snapshot")
    return snapshot


@pytest.fixture(scope="module")
def pre_commit(tmp_path_factory):
    """Run bcfc's hook with pre-commit in a repository: (command, environment). The tests share one
    PRE_COMMIT_HOME, so the hook's environment (bcfc installed from this repository) is made once."""
    exe = shutil.which("pre-commit") or str(ROOT / ".venv/bin/pre-commit")
    if not Path(exe).exists():
        pytest.skip("pre-commit is not installed")
    home = tmp_path_factory.mktemp("pre-commit")
    env = {**os.environ, "PRE_COMMIT_HOME": str(home / "home")}
    return [exe, "try-repo", str(_hook_repository(home)), "bcfc-validate", "--all-files"], env


def test_the_pre_commit_hook_validates_plans_from_a_scratch_repository(repo, pre_commit):
    broken = two_scheme_plan()
    broken["versoin"] = broken.pop("version")
    write(repo, broken, "plans/leeds/2023-25.yaml")
    (repo / "notes.yaml").write_text("not: a plan\n", encoding="utf-8")  # outside plans/: not the hook's
    commit_all(repo, "A broken plan")
    command, env = pre_commit
    result = subprocess.run(command, cwd=repo, capture_output=True, text=True, timeout=300, env=env)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "bcfc validate" in output and "Failed" in output
    assert "plans/leeds/2023-25.yaml:" in output and "BCF103: unknown field 'versoin'" in output
    assert "2 plan file(s) checked" in output  # both plans, and not notes.yaml


def test_the_pre_commit_hook_accepts_a_fresh_draft_and_refuses_a_submitted_plan_with_unspent_income(repo, pre_commit):
    assert run_bcfc("new", "Leeds", "--period", "2025-26", cwd=repo).returncode == 0
    commit_all(repo, "Leeds 2025-26: a plan started")
    command, env = pre_commit

    def hook():
        result = subprocess.run([*command, "--verbose"], cwd=repo, capture_output=True, text=True, timeout=300,
                                env=env)
        return result.returncode, result.stdout + result.stderr

    code, output = hook()
    assert code == 0, output
    assert "warning BCF205" in output and "2 plan file(s) checked: 0 error(s)" in output

    unspent = two_scheme_plan()
    unspent["funding"]["streams"]["minimum_nhs_contribution"]["2023-24"] += 50_000
    unspent["status"] = "submitted"
    write(repo, unspent)
    code, output = hook()
    assert code == 1, output
    assert re.search(r"plans/worcestershire/2023-25\.yaml:\d+:\d+: error BCF201: .*£50,000 is not allocated", output)
