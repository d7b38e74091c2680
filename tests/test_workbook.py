"""The planning template a finance officer works in: input cells, locked formulas, drop-downs, dates,
printing, people's words; and `bcfc import --into`, which brings their figures back into the plan."""
import datetime as dt
import io
import json
import shutil
from pathlib import Path

import openpyxl
import pytest

from bcf_schema import available_periods, load, load_framework
from bcf_schema import framework as framework_module
from conftest import EXAMPLE_PLANS, ROOT, run_bcfc
from planbuilder import complete_plan
from renderers import excel
from renderers.workbook import layout as L
from renderers.workbook import reader

PERIODS = available_periods()
WARWICKSHIRE = ROOT / "plans" / "warwickshire" / "2023-25.yaml"


def workbook(plan, fw):
    return openpyxl.load_workbook(io.BytesIO(excel.render(plan, fw)))


def saved(book) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def validations(ws):
    """(cells, formula1 or type) of every data validation on a sheet."""
    return [(str(v.sqref), v.type, v.formula1) for v in ws.data_validations.dataValidation]


def list_values(book, formula: str) -> list[str]:
    sheet, cells = formula.split("!")
    first, last = cells.replace("$", "").split(":")
    ws = book[sheet.strip("'")]
    return [c.value for (c,) in ws[first:last]]


# -- the national templates' conventions ----------------------------------------------------------

@pytest.mark.parametrize("period", PERIODS)
def test_every_framework_list_has_its_drop_down(period):
    fw = load_framework(period)
    book = workbook(complete_plan(fw), fw)
    sheet = L.layout(fw).sheet("expenditure")
    ws = book[sheet.title]
    lists = {}
    for cells, kind, formula in validations(ws):
        if kind == "list":
            lists[cells.split(":")[0].rstrip("0123456789")] = list_values(book, formula)
    letter = lambda field: openpyxl.utils.get_column_letter(sheet.index(field))  # noqa: E731
    expected = {"funding_source": "funding_streams", "type": "scheme_types", "area_of_spend": "areas_of_spend",
                "commissioner": "commissioner_kinds"}
    for field, key in expected.items():
        if sheet.has(field) and fw.ids(key):
            assert lists[letter(field)] == list(fw.names(key).values()), field
    assert lists[letter("new")] == ["New", "Existing"]
    # every amount cell: whole pounds, 0 or more, with an input message
    pounds = [v for v in ws.data_validations.dataValidation if v.type == "whole"]
    count = len(complete_plan(fw)["schemes"])
    last = 4 + count + max(50, count) - 1  # the plan's schemes, then blank rows: all inside the totals
    column = openpyxl.utils.get_column_letter
    assert {str(v.sqref) for v in pounds} == {f"{column(n)}4:{column(n)}{last}" for _, n in sheet.keyed("expenditure")}
    assert all(v.operator == "greaterThanOrEqual" and v.formula1 == "0" and v.prompt for v in pounds)
    cover = book[L.layout(fw).sheet("cover").title]
    assert any(list_values(book, f) == ["Draft", "Submitted", "Approved"] for _, k, f in validations(cover) if k == "list")
    if fw.period == "2025-26":
        conditions = book["7. National Conditions"]
        assert [list_values(book, f) for _, k, f in validations(conditions) if k == "list"] == [["Yes", "No"]]
    if L.layout(fw).sheet("capacity_demand"):
        demand = book["Capacity and Demand"]
        assert ["Demand", "Capacity"] in [list_values(book, f) for _, k, f in validations(demand) if k == "list"]


@pytest.mark.parametrize("period", PERIODS)
def test_formulas_are_locked_inputs_are_yellow_and_every_sheet_is_protected(period):
    fw = load_framework(period)
    book = workbook(complete_plan(fw), fw)
    formulas = inputs = 0
    for ws in book.worksheets:
        assert ws.protection.sheet and not ws.protection.password, ws.title
        if ws.sheet_state != "visible":
            continue
        assert ws.protection.insertRows is False, f"{ws.title}: rows cannot be inserted"  # False: allowed
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    formulas += 1
                    assert cell.protection.locked, f"{ws.title}!{cell.coordinate} is a formula anyone can overwrite"
                if not cell.protection.locked:
                    inputs += 1
                    assert cell.fill.fgColor.rgb.endswith("FFFF99"), f"{ws.title}!{cell.coordinate} is not yellow"
    assert formulas > 10 and inputs > 100


