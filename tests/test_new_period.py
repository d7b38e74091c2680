"""A new planning period is one folder: copy the latest framework to 2026-27 in a copy of the package
and a plan for it is scaffolded, validated, rendered and built with no Python change."""
import os
import shutil
import subprocess
import sys

import pytest

from bcf_schema.framework import FRAMEWORKS_DIR, available_periods
from conftest import ROOT

NEW = "2026-27"


@pytest.fixture(scope="module")
def package(tmp_path_factory):
    """bcf_schema, renderers and bcfc copied, with the latest framework copied as NEW."""
    root = tmp_path_factory.mktemp("package")
    ignore = shutil.ignore_patterns("__pycache__")
    for name in ("bcf_schema", "renderers", "bcfc"):
        shutil.copytree(ROOT / name, root / name, ignore=ignore)
    latest = available_periods()[-1]
    folder = root / "bcf_schema" / "frameworks" / NEW
    folder.mkdir()
    text = (FRAMEWORKS_DIR / latest / "framework.yaml").read_text(encoding="utf-8")
    (folder / "framework.yaml").write_text(text.replace(latest, NEW), encoding="utf-8")
    return root


def run(package, *args, cwd):
    env = {**os.environ, "PYTHONPATH": str(package)}
    return subprocess.run([sys.executable, "-m", "bcfc", *map(str, args)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


def test_a_copied_framework_folder_is_a_period_from_new_to_the_site(package, tmp_path):
    where = run(package, "schema", "--write", cwd=tmp_path)  # the one step a new period needs: its schema
    assert where.returncode == 0 and NEW in where.stdout, where.stderr
    assert f'"{NEW}"' in (package / "bcf_schema" / "frameworks" / NEW / "plan.schema.json").read_text()

    made = run(package, "new", "Leeds", "--period", NEW, cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    plan = tmp_path / "plans" / "leeds" / f"{NEW}.yaml"
    assert f'framework: "{NEW}"' in plan.read_text(encoding="utf-8")

    checked = run(package, "validate", plan, cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr  # a draft: what is left is a warning

    narrative = run(package, "render", "narrative", plan, cwd=tmp_path)
    assert narrative.returncode == 0, narrative.stderr
    assert f"Better Care Fund {NEW}" in narrative.stdout and "To be written." in narrative.stdout

    built = run(package, "build", "--drafts", cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    folder = tmp_path / "build" / "leeds" / NEW
    assert {"narrative.md", "narrative.docx", "planning-template.xlsx", "plan.yaml"} <= {p.name for p in
                                                                                       folder.iterdir()}
    page = tmp_path / "site" / "plans" / "leeds" / NEW / "index.html"
    assert "Leeds" in page.read_text(encoding="utf-8")
