"""Messages for a planning lead, not a programmer: each mistake gives one finding, at the line to fix,
saying what to write."""
import pytest

from bcf_schema import load_framework, loads, validate_plan
from conftest import run_bcfc
from planbuilder import complete_plan, dump, line_of

FW = load_framework("2025-26")


def plan_text():
    plan = complete_plan(FW)
    plan["funding"]["streams"]["dfg"] = {"2025-26": 2100000}
    plan["schemes"].append({"id": "S3", "name": "Adaptations", "type": "dfg_related", "funding_source": "dfg",
                            "expenditure": {"2025-26": 2100000}})
    return dump(plan)


def problems(text):
    return [f for f in validate_plan(loads(text, "plan.yaml")).findings if f.severity.value != "info"]


def test_the_plan_used_here_is_clean():
    assert [f for f in problems(plan_text()) if f.severity.value == "error"] == []


@pytest.mark.parametrize("written, what", [
    ("{2025-26: 2,100,000}", "commas"),
    ("{2025-26: £2100000}", "a £ sign"),
    ("{2025-26: £2,100,000}", "commas and a £ sign"),
    ("\n      2025-26: 2,100,000", "commas"),
    ("\n      2025-26: £2,100,000", "commas and a £ sign"),
])
def test_an_amount_with_commas_or_a_pound_sign_is_one_error_saying_what_to_write(written, what):
    text = plan_text().replace("  dfg:\n      2025-26: 2100000", f"  dfg: {written}", 1)
    assert text != plan_text()
    (finding,) = problems(text)
    assert finding.code == "BCF102" and finding.line == line_of(text, "2,100,000" if "," in written else "£2100000")
    assert f"with {what}: write 2100000" in finding.message and "dfg 2025-26" in finding.message


def test_pence_say_whole_pounds():
    text = plan_text().replace("  dfg:\n      2025-26: 2100000", "  dfg:\n      2025-26: 9000000.5", 1)
    (finding,) = problems(text)
    assert finding.line == line_of(text, "9000000.5")
    assert "whole pounds" in finding.message and "9000000 or 9000001" in finding.hint


def test_a_colon_in_an_unquoted_name_says_to_quote_it():
    text = plan_text().replace("name: Adaptations", "name: Home First: reablement")
    (finding,) = problems(text)
    assert finding.code == "BCF004" and finding.line == line_of(text, "Home First: reablement")
    assert "contains ': '" in finding.message
    assert finding.hint == 'put the whole value in quotes: name: "Home First: reablement"'


@pytest.mark.parametrize("indent", ["   ", " "])  # one space too many, one too few
def test_an_indentation_error_points_at_the_line_that_is_wrong(indent):
    text = plan_text().replace("\n  name: Adaptations", "\n" + indent + "name: Adaptations")
    assert text != plan_text()
    (finding,) = problems(text)
    wrong = line_of(text, "name: Adaptations")
    assert finding.code == "BCF004" and finding.line == wrong
    assert f"line {wrong} is indented {len(indent)} space{'s' if len(indent) > 1 else ''}," in finding.message


def test_an_allowed_values_list_shows_the_closest_and_where_the_full_list_is():
    text = plan_text().replace("type: dfg_related", "type: dfg_relatd")
    (finding,) = problems(text)
    assert finding.code == "BCF104" and finding.line == line_of(text, "dfg_relatd")
    assert finding.hint.startswith("did you mean 'dfg_related'")
    assert "under scheme_types: in bcf_schema/frameworks/2025-26/framework.yaml" in finding.hint


def test_the_hint_for_an_unanswered_heading_is_to_write_it():
    plan = complete_plan(FW)
    entry = next(e for e in FW.outline if e.answer == "required")
    plan["narrative"][entry.id] = ""
    text = dump(plan)
    (finding,) = [f for f in problems(text) if f.code == "BCF205"]
    assert finding.line == line_of(text, f"{entry.id}:")
    assert finding.hint == f"write the answer under narrative: {entry.id}: | as Markdown"
    assert "not_stated" not in finding.hint


def test_validate_ends_with_a_one_line_summary_of_what_kinds_of_things_are_wrong(tmp_path):
    text = plan_text().replace("  dfg:\n      2025-26: 2100000", "  dfg: {2025-26: 2,100,000}", 1)
    text = text.replace("type: dfg_related", "type: dfg_relatd").replace("version: '1.0'", "versoin: '1.0'")
    (tmp_path / "plan.yaml").write_text(text, encoding="utf-8")
    result = run_bcfc("validate", "plan.yaml", cwd=tmp_path)
    assert result.returncode == 1
    last = result.stdout.splitlines()[-1]
    assert last.startswith("1 plan file(s) checked: 4 error(s)")
    for kind in ("wrong kind of value 1", "value not allowed 1", "unknown field 1", "missing field 1"):
        assert kind in last
