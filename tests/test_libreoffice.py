"""The rendered files opened by a real office suite: LibreOffice headless converts them,
and the totals it recomputes from our formulas equal the plan's own totals."""
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest

from bcf_schema import available_periods, load, load_framework
from conftest import EXAMPLE_PLANS, ROOT
from planbuilder import complete_plan
from renderers import excel, word
from renderers.workbook import layout as L

SOFFICE = shutil.which("soffice")
PDFTOTEXT = shutil.which("pdftotext")
pytestmark = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice is installed by .ci/run")


def _cases():
    """Every example plan, and a synthetic complete plan per period (it states every figure)."""
    cases = []
    for path in EXAMPLE_PLANS:
        plan = load(path).data
        cases.append((path.relative_to(ROOT / "plans").with_suffix("").as_posix().replace("/", "-"), plan))
    for period in available_periods():
        cases.append((f"complete-{period}", complete_plan(load_framework(period))))
    return cases


CASES = _cases()
CASE_IDS = [name for name, _ in CASES]


def _convert(files: list[Path], target: str, out: Path, profile: Path) -> None:
    """One LibreOffice start for many files: each start costs a second or two."""
    subprocess.run([SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                    "--convert-to", target, "--outdir", str(out), *map(str, files)],
                   check=True, capture_output=True, timeout=300)


@pytest.fixture(scope="module")
def converted(tmp_path_factory):
    """Render every case to xlsx and docx, then let LibreOffice convert them (xlsx -> xlsx, docx -> pdf)."""
    folder = tmp_path_factory.mktemp("office")
    ours, theirs = folder / "ours", folder / "libreoffice"
    ours.mkdir()
    for name, plan in CASES:
        fw = load_framework(plan["framework"])
        (ours / f"{name}.xlsx").write_bytes(excel.render(plan, fw))
        (ours / f"{name}.docx").write_bytes(word.render(plan, fw))
    profile = folder / "profile"
    _convert(sorted(ours.glob("*.xlsx")), "xlsx:Calc MS Excel 2007 XML", theirs, profile)
    _convert(sorted(ours.glob("*.docx")), "pdf", theirs, profile)
    return ours, theirs


def _sheet(book, fw, sheet_id):
    return book[L.layout(fw).sheet(sheet_id).title]


def _total_row(sheet, label_column: int) -> int:
    return next(row[0].row for row in sheet.iter_rows(min_col=label_column, max_col=label_column)
                if row[0].value == "Total")


def _pdf_text(converted, name: str) -> str:
    """The text of a case's narrative as LibreOffice laid it out, line by line as on the page."""
    _, theirs = converted
    return subprocess.run([PDFTOTEXT, "-layout", str(theirs / f"{name}.pdf"), "-"], capture_output=True, text=True,
                          check=True).stdout


def _stated(values: dict | None) -> dict:
    return values if isinstance(values, dict) and "not_stated" not in values else {}


@pytest.mark.parametrize("name,plan", CASES, ids=CASE_IDS)
def test_libreoffice_recomputes_the_plans_totals(converted, name, plan):
    _, theirs = converted
    fw = load_framework(plan["framework"])
    book = openpyxl.load_workbook(theirs / f"{name}.xlsx", data_only=True)  # values as LibreOffice computed them
    years = fw.financial_years
    streams = (plan.get("funding") or {}).get("streams") or {}
    schemes = plan["schemes"] if isinstance(plan.get("schemes"), list) else []

    income = _sheet(book, fw, "income")
    row = _total_row(income, 1)
    for year, column in L.layout(fw).sheet("income").keyed("amounts"):
        expected = sum(_stated(v).get(year) or 0 for v in streams.values())
        assert income.cell(row, column).value == expected, (name, year)

    spend = _sheet(book, fw, "expenditure")
    row = _total_row(spend, 2)
    for year, column in L.layout(fw).sheet("expenditure").keyed("expenditure"):
        expected = sum((s.get("expenditure") or {}).get(year) or 0 for s in schemes)
        assert spend.cell(row, column).value == expected, (name, year)

    # The summary's difference per funding source: income less what schemes funded by it spend.
    summary = _sheet(book, fw, "summary")
    columns = L.layout(fw).sheet("summary")
    for offset, stream in enumerate(fw.items("funding_streams")):
        stated = _stated(streams.get(stream["id"]))
        for index, year in enumerate(years):
            difference = summary.cell(4 + offset, columns.index("difference", year)).value
            if year not in stated:
                assert difference in ("", None), (name, stream["id"], year)
                continue
            spent = sum((s.get("expenditure") or {}).get(year) or 0 for s in schemes
                        if s.get("funding_source") == stream["id"])
            assert difference == stated[year] - spent, (name, stream["id"], year)

    # Every pound the schemes spend is in the summary, whatever its source (Warwickshire's Development Fund
    # is no funding stream, and has a row of its own).
    row = _total_row(summary, 1)
    for index, year in enumerate(years):
        expected = sum((s.get("expenditure") or {}).get(year) or 0 for s in schemes)
        assert summary.cell(row, columns.index("expenditure", year)).value == expected, (name, year)
    other_sources = [r[0].row for r in summary.iter_rows(min_col=1, max_col=1) if r[0].value == excel.OTHER_SOURCES]
    outside = [s for s in schemes if "funding_source" not in s]
    assert bool(other_sources) == bool(outside), name
    for index, year in enumerate(years if outside else []):
        expected = sum((s.get("expenditure") or {}).get(year) or 0 for s in outside)
        assert summary.cell(other_sources[0], columns.index("expenditure", year)).value == expected, (name, year)


