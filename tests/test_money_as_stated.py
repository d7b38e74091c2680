"""Money as published plans state it (issue 18): expenditure by funding source for a plan whose
scheme list is elsewhere, and the DFG split by purpose. The fixture is synthetic (see its header)."""
import io
import json
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest

from bcf_schema import load, load_framework, loads, validate_plan
from browser import helpers
from conftest import ROOT, run_bcfc
from renderers import excel
from renderers.workbook import layout as L
from planbuilder import line_of

FIXTURE = Path(__file__).parent / "fixtures" / "unitary-spend-by-source.yaml"
TEXT = FIXTURE.read_text(encoding="utf-8")


def findings_of(text):
    return validate_plan(loads(text, "plan.yaml"), ()).findings


def errors(text):
    return [f for f in findings_of(text) if f.severity.value == "error"]


def test_the_fixture_validates_clean_and_its_money_is_checked():
    findings = findings_of(TEXT)
    assert errors(TEXT) == []
    # the income against expenditure check runs on the stated spend instead of saying it cannot
    assert not [f for f in findings if f.code == "BCF209" and "income against expenditure" in f.message]


def _in_stated_spend(old, new):
    at = TEXT.index("expenditure_by_source")
    return TEXT[:at] + TEXT[at:].replace(old, new, 1)


def test_stated_spend_that_misses_the_income_is_an_error_at_its_line_with_both_figures():
    text = _in_stated_spend("ibcf: {2023-24: 6310000", "ibcf: {2023-24: 6000000")
    (finding,) = [f for f in errors(text) if f.code == "BCF201"]
    assert finding.line == line_of(text, "6000000")
    assert "£6,310,000" in finding.message and "£6,000,000" in finding.message and "2023-24" in finding.message


def test_listed_schemes_must_agree_with_the_stated_spend():
    scheme = ("schemes:\n  - {id: S1, name: Reablement, funding_source: ibcf, type: other, "
              "expenditure: {2023-24: 6310000, 2024-25: 6300000}}\n")
    text = TEXT.replace(next(l for l in TEXT.splitlines(True) if l.startswith("schemes:")), scheme)
    found = [f for f in errors(text) if f.code == "BCF202" and "iBCF" in f.message]
    assert len(found) == 1, found  # 2023-24 agrees; 2024-25 does not
    assert found[0].line == line_of(text, "ibcf: {2023-24: 6310000", after="expenditure_by_source")
    assert "£6,310,000" in found[0].message and "£6,300,000" in found[0].message and "2024-25" in found[0].message


def test_a_dfg_split_by_purpose_must_add_up_to_the_allocation():
    text = TEXT.replace("{purpose: Equipment recharges, allocation: {2023-24: 220000,",
                        "{purpose: Equipment recharges, allocation: {2023-24: 200000,")
    (finding,) = [f for f in errors(text) if f.code == "BCF202"]
    assert finding.line == line_of(text, "Mandatory grants")
    assert "£2,120,000" in finding.message and "£2,100,000" in finding.message and "purpose" in finding.message


def _summary_rows(book, fw):
    ws = book[L.layout(fw).sheet("summary").title]
    return ws, {row[0].value: row[0].row for row in ws.iter_rows(min_col=1, max_col=1) if row[0].value}


def test_the_template_summary_uses_the_stated_spend_not_zero():
    plan = load(FIXTURE).data
    fw = load_framework("2023-25")
    book = openpyxl.load_workbook(io.BytesIO(excel.render(plan, fw)))
    ws, rows = _summary_rows(book, fw)
    column = L.layout(fw).sheet("summary").index("expenditure", "2023-24")
    cell = ws.cell(rows["Improved Better Care Fund (iBCF)"], column).value
    assert cell.startswith("=IF(COUNTIF(") and cell.endswith(",6310000)"), cell  # typed schemes take over
    assert "until schemes are typed" in ws.cell(L.NOTE_ROW, 1).value
    # a stream the plan states no spend for is summed from the schemes as before
    assert ws.cell(rows["Additional ICB contribution"], column).value.startswith("=SUMIFS(")


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is installed by .ci/run")
def test_libreoffice_computes_no_deficit_for_a_plan_that_states_spend_by_source(tmp_path):
    plan = load(FIXTURE).data
    fw = load_framework("2023-25")
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "fixture.xlsx").write_bytes(excel.render(plan, fw))
    subprocess.run(["soffice", f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
                    "--norestore", "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(tmp_path / "out"),
                    str(tmp_path / "in" / "fixture.xlsx")], check=True, capture_output=True, timeout=300)
    book = openpyxl.load_workbook(tmp_path / "out" / "fixture.xlsx", data_only=True)
    ws, rows = _summary_rows(book, fw)
    sheet = L.layout(fw).sheet("summary")
    for year in fw.financial_years:
        income = sum(plan["funding"]["streams"][s][year] for s in plan["funding"]["streams"])
        assert ws.cell(rows["Total"], sheet.index("expenditure", year)).value == income, year
        assert ws.cell(rows["Total"], sheet.index("difference", year)).value == 0, year
        assert ws.cell(rows["Disabled Facilities Grant (DFG)"], sheet.index("expenditure", year)).value == 2_120_000


