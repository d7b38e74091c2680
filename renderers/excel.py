"""The planning template as an xlsx workbook (openpyxl).

The sheets, their order and titles come from framework.yaml's
planning_template; the national templates themselves are not public, so this
is a faithful approximation of them. Totals and differences are formulas so an
edit in Excel recomputes; every value that came from plan text is written as
text, never as a formula.
"""
from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from bcf_schema.framework import Framework

from . import document as d
from .deterministic import document_time, normalise_zip

POUNDS = '"£"#,##0;[Red]-"£"#,##0'
UNALLOCATED = "Not yet allocated to schemes: "  # the income sheet's label for income the plan leaves unallocated
OTHER_SOURCES = "Other sources the document names (no funding stream)"  # the summary's row for funding_source_as_stated
HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
HEADER_FONT = Font(bold=True, color="FFFFFF")
TITLE_FONT = Font(bold=True, size=14)
BOLD = Font(bold=True)
DEFAULT_SHEETS = [
    {"id": "cover", "title": "Cover"},
    {"id": "income", "title": "Income"},
    {"id": "expenditure", "title": "Expenditure"},
    {"id": "summary", "title": "Summary"},
    {"id": "metrics", "title": "Metrics"},
    {"id": "planning_requirements", "title": "Planning Requirements"},
    {"id": "capacity_demand", "title": "Capacity and Demand"},
]


def put(ws: Worksheet, row: int, column: int, value, number_format: str | None = None):
    """Write a value; text is always text (a plan's '=HYPERLINK(...)' must never become a formula)."""
    cell = ws.cell(row=row, column=column)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
    if number_format:
        cell.number_format = number_format
    return cell


def formula(ws: Worksheet, row: int, column: int, expression: str, number_format: str | None = POUNDS):
    """A formula bcfc wrote itself (totals, differences): the only way a formula gets into a cell."""
    cell = ws.cell(row=row, column=column)
    cell.value = expression
    cell.number_format = number_format
    return cell


def header(ws: Worksheet, row: int, titles: list[str]) -> None:
    for column, title in enumerate(titles, 1):
        cell = put(ws, row, column, title)
        cell.fill, cell.font = HEADER_FILL, HEADER_FONT
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = ws.cell(row=row + 1, column=1)


def widths(ws: Worksheet, sizes: list[int]) -> None:
    for column, size in enumerate(sizes, 1):
        ws.column_dimensions[get_column_letter(column)].width = size


def title(ws: Worksheet, text: str) -> None:
    put(ws, 1, 1, text).font = TITLE_FONT


def _quoted(sheet_title: str) -> str:
    return "'" + sheet_title.replace("'", "''") + "'"


