"""Returns against a plan: each check fires at the line of the return that is wrong."""
from __future__ import annotations

import copy

import pytest

from bcf_schema import load, load_framework, validate_file
from conftest import EXAMPLE_PLANS, EXAMPLE_RETURNS
from bcf_schema.gate import check as gate_check
from planbuilder import complete_plan, dump, line_of

FW = load_framework("2023-25")
S1, S2 = FW.ids("funding_streams")[:2]


def good_return() -> dict:
    return {
        "framework": "2023-25", "plan": "../2023-25.yaml", "return": "y1-q2", "version": "1.0", "status": "submitted",
        "sign_off": [{"body": "Health and Wellbeing Board", "date": "2023-10-18"}],
        "national_conditions": {c["id"]: {"met": True} for c in FW.data["returns"]["national_conditions"]},
        "metrics": {m["id"]: {p: {"actual": 9.0 if m["better"] == "lower" else 11.0, "verdict": "on_track"}
                              for p in FW.goal_periods(m) if p.startswith("2023-24")} for m in FW.items("metrics")},
        "income": {S1: 50_000, S2: 60_000},
        "expenditure": [{"scheme": "S1", "stream": S1, "amount": 50_000},
                        {"scheme": "S2", "stream": S2, "amount": 60_000}],
    }


def write(tmp_path, ret: dict, plan: dict | None = None, name: str = "2023-25-y1-q2.yaml"):
    folder = tmp_path / "plans" / "testshire"
    (folder / "returns").mkdir(parents=True, exist_ok=True)
    (folder / "2023-25.yaml").write_text(dump(plan or complete_plan(FW)), encoding="utf-8")
    path = folder / "returns" / name
    text = dump(ret)
    path.write_text(text, encoding="utf-8")
    return path, text


def findings(tmp_path, ret, plan=None, name="2023-25-y1-q2.yaml"):
    path, text = write(tmp_path, ret, plan, name)
    return [(f.code, f.severity.value, f.line, f.message) for f in validate_file(str(path)).findings], text


def test_a_complete_return_against_a_submitted_plan_has_no_findings(tmp_path):
    found, _ = findings(tmp_path, good_return())
    assert found == []


@pytest.mark.parametrize("path", EXAMPLE_RETURNS, ids=lambda p: p.name)
def test_each_example_return_validates_with_no_finding_and_says_it_is_synthetic(path):
    assert validate_file(str(path)).findings == []
    assert "SYNTHETIC" in path.read_text(encoding="utf-8") and load(path).data["synthetic"]


def test_each_example_plan_that_may_have_returns_has_one():
    """Leicestershire's 2025-26 plan is a draft, so a return against it would be refused (BCF502)."""
    reporting = {p.parent for p in EXAMPLE_PLANS if load(p).data.get("status") in ("submitted", "approved")
                 and load_framework(load(p).data["framework"]).data.get("returns")}
    assert reporting == {r.parent.parent for r in EXAMPLE_RETURNS}


def test_a_return_for_a_draft_plan_is_refused(tmp_path):
    plan = complete_plan(FW)
    plan["status"] = "draft"
    found, text = findings(tmp_path, good_return(), plan)
    assert found == [("BCF502", "error", line_of(text, "plan:"), found[0][3])]
    assert "is draft" in found[0][3]


def test_a_return_naming_no_plan_is_refused(tmp_path):
    ret = good_return()
    ret["plan"] = "../2023-24.yaml"
    found, text = findings(tmp_path, ret)
    assert [(c, line) for c, _, line, _ in found] == [("BCF501", line_of(text, "plan:"))]


def test_a_scheme_not_in_the_plan_gets_did_you_mean(tmp_path):
    ret = good_return()
    ret["expenditure"][1]["scheme"] = "S3"
    path, text = write(tmp_path, ret)
    [finding] = validate_file(str(path)).findings
    assert (finding.code, finding.line) == ("BCF503", line_of(text, "scheme: S3"))
    assert "no scheme 'S3'" in finding.message and "'S1'" in finding.hint


def test_a_stream_not_in_the_plan_is_an_error_at_its_key(tmp_path):
    ret = good_return()
    other = FW.ids("funding_streams")[3]
    ret["income"][other] = 10
    ret["expenditure"].append({"scheme": "S1", "stream": other, "amount": 10})
    found, text = findings(tmp_path, ret)
    assert ("BCF503", "error", line_of(text, f"  {other}: 10")) in [f[:3] for f in found]
    assert ("BCF503", "error", line_of(text, f"stream: {other}")) in [f[:3] for f in found]


