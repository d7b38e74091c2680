"""The planning template as an xlsx workbook (openpyxl): the one a finance officer fills in.

The sheets, their titles and columns come from framework.yaml's planning_template, read through
renderers/workbook/layout.py, which the importer reads too. The national templates' conventions:
yellow input cells, every other cell locked and the sheets protected (no password), drop-down
lists for every value the framework lists, amounts validated as whole pounds, real dates, a cover
checklist. Totals are formulas over ranges with blank input rows inside them, so a scheme typed
into the next blank row, or a row inserted inside the table, is counted. Every value that came
from plan text is written as text, never as a formula.
"""
from __future__ import annotations

import datetime as dt
import io
import zipfile

from openpyxl import Workbook
from openpyxl.drawing.spreadsheet_drawing import SpreadsheetDrawing
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet._writer import WorksheetWriter
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from bcf_schema.framework import Framework

from bcf_schema.stated import is_not_stated, shown

from . import document as d
from .deterministic import document_time, normalise_zip
from .workbook import layout as L

POUNDS = '"£"#,##0;[Red]-"£"#,##0'
FIGURE = "#,##0.0##"
DAY, MONTH = "d mmmm yyyy", "mmmm yyyy"
UNALLOCATED, OTHER_SOURCES = L.UNALLOCATED, L.OTHER_SOURCES  # kept for the tests and readers of this module
HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
TOP = Alignment(vertical="top")
INPUT_FILL = PatternFill("solid", fgColor="FFFF99")  # the national templates' yellow input cells
UNUSED_FILL = PatternFill("solid", fgColor="D9D9D9")  # a period this metric sets no goal for
DONE_FILL, TODO_FILL = PatternFill("solid", fgColor="C6EFCE"), PatternFill("solid", fgColor="FFC7CE")
HEADER_FONT = Font(bold=True, color="FFFFFF")
TITLE_FONT = Font(bold=True, size=14)
BOLD = Font(bold=True)
UNLOCKED = Protection(locked=False)
WRAP = Alignment(wrap_text=True, vertical="top")
COVER_MARK_CELL = "D1"  # the cover's status mark (a draft's DRAFT mark goes here)
WIDTHS = {"id": 10, "name": 30, "description": 40, "provider": 24, "type": 24, "sub_type": 16, "funding_source": 28,
          "area_of_spend": 16, "commissioner": 14, "new": 11, "units": 10, "percent_nhs": 10, "percent_la": 10,
          "stream": 40, "source": 40, "metric": 30, "definition": 40, "rationale": 40, "goal_as_stated": 28,
          "notes": 30, "comments": 34, "unit": 22, "measure": 10, "service": 28, "theme": 30, "heading": 50, "where": 36, "condition": 60}
WRAPPED = {"description", "definition", "rationale", "goal_as_stated", "notes", "comments", "name", "heading", "where",
           "condition", "theme", "metric", "unit"}


_STYLE_KEYS = {"fill": "fillId", "font": "fontId", "protection": "protectionId", "alignment": "alignmentId"}


def styled(cell, **styles):
    """cell.fill = ..., cell.font = ... as openpyxl sets them, each style's place in the workbook found once:
    openpyxl hashes the whole style object on every assignment, half the time of writing a workbook.
    For the module's style constants (never changed), so the id of each stands for its value."""
    places = cell.parent.parent.__dict__.setdefault("_bcfc_style_places", {})
    for name, value in styles.items():
        known = places.get((name, id(value)))
        if known is None:
            setattr(cell, name, value)  # adds it to the workbook's styles, as before
            places[name, id(value)] = (getattr(cell._style, _STYLE_KEYS[name]), value)  # value kept: id stays its
        else:
            if not cell._style:  # a new cell has none until its first style (openpyxl's StyleDescriptor)
                cell._style = StyleArray()
            setattr(cell._style, _STYLE_KEYS[name], known[0])
    return cell


class _InMemoryWriter(ExcelWriter):
    """openpyxl's workbook writer with each sheet's XML kept in memory: openpyxl writes every sheet to a
    temporary file, reads it back into the archive and deletes it (a tenth of a workbook's time). The
    archive's entries are the same; normalise_zip sets their times."""

    def write_worksheet(self, ws):  # ExcelWriter.write_worksheet, less the temporary file
        ws._drawing = SpreadsheetDrawing()
        ws._drawing.charts = ws._charts
        ws._drawing.images = ws._images
        writer = WorksheetWriter(ws, out=io.BytesIO())
        writer.write()
        ws._rels = writer._rels
        self._archive.writestr(ws.path[1:], writer.out.getvalue())
        self.manifest.append(ws)