@pytest.mark.parametrize("period", PERIODS)
def test_print_settings(period):
    fw = load_framework(period)
    plan = complete_plan(fw)
    book = workbook(plan, fw)
    for sheet in L.layout(fw).sheets:
        ws = book[sheet.title]
        assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0, sheet.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        if len(sheet.columns) > 5:
            assert ws.page_setup.orientation == "landscape", sheet.title
        if sheet.id != "cover":
            assert ws.print_title_rows == "$3:$3", sheet.title
        assert plan["hwbs"][0]["name"] in ws.oddHeader.left.text and fw.title in ws.oddHeader.left.text
        assert ws.oddFooter.left.text == f"Version {plan['version']}" and "&P" in ws.oddFooter.right.text


def test_dates_are_dates():
    fw = load_framework("2023-25")
    plan = load(WARWICKSHIRE).data
    book = workbook(plan, fw)
    cover = book["2. Cover"]
    cells = {cover.cell(row, 1).value: cover.cell(row, 2) for row in range(1, cover.max_row + 1)}
    assert cells["Date"].value == dt.datetime(2023, 6, 22) and cells["Date"].is_date
    sign_off_dates = [c for (c,) in cover.iter_rows(min_col=3, max_col=3) if c.is_date]
    assert len(sign_off_dates) == len(plan["sign_off"])


def test_a_month_is_a_date_shown_as_a_month_and_comes_back_as_a_month():
    fw = load_framework("2025-26")
    plan = complete_plan(fw)
    plan["date"] = "2025-03"
    imported = reader.read(excel.render(plan, fw))
    assert imported.plan["date"] == "2025-03"


@pytest.mark.parametrize("path", EXAMPLE_PLANS, ids=[p.parent.name + "-" + p.stem for p in EXAMPLE_PLANS])
def test_no_cell_shows_an_id(path):
    plan = load(path).data
    fw = load_framework(plan["framework"])
    ids = {e.id for e in fw.outline} | set(L.STATUS) | set(L.CONTRIBUTOR) | set(L.KIND) | set(L.HEADING_KIND)
    for key in ("funding_streams", "scheme_types", "areas_of_spend", "commissioner_kinds", "metrics"):
        ids |= {i for i in fw.ids(key) if i not in fw.names(key).values()}
    ids -= {"other"}  # a scheme type and area called "Other" by name
    book = workbook(plan, fw)
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                value = cell.value if isinstance(cell.value, str) else ""
                assert value not in ids, f"{ws.title}!{cell.coordinate} shows the id {value!r}"
                assert not value.startswith("Answer:"), f"{ws.title}!{cell.coordinate}: {value!r}"


@pytest.mark.parametrize("period", PERIODS)
def test_not_stated_is_a_note_never_a_sentence_in_a_money_cell(period):
    fw = load_framework(period)
    plan = complete_plan(fw)
    first = fw.ids("funding_streams")[0]
    plan["funding"]["streams"][first] = {"not_stated": "in the ICB's own template"}
    book = workbook(plan, fw)
    income = L.layout(fw).sheet("income")
    ws = book[income.title]
    row = next(r for r in range(4, ws.max_row) if ws.cell(r, 1).value == fw.names("funding_streams")[first])
    assert all(ws.cell(row, n).value is None for _, n in income.keyed("amounts"))
    assert ws.cell(row, income.index("comments")).value == "Not stated: in the ICB's own template"
    assert reader.read(saved(book)).plan["funding"]["streams"][first] == {"not_stated": "in the ICB's own template"}


