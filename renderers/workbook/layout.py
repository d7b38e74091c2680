"""The planning template's layout, defined once: the writer (renderers/excel.py) and the reader
(renderers/workbook/reader.py) both place and find every cell through it.

framework.yaml's `planning_template` declares the sheets, their titles and their columns, each
column a `field` bcfc knows how to write and read (SHEET_FIELDS below; framework.schema.json lists
the same fields, so a declared sheet or column bcfc has no writer for is an error when the framework
loads). A column whose title holds `{year}`, `{period}` or `{month}` is one column per financial
year, goal period or month of the framework.
"""
from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass

from bcf_schema.framework import Framework, Metric

# Every sheet bcfc writes and the fields of its columns. Fields marked input-only have no place in
# the plan format: the writer gives them input cells, the reader does not bring them back.
SHEET_FIELDS: dict[str, tuple[str, ...]] = {
    "cover": ("hwb", "ons_code", "nhs_partners", "period", "version", "status", "date",
              "completed_by", "email", "phone", "signed_off_by", "role"),
    "summary": ("source", "income", "expenditure", "difference"),
    "income": ("stream", "contributor", "amounts", "comments"),
    "expenditure": ("id", "name", "description", "type", "sub_type", "type_other", "outputs", "units",
                    "area_of_spend", "area_other", "commissioner", "percent_nhs", "percent_la", "provider",
                    "funding_source", "expenditure", "new"),
    "metrics": ("metric", "definition", "unit", "measure", "periods", "goal_as_stated", "rationale", "notes"),
    "planning_requirements": ("theme", "heading", "kind", "where", "met"),
    "national_conditions": ("condition", "confirmation", "where", "comments"),
    "capacity_demand": ("service", "kind", "source", "unit", "months"),
    "change_model": ("change", "current", "planned", "planned_by", "narrative"),
}
INPUT_ONLY = {"completed_by", "email", "phone", "signed_off_by", "role", "type_other", "outputs", "units",
              "area_other", "percent_nhs", "percent_la", "met", "confirmation"}
REQUIRED_SHEETS = ("cover", "income", "expenditure", "summary")

TITLE_ROW, NOTE_ROW, HEADER_ROW, FIRST_ROW = 1, 2, 3, 4  # every table sheet: title, a note line, header, data
BLANK_SCHEME_ROWS = 50   # blank input rows inside the expenditure sheet's summed range (or as many as the plan has)
BLANK_SERVICE_ROWS = 20  # blank rows for capacity and demand
NOT_STATED = "Not stated: "
TOTAL = "Total"
UNALLOCATED = "Not yet allocated to schemes: "  # the income sheet's label for income the plan leaves unallocated
STATED_TOTAL = "Total stated in the plan"
OTHER_SOURCES = "Other sources the document names (no funding stream)"  # summary row for funding_source_as_stated
AS_STATED = "Other: "  # a scheme's source outside the streams, in the document's words, in the source column
LOCAL = " (local)"  # a local metric's name in the metrics sheet
LISTS_SHEET = "Lists"  # hidden: the drop-down lists
COVER_HEADER = ("Item", "Entry", "Checklist")  # the cover: a labelled row per field, then the checklist
COMPLETE = "Template"  # the cover's row saying whether every item is filled
SIGN_OFF = "Sign-off"  # the cover's sign-off table, under this label
SIGN_OFF_COLUMNS = (("body", "Body"), ("organisation", "Organisation"), ("date", "Date"), ("decision", "Decision"))

# People's words for the plan format's own values (the framework's lists have names of their own).
STATUS = {"draft": "Draft", "submitted": "Submitted", "approved": "Approved"}
CONTRIBUTOR = {"nhs": "NHS", "local_authority": "Local authority"}
KIND = {"demand": "Demand", "capacity": "Capacity"}
NEW = {True: "New", False: "Existing"}
MEASURE = {"baseline": "Baseline", "goals": "Goal"}
YES_NO = ("Yes", "No")
MET = ("Met", "Not met")
ANSWER = {"required": "Answer required", "optional": "Answer optional", "none": "Heading only"}
HEADING_KIND = {"national_condition": "National condition", "planning_requirement": "Planning requirement",
                "kloe": "Key line of enquiry", "section": "Section", "prompt": "Prompt", "part": "Part"}
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


class LayoutError(ValueError):
    """A framework's planning_template that bcfc cannot lay out (a field with no writer)."""


@dataclass(frozen=True)
class Column:
    field: str
    title: str
    key: str | None = None  # the financial year, goal period or month of an expanded column

    @property
    def input_only(self) -> bool:
        return self.field in INPUT_ONLY


@dataclass(frozen=True)
class Sheet:
    id: str
    title: str  # as on the tab: at most 31 characters
    columns: tuple[Column, ...]
    rows: tuple[str, ...] = ()

    def index(self, field: str, key: str | None = None) -> int:
        """The 1-based column of a field (of one year, period or month)."""
        for number, column in enumerate(self.columns, 1):
            if column.field == field and (key is None or column.key == key):
                return number
        raise KeyError(f"{self.id} has no column {field} {key or ''}".strip())

    def has(self, field: str) -> bool:
        return any(c.field == field for c in self.columns)

    def keyed(self, field: str) -> list[tuple[str, int]]:
        """(year, period or month, column) of an expanded field."""
        return [(c.key, n) for n, c in enumerate(self.columns, 1) if c.field == field]


