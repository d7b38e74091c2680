"""A plan's life, draft -> submitted -> approved: the status decides what must be complete.

A planning lead starts a plan with `bcfc new`, commits and circulates drafts from day one, sees what
is left with `bcfc status`, and cannot submit a plan whose money does not meet.
"""
import io
import json
import shutil

import docx
import openpyxl
import pytest

from bcf_schema import available_periods, hwbs, load_framework, loads, validate_plan
from conftest import ROOT, run_bcfc
from renderers import excel
from planbuilder import complete_plan, dump, line_of, variant

PERIODS = available_periods()


def findings_of(plan):
    text = dump(plan)
    return text, validate_plan(loads(text, "plan.yaml")).findings


def one(findings, code, severity=None):
    found = [f for f in findings if f.code == code and (severity is None or f.severity.value == severity)]
    assert len(found) == 1, [(f.code, f.severity.value, f.message) for f in findings if f.severity.value != "info"]
    return found[0]


def as_draft(plan):
    plan = variant(plan)
    plan["status"] = "draft"
    return plan


@pytest.fixture(params=PERIODS)
def fw(request):
    return load_framework(request.param)


def repository(tmp_path):
    """A plans repository holding the example plans, the site configuration and its pages."""
    repo = tmp_path / "plans-repo"
    shutil.copytree(ROOT / "plans", repo / "plans")
    shutil.copytree(ROOT / "docs", repo / "docs")
    shutil.copy(ROOT / "mkdocs.yml", repo / "mkdocs.yml")
    return repo


# -- a fresh plan ------------------------------------------------------------------------------------

@pytest.mark.parametrize("period", PERIODS)
def test_a_fresh_plan_is_a_draft_that_validates_renders_and_builds_and_submitted_lists_what_is_left(period, tmp_path):
    repo = repository(tmp_path)
    hwb = hwbs.find("Leeds")
    path = f"plans/{hwb.slug}/{period}.yaml"
    assert run_bcfc("new", "Leeds", "--period", period, cwd=repo).returncode == 0

    check = run_bcfc("validate", path, cwd=repo)
    assert check.returncode == 0, check.stdout
    assert " 0 error(s)" in check.stdout and "warning BCF205" in check.stdout

    markdown = run_bcfc("render", "narrative", path, cwd=repo)
    assert markdown.returncode == 0, markdown.stderr
    assert "DRAFT" in markdown.stdout.split("\n## ", 1)[0]  # before the first heading
    assert "To be written." in markdown.stdout and "Not answered in this plan." not in markdown.stdout
    assert run_bcfc("render", "narrative", path, "-o", tmp_path / "n.docx", cwd=repo).returncode == 0
    paragraphs = [p.text for p in docx.Document(tmp_path / "n.docx").paragraphs]
    assert any("DRAFT" in p for p in paragraphs) and "To be written." in paragraphs
    assert run_bcfc("render", "excel", path, "-o", tmp_path / "t.xlsx", cwd=repo).returncode == 0
    cover = openpyxl.load_workbook(tmp_path / "t.xlsx").worksheets[0]
    assert cover[excel.COVER_MARK_CELL].value == "DRAFT"

    built = run_bcfc("build", "--no-site", cwd=repo, timeout=300)
    assert built.returncode == 0, built.stderr
    assert (repo / "build" / hwb.slug / period / "narrative.docx").is_file()
    assert (repo / "build" / "warwickshire" / "2023-25" / "narrative.docx").is_file()

    plan_file = repo / path
    plan_file.write_text(plan_file.read_text(encoding="utf-8").replace("status: draft", "status: submitted"),
                         encoding="utf-8")
    submitted = run_bcfc("validate", "--format", "json", path, cwd=repo)
    assert submitted.returncode == 1
    errors = [f for f in json.loads(submitted.stdout)["findings"] if f["severity"] == "error"]

    status = run_bcfc("status", "--format", "json", path, cwd=repo)
    assert status.returncode == 0, status.stderr
    (listed,) = json.loads(status.stdout)["plans"]
    assert listed["left"] == len(errors) > 0 and listed["verdict"] == f"{len(errors)} things left"
    items = {item["item"]: item for item in listed["checklist"]}
    fw = load_framework(period)
    required = [e for e in fw.outline if e.answer == "required"]
    assert items["headings to write"]["count"] == len(required)
    assert [e.split(":", 1)[0] for e in items["headings to write"]["entries"]] == [e.id for e in required]
    assert items["metric goal periods"]["count"] == len(fw.items("metrics"))
    assert items["sign-off"]["count"] == 1 and items["funding and schemes"]["count"] == 2
    assert items["placeholder text to replace"]["count"] == (1 if fw.nhs_partners == "ccgs" else 0)  # the CCGs
    assert items["other errors to fix"]["count"] == 0

    text = run_bcfc("status", path, cwd=repo).stdout
    assert text.splitlines()[-1].strip() == f"{len(errors)} things left"
    assert f"[ ] headings to write: {len(required)}" in text