@pytest.mark.skipif(PDFTOTEXT is None, reason="poppler-utils is installed by .ci/run")
@pytest.mark.parametrize("name,plan", CASES, ids=CASE_IDS)
def test_libreoffice_opens_the_word_narrative_with_every_heading(converted, name, plan):
    from renderers import document

    flat = " ".join(_pdf_text(converted, name).split())
    fw = load_framework(plan["framework"])
    # Every heading of the outline the narrative prints (not what it leaves out as scaffolding), and the
    # framework's questions it prints as guidance.
    printed = {b.anchor for b in document.build(plan, fw).blocks if isinstance(b, (document.Heading, document.Prompt))}
    assert len(printed & {e.id for e in fw.outline}) >= len(fw.outline) - 2
    for entry in fw.outline:
        if entry.id in printed:
            # Long titles wrap across lines in the PDF; the first words are enough to find them.
            assert " ".join(entry.title.split()[:4]) in flat, (name, entry.id)


@pytest.mark.skipif(PDFTOTEXT is None, reason="poppler-utils is installed by .ci/run")
@pytest.mark.parametrize("name,plan", CASES, ids=CASE_IDS)
def test_amounts_in_the_word_tables_are_never_broken_across_lines(converted, name, plan):
    """A board member reads '£1,002,363', not '£1,002,3' over '63': columns are wide enough."""
    from renderers import document
    from renderers.narrative import cell_text

    text = _pdf_text(converted, name)
    fw = load_framework(plan["framework"])
    amounts = {cell_text(row[c], True) for block in document.build(plan, fw).blocks
               if isinstance(block, document.Table) for row in block.rows for c in block.money_columns
               if c < len(row) and isinstance(row[c], int)}
    missing = sorted(a for a in amounts if a not in text)
    assert not missing, missing


@pytest.mark.skipif(PDFTOTEXT is None, reason="poppler-utils is installed by .ci/run")
@pytest.mark.parametrize("name,plan", CASES, ids=CASE_IDS)
def test_words_in_the_word_tables_are_never_broken_across_lines(converted, name, plan):
    """A long web address in one column may wrap, but it may not squeeze the other columns to a few
    letters a line ('Worcest' over 'ershire')."""
    import re
    from renderers import document
    from renderers.word import _WHOLE_WORD

    text = _pdf_text(converted, name)
    fw = load_framework(plan["framework"])
    words = {word for block in document.build(plan, fw).blocks if isinstance(block, document.Table)
             for row in block.rows for cell in row if isinstance(cell, str)
             for word in re.findall(r"[A-Za-z]{6,}", cell) if len(word) <= _WHOLE_WORD}
    broken = sorted(w for w in words if w not in text)
    assert not broken, broken[:20]


# -- a finance officer at work: a scheme typed into the first blank row, a row inserted in the table ----

UNO_PYTHON = "/usr/bin/python3"  # LibreOffice's Python bridge (python3-uno) lives in the system Python
EDIT_SCRIPT = Path(__file__).parent / "office" / "edit_workbook.py"


def _has_uno() -> bool:
    return Path(UNO_PYTHON).exists() and subprocess.run([UNO_PYTHON, "-c", "import uno"],
                                                        capture_output=True).returncode == 0


