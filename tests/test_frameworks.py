"""The frameworks are data: each loads, its schema is current and valid JSON Schema."""
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bcf_schema import available_periods, load_framework
from bcf_schema.framework import FRAMEWORKS_DIR
from conftest import run_bcfc

PERIODS = available_periods()


def check_jsonschema(*args):
    exe = shutil.which("check-jsonschema") or str(Path(sys.executable).with_name("check-jsonschema"))
    return subprocess.run([exe, *map(str, args)], capture_output=True, text=True, timeout=300)


def test_the_three_periods_of_the_seeds_are_there():
    assert {"2014-15", "2023-25", "2025-26"} <= set(PERIODS)


@pytest.mark.parametrize("period", PERIODS)
def test_framework_outline_has_headings_to_answer(period):
    fw = load_framework(period)
    assert [e for e in fw.outline if e.answer == "required"]
    assert fw.ids("funding_streams") and fw.items("metrics")


def test_committed_schemas_are_generated_from_the_frameworks():
    result = run_bcfc("schema", "--check")
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("name", ["defs.schema.json"] + [f"{p}/plan.schema.json" for p in PERIODS]
                         + ["2023-25/return.schema.json", "2025-26/return.schema.json"])
def test_schema_passes_the_metaschema_check(name):
    result = check_jsonschema("--check-metaschema", FRAMEWORKS_DIR / name)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("period", PERIODS)
def test_schema_lists_every_outline_id_for_editors(period):
    fw = load_framework(period)
    narrative = fw.schema()["properties"]["narrative"]["properties"]
    assert list(narrative) == [e.id for e in fw.outline]
    assert fw.schema()["properties"]["funding"]["properties"]["streams"]["properties"].keys() == set(
        fw.ids("funding_streams"))
