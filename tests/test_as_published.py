"""Issue 18, items 4-7: a plan held as its published document is, rendered back as it says it.

The fixture (tests/fixtures/as-published/2023-25.yaml) is synthetic, in the shape of a published 2023-25
plan: no version or status stated, a sign-off body not named, its own order and headings, a block without
a heading, a High Impact Change Model self-assessment, quoted figures, milestones and a lost chart.
"""
import io

import docx

from bcf_schema import load, load_framework, loads, validate_plan
from bcf_schema.findings import Severity
from bcf_schema import plandiff
from conftest import ROOT
from planbuilder import dump
from renderers import document as d
from renderers import excel, narrative, word
from renderers.site import html
from renderers.workbook import reader

FIXTURE = ROOT / "tests" / "fixtures" / "as-published" / "2023-25.yaml"
FW = load_framework("2023-25")


def fixture() -> dict:
    return load(FIXTURE).data


def findings_of(text: str):
    return validate_plan(loads(text, "plan.yaml")).findings


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_the_fixture_validates_clean():
    findings = validate_plan(load(FIXTURE)).findings
    assert not [f for f in findings if f.severity in (Severity.ERROR, Severity.WARNING)], findings


def test_an_unknown_change_or_level_is_an_error_at_its_line_with_did_you_mean():
    text = FIXTURE.read_text(encoding="utf-8")
    text = text.replace("change: early_discharge_planning", "change: early_discharge_planing")
    text = text.replace("planned: plans_in_place", "planned: plans_in_plac")
    found = {(f.code, f.line): f for f in findings_of(text) if f.code == "BCF104"}
    change = found[("BCF104", line_of(text, "early_discharge_planing"))]
    assert "did you mean 'early_discharge_planning'" in change.hint
    level = found[("BCF104", line_of(text, "plans_in_plac"))]
    assert "did you mean 'plans_in_place'" in level.hint


def test_an_unknown_heading_in_the_documents_order_is_an_error_with_did_you_mean():
    text = FIXTURE.read_text(encoding="utf-8").replace("- nc2\n", "- nc22\n", 1)
    found = [f for f in findings_of(text) if f.code == "BCF104"]
    assert found and found[0].line == line_of(text, "- nc22") and "did you mean 'nc2'" in found[0].hint


def test_a_status_not_stated_is_checked_as_submitted():
    plan = fixture()
    del plan["narrative"]["nc1.pr2.integration"]
    found = [f for f in findings_of(dump(plan)) if f.code == "BCF205"]
    assert found and all(f.severity is Severity.ERROR for f in found)
    assert not d.is_draft(plan)


def test_not_stated_values_show_as_not_stated_with_the_reason_everywhere():
    plan = fixture()
    text = narrative.render(plan, FW)
    assert "| Version | Not stated (the document gives no version number) |" in text
    assert "| Status | Not stated (the published document does not say" in text
    assert "Not stated (the document says it was signed off but not by whom)" in text
    assert "DRAFT" not in text
    workbook = reader.read(excel.render(plan, FW, "plan.yaml"))
    assert workbook.plan["version"] == plan["version"] and workbook.plan["status"] == plan["status"]


def test_the_documents_own_order_and_one_heading_with_the_official_as_subtitle():
    text = narrative.render(fixture(), FW)
    lines = text.splitlines()
    nc1 = next(e.title for e in FW.outline if e.id == "nc1")
    nc2 = next(e.title for e in FW.outline if e.id == "nc2")
    assert lines.index(f"## {nc2}") < lines.index(f"## {nc1}")  # narrative_order: nc2 first
    official = FW.outline_by_id["nc1.pr1.organisations"].title
    local = lines.index("#### Who wrote this plan")
    assert lines[local + 2] == f"*{official}*"  # the official heading as the subtitle line
    assert not any(line.startswith("#") and official in line for line in lines)  # not printed twice
    assert lines.index("##### Our partners") > local  # a sub-heading one level below its parent
    untitled = lines.index("Fixture text the document prints with no heading.")
    assert lines[untitled - 2] == "---"  # set apart, not read as part of "Our partners"