@pytest.mark.skipif(not _has_uno(), reason="python3-uno is installed by .ci/run")
def test_a_typed_and_an_inserted_scheme_are_counted_and_import_into_brings_them_back(tmp_path):
    import json

    from conftest import run_bcfc

    source = ROOT / "plans" / "warwickshire" / "2023-25.yaml"
    plan = load(source).data
    fw = load_framework(plan["framework"])
    layout = L.layout(fw)
    spend = layout.sheet("expenditure")
    letter = lambda field, key=None: openpyxl.utils.get_column_letter(spend.index(field, key))  # noqa: E731
    (tmp_path / "ours.xlsx").write_bytes(excel.render(plan, fw))
    count, ibcf = len(plan["schemes"]), fw.names("funding_streams")["ibcf"]
    typed_row = 4 + count  # the first blank row
    inserted_row = 6  # inside the table, between the second and third schemes
    edits = [{"sheet": spend.title, "cell": f"{letter(f, k)}{typed_row}", "value": v} for f, k, v in (
        ("id", None, "TYPED-1"), ("name", None, "Typed scheme"), ("funding_source", None, ibcf),
        ("expenditure", "2023-24", 7000), ("expenditure", "2024-25", 8000))]
    edits.append({"sheet": spend.title, "insert_row": inserted_row})
    edits += [{"sheet": spend.title, "cell": f"{letter(f, k)}{inserted_row}", "value": v} for f, k, v in (
        ("id", None, "INSERTED-1"), ("name", None, "Inserted scheme"), ("funding_source", None, ibcf),
        ("expenditure", "2023-24", 500))]
    subprocess.run([UNO_PYTHON, str(EDIT_SCRIPT), str(tmp_path / "ours.xlsx"), str(tmp_path / "theirs.xlsx"),
                    str(tmp_path / "profile"), json.dumps(edits)], check=True, capture_output=True, timeout=300)

    book = openpyxl.load_workbook(tmp_path / "theirs.xlsx", data_only=True)  # as LibreOffice recomputed it
    added = {"2023-24": 7000 + 500, "2024-25": 8000}
    ws = book[spend.title]
    total = _total_row(ws, spend.index("name"))
    assert total == 4 + count + 50 + 1  # one row more: the inserted one
    for year, column in spend.keyed("expenditure"):
        expected = sum(s["expenditure"].get(year, 0) for s in plan["schemes"]) + added[year]
        assert ws.cell(total, column).value == expected, year
    summary, columns = book[layout.sheet("summary").title], layout.sheet("summary")
    row = next(r for r in range(4, 20) if summary.cell(r, 1).value == ibcf)
    for year in fw.financial_years:
        spent = sum(s["expenditure"].get(year, 0) for s in plan["schemes"] if s.get("funding_source") == "ibcf")
        assert summary.cell(row, columns.index("expenditure", year)).value == spent + added[year], year
        assert summary.cell(_total_row(summary, 1), columns.index("expenditure", year)).value == \
            sum(s["expenditure"].get(year, 0) for s in plan["schemes"]) + added[year]

    plan_file = tmp_path / "plan.yaml"
    plan_file.write_bytes(source.read_bytes())
    result = run_bcfc("import", tmp_path / "theirs.xlsx", "--into", plan_file)
    assert result.returncode == 0, result.stderr
    assert "TYPED-1" in result.stdout and "INSERTED-1" in result.stdout
    original, updated = source.read_text(encoding="utf-8"), plan_file.read_text(encoding="utf-8")
    schemes = load(plan_file).data["schemes"]
    assert [s["id"] for s in schemes] == [s["id"] for s in plan["schemes"][:2]] + ["INSERTED-1"] + [
        s["id"] for s in plan["schemes"][2:]] + ["TYPED-1"]
    assert schemes[-1] == {"id": "TYPED-1", "name": "Typed scheme", "funding_source": "ibcf",
                           "expenditure": {"2023-24": 7000, "2024-25": 8000}}
    start, end = original.index("\nschemes:\n"), original.index("\nmetrics:\n")
    assert updated[:start] == original[:start] and updated.endswith(original[end:])  # the rest, byte for byte


@pytest.mark.skipif(not _has_uno(), reason="python3-uno is installed by .ci/run")
def test_the_cover_checklist_turns_complete_when_every_item_is_filled(tmp_path):
    import json

    fw = load_framework("2025-26")
    plan = {**complete_plan(fw), "date": "2025-03-20"}
    cover = L.layout(fw).sheet("cover")
    (tmp_path / "ours.xlsx").write_bytes(excel.render(plan, fw))
    empty = [row for row, column in enumerate(cover.columns, 4) if column.input_only]
    edits = [{"sheet": cover.title, "cell": f"B{row}", "value": "filled in"} for row in empty]
    for name, todo in (("before", []), ("after", edits)):
        subprocess.run([UNO_PYTHON, str(EDIT_SCRIPT), str(tmp_path / "ours.xlsx"), str(tmp_path / f"{name}.xlsx"),
                        str(tmp_path / "profile"), json.dumps(todo)], check=True, capture_output=True, timeout=300)
    before = openpyxl.load_workbook(tmp_path / "before.xlsx", data_only=True)[cover.title]
    after = openpyxl.load_workbook(tmp_path / "after.xlsx", data_only=True)[cover.title]
    last = 4 + len(cover.columns)
    assert [before.cell(row, 3).value for row in empty] == ["To do"] * len(empty)
    assert before.cell(last, 1).value == "Template" and before.cell(last, 3).value == "Incomplete"
    assert [after.cell(row, 3).value for row in range(4, last)] == ["Done"] * len(cover.columns)
    assert after.cell(last, 3).value == "Complete"