def test_status_of_a_complete_plan_is_ready_and_markdown_is_a_checklist(tmp_path):
    (tmp_path / "plan.yaml").write_text(dump(complete_plan(load_framework("2023-25"))), encoding="utf-8")
    text = run_bcfc("status", "plan.yaml", cwd=tmp_path)
    assert text.returncode == 0 and text.stdout.splitlines()[-1].strip() == "ready to submit"
    markdown = run_bcfc("status", "--format", "markdown", "plan.yaml", cwd=tmp_path).stdout
    assert "**ready to submit**" in markdown and "- [x] headings to write: none left" in markdown
    assert run_bcfc("status", "nowhere.yaml", cwd=tmp_path).returncode == 2


# -- money that meets, both ways --------------------------------------------------------------------

def test_income_no_scheme_spends_is_an_error_when_submitted_and_a_warning_in_a_draft(fw):
    plan = complete_plan(fw)
    stream, year = plan["schemes"][0]["funding_source"], fw.financial_years[0]
    plan["funding"]["streams"][stream][year] = 175_000
    for status, severity in (("submitted", "error"), ("draft", "warning")):
        plan["status"] = status
        text, findings = findings_of(plan)
        finding = one(findings, "BCF201")
        assert finding.severity.value == severity
        assert finding.line == line_of(text, f"{year}: 175000")
        assert "£75,000 is not allocated to any scheme" in finding.message


def test_a_stream_no_scheme_spends_at_all_is_caught(fw):
    plan = complete_plan(fw)
    unused = fw.ids("funding_streams")[2]
    year = fw.financial_years[-1]
    plan["funding"]["streams"][unused] = {year: 40_000}
    text, findings = findings_of(plan)
    finding = one(findings, "BCF201", "error")
    assert finding.line == line_of(text, f"{year}: 40000") and "£40,000" in finding.message


def test_spend_from_a_stream_with_no_income_is_an_error_when_submitted_and_a_warning_in_a_draft(fw):
    plan = complete_plan(fw)
    scheme = plan["schemes"][1]
    year = fw.financial_years[0]
    scheme["expenditure"] = {year: 750_000}
    del plan["funding"]["streams"][scheme["funding_source"]]
    for status, severity in (("submitted", "error"), ("draft", "warning")):
        plan["status"] = status
        text, findings = findings_of(plan)
        finding = one(findings, "BCF213")
        assert finding.severity.value == severity
        assert finding.line == line_of(text, f"{year}: 750000")
        assert "£750,000" in finding.message and "no income" in finding.message


def test_overspending_a_stream_is_an_error_when_submitted_and_a_warning_in_a_draft(fw):
    plan = complete_plan(fw)
    stream, year = plan["schemes"][0]["funding_source"], fw.financial_years[0]
    plan["schemes"][0]["expenditure"][year] = 130_000
    for status, severity in (("submitted", "error"), ("draft", "warning")):
        plan["status"] = status
        text, findings = findings_of(plan)
        finding = one(findings, "BCF201")
        assert finding.severity.value == severity and "overspent by £30,000" in finding.message
        assert finding.line == line_of(text, f"{year}: 100000", after=f"{stream}:")


def test_a_plan_with_no_funding_and_no_schemes_cannot_be_submitted(fw):
    plan = complete_plan(fw)
    plan["funding"]["streams"] = {}
    plan["schemes"] = []
    del plan["sign_off"]
    for status, severity in (("submitted", "error"), ("approved", "error"), ("draft", "warning")):
        plan["status"] = status
        text, findings = findings_of(plan)
        money = [f for f in findings if f.code == "BCF214"]
        assert {f.severity.value for f in money} == {severity} and len(money) == 2
        assert {f.line for f in money} == {line_of(text, "streams: {}"), line_of(text, "schemes: []")}
        assert one(findings, "BCF215").severity.value == severity


# -- the minimum-spend rules -----------------------------------------------------------------------------

def _qualifying(fw, rule):
    """A scheme that counts towards the rule: the first allowed value of every condition."""
    scheme = {"id": "Q1", "name": "Qualifying", "funding_source": rule["funding_stream"]}
    for key, allowed in rule["where"].items():
        scheme["type" if key == "scheme_type" else key] = allowed[0]
    return scheme