def test_word_heading_levels_subtitle_and_rule():
    document = docx.Document(io.BytesIO(word.render(fixture(), FW)))
    paragraphs = document.paragraphs
    at = next(i for i, p in enumerate(paragraphs) if p.text == "Who wrote this plan")
    assert paragraphs[at].style.name == "Heading 3"
    assert paragraphs[at + 1].style.name == "Subtitle"
    assert paragraphs[at + 1].text == FW.outline_by_id["nc1.pr1.organisations"].title
    partners = next(p for p in paragraphs if p.text == "Our partners")
    assert partners.style.name == "Heading 4"
    untitled = next(i for i, p in enumerate(paragraphs) if p.text == "Fixture text the document prints with no heading.")
    assert "w:pBdr" in paragraphs[untitled - 1]._p.xml  # the rule before it


def test_change_model_statistics_milestones_and_lost_figures_are_tables_under_their_headings():
    text = narrative.render(fixture(), FW)
    hicm = text.index(FW.outline_by_id["nc3.pr6.hicm"].title)
    table = text.index("**High Impact Change Model self-assessment**")
    assert hicm < table < text.index(FW.outline_by_id["nc4"].title)
    assert "| Change 1 - Early discharge planning | Established | Mature | March 2024 |" in text
    assert "| Change 9 - Housing | Not stated (the rating is shown only as a chart) | Plans in place |" in text
    assert "| Reablement: people achieving their outcomes | 80.2 | % | Financial year 2022-23 |" in text
    assert "| Urgent community response referrals | over 1,000 | referrals a month | Calendar year 2022 |" in text
    assert "| Average length of stay in reablement | 21 | days | Q1 2023-24 |" in text  # no section: the summary
    assert text.index("| Average length of stay") > text.index("## Planning summary")
    assert "| 6 months from April 2023 | Fixture: the pilot is reviewed |" in text
    assert '> **Figure not in the text: "Figure 3: discharges by pathway" (a chart the text does not hold)**' in text


def test_the_site_page_shows_the_subtitle_the_rule_and_the_tables():
    page = html.restore(str(html.blocks_to_page(d.build(fixture(), FW).blocks)))
    assert '<p class="bcfc-subtitle">Organisations involved in preparing the plan</p>' in page
    assert '<hr class="bcfc-untitled">' in page
    assert "High Impact Change Model self-assessment" in page and "Figure not in the text" in page


def test_diff_of_a_version_that_becomes_stated():
    old = fixture()
    new = {**old, "version": "1.0"}
    diff = plandiff.compare(old, new, "plan.yaml")
    assert any(m["field"] == "version" for m in diff.metadata)
    assert "1.0" in plandiff.as_text([diff])


def test_the_planning_template_holds_the_change_model_and_imports_it_back():
    plan = fixture()
    xlsx = excel.render(plan, FW, "plan.yaml")
    import openpyxl
    ws = openpyxl.load_workbook(io.BytesIO(xlsx))["HICM self-assessment"]
    rows = {ws.cell(r, 1).value: [ws.cell(r, c).value for c in range(2, 4)] for r in range(4, 13)}
    assert rows["Change 1 - Early discharge planning"] == ["Established", "Mature"]
    assert rows["Change 9 - Housing"] == ["Not stated (the rating is shown only as a chart)", "Plans in place"]
    assert len(rows) == 9  # a row for every change of the framework, to fill in
    imported = reader.read(xlsx)
    assert not imported.problems and imported.plan["change_model"] == plan["change_model"]


def test_a_statistic_or_milestone_in_the_wrong_form_is_an_error_at_its_line():
    text = FIXTURE.read_text(encoding="utf-8").replace("quarter: 2023-24 Q1", "quarter: 2023-24 Q5")
    found = [f for f in findings_of(text) if f.code == "BCF105"]
    assert found and found[0].line == line_of(text, "2023-24 Q5") and "A quarter" in found[0].hint
    text = FIXTURE.read_text(encoding="utf-8").replace("value: 21\n", "value: 21 days\n")
    found = [f for f in findings_of(text) if f.code == "BCF102"]
    assert found and found[0].line == line_of(text, "value: 21 days")
