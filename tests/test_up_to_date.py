"""A rebuild costs what changed: with nothing changed it writes nothing; an unchanged plan is not checked
again, yet every finding is said as before, and any change (a plan, a page, the house rules, an option,
an output deleted) builds again."""
import os
import re
import shutil

import pytest

from conftest import ROOT, run_bcfc
from test_gate import RULES  # a house rule refusing the Warwickshire plan

pytestmark = pytest.mark.skipif(not (ROOT / "mkdocs.yml").is_file(), reason="the site needs mkdocs.yml")


@pytest.fixture
def repo(tmp_path):
    folder = tmp_path / "repo"
    for name in ("plans", "docs"):
        shutil.copytree(ROOT / name, folder / name)
    shutil.copy(ROOT / "mkdocs.yml", folder / "mkdocs.yml")
    return folder


def build(folder, *options, status=0):
    result = run_bcfc("build", "--no-pdf", *options, cwd=folder, timeout=600)
    assert result.returncode == status, result.stdout + result.stderr
    return result


def outputs(folder):
    """Each output file and the file it is on disk (inode, time): what a rewrite would change."""
    found = {}
    for name in ("build", "site"):
        for path in sorted((folder / name).rglob("*")):
            if path.is_file():
                info = path.stat()
                found[path.relative_to(folder).as_posix()] = (info.st_ino, info.st_mtime_ns, info.st_size)
    return found


def findings(stderr):
    """What a build said about the plans: its finding lines, without progress."""
    return [line for line in stderr.splitlines() if re.match(r"\S+\.yaml:\d+:\d+: (warning|error)", line)]


def test_a_rebuild_with_nothing_changed_writes_nothing_and_says_what_the_last_build_said(repo):
    first = build(repo)
    before = outputs(repo)
    again = build(repo)
    assert "nothing changed since the last build" in again.stderr
    assert outputs(repo) == before
    assert findings(again.stderr) == findings(first.stderr) and findings(first.stderr)  # the drafts' warnings
    plans = re.search(r"built (\d+) plan", first.stdout).group(1)
    assert f"built {plans} plan(s)" in again.stdout and "built the site into site/" in again.stdout


@pytest.mark.parametrize("change", ["plan", "page", "deleted output", "option"])
def test_any_change_builds_again(repo, change):
    build(repo)
    options = ()
    if change == "plan":
        plan = repo / "plans" / "warwickshire" / "2023-25.yaml"
        plan.write_text(plan.read_text(encoding="utf-8").replace("helped develop and review", "helped draft and review",
                                                                 1), encoding="utf-8")
    elif change == "page":
        page = next((repo / "docs").glob("*.md"))
        page.write_text(page.read_text(encoding="utf-8") + "\nA sentence added.\n", encoding="utf-8")
    elif change == "deleted output":
        (repo / "site" / "index.html").unlink()
    else:
        options = ("--drafts",)
    again = build(repo, *options)
    assert "nothing changed" not in again.stderr
    assert (repo / "site" / "index.html").is_file()
    if change == "plan":
        assert "(1 rendered" in again.stdout
        narrative = repo / "site" / "plans" / "warwickshire" / "2023-25" / "narrative" / "index.html"
        assert "helped draft and review" in narrative.read_text(encoding="utf-8")
    if change == "page":
        assert "A sentence added." in (repo / "site" / page.stem / "index.html").read_text(encoding="utf-8")


def test_a_plan_checked_before_is_judged_by_the_house_rules_of_now(repo):
    build(repo)
    before = outputs(repo)
    (repo / "bcfc-rules.yaml").write_text(RULES, encoding="utf-8")  # the plans are unchanged
    refused = build(repo, status=1)
    assert "house rule 'no-warwickshire'" in refused.stderr and "plans/warwickshire/2023-25.yaml" in refused.stderr
    assert outputs(repo) == before
    (repo / "bcfc-rules.yaml").unlink()  # back as the first build found it: its outputs stand
    assert "nothing changed" in build(repo).stderr and outputs(repo) == before


def test_unchanged_plans_read_back_say_the_same_findings_as_when_they_were_checked(repo):
    first = build(repo)
    shutil.rmtree(repo / "site")  # so that the next build does not stop at "nothing changed"
    again = build(repo)
    assert "nothing changed" not in again.stderr and "(0 rendered" in again.stdout
    assert findings(again.stderr) == findings(first.stderr)
    # and they are what a build without any cache says
    shutil.rmtree(repo / ".bcfc-cache")
    assert findings(build(repo).stderr) == findings(first.stderr)


def test_a_cache_entry_tampered_with_cannot_change_what_is_checked(repo):
    build(repo)
    for entry in (repo / ".bcfc-cache" / "checked").glob("*.json"):
        entry.write_text('{"data": {"framework": "1999"}, "findings": [', encoding="utf-8")  # broken JSON
    shutil.rmtree(repo / "site")
    result = build(repo)
    assert "nothing changed" not in result.stderr
    assert os.listdir(repo / ".bcfc-cache" / "checked")  # checked again and kept anew


def test_a_rebuild_never_writes_into_the_files_of_the_site_published_before(repo, tmp_path):
    """The published site shares its files with the cache (hard links): a rebuild must write new files,
    never over old ones, or a reader (a web server serving the old site) would see pages change mid-build."""
    build(repo)
    kept = tmp_path / "served"
    published = {}
    for path in sorted((repo / "site").rglob("*")):
        if path.is_file():
            name = path.relative_to(repo / "site").as_posix()
            (kept / name).parent.mkdir(parents=True, exist_ok=True)
            os.link(path, kept / name)  # what a server holding the old site has open
            published[name] = path.read_bytes()
    plan = repo / "plans" / "warwickshire" / "2023-25.yaml"
    plan.write_text(plan.read_text(encoding="utf-8").replace("helped develop and review", "helped draft and review", 1),
                    encoding="utf-8")
    build(repo)
    changed = [name for name, content in published.items() if (kept / name).read_bytes() != content]
    assert changed == []
    assert (repo / "site" / "search" / "search_index.json").read_bytes() != published["search/search_index.json"]
