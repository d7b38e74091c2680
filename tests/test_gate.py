"""One gate: every way of rendering applies the same checks, house rules included.

What `bcfc validate` refuses, `bcfc render`, `bcfc build` and a plain `mkdocs build` refuse too; what
one lets through as a draft, all render as a draft.
"""
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import ROOT, run_bcfc

MKDOCS = str(Path(sys.executable).with_name("mkdocs"))
RULES = """\
rules:
  - id: no-warwickshire
    description: This repository publishes no Warwickshire plan
    schema:
      hwbs: {type: list, schema: {type: dict, schema: {name: {forbidden: [Warwickshire]}}}}
"""
REFUSED = "plans/warwickshire/2023-25.yaml"


def repository(tmp_path, rules=RULES):
    repo = tmp_path / "plans-repo"
    shutil.copytree(ROOT / "plans", repo / "plans")
    shutil.copytree(ROOT / "docs", repo / "docs")
    shutil.copy(ROOT / "mkdocs.yml", repo / "mkdocs.yml")
    if rules:
        (repo / "bcfc-rules.yaml").write_text(rules, encoding="utf-8")
    return repo


def mkdocs_build(repo):
    return subprocess.run([MKDOCS, "build", "--strict"], cwd=repo, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})


def house_rule_lines(output):
    """The house-rule findings a command printed, as file:line and rule."""
    return sorted(set(re.findall(r"(plans/\S+?:\d+):\d+: error BCF300: house rule '([a-z-]+)'", output)))


def test_house_rules_refuse_identically_through_validate_render_build_and_mkdocs(tmp_path):
    repo = repository(tmp_path)
    validate = run_bcfc("validate", cwd=repo)
    expected = house_rule_lines(validate.stdout)
    assert validate.returncode == 1 and expected and {f for f, _ in expected} == {f"{REFUSED}:{f.split(':')[1]}"
                                                                                   for f, _ in expected}

    render = run_bcfc("render", "narrative", REFUSED, cwd=repo)
    assert render.returncode == 1 and render.stdout == ""
    assert house_rule_lines(render.stderr) == expected and "not rendered" in render.stderr
    excel = run_bcfc("render", "excel", REFUSED, "-o", tmp_path / "t.xlsx", cwd=repo)
    assert excel.returncode == 1 and not (tmp_path / "t.xlsx").exists()
    assert house_rule_lines(excel.stderr) == expected

    build = run_bcfc("build", cwd=repo, timeout=300)
    assert build.returncode == 1 and house_rule_lines(build.stderr) == expected
    assert not (repo / "build").exists() and not (repo / "site").exists()

    site = mkdocs_build(repo)
    assert site.returncode != 0 and house_rule_lines(site.stderr + site.stdout) == expected
    assert not (repo / "site" / "index.html").exists()

    # Another plan is not the rule's business: it renders.
    assert run_bcfc("render", "narrative", "plans/worcestershire/2023-25.yaml", cwd=repo).returncode == 0


def test_a_draft_every_route_lets_through_renders_as_a_draft(tmp_path):
    repo = repository(tmp_path, rules=None)
    assert run_bcfc("new", "Leeds", "--period", "2025-26", cwd=repo).returncode == 0
    assert run_bcfc("validate", cwd=repo).returncode == 0
    site = mkdocs_build(repo)
    assert site.returncode == 0, site.stderr
    page = (repo / "site" / "plans" / "leeds" / "2025-26" / "narrative" / "index.html").read_text(encoding="utf-8")
    assert "To be written." in page and "Not answered in this plan." not in page  # (a DRAFT banner on the site is another issue's)
    built = run_bcfc("build", "--no-pdf", cwd=repo, timeout=300)
    assert built.returncode == 0, built.stderr
    assert "To be written." in (repo / "build" / "leeds" / "2025-26" / "narrative.md").read_text(encoding="utf-8")