@pytest.mark.parametrize("period", PERIODS)
def test_plan_text_stays_text_in_every_new_cell(period):
    fw = load_framework(period)
    plan = complete_plan(fw)
    evil = ["=1+1", "+1+1", "-1+1", "@SUM(1,1)"]
    scheme = plan["schemes"][0]
    scheme.update(name=evil[0], description=evil[1], provider=evil[2], sub_type=evil[3], id=evil[0] + "id")
    plan["version"] = evil[3]
    plan["sign_off"] = [{"body": evil[0], "organisation": evil[1], "date": "2025-01-02", "decision": evil[2]}]
    plan["icbs" if fw.nhs_partners == "icbs" else "ccgs"] = [evil[1]]
    metric = fw.ids("metrics")[0]
    plan["metrics"][metric] = {"goal_as_stated": evil[0], "rationale": evil[2]}
    plan["funding"]["streams"][fw.ids("funding_streams")[0]] = {"not_stated": evil[3]}
    plan["local_metrics"] = [{"id": "l1", "name": evil[1], "unit": evil[2]}]
    if L.layout(fw).sheet("capacity_demand"):
        plan["capacity_demand"] = [{"service": evil[0], "kind": "demand", "source": evil[1], "unit": evil[3],
                                    "months": {}}]
    book = workbook(plan, fw)
    cells = [c for ws in book.worksheets for row in ws.iter_rows() for c in row
             if isinstance(c.value, str) and any(e in c.value for e in evil)]
    assert len(cells) >= 14
    assert all(c.data_type == "s" for c in cells), [c.coordinate for c in cells if c.data_type != "s"]
    imported = reader.read(saved(book))
    assert not imported.problems
    assert imported.plan["schemes"][0]["name"] == evil[0] and imported.plan["version"] == evil[3]


# -- a declared sheet or column without a writer ---------------------------------------------------

def test_the_schema_lists_exactly_the_fields_bcfc_writes():
    schema = json.loads((ROOT / "bcf_schema" / "framework.schema.json").read_text(encoding="utf-8"))
    sheet = schema["$defs"]["template_sheet"]
    assert sheet["properties"]["id"]["enum"] == list(L.SHEET_FIELDS)
    by_sheet = {rule["if"]["properties"]["id"]["const"]:
                rule["then"]["properties"]["columns"]["items"]["properties"]["field"]["enum"] for rule in sheet["allOf"]}
    assert by_sheet == {k: list(v) for k, v in L.SHEET_FIELDS.items()}
    assert {f"sheet_{s}" for s in L.SHEET_FIELDS} <= set(dir(excel.TemplateWriter))
    assert set(L.SHEET_FIELDS) <= set(reader.READERS)


@pytest.mark.parametrize("mistake,message", [
    ("    - id: metrics\n", "    - id: metricz\n"),
    ("        - {field: units, title: Units}\n", "        - {field: unitz, title: Units}\n"),
], ids=["sheet", "column"])
def test_a_declared_sheet_or_column_with_no_writer_fails_the_framework_load(tmp_path, monkeypatch, mistake, message):
    copy = tmp_path / "frameworks"
    shutil.copytree(framework_module.FRAMEWORKS_DIR, copy)
    path = copy / "2023-25" / "framework.yaml"
    text = path.read_text(encoding="utf-8")
    assert mistake in text
    path.write_text(text.replace(mistake, message), encoding="utf-8")
    monkeypatch.setattr(framework_module, "FRAMEWORKS_DIR", copy)
    framework_module.load_framework.cache_clear()
    try:
        with pytest.raises(framework_module.FrameworkError) as error:
            framework_module.load_framework("2023-25")
        line = text[:text.index(mistake)].count("\n") + 1
        assert f"framework.yaml:{line}" in str(error.value) or f"framework.yaml:{line + 1}" in str(error.value)
        assert message.split(": ")[1].split(",")[0].strip().rstrip("}\n") in str(error.value)
    finally:
        framework_module.load_framework.cache_clear()


# -- bad input: every problem named at its cell, nothing written -------------------------------------

def _edited(path: Path, edit) -> bytes:
    plan = load(path).data
    fw = load_framework(plan["framework"])
    book = workbook(plan, fw)
    edit(book, L.layout(fw), plan)
    return saved(book)


def _expenditure_cell(book, layout, row, field, key=None):
    sheet = layout.sheet("expenditure")
    return book[sheet.title].cell(row, sheet.index(field, key))


@pytest.mark.parametrize("typed,hint", [("17,500,000", "17500000"), ("£2.1m", "2100000")])
def test_an_amount_typed_as_text_is_an_error_at_its_cell(typed, hint):
    def edit(book, layout, plan):
        income = layout.sheet("income")
        book[income.title].cell(5, income.index("amounts", "2023-24")).value = typed
    problems = [str(p) for p in reader.read(_edited(WARWICKSHIRE, edit)).problems]
    assert problems == [f"'4. Income'!C5: the amount '{typed}' is text, not a number of pounds\n"
                        f"    hint: type the amount as a number of whole pounds, without £, commas or 'm': {hint}"]