def test_unexplained_spend_against_income_says_both_figures_and_is_a_warning_in_a_draft(tmp_path):
    ret = good_return()
    ret["expenditure"][0]["amount"] = 40_000
    found, text = findings(tmp_path, ret)
    assert found == [("BCF504", "error", line_of(text, f"  {S1}: 50000"), found[0][3])]
    assert "£40,000 against income £50,000 (£10,000 less)" in found[0][3]
    ret["status"] = "draft"
    assert [f[:2] for f in findings(tmp_path, ret)[0]] == [("BCF504", "warning")]
    ret["variance"] = {S1: "invoices paid in the next quarter"}
    assert findings(tmp_path, ret)[0] == []


def test_a_verdict_the_actual_and_goal_contradict_is_a_warning_with_both_figures(tmp_path):
    ret = good_return()
    metric = next(m for m in FW.items("metrics") if m["better"] == "lower")
    label = next(iter(ret["metrics"][metric["id"]]))
    ret["metrics"][metric["id"]][label] = {"actual": 12.5, "verdict": "on_track"}
    found, text = findings(tmp_path, ret)
    line = line_of(text, "verdict: on_track", after=f"  {metric['id']}:")
    assert [f[:3] for f in found] == [("BCF505", "warning", line)]
    assert "actual 12.5 misses the plan's goal 10" in found[0][3]


def test_a_year_end_verdict_in_a_quarterly_return_and_a_period_of_another_year(tmp_path):
    ret = good_return()
    metric = FW.items("metrics")[0]["id"]
    ret["metrics"][metric] = {"2024-25 Q1": {"actual": 9.0, "verdict": "achieved"}}
    found, text = findings(tmp_path, ret)
    assert [(c, line) for c, _, line, _ in found] == [("BCF507", line_of(text, "2024-25 Q1")),
                                                      ("BCF507", line_of(text, "verdict: achieved"))]


def test_every_national_condition_and_metric_answered(tmp_path):
    ret = good_return()
    del ret["national_conditions"]["nc3"]
    del ret["metrics"]["falls"]
    found, text = findings(tmp_path, ret)
    assert [(c, s, line) for c, s, line, _ in found] == [
        ("BCF506", "error", line_of(text, "national_conditions:")), ("BCF506", "error", line_of(text, "metrics:"))]
    assert "National Condition 3" in found[0][3]


def test_a_draft_return_may_be_unfinished_but_a_submitted_one_needs_sign_off(tmp_path):
    ret = good_return()
    del ret["sign_off"]
    found, text = findings(tmp_path, ret)
    assert [(c, s, line) for c, s, line, _ in found] == [("BCF215", "error", line_of(text, "status:"))]
    ret["status"] = "draft"
    del ret["income"]
    found, _ = findings(tmp_path, ret)
    assert {(c, s) for c, s, _, _ in found} == {("BCF215", "warning"), ("BCF506", "warning"), ("BCF504", "warning")}


def test_a_return_file_named_for_another_return(tmp_path):
    found, text = findings(tmp_path, good_return(), name="2023-25-y1-q3.yaml")
    assert [(c, line) for c, _, line, _ in found] == [("BCF507", line_of(text, "return:"))]


def test_the_gate_passes_returns_apart_from_plans(tmp_path):
    write(tmp_path, good_return())
    gate = gate_check([str(tmp_path / "plans")])
    assert [r.path.endswith("2023-25.yaml") for r in gate.passed] == [True]
    assert [r.path.endswith("2023-25-y1-q2.yaml") for r in gate.returns_passed] == [True]


def test_bcfc_validate_reports_a_return_at_file_line_and_exits_1(tmp_path, bcfc):
    ret = good_return()
    ret["expenditure"][1]["scheme"] = "S9"
    path, text = write(tmp_path, ret)
    result = bcfc("validate", str(tmp_path / "plans"))
    assert result.returncode == 1
    assert f"{path}:{line_of(text, 'scheme: S9')}:" in result.stdout
    assert "Traceback" not in result.stderr


def test_bcfc_new_return_lists_every_condition_metric_and_scheme_and_validates_as_a_draft(tmp_path, bcfc):
    write(tmp_path, good_return())
    plan = tmp_path / "plans" / "testshire" / "2023-25.yaml"
    result = bcfc("new", "--return", "y1-year-end", plan)
    assert result.returncode == 0, result.stderr
    path = plan.parent / "returns" / "2023-25-y1-year-end.yaml"
    text = path.read_text(encoding="utf-8")
    assert all(f"  {c['id']}: {{met: false" in text for c in FW.data["returns"]["national_conditions"])
    assert '"2023-24 Q4"' in text and "# goal 10" in text and '{scheme: "S2"' in text and "successes:" in text
    checked = validate_file(str(path))
    assert not checked.errors and {f.code for f in checked.findings} == {"BCF208", "BCF215"}
    again = bcfc("new", "--return", "y1-year-end", plan)
    assert again.returncode != 0 and "already exists" in again.stderr