def put(ws: Worksheet, row: int, column: int, value, number_format: str | None = None):
    """Write a value; text is always text (a plan's '=HYPERLINK(...)' must never become a formula)."""
    cell = ws.cell(row=row, column=column)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
    if number_format:
        cell.number_format = number_format
    return cell


def put_input(ws: Worksheet, row: int, column: int, value=None, number_format: str | None = None):
    """An input cell: yellow and unlocked, the only cells a user can type in once the sheet is protected."""
    cell = put(ws, row, column, value, number_format)
    return styled(cell, fill=INPUT_FILL, protection=UNLOCKED, alignment=TOP)


def put_date(ws: Worksheet, row: int, column: int, value):
    """A plan's date or month as a real date (a month shows as 'June 2023'); anything else as text."""
    date = L.as_date(value)
    if date is None:
        return put_input(ws, row, column, str(value) if value not in (None, "") else None)
    return put_input(ws, row, column, date, MONTH if len(str(value)) == 7 else DAY)


def formula(ws: Worksheet, row: int, column: int, expression: str, number_format: str | None = POUNDS):
    """A formula bcfc wrote itself (totals, differences): the only way a formula gets into a cell."""
    cell = ws.cell(row=row, column=column)
    cell.value = expression
    if number_format:
        cell.number_format = number_format
    return cell


def header(ws: Worksheet, row: int, titles: list[str]) -> None:
    for column, text in enumerate(titles, 1):
        styled(put(ws, row, column, text), fill=HEADER_FILL, font=HEADER_FONT, alignment=WRAP)
    ws.freeze_panes = ws.cell(row=row + 1, column=1)


def title(ws: Worksheet, text: str, note: str = "") -> None:
    put(ws, L.TITLE_ROW, 1, text).font = TITLE_FONT
    if note:
        put(ws, L.NOTE_ROW, 1, note)


def _quoted(sheet_title: str) -> str:
    return "'" + sheet_title.replace("'", "''") + "'"


def _span(column: int, first: int, last: int, absolute: bool = False) -> str:
    letter = get_column_letter(column)
    return f"${letter}${first}:${letter}${last}" if absolute else f"{letter}{first}:{letter}{last}"


def _header_footer_text(text: str) -> str:
    return text.replace("&", "&&")  # '&' starts a code in Excel's header and footer


def document_properties(workbook: Workbook, plan: dict, fw: Framework) -> None:
    """The xlsx document properties (title, subject, author, dates): fixed, so the same plan gives the same bytes."""
    props = workbook.properties  # from the plan, as the narrative's: the same every build
    when = document_time(d.plan_date(plan))
    props.creator = props.lastModifiedBy = d.hwb_names(plan)
    props.created = props.modified = when
    props.title = d.plan_title(plan, fw)
    props.subject = fw.title
    props.language = "en-GB"