class TemplateWriter:
    def __init__(self, plan: dict, fw: Framework, source: str = ""):
        self.plan, self.fw, self.source = plan, fw, source
        self.years = fw.financial_years
        self.streams = fw.items("funding_streams")
        layout = fw.data.get("planning_template") or {}
        self.sheets = layout.get("sheets") or DEFAULT_SHEETS
        self.titles = {sheet["id"]: sheet["title"] for sheet in self.sheets}
        self.workbook = Workbook()
        self.workbook.remove(self.workbook.active)
        # Cross-sheet formulas need these rows whatever order the framework lists the sheets in.
        self.income_rows = {stream["id"]: 4 + index for index, stream in enumerate(self.streams)}
        schemes = plan.get("schemes")
        self.scheme_list = schemes if isinstance(schemes, list) else []
        self.expenditure_first = 5 if isinstance(schemes, dict) else 4  # a not-stated note takes row 4
        self.expenditure_last = self.expenditure_first + max(len(self.scheme_list), 1) - 1

    def write(self) -> bytes:
        props = self.workbook.properties  # from the plan, as the narrative's: the same every build
        when = document_time(d.plan_date(self.plan))
        props.creator = props.lastModifiedBy = d.hwb_names(self.plan)
        props.created = props.modified = when
        props.title = d.plan_title(self.plan, self.fw)
        props.subject = self.fw.title
        props.language = "en-GB"
        for sheet in self.sheets:
            builder = getattr(self, f"sheet_{sheet['id']}", None)
            if builder is not None:
                builder(self.workbook.create_sheet(sheet["title"][:31]))
        buffer = io.BytesIO()
        self.workbook.save(buffer)
        return normalise_zip(buffer.getvalue(), when)

    # -- sheets ------------------------------------------------------------------------

    def sheet_cover(self, ws: Worksheet) -> None:
        plan, fw = self.plan, self.fw
        title(ws, (fw.data.get("planning_template") or {}).get("title", f"{fw.title} planning template"))
        partners = {"icbs": "ICB(s)", "ccgs": "CCG(s)"}[fw.nhs_partners]
        rows = [
            ("Health and Wellbeing Board", "; ".join(h["name"] for h in plan["hwbs"])),
            ("ONS code", "; ".join(h["code"] for h in plan["hwbs"])),
            (partners, "; ".join(plan.get(fw.nhs_partners) or [])),
            ("Planning period", fw.period),
            ("Version", plan.get("version", "")),
            ("Status", plan.get("status", "")),
            ("Date", plan.get("date", "")),
        ]
        for index, (label, value) in enumerate(rows, 3):
            put(ws, index, 1, label).font = BOLD
            put(ws, index, 2, value)
        row = len(rows) + 4
        if plan.get("sign_off"):
            put(ws, row, 1, "Sign-off").font = BOLD
            header(ws, row + 1, ["Body", "Organisation", "Date", "Decision"])
            ws.freeze_panes = None
            for offset, entry in enumerate(plan["sign_off"], row + 2):
                for column, key in enumerate(("body", "organisation", "date", "decision"), 1):
                    put(ws, offset, column, entry.get(key, ""))
            row = offset + 2
        put(ws, row, 1, "Generated by bcfc from the plan's YAML source" + (f" ({self.source})" if self.source else ""))
        widths(ws, [34, 60, 14, 30])

    def sheet_income(self, ws: Worksheet) -> None:
        title(ws, "Income by funding stream (£)")
        header(ws, 3, ["Funding stream", "Contributor"] + self.years)
        streams = (self.plan.get("funding") or {}).get("streams") or {}
        row = 4
        for stream in self.streams:
            value = streams.get(stream["id"])
            put(ws, row, 1, stream["name"])
            put(ws, row, 2, stream.get("contributor", "").replace("_", " "))
            for column, year in enumerate(self.years, 3):
                if isinstance(value, dict) and "not_stated" in value:
                    put(ws, row, column, f"Not stated: {value['not_stated']}" if column == 3 else "")
                else:
                    put(ws, row, column, (value or {}).get(year), POUNDS)
            row += 1
        put(ws, row, 1, "Total").font = BOLD
        for column in range(3, 3 + len(self.years)):
            letter = get_column_letter(column)
            formula(ws, row, column, f"=SUM({letter}4:{letter}{row - 1})").font = BOLD
        stated = (self.plan.get("funding") or {}).get("stated_total")
        if stated:
            row += 1
            put(ws, row, 1, "Total stated in the plan")
            for column, year in enumerate(self.years, 3):
                put(ws, row, column, stated.get(year), POUNDS)
        names = {stream["id"]: stream["name"] for stream in self.streams}
        for stream, amounts in ((self.plan.get("funding") or {}).get("unallocated") or {}).items():
            row += 1
            put(ws, row, 1, f"{UNALLOCATED}{names[stream]}")
            for column, year in enumerate(self.years, 3):
                put(ws, row, column, amounts.get(year), POUNDS)
        widths(ws, [44, 16] + [16] * len(self.years))

    EXPENDITURE_COLUMNS = [("id", "Scheme ID", 12), ("name", "Scheme name", 40), ("type", "Scheme type", 30),
                           ("funding_source", "Source of funding", 30), ("area_of_spend", "Area of spend", 18),
                           ("commissioner", "Commissioner", 16), ("provider", "Provider", 30),
                           ("description", "Description", 50)]

    def sheet_expenditure(self, ws: Worksheet) -> None:
        title(ws, "Expenditure by scheme (£)")
        columns = self.EXPENDITURE_COLUMNS
        header(ws, 3, [c[1] for c in columns] + self.years)
        schemes = self.plan.get("schemes")
        names = {"type": self.fw.names("scheme_types"), "funding_source": self.fw.names("funding_streams"),
                 "area_of_spend": self.fw.names("areas_of_spend"), "commissioner": self.fw.names("commissioner_kinds")}
        if isinstance(schemes, dict):
            put(ws, 4, 1, f"Not stated: {schemes['not_stated']}")
        row = self.expenditure_first
        for scheme in self.scheme_list:
            for column, (key, _, _) in enumerate(columns, 1):
                if key == "funding_source":  # matched by name in the summary's SUMIFS; a source in words matches none
                    put(ws, row, column, d.funding_source_text(scheme, names[key]))
                    continue
                value = scheme.get(key, "")
                put(ws, row, column, names.get(key, {}).get(value, str(value)))
            for column, year in enumerate(self.years, len(columns) + 1):
                put(ws, row, column, (scheme.get("expenditure") or {}).get(year), POUNDS)
            row += 1
        total = self.expenditure_last + 1
        put(ws, total, 2, "Total").font = BOLD
        for column in range(len(columns) + 1, len(columns) + 1 + len(self.years)):
            letter = get_column_letter(column)
            formula(ws, total, column,
                    f"=SUM({letter}{self.expenditure_first}:{letter}{self.expenditure_last})").font = BOLD
        widths(ws, [c[2] for c in columns] + [16] * len(self.years))

    def sheet_summary(self, ws: Worksheet) -> None:
        """Income against expenditure by funding source: all formulas over the other two sheets."""
        title(ws, "Income and expenditure by funding source (£)")
        titles = ["Funding source"]
        for year in self.years:
            titles += [f"Income {year}", f"Expenditure {year}", f"Difference {year}"]
        header(ws, 3, titles)
        income = _quoted(self.titles.get("income", "Income"))
        spend = _quoted(self.titles.get("expenditure", "Expenditure"))
        source_column = get_column_letter(1 + [c[0] for c in self.EXPENDITURE_COLUMNS].index("funding_source"))
        first, last = self.expenditure_first, self.expenditure_last
        for row, stream in enumerate(self.streams, 4):
            put(ws, row, 1, stream["name"])
            for index, year in enumerate(self.years):
                base = 2 + 3 * index
                income_cell = f"{income}!{get_column_letter(3 + index)}{self.income_rows[stream['id']]}"
                spend_column = get_column_letter(len(self.EXPENDITURE_COLUMNS) + 1 + index)
                # A stream the plan leaves unstated shows as such, not as £0 income with a £0 difference.
                formula(ws, row, base, f'=IF(ISNUMBER({income_cell}),{income_cell},"not stated")')
                formula(ws, row, base + 1, f"=SUMIFS({spend}!{spend_column}{first}:{spend_column}{last},"
                                           f"{spend}!{source_column}{first}:{source_column}{last},A{row})")
                income_here = f"{get_column_letter(base)}{row}"
                formula(ws, row, base + 2,
                        f'=IF(ISNUMBER({income_here}),{income_here}-{get_column_letter(base + 1)}{row},"")')
        total = 4 + len(self.streams)
        if any("funding_source" not in s for s in self.scheme_list):
            # Spend from a source the document names outside the streams (funding_source_as_stated) is in
            # no stream's row; without this row the summary's total would fall short of the schemes' total.
            put(ws, total, 1, OTHER_SOURCES)
            for index, year in enumerate(self.years):
                spend_column = get_column_letter(len(self.EXPENDITURE_COLUMNS) + 1 + index)
                streams_spend = get_column_letter(3 + 3 * index)
                formula(ws, total, 3 + 3 * index, f"={spend}!{spend_column}{last + 1}"
                                                  f"-SUM({streams_spend}4:{streams_spend}{total - 1})")
            total += 1
        put(ws, total, 1, "Total").font = BOLD
        for column in range(2, 2 + 3 * len(self.years)):
            letter = get_column_letter(column)
            formula(ws, total, column, f"=SUM({letter}4:{letter}{total - 1})").font = BOLD
        widths(ws, [44] + [16] * 3 * len(self.years))

    def sheet_metrics(self, ws: Worksheet) -> None:
        title(ws, "Metrics: baselines and goals")
        metrics = self.plan.get("metrics") or {}
        entries = []
        for metric in self.fw.items("metrics"):
            value = metrics.get(metric["id"]) or {}
            entries.append((metric["id"], metric["name"], metric["unit"], value))
        for local in self.plan.get("local_metrics") or []:
            entries.append((local["id"], f"{local['name']} (local)", local.get("unit", ""), local))
        periods = sorted({p for *_, v in entries for key in ("baseline", "goals") for p in (v.get(key) or {})})
        header(ws, 3, ["Metric ID", "Metric", "Unit", "Measure"] + periods + ["Goal in words", "Rationale"])
        row = 4
        for metric_id, name, unit, value in entries:
            for measure in ("baseline", "goals"):
                put(ws, row, 1, metric_id)
                put(ws, row, 2, name)
                put(ws, row, 3, unit)
                put(ws, row, 4, "Baseline" if measure == "baseline" else "Goal")
                if "not_stated" in value:
                    put(ws, row, 5, f"Not stated: {value['not_stated']}")
                for column, period in enumerate(periods, 5):
                    if period in (value.get(measure) or {}):
                        put(ws, row, column, value[measure][period], "#,##0.0##")
                if measure == "goals":
                    words = value.get("goal_as_stated") or (
                        f"Not stated: {value['goals_not_stated']}" if value.get("goals_not_stated") else "")
                    put(ws, row, 5 + len(periods), words)
                    put(ws, row, 6 + len(periods), value.get("rationale", ""))
                row += 1
        widths(ws, [22, 44, 24, 10] + [12] * len(periods) + [40, 60])

    def sheet_planning_requirements(self, ws: Worksheet) -> None:
        title(ws, "Planning requirements and where the narrative answers them")
        header(ws, 3, ["ID", "Heading", "Kind", "Answer", "Where the narrative answers it"])
        narrative = self.plan.get("narrative") or {}
        for row, entry in enumerate(self.fw.outline, 4):
            answer = narrative.get(entry.id)
            if isinstance(answer, dict) and answer.get("not_stated"):
                where = f"Not stated: {answer['not_stated']}"
            elif isinstance(answer, dict) and answer.get("not_applicable"):
                where = f"Not applicable: {answer['not_applicable']}"
            elif answer:
                title_text = answer.get("title") if isinstance(answer, dict) else None
                where = f"Answered under '{title_text or entry.title}'"
            else:
                where = "Not answered" if entry.answer == "required" else ""
            for column, value in enumerate((entry.id, entry.title, entry.kind.replace("_", " "), entry.answer, where), 1):
                put(ws, row, column, value).alignment = Alignment(wrap_text=True, vertical="top")
        widths(ws, [26, 70, 20, 10, 50])

    def sheet_capacity_demand(self, ws: Worksheet) -> None:
        title(ws, "Capacity and demand")
        rows = self.plan.get("capacity_demand")
        if isinstance(rows, dict):
            put(ws, 3, 1, f"Not stated: {rows['not_stated']}")
            return
        rows = rows or []
        months = sorted({m for r in rows for m in r["months"]})
        header(ws, 3, ["Service", "Demand or capacity", "Source", "Unit"] + months)
        for row, entry in enumerate(rows, 4):
            for column, key in enumerate(("service", "kind", "source", "unit"), 1):
                put(ws, row, column, entry.get(key, ""))
            for column, month in enumerate(months, 5):
                put(ws, row, column, entry["months"].get(month))
        widths(ws, [36, 18, 30, 14] + [10] * len(months))

    def sheet_dfg(self, ws: Worksheet) -> None:
        title(ws, "Disabled Facilities Grant (£)")
        dfg = self.plan.get("dfg") or {}
        header(ws, 3, ["District council"] + self.years)
        row = 4
        for district in dfg.get("districts") or []:
            put(ws, row, 1, district["name"])
            for column, year in enumerate(self.years, 2):
                put(ws, row, column, district["allocation"].get(year), POUNDS)
            row += 1
        if dfg.get("districts"):
            put(ws, row, 1, "Total of district shares").font = BOLD
            for column in range(2, 2 + len(self.years)):
                letter = get_column_letter(column)
                formula(ws, row, column, f"=SUM({letter}4:{letter}{row - 1})").font = BOLD
            row += 1
        if dfg.get("allocation"):
            put(ws, row, 1, "DFG allocation stated in the plan")
            for column, year in enumerate(self.years, 2):
                put(ws, row, column, dfg["allocation"].get(year), POUNDS)
        widths(ws, [40] + [16] * len(self.years))


def render(plan: dict, fw: Framework, source: str = "") -> bytes:
    """The planning template of a validated plan as .xlsx bytes, the same bytes for the same plan."""
    return TemplateWriter(plan, fw, source).write()
