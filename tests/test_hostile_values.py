"""Values that used to crash the loader or pass validation and then break a writer, house rules that hung,
and files that are not plans: each gets a clear finding naming the file and line, a non-zero exit, no
traceback, in a bounded time."""
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bcf_schema import load_framework
from conftest import PLANS, run_bcfc
from planbuilder import complete_plan, dump, line_of

BCFC = shutil.which("bcfc") or str(Path(sys.executable).with_name("bcfc"))

FW = load_framework("2023-25")


def _plan_text(change) -> str:
    plan = complete_plan(FW)
    change(plan)
    return dump(plan)


def _first_stream_year(plan):
    return plan["funding"]["streams"][plan["schemes"][0]["funding_source"]]


def _float_amount(plan):
    _first_stream_year(plan)["2023-24"] = 999999999.0
    plan["schemes"][0]["expenditure"]["2023-24"] = 999999999.0


def _huge_amount(plan):
    _first_stream_year(plan)["2023-24"] = 10**400
    plan["schemes"][0]["expenditure"]["2023-24"] = 10**400


def _over_ceiling(plan):
    _first_stream_year(plan)["2023-24"] = 10**12
    plan["schemes"][0]["expenditure"]["2023-24"] = 10**12


RAW = b'framework: "2023-25"\nversion: '
CASES = {
    # name: (file text, code, the text on the line the finding points at, words the message must contain)
    "int_tag_text": (RAW + b'!!int "abc"\n', "BCF006", "!!int", "tag !!int is not allowed"),
    "int_tag_empty": (RAW + b'!!int ""\n', "BCF006", "!!int", "tag !!int is not allowed"),
    "float_tag_text": (RAW + b'!!float "abc"\n', "BCF006", "!!float", "tag !!float is not allowed"),
    "bool_tag_maybe": (RAW + b'!!bool "maybe"\n', "BCF006", "!!bool", "tag !!bool is not allowed"),
    "unreadable_number": (RAW + b"0b_\n", "BCF004", "0b_", "cannot be read as a whole number"),
    "over_4300_digits": (RAW + b"9" * 5000 + b"\n", "BCF004", "9999", "too large"),
    "merge_key": (b'framework: "2023-25"\nbase: &b {version: "1"}\n<<: *b\n', "BCF006", "<<", "merge keys"),
    "float_amount": (_plan_text(_float_amount).encode(), "BCF102", "999999999.0", "is 999999999.0: amounts are whole pounds"),
    "401_digit_amount": (_plan_text(_huge_amount).encode(), "BCF004", "0000000", "too large"),
    "amount_over_ceiling": (_plan_text(_over_ceiling).encode(), "BCF105", "1000000000000", "over the largest"),
    "nul_escape": (_plan_text(lambda p: p.update(title="Plan\x00")).encode(), "BCF105", "title:",
                   "'title' holds a control character (U+0000)"),
    "x01_escape": (_plan_text(lambda p: p["hwbs"][0].update(name="Worcs\x01")).encode(), "BCF105", "name:",
                   "'name' holds a control character (U+0001)"),
    "ufffe_escape": (_plan_text(lambda p: p["schemes"][0].update(name="S\ufffe")).encode(), "BCF105",
                     "name: \"S", "control character (U+FFFE)"),
    "impossible_date": (_plan_text(lambda p: p.update(date="2023-02-30")).encode(), "BCF105", "2023-02-30",
                        "'2023-02-30' in 'date' is not a date in the calendar"),
    "long_name": (_plan_text(lambda p: p["schemes"][0].update(name="n" * 1001)).encode(), "BCF105", "nnnn",
                  "1,001 characters long, over the limit of 1,000"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_value_gets_a_clear_error(tmp_path, name):
    content, code, needle, words = CASES[name]
    path = tmp_path / f"{name}.yaml"
    path.write_bytes(content)

    result = run_bcfc("validate", path, cwd=tmp_path, timeout=30)

    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr + result.stdout and "internal error" not in result.stderr
    line = line_of(content.decode(), needle)
    found = [out for out in result.stdout.splitlines() if f" {code}: " in out and words in out]
    assert found and found[0].startswith(f"{path}:{line}:"), result.stdout
    assert "hint:" in result.stdout


def test_a_loader_error_in_one_plan_leaves_the_others_checked(tmp_path):
    (tmp_path / "a.yaml").write_bytes(CASES["int_tag_text"][0])
    (tmp_path / "b.yaml").write_bytes(CASES["impossible_date"][0])
    result = run_bcfc("validate", tmp_path, cwd=tmp_path, timeout=30)
    assert result.returncode == 1
    assert "a.yaml:2:" in result.stdout and "b.yaml:" in result.stdout and "2 plan file(s) checked" in result.stdout


def test_a_plan_whose_name_is_too_long_for_its_documents_is_refused(tmp_path):
    folder = tmp_path / ("h" * 240)
    folder.mkdir()
    (folder / "2023-25.yaml").write_text(dump(complete_plan(FW)))
    result = run_bcfc("build", "--plans", tmp_path, "--no-site", "--out", tmp_path / "out", cwd=tmp_path, timeout=60)
    out = result.stdout + result.stderr
    assert result.returncode == 1, out
    assert "BCF011" in out and "at most 100" in out and "2023-25.yaml: error" in out
    assert "Traceback" not in out and "File name too long" not in out
    assert not (tmp_path / "out").exists()


@pytest.fixture
def fifo(tmp_path):
    path = tmp_path / "pipe.yaml"
    os.mkfifo(path)
    return path


@pytest.mark.parametrize("args", [
    ("validate", "{fifo}"),
    ("validate", "--rules", "{fifo}", PLANS),
    ("validate", "--rules", "/dev/zero", PLANS),
    ("validate", "/dev/zero"),
    ("diff", "{fifo}", PLANS / "warwickshire/2023-25.yaml"),
    ("diff", PLANS / "warwickshire/2023-25.yaml", "/dev/zero"),
], ids=["plan-fifo", "rules-fifo", "rules-dev-zero", "plan-dev-zero", "diff-fifo", "diff-dev-zero"])
def test_pipes_and_devices_are_refused_without_waiting(tmp_path, fifo, args):
    args = [str(a).format(fifo=fifo) for a in args]
    result = run_bcfc(*args, cwd=tmp_path, timeout=20)  # a hang fails here
    assert result.returncode == 2, result.stdout + result.stderr
    out = result.stdout + result.stderr
    assert "not a regular file" in out and "Traceback" not in out
    if args[0] == "validate":
        assert "BCF001" in out


def test_a_huge_file_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "huge.yaml"
    with open(path, "wb") as file:  # 3 GiB, sparse: nothing is written to disk
        file.truncate(3 * 1024**3)
    # Measured in a process of its own: this one's children include every earlier test's builds.
    measure = ("import json, resource, subprocess, sys\n"
               "r = subprocess.run(sys.argv[1:], capture_output=True, text=True, timeout=30)\n"
               "print(json.dumps([r.returncode, r.stdout, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss]))")
    done = subprocess.run([sys.executable, "-c", measure, BCFC, "validate", str(path)], cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)
    code, stdout, peak_kib = json.loads(done.stdout)
    assert code == 1 and "BCF002" in stdout and "3,221,225,472 bytes" in stdout
    assert peak_kib < 300 * 1024, f"peak {peak_kib} KiB"


CATASTROPHIC = "^([A-Za-z]+\\s?)*$"


def test_a_backtracking_house_rule_does_not_hang(tmp_path):
    rules = tmp_path / "bcfc-rules.yaml"
    rules.write_text("rules:\n  - id: words\n    description: priorities are words\n    schema:\n"
                     f"      priorities: {{type: list, schema: {{regex: '{CATASTROPHIC}'}}}}\n"
                     f"      narrative: {{type: dict, valuesrules: {{regex: '{CATASTROPHIC}'}}}}\n")
    result = run_bcfc("validate", "--rules", rules, PLANS, cwd=tmp_path, timeout=30)  # was over 90 s
    assert result.returncode == 1, result.stdout + result.stderr
    assert "house rule 'words': priorities/0 value does not match regex" in result.stdout
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("content, line, words", [
    ("rules:\n  - id: bad\n    schema:\n      title: {regex: '['}\n", 4, "'[' is not a valid regular expression"),
    ("rules:\n  - id: back\n    schema:\n      version: {regex: '(a)\\1'}\n", 4, "backreference"),
    ("", 1, "holds no rules"),
    ("# rules to come\n", 1, "holds no rules"),
], ids=["unclosed-set", "backreference", "empty", "comments-only"])
def test_a_bad_rules_file_is_bcf301(tmp_path, content, line, words):
    rules = tmp_path / "bcfc-rules.yaml"
    rules.write_text(content)
    result = run_bcfc("validate", "--rules", rules, PLANS / "warwickshire", cwd=tmp_path, timeout=30)
    assert result.returncode == 2, result.stdout + result.stderr
    first = next(out for out in result.stdout.splitlines() if "BCF301" in out)
    assert first.startswith(f"{rules}:{line}:") and words in first, first
    assert "Traceback" not in result.stderr and "re2.cc" not in result.stderr


def _string_nodes(node, where=""):
    if isinstance(node, dict):
        types = node.get("type") if isinstance(node.get("type"), list) else [node.get("type")]
        if "string" in types:
            yield where, node
        for key, value in node.items():
            if key != "propertyNames":  # keys are ids, checked by their own patterns and enums
                yield from _string_nodes(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _string_nodes(value, f"{where}/{index}")


@pytest.mark.parametrize("period", ["2014-15", "2023-25", "2025-26", "defs"])
def test_every_string_in_the_schema_keeps_out_control_characters_and_has_a_length_limit(period):
    """Generated from the schemas, so a new field is covered: each string either is an id or a date
    (a pattern of safe characters) or carries the control-character pattern and a maxLength."""
    import re

    from bcf_schema.schema_check import _defs
    schema = _defs() if period == "defs" else load_framework(period).schema()
    nodes = list(_string_nodes(schema))
    assert len(nodes) > 5 or period != "defs"  # the plan schemas refer to the defs for their text
    for where, node in nodes:
        if "enum" in node or "const" in node:
            continue
        assert "pattern" in node, where
        assert not re.search(node["pattern"], "a\x01") and not re.search(node["pattern"], "\ufffe"), where
        if not node["pattern"].startswith("^[^"):  # an id, a code or a date: a short shape
            continue
        assert 0 < node.get("maxLength", 0) <= 30000, where


def test_a_table_with_an_empty_heading_and_empty_cells_renders_to_word(tmp_path):
    plan = complete_plan(FW)
    plan["tables"] = [{"title": "Blank", "columns": [""], "rows": [[None], []]}]
    path = tmp_path / "plan.yaml"
    path.write_text(dump(plan))
    out = tmp_path / "narrative.docx"
    result = run_bcfc("render", "narrative", path, "-o", out, cwd=tmp_path, timeout=60)  # was a TypeError
    assert result.returncode == 0, result.stdout + result.stderr
    assert out.read_bytes()[:2] == b"PK" and "Traceback" not in result.stderr


def test_mathtext_in_a_chart_label_is_drawn_as_text():
    from renderers.site import charts
    svg = charts.stacked_bars(["$\\frac{1}{$", "$x$ and $y$"], [charts.Series("2023-24", [1000, 2000])])
    assert svg.startswith(b"<?xml")  # was a ValueError from matplotlib's mathtext parser