class TemplateWriter:
    def __init__(self, plan: dict, fw: Framework, source: str = ""):
        self.plan, self.fw, self.source = plan, fw, source
        self.layout = L.layout(fw)
        self.years = fw.financial_years
        self.streams = fw.items("funding_streams")
        self.workbook = Workbook()
        self.workbook.remove(self.workbook.active)
        self.lists_sheet: Worksheet | None = None
        self.lists: dict[str, str] = {}
        schemes = plan.get("schemes")
        self.scheme_list = schemes if isinstance(schemes, list) else []
        # Cross-sheet formulas need these rows whatever order the framework lists the sheets in.
        self.income_rows = {stream["id"]: L.FIRST_ROW + index for index, stream in enumerate(self.streams)}
        self.expenditure_first = L.FIRST_ROW
        count = len(self.scheme_list)
        self.expenditure_last = L.FIRST_ROW + count + max(L.BLANK_SCHEME_ROWS, count) - 1
        self.titles = {sheet.id: sheet.title for sheet in self.layout.sheets}

    def write(self) -> bytes:
        document_properties(self.workbook, self.plan, self.fw)
        self.lists_sheet = self.workbook.create_sheet(L.LISTS_SHEET)
        for sheet in self.layout.sheets:
            ws = self.workbook.create_sheet(sheet.title)
            getattr(self, f"sheet_{sheet.id}")(ws, sheet)  # layout() guarantees a writer for each sheet
            self.print_setup(ws, wide=len(sheet.columns) > 5)
            ws.protection.sheet = True  # no password: protection guards the formulas, it is no secret
            for allowed in ("insertRows", "deleteRows", "formatColumns", "formatRows", "autoFilter", "sort"):
                setattr(ws.protection, allowed, False)
        self.workbook.move_sheet(self.lists_sheet, offset=len(self.layout.sheets))
        self.lists_sheet.sheet_state = "hidden"
        self.lists_sheet.protection.sheet = True
        # workbook.save(buffer), each sheet kept in memory and the archive left for normalise_zip to compress
        time = document_time(d.plan_date(self.plan))
        self.workbook.properties.modified = time  # openpyxl's save stamps the clock here; normalise_zip sets both
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
            _InMemoryWriter(self.workbook, archive).save()
        return normalise_zip(buffer.getvalue(), time)

    # -- shared parts ---------------------------------------------------------------------------------

    def print_setup(self, ws: Worksheet, wide: bool) -> None:
        setup = ws.page_setup
        setup.orientation = "landscape" if wide else "portrait"
        setup.paperSize = ws.PAPERSIZE_A4
        setup.fitToWidth, setup.fitToHeight = 1, 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        if ws.freeze_panes:
            ws.print_title_rows = f"{L.HEADER_ROW}:{L.HEADER_ROW}"
        hwbs = "; ".join(h["name"] for h in self.plan.get("hwbs") or [])
        ws.oddHeader.left.text = _header_footer_text(f"{hwbs}: {self.fw.title}")
        ws.oddHeader.right.text = _header_footer_text(ws.title)
        ws.oddFooter.left.text = _header_footer_text(f"Version {self.plan.get('version', '')}")
        ws.oddFooter.right.text = "Page &P of &N"

    def drop_down(self, ws: Worksheet, name: str, values: list[str], cells: str, what: str) -> None:
        """A list validation over cells, its values on the hidden lists sheet (an inline list is limited
        to 255 characters, less than the scheme types' names)."""
        if not values:
            return
        if name not in self.lists:
            column = len(self.lists) + 1
            put(self.lists_sheet, 1, column, what)
            for row, value in enumerate(values, 2):
                put(self.lists_sheet, row, column, value)
            self.lists[name] = f"{_quoted(L.LISTS_SHEET)}!{_span(column, 2, len(values) + 1, absolute=True)}"
        check = DataValidation(type="list", formula1=self.lists[name], allow_blank=True, showErrorMessage=True,
                               showInputMessage=True, errorTitle=what, error=f"Choose the {what.lower()} from the list.",
                               promptTitle=what, prompt="Choose from the list.")
        check.add(cells)
        ws.add_data_validation(check)

    @staticmethod
    def whole_pounds(ws: Worksheet, cells: str) -> None:
        check = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
                               showErrorMessage=True, showInputMessage=True, errorTitle="Whole pounds",
                               error="Type the amount as a whole number of pounds, 0 or more: 17500000, "
                                     "not £17.5m or 17,500,000.00.",
                               promptTitle="Whole pounds", prompt="The amount in whole pounds, without £ or commas.")
        check.add(cells)
        ws.add_data_validation(check)

    @staticmethod
    def figures(ws: Worksheet, cells: str) -> None:
        check = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
                               showErrorMessage=True, errorTitle="A number", error="Type a number, 0 or more.")
        check.add(cells)
        ws.add_data_validation(check)

    @staticmethod
    def widths(ws: Worksheet, columns) -> None:
        for number, column in enumerate(columns, 1):
            size = WIDTHS.get(column.field, 16 if column.key else 18)
            ws.column_dimensions[get_column_letter(number)].width = 11 if column.field in ("months", "periods") \
                else size
            if column.field in WRAPPED:
                for (cell,) in ws.iter_rows(min_row=L.FIRST_ROW, min_col=number, max_col=number):
                    styled(cell, alignment=WRAP)
                    if isinstance(cell.value, str):  # spreadsheets do not grow a row for wrapped text on opening
                        lines = sum(1 + int(len(part) / (size * 1.1)) for part in cell.value.split("\n"))
                        height = ws.row_dimensions[cell.row].height or 15
                        ws.row_dimensions[cell.row].height = min(max(height, 15 * lines), 400)
        longest = max((len(c.title) / max(WIDTHS.get(c.field, 16) - 2, 1) for c in columns), default=1)
        ws.row_dimensions[L.HEADER_ROW].height = 15 * min(int(longest) + 1, 5)

    # -- sheets ------------------------------------------------------------------------------------

    def sheet_cover(self, ws: Worksheet, sheet: L.Sheet) -> None:
        plan, fw = self.plan, self.fw
        title(ws, self.layout.title, "Yellow cells are for input; the checklist turns green as each item is filled.")
        if d.is_draft(plan):
            ws[COVER_MARK_CELL] = "DRAFT"  # a draft says so on its cover
            styled(ws[COVER_MARK_CELL], font=BOLD)
        header(ws, L.HEADER_ROW, list(L.COVER_HEADER))
        ws.freeze_panes = None
        values = {
            "hwb": "; ".join(h["name"] for h in plan.get("hwbs") or []),
            "ons_code": "; ".join(h["code"] for h in plan.get("hwbs") or []),
            "nhs_partners": "; ".join(plan.get(fw.nhs_partners) or []),
            "version": shown(plan.get("version", "")),
            "status": shown(plan["status"]) if is_not_stated(plan.get("status"))
            else L.STATUS.get(plan.get("status"), plan.get("status", "")),
        }
        row = L.FIRST_ROW
        for row, column in enumerate(sheet.columns, L.FIRST_ROW):
            styled(put(ws, row, 1, column.title), font=BOLD)
            if column.field == "period":
                put(ws, row, 2, fw.period)  # what the importer checks the workbook against: not an input
            elif column.field == "date":
                put_date(ws, row, 2, plan.get("date"))
            else:
                put_input(ws, row, 2, values.get(column.field) or None)
            if column.field == "status":
                self.drop_down(ws, "status", list(L.STATUS.values()), f"B{row}", "Status")
            formula(ws, row, 3, f'=IF(LEN(B{row})>0,"Done","To do")', None)
        first, last = L.FIRST_ROW, row
        checklist = f"C{first}:C{last}"
        ws.conditional_formatting.add(checklist, FormulaRule(formula=[f'C{first}="Done"'], fill=DONE_FILL))
        ws.conditional_formatting.add(checklist, FormulaRule(formula=[f'C{first}="To do"'], fill=TODO_FILL))
        row = last + 1
        styled(put(ws, row, 1, L.COMPLETE), font=BOLD)
        styled(formula(ws, row, 3, f'=IF(COUNTIF({checklist},"To do")=0,"Complete","Incomplete")', None), font=BOLD)
        ws.conditional_formatting.add(f"C{row}", FormulaRule(formula=[f'C{row}="Complete"'], fill=DONE_FILL))
        ws.conditional_formatting.add(f"C{row}", FormulaRule(formula=[f'C{row}="Incomplete"'], fill=TODO_FILL))
        row += 2
        if plan.get("sign_off"):
            styled(put(ws, row, 1, L.SIGN_OFF), font=BOLD)
            header(ws, row + 1, [title for _, title in L.SIGN_OFF_COLUMNS])
            ws.freeze_panes = None
            for offset, entry in enumerate(plan["sign_off"], row + 2):
                for column, (key, _) in enumerate(L.SIGN_OFF_COLUMNS, 1):
                    if key == "date":
                        put_date(ws, offset, column, entry.get(key))
                    else:
                        put_input(ws, offset, column, shown(entry.get(key)) or None)
            row = offset + 2
        put(ws, row, 1, "Generated by bcfc from the plan's YAML source" + (f" ({self.source})" if self.source else ""))
        for letter, size in zip("ABCD", (44, 60, 14, 30)):
            ws.column_dimensions[letter].width = size

    def sheet_income(self, ws: Worksheet, sheet: L.Sheet) -> None:
        title(ws, "Income by funding stream (£)", "Type each stream's income in its yellow cells, in whole pounds.")
        header(ws, L.HEADER_ROW, [c.title for c in sheet.columns])
        funding = self.plan.get("funding") or {}
        streams = funding.get("streams") or {}
        amount_columns = sheet.keyed("amounts")
        for stream in self.streams:
            row = self.income_rows[stream["id"]]
            value = streams.get(stream["id"])
            not_stated = isinstance(value, dict) and "not_stated" in value
            for number, column in enumerate(sheet.columns, 1):
                if column.field == "stream":
                    put(ws, row, number, stream["name"])
                elif column.field == "contributor":
                    put(ws, row, number, L.CONTRIBUTOR.get(stream.get("contributor"), ""))
                elif column.field == "amounts":
                    put_input(ws, row, number, None if not_stated else (value or {}).get(column.key), POUNDS)
                elif column.field == "comments":
                    put_input(ws, row, number, f"{L.NOT_STATED}{value['not_stated']}" if not_stated else None)
                    styled(ws.cell(row, number), alignment=WRAP)
        first, last = L.FIRST_ROW, L.FIRST_ROW + len(self.streams) - 1
        for _, number in amount_columns:
            self.whole_pounds(ws, _span(number, first, last))
        row = last + 1
        styled(put(ws, row, 1, L.TOTAL), font=BOLD)
        for _, number in amount_columns:
            styled(formula(ws, row, number, f"=SUM({_span(number, first, row - 1)})"), font=BOLD)
        names = {stream["id"]: stream["name"] for stream in self.streams}
        extra = [(L.STATED_TOTAL, funding.get("stated_total"))] if funding.get("stated_total") else []
        extra += [(f"{L.UNALLOCATED}{names[s]}", a) for s, a in (funding.get("unallocated") or {}).items()]
        for label, amounts in extra:
            row += 1
            put(ws, row, 1, label)
            for year, number in amount_columns:
                put_input(ws, row, number, amounts.get(year), POUNDS)
            for _, number in amount_columns:
                self.whole_pounds(ws, _span(number, row, row))
        self.widths(ws, sheet.columns)

    def sheet_expenditure(self, ws: Worksheet, sheet: L.Sheet) -> None:
        schemes = self.plan.get("schemes")
        note = (f"{L.NOT_STATED}{schemes['not_stated']}" if isinstance(schemes, dict) else
                "Type a new scheme in the next blank yellow row, or insert a row inside the table: every total counts it.")
        title(ws, "Expenditure by scheme (£)", note)
        header(ws, L.HEADER_ROW, [c.title for c in sheet.columns])
        fw = self.fw
        names = {"type": fw.names("scheme_types"), "funding_source": fw.names("funding_streams"),
                 "area_of_spend": fw.names("areas_of_spend"), "commissioner": fw.names("commissioner_kinds")}
        first, last = self.expenditure_first, self.expenditure_last
        for row in range(first, last + 1):
            scheme = self.scheme_list[row - first] if row - first < len(self.scheme_list) else {}
            for number, column in enumerate(sheet.columns, 1):
                put_input(ws, row, number, self._scheme_value(scheme, column, names),
                          POUNDS if column.field == "expenditure" else None)
        lists = {"type": ("scheme_types", "Scheme type"), "area_of_spend": ("areas_of_spend", "Area of spend"),
                 "commissioner": ("commissioner_kinds", "Commissioner"), "funding_source": ("funding_streams",
                                                                                            "Source of funding")}
        for number, column in enumerate(sheet.columns, 1):
            cells = _span(number, first, last)
            if column.field in lists:
                key, what = lists[column.field]
                self.drop_down(ws, key, list(fw.names(key).values()), cells, what)
            elif column.field == "new":
                self.drop_down(ws, "new", list(L.NEW.values()), cells, "New or existing scheme")
            elif column.field == "expenditure":
                self.whole_pounds(ws, cells)
            elif column.field in ("percent_nhs", "percent_la", "outputs"):
                self.figures(ws, cells)
        total = last + 1
        styled(put(ws, total, sheet.index("name"), L.TOTAL), font=BOLD)
        for _, number in sheet.keyed("expenditure"):
            styled(formula(ws, total, number, f"=SUM({_span(number, first, last)})"), font=BOLD)
        self.widths(ws, sheet.columns)

    @staticmethod
    def _scheme_value(scheme: dict, column: L.Column, names: dict):
        if not scheme or column.input_only:
            return None
        field = column.field
        if field == "expenditure":
            return (scheme.get("expenditure") or {}).get(column.key)
        if field == "new":
            return L.NEW.get(scheme.get("new")) if "new" in scheme else None
        if field == "funding_source" and "funding_source" not in scheme and scheme.get("funding_source_as_stated"):
            return f"{L.AS_STATED}{scheme['funding_source_as_stated']}"  # the document's words: no stream's row
        if field in names:
            value = scheme.get(field)
            return names[field].get(value, value) if value not in (None, "") else None
        value = scheme.get(field)
        return None if value in (None, "") else str(value)

    def stated_spend(self, stream: str, year: str) -> int | None:
        """The expenditure the plan states for a stream and year (funding: expenditure_by_source:), where it
        lists no schemes; None where the schemes' own amounts are to be summed."""
        if isinstance(self.plan.get("schemes"), list) and self.plan["schemes"]:
            return None
        value = ((self.plan.get("funding") or {}).get("expenditure_by_source") or {}).get(stream, {}).get(year)
        return value if type(value) is int else None  # a number, never text, goes into the formula

    def sheet_summary(self, ws: Worksheet, sheet: L.Sheet) -> None:
        """Income against expenditure by funding source: all formulas over the other two sheets."""
        stated = any(self.stated_spend(s["id"], y) is not None for s in self.streams for y in self.fw.financial_years)
        title(ws, "Income and expenditure by funding source (£)", "All formulas: fill in the income and "
              "expenditure sheets." + (" The plan lists its schemes elsewhere: expenditure is as it states it "
                                       "by funding source until schemes are typed into the expenditure sheet."
                                       if stated else ""))
        header(ws, L.HEADER_ROW, [c.title for c in sheet.columns])
        income_sheet, spend_sheet = self.layout.sheet("income"), self.layout.sheet("expenditure")
        income = _quoted(income_sheet.title)
        spend = _quoted(spend_sheet.title)
        first, last = self.expenditure_first, self.expenditure_last
        sources = f"{spend}!{_span(spend_sheet.index('funding_source'), first, last, absolute=True)}"
        for row, stream in enumerate(self.streams, L.FIRST_ROW):
            put(ws, row, 1, stream["name"])
            for number, column in enumerate(sheet.columns, 1):
                if column.field == "income":
                    cell = f"{income}!{get_column_letter(income_sheet.index('amounts', column.key))}" \
                           f"{self.income_rows[stream['id']]}"
                    # A stream the plan leaves unstated shows as such, not as £0 income with a £0 difference.
                    formula(ws, row, number, f'=IF(ISNUMBER({cell}),{cell},"not stated")')
                elif column.field == "expenditure":
                    amounts = f"{spend}!{_span(spend_sheet.index('expenditure', column.key), first, last, True)}"
                    summed = f"SUMIFS({amounts},{sources},$A{row})"
                    stated = self.stated_spend(stream["id"], column.key)
                    # A plan whose schemes are elsewhere states its spend by source: that figure stands
                    # until schemes from the source are typed into the expenditure sheet.
                    formula(ws, row, number, f"={summed}" if stated is None
                            else f"=IF(COUNTIF({sources},$A{row})>0,{summed},{stated})")
                elif column.field == "difference":
                    here = f"{get_column_letter(sheet.index('income', column.key))}{row}"
                    spent = f"{get_column_letter(sheet.index('expenditure', column.key))}{row}"
                    formula(ws, row, number, f'=IF(ISNUMBER({here}),{here}-{spent},"")')
        total = L.FIRST_ROW + len(self.streams)
        if any("funding_source" not in s for s in self.scheme_list):
            # Spend from a source the document names outside the streams (funding_source_as_stated) is in
            # no stream's row; without this row the summary's total would fall short of the schemes' total.
            put(ws, total, 1, L.OTHER_SOURCES)
            for year, number in sheet.keyed("expenditure"):
                spend_total = f"{spend}!{get_column_letter(spend_sheet.index('expenditure', year))}{last + 1}"
                formula(ws, total, number, f"={spend_total}-SUM({_span(number, L.FIRST_ROW, total - 1)})")
            total += 1
        styled(put(ws, total, 1, L.TOTAL), font=BOLD)
        for number in range(2, len(sheet.columns) + 1):
            styled(formula(ws, total, number, f"=SUM({_span(number, L.FIRST_ROW, total - 1)})"), font=BOLD)
        self.widths(ws, sheet.columns)

    def metric_columns(self, sheet: L.Sheet) -> list[L.Column]:
        """The sheet's columns, with a column before the goal periods for each earlier period the plan gives
        (a baseline year, say)."""
        declared = {c.key for c in sheet.columns if c.field == "periods"}
        values = list((self.plan.get("metrics") or {}).values()) + list(self.plan.get("local_metrics") or [])
        extra = sorted({p for v in values if isinstance(v, dict) for key in ("baseline", "goals")
                        for p in (v.get(key) or {}) if p not in declared})
        columns: list[L.Column] = []
        for column in sheet.columns:
            if column.field == "periods" and not any(c.field == "periods" for c in columns):
                columns += [L.Column("periods", L.period_heading(p), p) for p in extra]
            columns.append(column)
        return columns

    def sheet_metrics(self, ws: Worksheet, sheet: L.Sheet) -> None:
        title(ws, "Metrics: baselines and goals", "Type each goal in the yellow cells of the metric's periods; "
              "grey cells are periods the metric sets no goal for.")
        columns = self.metric_columns(sheet)
        header(ws, L.HEADER_ROW, [c.title for c in columns])
        metrics = self.plan.get("metrics") or {}
        entries = [(metric["name"], metric["definition"], metric["unit"], metrics.get(metric["id"]) or {},
                    set(L.metric_periods(self.fw, metric))) for metric in self.fw.items("metrics")]
        entries += [(f"{m['name']}{L.LOCAL}", "", m.get("unit", ""), m, None) for m in self.plan.get("local_metrics") or []]
        row = L.FIRST_ROW
        for name, definition, unit, value, periods in entries:
            for measure in ("baseline", "goals"):
                given = value.get(measure) or {}
                notes = ""
                if measure == "baseline" and "not_stated" in value:
                    notes = f"{L.NOT_STATED}{value['not_stated']}"
                elif measure == "goals" and value.get("goals_not_stated"):
                    notes = f"{L.NOT_STATED}{value['goals_not_stated']}"
                for number, column in enumerate(columns, 1):
                    field = column.field
                    if field in ("metric", "definition", "unit", "measure"):
                        label = {"metric": name, "definition": definition, "unit": unit,
                                 "measure": L.MEASURE[measure]}[field]
                        styled(put(ws, row, number, label), alignment=WRAP)
                    elif field == "periods":
                        if periods is None or column.key in periods or column.key in given:
                            put_input(ws, row, number, given.get(column.key), FIGURE)
                        else:
                            styled(ws.cell(row, number), fill=UNUSED_FILL)
                    elif field in ("goal_as_stated", "rationale"):
                        if measure == "goals":
                            styled(put_input(ws, row, number, value.get(field) or None), alignment=WRAP)
                    elif field == "notes":
                        styled(put_input(ws, row, number, notes or None), alignment=WRAP)
                row += 1
        self.widths(ws, columns)

    def sheet_planning_requirements(self, ws: Worksheet, sheet: L.Sheet) -> None:
        title(ws, "Planning requirements and where the narrative answers them")
        header(ws, L.HEADER_ROW, [c.title for c in sheet.columns])
        narrative = self.plan.get("narrative") or {}
        outline = self.fw.outline_by_id
        row = L.FIRST_ROW - 1
        for row, entry in enumerate(self.fw.outline, L.FIRST_ROW):
            theme = entry
            while theme.parent:
                theme = outline[theme.parent]
            values = {"theme": theme.title if theme is not entry else "", "heading": entry.title,
                      "kind": f"{L.HEADING_KIND[entry.kind]}: {L.ANSWER[entry.answer].lower()}",
                      "where": self._where(narrative.get(entry.id), entry)}
            for number, column in enumerate(sheet.columns, 1):
                if column.field == "met":
                    put_input(ws, row, number)
                else:
                    styled(put(ws, row, number, values[column.field]), alignment=WRAP)
        if sheet.has("met"):
            self.drop_down(ws, "met", list(L.MET), _span(sheet.index("met"), L.FIRST_ROW, row), "Met or not met")
        self.widths(ws, sheet.columns)

    @staticmethod
    def _where(answer, entry) -> str:
        if isinstance(answer, dict) and answer.get("not_stated"):
            return f"Not stated: {answer['not_stated']}"
        if isinstance(answer, dict) and answer.get("not_applicable"):
            return f"Not applicable: {answer['not_applicable']}"
        if answer:
            title_text = answer.get("title") if isinstance(answer, dict) else None
            return f"Answered under '{title_text or entry.title}'"
        return "Not answered" if entry.answer == "required" else ""

    def sheet_national_conditions(self, ws: Worksheet, sheet: L.Sheet) -> None:
        title(ws, "National conditions", "Confirm each national condition and say where the narrative plan "
              "shows it is met.")
        header(ws, L.HEADER_ROW, [c.title for c in sheet.columns])
        row = L.FIRST_ROW - 1
        for row, condition in enumerate(sheet.rows, L.FIRST_ROW):
            for number, column in enumerate(sheet.columns, 1):
                if column.field == "condition":
                    styled(put(ws, row, number, condition), alignment=WRAP)
                else:
                    styled(put_input(ws, row, number), alignment=WRAP)
        if sheet.has("confirmation") and sheet.rows:
            self.drop_down(ws, "yes_no", list(L.YES_NO), _span(sheet.index("confirmation"), L.FIRST_ROW, row),
                           "Confirmation")
        self.widths(ws, sheet.columns)

    def sheet_capacity_demand(self, ws: Worksheet, sheet: L.Sheet) -> None:
        rows = self.plan.get("capacity_demand")
        note = (f"{L.NOT_STATED}{rows['not_stated']}" if isinstance(rows, dict) else
                "One row per service or pathway and kind (demand or capacity); figures by month.")
        title(ws, "Capacity and demand", note)
        rows = rows if isinstance(rows, list) else []
        declared = {c.key for c in sheet.columns if c.field == "months"}
        extra = sorted({m for r in rows for m in r["months"] if m not in declared})
        columns = list(sheet.columns) + [L.Column("months", L.month_heading(m), m) for m in extra]
        header(ws, L.HEADER_ROW, [c.title for c in columns])
        last = L.FIRST_ROW + len(rows) + max(L.BLANK_SERVICE_ROWS, len(rows)) - 1
        for row in range(L.FIRST_ROW, last + 1):
            entry = rows[row - L.FIRST_ROW] if row - L.FIRST_ROW < len(rows) else {}
            for number, column in enumerate(columns, 1):
                if column.field == "months":
                    put_input(ws, row, number, (entry.get("months") or {}).get(column.key), "#,##0.##")
                elif column.field == "kind":
                    put_input(ws, row, number, L.KIND.get(entry.get("kind")) if entry else None)
                else:
                    put_input(ws, row, number, entry.get(column.field) or None)
        for number, column in enumerate(columns, 1):
            if column.field == "kind":
                self.drop_down(ws, "kind", list(L.KIND.values()), _span(number, L.FIRST_ROW, last),
                               "Demand or capacity")
            elif column.field == "months":
                self.figures(ws, _span(number, L.FIRST_ROW, last))
        self.widths(ws, columns)


    def sheet_change_model(self, ws: Worksheet, sheet: L.Sheet) -> None:
        """The change-model self-assessment: a row per change of the framework, its levels from a list."""
        model = self.fw.change_model
        title(ws, model["name"], "One row per change: its current and planned maturity level, by when, and why.")
        header(ws, L.HEADER_ROW, [c.title for c in sheet.columns])
        given = {r["change"]: r for r in self.plan.get("change_model") or []}
        levels = {lv["id"]: lv["name"] for lv in model["levels"]}
        for row, change in enumerate(model["changes"], L.FIRST_ROW):
            entry = given.get(change["id"], {})
            for number, column in enumerate(sheet.columns, 1):
                value = entry.get(column.field)
                if column.field == "change":
                    put(ws, row, number, change["name"])
                elif column.field in ("current", "planned"):
                    put_input(ws, row, number, shown(value) if is_not_stated(value) else levels.get(value))
                elif column.field == "planned_by":
                    put_date(ws, row, number, value)
                else:
                    put_input(ws, row, number, value or None)
        last = L.FIRST_ROW + len(model["changes"]) - 1
        for number, column in enumerate(sheet.columns, 1):
            if column.field in ("current", "planned"):
                self.drop_down(ws, "levels", list(levels.values()), _span(number, L.FIRST_ROW, last),
                               "Maturity level")
        self.widths(ws, sheet.columns)


def render(plan: dict, fw: Framework, source: str = "") -> bytes:
    """The planning template of a validated plan as .xlsx bytes, the same bytes for the same plan."""
    return TemplateWriter(plan, fw, source).write()