def test_a_scheme_below_the_total_is_reported_not_dropped():
    plan = load(WARWICKSHIRE).data
    total_row = 4 + len(plan["schemes"]) + 50

    def edit(book, layout, _):
        _expenditure_cell(book, layout, total_row + 2, "name").value = "Night sitting"
        _expenditure_cell(book, layout, total_row + 2, "expenditure", "2023-24").value = 1000
    problems = [str(p) for p in reader.read(_edited(WARWICKSHIRE, edit)).problems]
    assert problems == [f"'5. Expenditure'!B{total_row + 2}: this scheme is below the Total row, where no total "
                        "counts it\n    hint: insert a row inside the table (above Total) and move it there"]


def test_a_value_not_in_the_drop_down_is_an_error_at_its_cell():
    def edit(book, layout, _):
        _expenditure_cell(book, layout, 4, "funding_source").value = "DFG"
    problems = reader.read(_edited(WARWICKSHIRE, edit)).problems
    assert [p.cell for p in problems] == ["'5. Expenditure'!P4"]
    assert problems[0].message == "'DFG' is not one of the funding sources in the drop-down list"
    assert "'Disabled Facilities Grant (DFG)'" in problems[0].hint


def _write_workbook(tmp_path, data: bytes) -> Path:
    path = tmp_path / "template.xlsx"
    path.write_bytes(data)
    return path