@dataclass(frozen=True)
class Layout:
    title: str
    sheets: tuple[Sheet, ...]

    def sheet(self, sheet_id: str) -> Sheet | None:
        return next((s for s in self.sheets if s.id == sheet_id), None)


# -- periods and months --------------------------------------------------------------------------

def goal_periods(fw: Framework) -> list[str]:
    """Every period a national metric's goals are set for: years, quarters and months of each financial year."""
    kinds = {m.goal_periods for m in fw.metrics}
    periods = []
    for year in fw.financial_years:
        if "annual" in kinds:
            periods.append(year)
        if "quarterly" in kinds:
            periods += [f"{year} Q{q}" for q in range(1, 5)]
        if "monthly" in kinds:
            periods += [f"{year} M{m:02d}" for m in range(1, 13)]
    return periods


def metric_periods(fw: Framework, metric: Metric | dict) -> list[str]:
    """The periods of one national metric's goals."""
    kind = metric["goal_periods"]
    return [p for p in goal_periods(fw) if (kind == "annual" and " " not in p) or (kind == "quarterly" and " Q" in p)
            or (kind == "monthly" and " M" in p)]


def months(fw: Framework) -> list[str]:
    """The calendar months (YYYY-MM) of the framework's financial years, April to March."""
    result = []
    for year in fw.financial_years:
        start = int(year[:4])
        result += [f"{start}-{m:02d}" for m in range(4, 13)] + [f"{start + 1}-{m:02d}" for m in range(1, 4)]
    return result


def period_heading(label: str) -> str:
    """A goal period in words: '2025-26 M01' -> 'Apr 2025'; years and quarters as written ('2023-24 Q1')."""
    if " M" in label:
        year, month = label.split(" M")
        number = (int(month) + 2) % 12 + 1
        return f"{MONTHS[number - 1]} {int(year[:4]) + (number < 4)}"
    return label


def month_heading(month: str) -> str:
    """'2023-04' -> 'Apr 2023'."""
    return f"{MONTHS[int(month[5:]) - 1]} {month[:4]}"


def heading_month(text: str) -> str | None:
    parts = text.split()
    if len(parts) == 2 and parts[0] in MONTHS and parts[1].isdigit() and len(parts[1]) == 4:
        return f"{parts[1]}-{MONTHS.index(parts[0]) + 1:02d}"
    return None


def heading_period(text: str) -> str | None:
    """The goal period of a metrics heading ('Apr 2025' -> '2025-26 M01'), or None."""
    month = heading_month(text)
    if month:
        year, number = int(month[:4]), int(month[5:])
        start = year if number >= 4 else year - 1
        return f"{start}-{(start + 1) % 100:02d} M{(number - 4) % 12 + 1:02d}"

    return text if re.fullmatch(r"[0-9]{4}-[0-9]{2}( Q[1-4])?", text) else None


def as_date(value) -> dt.date | None:
    """A plan's date (2023-06-22) or month (2023-06) as a date; a month is its first day."""
    text = str(value or "")
    try:
        return dt.date.fromisoformat(text if len(text) == 10 else f"{text}-01")
    except ValueError:
        return None


# -- the layout of a framework --------------------------------------------------------------------

def _expand(fw: Framework, sheet_id: str, field: str, title: str) -> list[Column]:
    if "{year}" in title:
        return [Column(field, title.replace("{year}", y), y) for y in fw.financial_years]
    if "{period}" in title:
        return [Column(field, title.replace("{period}", period_heading(p)), p) for p in goal_periods(fw)]
    if "{month}" in title:
        return [Column(field, title.replace("{month}", month_heading(m)), m) for m in months(fw)]
    return [Column(field, title)]


@functools.cache
def layout(fw: Framework) -> Layout:
    """The framework's planning template: every declared sheet and column, or LayoutError naming the one
    bcfc has no writer for (framework.schema.json already refuses those when the framework loads)."""
    declared = fw.data.get("planning_template") or {}
    sheets = []
    for entry in declared.get("sheets") or []:
        fields = SHEET_FIELDS.get(entry["id"])
        if fields is None:
            raise LayoutError(f"{fw.period}: planning_template sheet '{entry['id']}' has no writer")
        columns: list[Column] = []
        for column in entry.get("columns") or []:
            if column["field"] not in fields:
                raise LayoutError(f"{fw.period}: sheet '{entry['id']}' column '{column['field']}' has no writer")
            columns += _expand(fw, entry["id"], column["field"], column["title"])
        sheets.append(Sheet(entry["id"], entry["title"][:31], tuple(columns), tuple(entry.get("rows") or ())))
    missing = [s for s in REQUIRED_SHEETS if s not in {sheet.id for sheet in sheets}]
    if missing:
        raise LayoutError(f"{fw.period}: planning_template has no {', '.join(missing)} sheet")
    return Layout(declared.get("title") or f"{fw.title} planning template", tuple(sheets))