@pytest.fixture(scope="module")
def fixture_site(tmp_path_factory):
    """A scratch site of the fixture plan alone, built as a council's repository builds it."""
    work = tmp_path_factory.mktemp("site")
    shutil.copy(ROOT / "mkdocs.yml", work / "mkdocs.yml")
    shutil.copytree(ROOT / "docs", work / "docs")
    (work / "bcfc.yaml").write_text(helpers.SITE_CONFIG, encoding="utf-8")
    (work / "plans" / "herefordshire").mkdir(parents=True)
    shutil.copy(FIXTURE, work / "plans" / "herefordshire" / "2023-25.yaml")
    result = subprocess.run([helpers.bcfc_exe(), "build", "--no-pdf"], cwd=work, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    return work / "site"


def test_the_site_shows_the_stated_spend_and_the_dfg_by_purpose(fixture_site):
    page = (fixture_site / "plans" / "herefordshire" / "2023-25" / "funding" / "index.html").read_text("utf-8")
    spend = page[page.index("Expenditure by funding source"):]
    assert "£6,310,000" in spend[:spend.index("</table>")]
    dfg = page[page.index("Disabled Facilities Grant</caption>"):]
    dfg = dfg[:dfg.index("</table>")]
    for purpose, amount in (("Equipment recharges", "£220,000"), ("Mandatory grants", "£1,500,000")):
        assert purpose in dfg and amount in dfg
    shares = page[page.index("(ASC Discharge Fund) by contributing body"):]
    shares = shares[:shares.index("</table>")]
    assert "ICB discharge funding" in shares and "£2,500,000" in shares and "£4,416,000" in shares


def test_open_data_holds_the_stated_spend_and_the_dfg_split(fixture_site):
    spend = json.loads((fixture_site / "data" / "expenditure_by_source.json").read_text("utf-8"))["rows"]
    assert {(r["stream_id"], r["financial_year"], r["expenditure_gbp"]) for r in spend} >= {
        ("ibcf", "2023-24", 6_310_000), ("minimum_nhs_contribution", "2024-25", 15_056_550)}
    dfg = json.loads((fixture_site / "data" / "dfg.json").read_text("utf-8"))["rows"]
    assert {"split": "purpose", "name": "Equipment recharges", "financial_year": "2023-24",
            "amount_gbp": 220_000}.items() <= next(r for r in dfg if r["name"] == "Equipment recharges"
                                                   and r["financial_year"] == "2023-24").items()


def test_bcfc_diff_names_the_changed_stated_spend_and_dfg_purpose(tmp_path):
    new = TEXT.replace("{purpose: Equipment recharges, allocation: {2023-24: 220000,",
                       "{purpose: Equipment recharges, allocation: {2023-24: 200000,")
    at = new.index("expenditure_by_source")
    new = new[:at] + new[at:].replace("ibcf: {2023-24: 6310000", "ibcf: {2023-24: 6000000", 1)
    new = new.replace("discharge_fund: {2023-24: 2650000", "discharge_fund: {2023-24: 2600000")
    (tmp_path / "new.yaml").write_text(new, encoding="utf-8")
    result = run_bcfc("diff", str(FIXTURE), str(tmp_path / "new.yaml"))
    assert result.returncode == 0, result.stderr
    assert "Improved Better Care Fund (iBCF): expenditure as stated 2023-24: £6,310,000 -> £6,000,000" in result.stdout
    assert "DFG for Equipment recharges 2023-24: £220,000 -> £200,000" in result.stdout
    assert "Additional funding to support discharge (ASC Discharge Fund): total stated 2023-24: £2,650,000 -> " \
           "£2,600,000" in result.stdout
    assert "dfg: changed" not in result.stdout


def test_discharge_funding_shares_must_add_up_to_the_stated_total():
    text = TEXT.replace("discharge_fund: {2023-24: 2650000", "discharge_fund: {2023-24: 2600000")
    (finding,) = [f for f in errors(text) if f.code == "BCF202"]
    assert finding.line == line_of(text, "2600000")
    for figure in ("£2,600,000", "£2,650,000", "£1,150,000", "£1,500,000"):
        assert figure in finding.message


def test_the_narrative_shows_discharge_funding_by_contributing_body():
    from renderers import narrative
    text = narrative.render(load(FIXTURE).data, load_framework("2023-25"))
    table = text[text.index("(ASC Discharge Fund) by contributing body"):]
    table = table[:table.index("\n\n", table.index("| Share"))]
    assert "| Local authority discharge funding | Local Authority | £1,150,000 | £1,916,000 |" in table
    assert "| **Total** |  | **£2,650,000** | **£4,416,000** |" in table


def test_the_template_imports_back_into_the_fixture_unchanged(tmp_path):
    """The stated spend, discharge total and DFG purposes live only in the plan: an import --into of its own
    template keeps them, byte for byte."""
    plan = tmp_path / "plan.yaml"
    shutil.copy(FIXTURE, plan)
    assert run_bcfc("render", "excel", str(plan), "-o", str(tmp_path / "t.xlsx")).returncode == 0
    result = run_bcfc("import", str(tmp_path / "t.xlsx"), "--into", str(plan))
    assert result.returncode == 0, result.stderr
    assert plan.read_bytes() == FIXTURE.read_bytes()


def _site_plan(text):
    from renderers.outputs import PlanSource
    from renderers.site.model import SitePlan
    return SitePlan(PlanSource(Path("plans/herefordshire/2023-25.yaml"), loads(text, "plan.yaml").data,
                               load_framework("2023-25")))


def test_reviewers_see_income_against_the_stated_spend_as_met_or_not():
    from renderers.site import reviewers
    plan = _site_plan(TEXT)
    rows = [r for r in reviewers.compliance(plan) if r["check"].endswith("Improved Better Care Fund (iBCF)")]
    assert [(r["year"], r["status"]) for r in rows] == [("2023-24", reviewers.MET), ("2024-25", reviewers.MET)]
    assert "stated expenditure £6,310,000" in rows[0]["detail"]
    short = _site_plan(_in_stated_spend("ibcf: {2023-24: 6310000", "ibcf: {2023-24: 6000000"))
    rows = [r for r in reviewers.compliance(short) if r["check"].endswith("Improved Better Care Fund (iBCF)")]
    assert rows[0]["status"] == reviewers.NOT_MET