def test_bcfc_new_return_refuses_an_ambiguous_return_and_a_draft_plan(tmp_path, bcfc):
    write(tmp_path, good_return())
    plan = tmp_path / "plans" / "testshire" / "2023-25.yaml"
    ambiguous = bcfc("new", "--return", "Q2", plan)
    assert ambiguous.returncode == 2 and "'y2-q2' or 'y1-q2'" in ambiguous.stderr
    draft = complete_plan(FW)
    draft["status"] = "draft"
    plan.write_text(dump(draft), encoding="utf-8")
    refused = bcfc("new", "--return", "y1-q2", plan)
    assert refused.returncode == 2 and "is draft" in refused.stderr and "Traceback" not in refused.stderr


def test_bcfc_diff_a_return_against_its_plan_gives_spend_to_date_of_planned(tmp_path, bcfc):
    ret = good_return()
    ret["expenditure"][0]["amount"] = 40_000
    ret["variance"] = {S1: "invoices paid next quarter"}
    path, _ = write(tmp_path, ret)
    plan = tmp_path / "plans" / "testshire" / "2023-25.yaml"
    result = bcfc("diff", plan, path)
    assert result.returncode == 0, result.stderr
    # complete_plan: each of the two streams has £100,000 of income and one £100,000 scheme in 2023-24
    assert "spend to date £100,000 of £200,000 planned, 50%" in result.stdout
    assert f"  {S1}: spend £40,000 of £100,000 planned, 40%; income £50,000 of £100,000 planned, 50%" in result.stdout
    assert bcfc("diff", path, plan).stdout == result.stdout.replace(f"{plan} -> {path}", f"{path} -> {plan}")


def test_bcfc_diff_between_two_returns_and_a_broken_one_refused(tmp_path, bcfc):
    path, _ = write(tmp_path, good_return())
    later = good_return()
    later["return"] = "y1-q3"
    later["expenditure"][0]["amount"] = 75_000
    later["national_conditions"]["nc2"] = {"met": False, "comment": "not yet"}
    later_path = path.with_name("2023-25-y1-q3.yaml")
    later_path.write_text(dump(later), encoding="utf-8")
    result = bcfc("diff", path, later_path)
    assert result.returncode == 0, result.stderr
    assert "2023-24 Q2 return -> 2023-24 Q3 return" in result.stdout
    assert "spend to date £110,000 -> £135,000 (+£25,000)" in result.stdout and "nc2: met -> not met" in result.stdout
    later_path.write_text(dump({**later, "income": "lots"}), encoding="utf-8")
    broken = bcfc("diff", path, later_path)
    assert broken.returncode == 2 and f"{later_path}:" in broken.stderr and "Traceback" not in broken.stderr


def test_bcfc_render_return_gives_the_same_word_bytes_twice_and_markdown_with_money_against_plan(tmp_path, bcfc):
    path = "plans/warwickshire/returns/2023-25-y1-q2.yaml"
    first, second = tmp_path / "a.docx", tmp_path / "b.docx"
    assert bcfc("render", "return", path, "-o", first).returncode == 0
    assert bcfc("render", "return", path, "-o", second).returncode == 0
    assert first.read_bytes() == second.read_bytes()
    markdown = bcfc("render", "return", path).stdout
    assert markdown.startswith("# Warwickshire: Better Care Fund 2023-25, 2023-24 Q2 return\n")
    assert "Synthetic example" in markdown
    # planned income, income to date, planned spend (DF-2 and DF-4), spend to date, the variance's reason
    assert "| ICB discharge funding | £2,800,000 | £1,400,000 | £2,800,000 | £1,341,454 | £58,546 of" in markdown


def test_bcfc_render_return_refuses_a_plan_and_a_return_with_errors(tmp_path, bcfc):
    assert bcfc("render", "return", "plans/warwickshire/2023-25.yaml").returncode == 2
    ret = good_return()
    ret["expenditure"][0]["scheme"] = "S7"
    path, text = write(tmp_path, ret)
    result = bcfc("render", "return", path)
    assert result.returncode == 1 and f"{path}:{line_of(text, 'scheme: S7')}:" in result.stderr
    assert result.stdout == ""