@pytest.mark.parametrize("period", [p for p in PERIODS if load_framework(p).items("minimum_spend")])
def test_minimum_spend_runs_on_the_stated_minimum(period):
    fw = load_framework(period)
    rule = fw.items("minimum_spend")[0]
    year = fw.financial_years[0]
    plan = complete_plan(fw)
    plan["funding"]["streams"][rule["funding_stream"]] = {year: 500_000}
    plan["schemes"] = [s for s in plan["schemes"] if s["funding_source"] != rule["funding_stream"]]
    plan["schemes"].append({**_qualifying(fw, rule), "expenditure": {year: 500_000}})
    plan["minimum_spend"][rule["id"]] = {year: 400_000}
    _, findings = findings_of(plan)
    assert not [f for f in findings if f.code == "BCF203" and f.pointer.startswith(f"/minimum_spend/{rule['id']}")]

    plan["minimum_spend"][rule["id"]] = {year: 600_000}  # the same spend, a higher minimum
    for status, severity in (("submitted", "error"), ("draft", "warning")):
        plan["status"] = status
        text, findings = findings_of(plan)
        finding = one(findings, "BCF203")
        assert finding.severity.value == severity and finding.line == line_of(text, "600000")
        assert "£500,000" in finding.message and "£600,000" in finding.message


@pytest.mark.parametrize("period", [p for p in PERIODS if load_framework(p).items("minimum_spend")])
def test_a_minimum_spend_rule_that_cannot_run_says_so(period):
    fw = load_framework(period)
    rule = fw.items("minimum_spend")[0]
    plan = complete_plan(fw)
    del plan["minimum_spend"][rule["id"]]  # required from submitted
    for status, severity in (("submitted", "error"), ("draft", "warning")):
        plan["status"] = status
        text, findings = findings_of(plan)
        finding = one(findings, "BCF203")
        assert finding.severity.value == severity and finding.line == line_of(text, "minimum_spend:", starts=True)
        assert rule["name"] in finding.message and "does not state the minimum" in finding.message

    plan["minimum_spend"][rule["id"]] = {"not_stated": "in the planning template"}
    text, findings = findings_of(plan)
    notes = [f for f in findings if f.code == "BCF209" and f.pointer == f"/minimum_spend/{rule['id']}"]
    assert len(notes) == 1 and rule["name"] in notes[0].message and "in the planning template" in notes[0].message
    assert not [f for f in findings if f.severity.value == "error"]

    plan["minimum_spend"][rule["id"]] = {fw.financial_years[0]: 1}
    plan["schemes"] = {"not_stated": "in the planning template"}
    _, findings = findings_of(plan)
    notes = [f for f in findings if f.code == "BCF209" and f.pointer == f"/minimum_spend/{rule['id']}"]
    assert len(notes) == 1 and "the schemes are not stated" in notes[0].message


# -- goals, sign-off, history -------------------------------------------------------------------------------

def test_every_goal_period_from_submitted(fw):
    plan = complete_plan(fw)
    metric = max(fw.items("metrics"), key=lambda m: len(fw.goal_periods(m)))
    periods = fw.goal_periods(metric)
    plan["metrics"][metric["id"]]["goals"] = {p: 10.0 for p in periods[:3]}
    for status, severity in (("submitted", "error"), ("draft", "warning")):
        plan["status"] = status
        text, findings = findings_of(plan)
        finding = one(findings, "BCF216")
        assert finding.severity.value == severity
        assert f"{len(periods) - 3} of its {len(periods)}" in finding.message and periods[3] in finding.message
        assert finding.line == line_of(text, "goals:", after=f"{metric['id']}:")
    if metric["goal_periods"] == "monthly":
        assert len(periods) == 12


def test_sign_off_needs_body_and_date_once_approved(fw):
    plan = complete_plan(fw)
    plan["sign_off"] = [{"body": "Health and Wellbeing Board"}]
    _, findings = findings_of(plan)
    assert not [f for f in findings if f.code == "BCF215"]  # submitted: a body is enough
    plan["status"] = "approved"
    text, findings = findings_of(plan)
    finding = one(findings, "BCF215", "error")
    assert "date" in finding.message and finding.line == line_of(text, "- body: Health and Wellbeing Board")


def test_a_history_without_the_current_version(fw):
    plan = complete_plan(fw)
    plan["history"] = [{"version": "0.9", "date": "2023-06-01", "change": "Draft to the board"}]
    for status, severity in (("submitted", "error"), ("draft", "warning")):
        plan["status"] = status
        text, findings = findings_of(plan)
        finding = one(findings, "BCF217")
        assert finding.severity.value == severity and "1.0" in finding.message
        assert finding.line == line_of(text, "history:", starts=True)


def test_structural_problems_are_errors_even_in_a_draft(fw):
    plan = as_draft(complete_plan(fw))
    plan["schemes"][0]["funding_source"] = "lottery"
    plan["versoin"] = "2"
    _, findings = findings_of(plan)
    assert {f.code for f in findings if f.severity.value == "error"} >= {"BCF104", "BCF103"}