def test_import_into_updates_the_figures_and_leaves_the_rest_byte_for_byte(tmp_path):
    plan_file = tmp_path / "plan.yaml"
    shutil.copy(WARWICKSHIRE, plan_file)
    original = plan_file.read_text(encoding="utf-8")
    count = len(load(WARWICKSHIRE).data["schemes"])

    def edit(book, layout, _):
        _expenditure_cell(book, layout, 4, "expenditure", "2023-24").value = 1002364
        for field, value in (("id", "NEW-1"), ("name", "Night sitting"), ("funding_source", "Improved Better Care Fund (iBCF)"),
                             ("expenditure", 12000)):
            _expenditure_cell(book, layout, 4 + count, field, "2023-24" if field == "expenditure" else None).value = value
    template = _write_workbook(tmp_path, _edited(WARWICKSHIRE, edit))
    dry = run_bcfc("import", template, "--into", plan_file, "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert plan_file.read_text(encoding="utf-8") == original
    assert "NEW-1" in dry.stdout and "dry run" in dry.stdout
    result = run_bcfc("import", template, "--into", plan_file)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(dry.stdout.split("dry run")[0])
    updated = plan_file.read_text(encoding="utf-8")
    assert "    expenditure: {2023-24: 1002364, 2024-25: 1670605}\n" in updated
    assert "  - id: NEW-1\n    name: Night sitting\n    funding_source: ibcf\n    expenditure: {2023-24: 12000}\n" in updated
    # everything outside the schemes section is the original text
    start, end = original.index("\nschemes:\n"), original.index("\nmetrics:\n")
    assert updated[:start] == original[:start]
    assert updated.endswith(original[end:])
    checked = run_bcfc("validate", plan_file).stdout
    assert "BCF10" not in checked  # still a plan of the schema's shape (the new spend now exceeds the income: BCF201)


def test_import_into_refuses_a_workbook_of_another_hwb_or_period(tmp_path):
    other_hwb = ROOT / "plans" / "worcestershire" / "2023-25.yaml"
    other_period = ROOT / "plans" / "worcestershire" / "2014-15.yaml"
    template = _write_workbook(tmp_path, _edited(WARWICKSHIRE, lambda *_: None))
    for plan, message in ((other_hwb, "the workbook is for E10000031, but"),
                          (other_period, "the workbook is for planning period 2023-25")):
        copy = tmp_path / f"{plan.parent.name}-{plan.name}"
        shutil.copy(plan, copy)
        result = run_bcfc("import", template, "--into", copy)
        assert result.returncode == 2 and message in result.stderr and "nothing was written" in result.stderr
        assert "Traceback" not in result.stderr and copy.read_bytes() == plan.read_bytes()


def test_a_workbook_with_problems_writes_nothing(tmp_path):
    plan_file = tmp_path / "plan.yaml"
    shutil.copy(WARWICKSHIRE, plan_file)

    def edit(book, layout, _):
        _expenditure_cell(book, layout, 4, "expenditure", "2023-24").value = "£1m"
        _expenditure_cell(book, layout, 5, "type").value = "Something else"
    template = _write_workbook(tmp_path, _edited(WARWICKSHIRE, edit))
    result = run_bcfc("import", template, "--into", plan_file)
    assert result.returncode == 1
    assert "'5. Expenditure'!Q4: the amount '£1m' is text" in result.stderr
    assert "'5. Expenditure'!D5: 'Something else' is not one of the scheme types" in result.stderr
    assert "nothing was written" in result.stderr and "Traceback" not in result.stderr
    assert plan_file.read_bytes() == WARWICKSHIRE.read_bytes()
    fresh = run_bcfc("import", template, cwd=tmp_path)
    assert fresh.returncode == 1 and not (tmp_path / "plans").exists()


@pytest.mark.parametrize("path", EXAMPLE_PLANS, ids=[p.parent.name + "-" + p.stem for p in EXAMPLE_PLANS])
def test_an_unchanged_workbook_changes_nothing(path):
    from renderers.workbook import merge

    text = path.read_text(encoding="utf-8")
    plan = load(path).data
    imported = reader.read(excel.render(plan, load_framework(plan["framework"])))
    assert not imported.problems
    assert merge.merge(text, imported, str(path)) == text


def test_figures_typed_where_the_plan_said_not_stated_replace_the_reason_and_nothing_else():
    from renderers.workbook import merge

    def edit(book, layout, _):
        income = layout.sheet("income")
        ws = book[income.title]
        ws.cell(4, income.index("amounts", "2023-24")).value = 17500000
        ws.cell(4, income.index("comments")).value = None
        demand = layout.sheet("capacity_demand")
        ws = book[demand.title]
        for field, value in (("service", "Pathway 1"), ("kind", "Demand")):
            ws.cell(4, demand.index(field)).value = value
        ws.cell(4, demand.index("months", "2023-04")).value = 120
    imported = reader.read(_edited(WARWICKSHIRE, edit))
    original = WARWICKSHIRE.read_text(encoding="utf-8")
    updated = merge.merge(original, imported, "plan.yaml")
    assert "    minimum_nhs_contribution: {2023-24: 17500000}\n    ibcf: {2023-24: 15132000}  # the draft" in updated
    assert "capacity_demand:\n  - service: Pathway 1\n    kind: demand\n    months: {2023-04: 120}\n\nrisks:\n" in updated
    # the rest of the file is the original text: before funding, from schemes to capacity and demand, after it
    for start, end in (("", "\nfunding:\n"), ("\nschemes:\n", "\ncapacity_demand:\n"), ("\nrisks:\n", None)):
        piece = original[original.index(start):original.index(end) if end else None]
        assert piece in updated, (start, end)
    assert original.count("\n") - updated.count("\n") == 3 + 3  # two reasons (4 and 6 lines) became 1 and 3 lines


def test_a_number_id_and_a_one_line_list_keep_their_form():
    from bcf_schema import loads
    from renderers.workbook import merge

    text = WARWICKSHIRE.read_text(encoding="utf-8").replace("  - id: DF-1\n", "  - id: 17\n")
    plan = loads(text, "plan.yaml").data
    fw = load_framework(plan["framework"])
    book = workbook(plan, fw)
    cover = L.layout(fw).sheet("cover")
    row = 4 + [c.field for c in cover.columns].index("nhs_partners")
    book[cover.title].cell(row, 2).value = "NHS Coventry and Warwickshire ICB; Another ICB"
    updated = merge.merge(text, reader.read(saved(book)), "plan.yaml")
    assert updated == text.replace("icbs: [NHS Coventry and Warwickshire Integrated Care Board]\n",
                                   "icbs: [NHS Coventry and Warwickshire ICB, Another ICB]\n")


def test_a_change_to_the_templates_layout_makes_cached_documents_stale(monkeypatch):
    from renderers import outputs

    layout_file = Path(L.__file__)
    real = Path.read_bytes
    before = outputs._renderer_digest()
    monkeypatch.setattr(Path, "read_bytes", lambda self: real(self) + (b"#" if self == layout_file else b""))
    outputs._renderer_digest.cache_clear()
    try:
        assert outputs._renderer_digest() != before
    finally:
        monkeypatch.undo()
        outputs._renderer_digest.cache_clear()