def _workbook_case(tmp_path):
    from renderers import return_workbook
    ret = good_return()
    ret["variance"] = {S1: "paid late"}
    path, text = write(tmp_path, ret)
    plan = complete_plan(FW)
    return return_workbook, ret, path, return_workbook.render(ret, plan, FW)


def test_the_return_workbook_is_protected_with_input_cells_drop_downs_and_growing_totals(tmp_path):
    import io

    import openpyxl
    _, ret, _, data = _workbook_case(tmp_path)
    book = openpyxl.load_workbook(io.BytesIO(data))
    spend = book["Expenditure"]
    assert spend.protection.sheet and book["Lists"].sheet_state == "hidden"
    assert spend["D4"].value == 50_000 and not spend["D4"].protection.locked and spend["C4"].protection.locked
    total_row = next(r for r in range(4, 40) if spend.cell(r, 1).value == "Total")
    assert spend.cell(total_row, 4).value == f"=SUM(D4:D{total_row - 1})" and total_row - 4 > len(ret["expenditure"])
    assert any("Lists" in v.formula1 for v in book["Metrics"].data_validations.dataValidation)
    assert data == _workbook_case(tmp_path)[3]  # the same bytes for the same return


def test_bcfc_import_into_a_return_round_trips_and_names_a_bad_cell(tmp_path, bcfc):
    import io

    import openpyxl
    _, ret, path, data = _workbook_case(tmp_path)
    book = openpyxl.load_workbook(io.BytesIO(data))
    book["Expenditure"]["D4"] = 45_000
    book["Income"]["C4"] = 45_000
    book.save(tmp_path / "filled.xlsx")
    result = bcfc("import", tmp_path / "filled.xlsx", "--into", path)
    assert result.returncode == 0, result.stderr
    now = validate_file(str(path))
    assert not now.findings and now.plan.data["expenditure"][0]["amount"] == 45_000
    assert now.plan.data["national_conditions"] == ret["national_conditions"]
    assert now.plan.data["metrics"] == ret["metrics"] and now.plan.data["variance"] == {S1: "paid late"}
    book["Metrics"]["D4"] = "lots"
    book.save(tmp_path / "bad.xlsx")
    before = path.read_bytes()
    bad = bcfc("import", tmp_path / "bad.xlsx", "--into", path)
    assert bad.returncode == 1 and "Metrics!D4: the actual must be a number, not 'lots'" in bad.stderr
    assert path.read_bytes() == before


@pytest.mark.skipif(__import__("shutil").which("soffice") is None, reason="LibreOffice is installed by .ci/run")
def test_the_return_workbook_round_trips_through_libreoffice_with_its_totals(tmp_path, bcfc):
    import shutil
    import subprocess

    import openpyxl
    _, ret, path, data = _workbook_case(tmp_path)
    ours, theirs = tmp_path / "ours", tmp_path / "lo"
    ours.mkdir()
    (ours / "return.xlsx").write_bytes(data)
    subprocess.run([shutil.which("soffice"), f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
                    "--norestore", "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(theirs),
                    str(ours / "return.xlsx")], check=True, capture_output=True, timeout=300)
    book = openpyxl.load_workbook(theirs / "return.xlsx", data_only=True)
    spend = book["Expenditure"]
    total_row = next(r for r in range(4, 40) if spend.cell(r, 1).value == "Total")
    assert spend.cell(total_row, 4).value == sum(e["amount"] for e in ret["expenditure"])
    result = bcfc("import", theirs / "return.xlsx", "--into", path)
    assert result.returncode == 0, result.stderr
    back = validate_file(str(path)).plan.data
    assert {k: back[k] for k in ("national_conditions", "metrics", "income", "expenditure", "variance")} == \
        {k: ret[k] for k in ("national_conditions", "metrics", "income", "expenditure", "variance")}


def test_bcfc_build_renders_each_return_beside_its_plans_documents(tmp_path, bcfc):
    import shutil
    shutil.copytree("plans", tmp_path / "plans")
    result = bcfc("build", "--no-site", cwd=tmp_path, timeout=300)
    assert result.returncode == 0, result.stderr
    folder = tmp_path / "build" / "warwickshire" / "2023-25" / "returns"
    assert sorted(p.name for p in folder.iterdir()) == [f"2023-25-y1-q2.{ext}" for ext in ("docx", "md", "xlsx")]
    assert "spend" in (folder / "2023-25-y1-q2.md").read_text(encoding="utf-8").lower()
