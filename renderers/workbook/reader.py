"""A planning template (.xlsx) back into plan data: the reader of the layout the writer lays out.

Every cell is found through layout.py, as the writer placed it. What comes back is data only: text
cells as text, amounts as whole pounds, drop-down values as the framework's ids, dates as ISO dates.
What a finance officer may have got wrong is a problem naming the sheet and cell (an amount typed
as text, a value not in a drop-down list, a formula typed into an input cell, a row below a total);
nothing is imported while there is one. The narrative is not in the template.
"""
from __future__ import annotations

import datetime as dt
import io
import os
import re
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree.ElementTree import ParseError

import openpyxl
from defusedxml import DefusedXmlException
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from bcf_schema.framework import Framework, FrameworkError, available_periods, load_framework
from bcf_schema.stated import is_not_stated, read_shown

from . import layout as L

SECTIONS = ("cover", "income", "expenditure", "metrics", "capacity_demand")  # what the workbook carries


class TemplateError(ValueError):
    """The workbook is not a planning template bcfc can read (no cover, unknown period ...)."""


@dataclass(frozen=True)
class Problem:
    cell: str  # 'sheet'!A1
    message: str
    hint: str = ""

    def __str__(self) -> str:
        return f"{self.cell}: {self.message}" + (f"\n    hint: {self.hint}" if self.hint else "")


@dataclass
class Imported:
    plan: dict
    fw: Framework
    notes: list[str] = field(default_factory=list)  # what the plan format has no place for
    problems: list[Problem] = field(default_factory=list)
    sheets: set[str] = field(default_factory=set)  # the sheet ids the workbook had


# A template bcfc writes is ~15 KB and unzips to ~100 KB; the national templates are a few MB.
# Checked before anything is unzipped, so a zip bomb or a sheet of millions of cells is refused at once.
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_ENTRIES = 1_000
MAX_UNZIPPED_BYTES = 16 * 1024 * 1024
_DECLARATION = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)


def open_workbook(source: str | Path | bytes) -> Workbook:
    """The one place a workbook is opened: bounded first, then parsed by openpyxl (with defusedxml) with
    formulas kept as formulas, never their cached values."""
    data = _bounded_bytes(source)
    try:
        return openpyxl.load_workbook(io.BytesIO(data), data_only=False)
    except (DefusedXmlException, ParseError, OSError, ValueError, KeyError, TypeError, AttributeError,
            zipfile.BadZipFile, openpyxl.utils.exceptions.InvalidFileException) as err:
        refused = _refused_xml(err)  # defusedxml refuses DTDs, entities and external references
        if refused is not None:
            raise TemplateError(f"the workbook's XML is refused ({type(refused).__name__}: {refused}): is this a "
                                "planning template bcfc or Excel wrote?") from err
        raise TemplateError(f"cannot read the workbook: {err}") from err


def _bounded_bytes(source: str | Path | bytes) -> bytes:
    """The workbook's bytes, refused (TemplateError) if it is not a regular file, too large, or unzips to
    too much, all before anything is decompressed."""
    if isinstance(source, bytes):
        data = source
    else:
        try:
            # O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused below.
            with os.fdopen(os.open(source, os.O_RDONLY | os.O_NONBLOCK), "rb") as handle:
                info = os.fstat(handle.fileno())
                if not stat.S_ISREG(info.st_mode):
                    raise TemplateError("not a regular file (a device, a pipe ...): give an .xlsx file")
                if info.st_size > MAX_FILE_BYTES:
                    raise TemplateError(f"the file is {info.st_size:,} bytes; a planning template may be at most "
                                        f"{MAX_FILE_BYTES:,} bytes")
                data = handle.read(MAX_FILE_BYTES + 1)
        except OSError as err:
            raise TemplateError(f"cannot read the file: {err.strerror}") from err
    if len(data) > MAX_FILE_BYTES:
        raise TemplateError(f"the file is over {MAX_FILE_BYTES:,} bytes; a planning template may be at most that")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError) as err:
        raise TemplateError(f"not an .xlsx workbook (an .xlsx file is a zip archive: {err})") from err
    if len(entries) > MAX_ENTRIES:
        raise TemplateError(f"the workbook holds {len(entries):,} parts; a planning template has at most {MAX_ENTRIES:,}")
    unzipped = sum(entry.file_size for entry in entries)  # zipfile never inflates an entry past its stated size
    if unzipped > MAX_UNZIPPED_BYTES:
        raise TemplateError(f"the workbook unzips to {unzipped:,} bytes; a planning template unzips to at most "
                            f"{MAX_UNZIPPED_BYTES:,} (a zip bomb, or a sheet of millions of cells?)")
    for entry in entries:  # no part of a workbook Excel or bcfc writes declares a document type
        try:
            part = archive.read(entry)
        except (zipfile.BadZipFile, ValueError, NotImplementedError, OSError) as err:
            raise TemplateError(f"the part {entry.filename} cannot be unzipped: {err}") from err
        if _DECLARATION.search(part) or _DECLARATION.search(part.replace(b"\0", b"")):  # UTF-8, or UTF-16
            raise TemplateError(f"the part {entry.filename} declares a document type or entities (<!DOCTYPE, "
                                "<!ENTITY), which no planning template has; refused, as XML entities can expand "
                                "without end or read other files")
    return data


def _refused_xml(err: BaseException) -> BaseException | None:
    """The defusedxml refusal behind an openpyxl error, if that is what it is."""
    while err is not None:
        if isinstance(err, (DefusedXmlException, ParseError)):
            return err
        err = err.__cause__ or err.__context__
    return None


# -- cells ---------------------------------------------------------------------------------------

def where(cell) -> str:
    title = cell.parent.title
    quoted = title if re.fullmatch(r"[A-Za-z0-9_]+", title) else "'" + title.replace("'", "''") + "'"
    return f"{quoted}!{cell.coordinate}"


def _is_formula(cell) -> bool:
    return cell.data_type == "f" or (isinstance(cell.value, str) and cell.data_type != "s"
                                     and cell.value.startswith("="))


def _text(cell) -> str | None:
    """A cell holding plan text, as text (empty and formulas give None)."""
    if cell is None or _is_formula(cell) or cell.value is None:
        return None
    value = cell.value
    if isinstance(value, str):
        return value if value.strip() != "" else None
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _amount_hint(text: str) -> str:
    digits = re.sub(r"[£,\s]", "", text)
    scale = {"m": 1_000_000, "k": 1_000, "bn": 1_000_000_000}
    match = re.fullmatch(r"([0-9]+(?:\.[0-9]+)?)(m|k|bn)?", digits.lower())
    if match:
        value = float(match.group(1)) * scale.get(match.group(2) or "", 1)
        if value.is_integer():
            return f"type the amount as a number of whole pounds, without £, commas or 'm': {int(value)}"
    return "type the amount as a number of whole pounds, without £, commas or 'm': 17500000"


class Cells:
    """Reading cells into a result, recording each problem at its cell."""

    def __init__(self, result: Imported):
        self.result = result

    def problem(self, cell, message: str, hint: str = "") -> None:
        self.result.problems.append(Problem(where(cell), message, hint))

    def text(self, cell) -> str | None:
        if _is_formula(cell):
            self.problem(cell, f"holds a formula ({cell.value}); the plan takes text here, formulas are not imported",
                         "type the text itself")
            return None
        return _text(cell)

    def number(self, cell, what: str = "a number") -> int | float | None:
        value = cell.value
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if _is_formula(cell):
            self.problem(cell, f"holds a formula ({value}); formulas are never imported as values",
                         "type the figure itself")
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.problem(cell, f"holds the text {str(value)!r}, not {what}", "type a number")
            return None
        return int(value) if isinstance(value, float) and value.is_integer() else value

    def money(self, cell) -> int | None:
        value = cell.value
        if isinstance(value, str) and value.strip() and not _is_formula(cell):
            self.problem(cell, f"the amount {value!r} is text, not a number of pounds", _amount_hint(value))
            return None
        value = self.number(cell, "an amount")
        if value is None:
            return None
        if isinstance(value, float):
            self.problem(cell, f"{value} is not whole pounds", f"type {round(value)} (the plan holds whole pounds)")
            return None
        if value < 0:
            self.problem(cell, f"{value} is below £0", "type an amount of 0 or more")
            return None
        return value

    def choice(self, cell, choices: dict[str, object], what: str):
        """A drop-down cell: the id (or value) of the name chosen; a name not in the list is a problem."""
        text = self.text(cell)
        if text is None:
            return None
        if text in choices:
            return choices[text]
        listed = ", ".join(f"'{c}'" for c in list(choices)[:8]) + (" ..." if len(choices) > 8 else "")
        self.problem(cell, f"'{text}' is not one of the {what} in the drop-down list", f"choose one of {listed}")
        return None

    def date(self, cell) -> str | None:
        """A date cell as an ISO date, or YYYY-MM where the cell shows a month."""
        value = cell.value
        if isinstance(value, dt.datetime):
            value = value.date()
        if isinstance(value, dt.date):
            return value.isoformat() if "d" in (cell.number_format or "").lower() else value.isoformat()[:7]
        text = self.text(cell)
        if text and L.as_date(text) is None:
            self.problem(cell, f"'{text}' is not a date", "type a date such as 22/06/2023")
            return None
        return text


# -- finding the sheets ---------------------------------------------------------------------------

def _period_of(workbook: Workbook) -> str:
    titles = set()
    for period in available_periods():
        cover = L.layout(load_framework(period)).sheet("cover")
        titles |= {c.title for c in cover.columns if c.field == "period"}
    for ws in workbook.worksheets:
        for row in range(1, min(ws.max_row, 40) + 1):
            if _text(ws.cell(row=row, column=1)) in titles:
                period = _text(ws.cell(row=row, column=2))
                if period:
                    return period
    raise TemplateError("no cover sheet with a 'Planning period' row: is this a planning template "
                        "written by `bcfc render excel`?")


def read(source: str | Path | bytes) -> Imported:
    """The plan data in a planning template, with the problems found in it."""
    workbook = open_workbook(source)
    period = _period_of(workbook)
    if period not in available_periods():
        raise TemplateError(f"the cover says planning period '{period}', which bcfc does not know "
                            f"(it knows {', '.join(available_periods())})")
    try:
        fw = load_framework(period)
    except FrameworkError as err:
        raise TemplateError(str(err)) from err
    result = Imported({"framework": period}, fw)
    cells = Cells(result)
    by_title = {ws.title: ws for ws in workbook.worksheets}
    for sheet in L.layout(fw).sheets:
        ws = by_title.get(sheet.title)
        if ws is None:
            if sheet.id in L.REQUIRED_SHEETS:
                raise TemplateError(f"the workbook has no '{sheet.title}' sheet")
            continue
        result.sheets.add(sheet.id)
        _check_header(ws, sheet, sheet.id == "cover")
        READERS[sheet.id](ws, sheet, result, cells)
    return result


def _check_header(ws: Worksheet, sheet: L.Sheet, is_cover: bool) -> None:
    if is_cover or sheet.id in ("metrics", "capacity_demand"):
        return  # the cover is labelled rows; these two may have extra period or month columns (read by heading)
    for number, column in enumerate(sheet.columns, 1):
        found = _text(ws.cell(L.HEADER_ROW, number))
        if found != column.title:
            raise TemplateError(f"{where(ws.cell(L.HEADER_ROW, number))} is headed {found!r}, not "
                                f"{column.title!r}: was a column moved or inserted? bcfc reads the columns "
                                "where it wrote them")


def _table_end(ws: Worksheet, column: int, label: str = L.TOTAL) -> int:
    for row in range(L.FIRST_ROW, ws.max_row + 1):
        if _text(ws.cell(row, column)) == label:
            return row
    raise TemplateError(f"'{ws.title}' has no {label} row: bcfc reads the rows above it")


def _below_total(ws: Worksheet, after: int, cells: Cells, what: str, allowed: tuple[str, ...] = ()) -> None:
    """A row typed below a total is counted by no total: a problem, never dropped without a word."""
    for row in range(after + 1, ws.max_row + 1):
        if _text(ws.cell(row, 1)) in allowed and allowed:
            continue
        filled = [c for c in ws[row] if c.value not in (None, "")]
        if filled:
            cells.problem(filled[0], f"this {what} is below the Total row, where no total counts it",
                          "insert a row inside the table (above Total) and move it there")


# -- the sheets -----------------------------------------------------------------------------------

def _read_cover(ws: Worksheet, sheet: L.Sheet, result: Imported, cells: Cells) -> None:
    plan, fw = result.plan, result.fw
    rows = {}
    for row in range(L.FIRST_ROW, ws.max_row + 1):
        label = _text(ws.cell(row, 1))
        if label and label not in rows:
            rows[label] = ws.cell(row, 2)
    found = {c.field: rows.get(c.title) for c in sheet.columns}
    split = lambda cell: [p.strip() for p in (cells.text(cell) or "").split(";") if p.strip()] if cell else []  # noqa
    names, codes = split(found.get("hwb")), split(found.get("ons_code"))
    if len(names) != len(codes) and found.get("ons_code") is not None:
        cells.problem(found["ons_code"], f"{len(names)} HWB name(s) but {len(codes)} ONS code(s)",
                      "give one ONS code per Health and Wellbeing Board, separated by ';'")
    plan["hwbs"] = [{"name": n, "code": c} for n, c in zip(names, codes)]
    partners = split(found.get("nhs_partners"))
    if partners:
        plan[fw.nhs_partners] = partners
    if found.get("version") is not None and (version := cells.text(found["version"])):
        plan["version"] = read_shown(version)
    if found.get("status") is not None and is_not_stated(read_shown(cells.text(found["status"]) or "")):
        plan["status"] = read_shown(cells.text(found["status"]))
    elif found.get("status") is not None:
        status = cells.choice(found["status"], {v: k for k, v in L.STATUS.items()}, "statuses")
        if status:
            plan["status"] = status
    if found.get("date") is not None and (date := cells.date(found["date"])):
        plan["date"] = date
    for column in sheet.columns:
        cell = found.get(column.field)
        if column.input_only and cell is not None and _text(cell):
            result.notes.append(f"{where(cell)} ({column.title}) stays in the workbook: the plan format has no "
                                "place for it")
    start = next((r for r in range(L.FIRST_ROW, ws.max_row + 1) if _text(ws.cell(r, 1)) == L.SIGN_OFF), None)
    if start is None:
        return
    titles = {title: key for key, title in L.SIGN_OFF_COLUMNS}
    keys = [titles.get(_text(c) or "") for c in ws[start + 1][:len(L.SIGN_OFF_COLUMNS)]]
    entries = []
    for row in range(start + 2, ws.max_row + 1):
        row_cells = ws[row][:len(keys)]
        if not any(_text(c) for c in row_cells):
            break
        entry = {}
        for key, cell in zip(keys, row_cells):
            if key is None:
                continue
            value = cells.date(cell) if key == "date" else cells.text(cell)
            if value is not None:
                entry[key] = read_shown(value) if key == "body" else value
        entries.append(entry)
    if entries:
        plan["sign_off"] = entries


def _read_income(ws: Worksheet, sheet: L.Sheet, result: Imported, cells: Cells) -> None:
    fw = result.fw
    ids = {s.name: s.id for s in fw.funding_streams}
    label_column = sheet.index("stream")
    amounts = sheet.keyed("amounts")
    total = _table_end(ws, label_column)
    streams: dict = {}
    for row in range(L.FIRST_ROW, total):
        label = _text(ws.cell(row, label_column))
        values = {year: v for year, number in amounts if (v := cells.money(ws.cell(row, number))) is not None}
        if label not in ids:
            if label or values:
                cells.problem(ws.cell(row, label_column), f"'{label or ''}' is not a funding stream of {fw.period}",
                              "income rows are the framework's funding streams; give other income in Comments")
            continue
        comment = _text(ws.cell(row, sheet.index("comments"))) if sheet.has("comments") else None
        if values:
            streams[ids[label]] = values
        elif comment and comment.startswith(L.NOT_STATED):
            streams[ids[label]] = {"not_stated": comment[len(L.NOT_STATED):]}
    funding: dict = {"streams": streams}
    unallocated = {}
    extra = (L.STATED_TOTAL,) + tuple(f"{L.UNALLOCATED}{name}" for name in ids)
    for row in range(total + 1, ws.max_row + 1):
        label = _text(ws.cell(row, label_column))
        if label not in extra:
            continue
        values = {year: v for year, number in amounts if (v := cells.money(ws.cell(row, number))) is not None}
        if label == L.STATED_TOTAL:
            if values:
                funding["stated_total"] = values
        elif values:
            unallocated[ids[label.removeprefix(L.UNALLOCATED)]] = values
    if unallocated:
        funding["unallocated"] = unallocated
    _below_total(ws, total, cells, "income", allowed=extra)
    result.plan["funding"] = funding


def _read_expenditure(ws: Worksheet, sheet: L.Sheet, result: Imported, cells: Cells) -> None:
    fw = result.fw
    reason = _text(ws.cell(L.NOTE_ROW, 1))
    not_stated = reason[len(L.NOT_STATED):] if reason and reason.startswith(L.NOT_STATED) else None
    choices = {"type": "scheme_types", "area_of_spend": "areas_of_spend", "commissioner": "commissioner_kinds",
               "funding_source": "funding_streams"}
    words = {"type": "scheme types", "area_of_spend": "areas of spend", "commissioner": "commissioners",
             "funding_source": "funding sources"}
    total = _table_end(ws, sheet.index("name"))
    schemes, noted = [], set()
    for row in range(L.FIRST_ROW, total):
        scheme: dict = {}
        spend = {}
        for number, column in enumerate(sheet.columns, 1):
            cell = ws.cell(row, number)
            if cell.value in (None, ""):
                continue
            f = column.field
            if column.input_only:
                if column.title not in noted:
                    noted.add(column.title)
                    result.notes.append(f"{where(cell)}: '{column.title}' stays in the workbook: the plan format "
                                        "has no place for it")
            elif f == "expenditure":
                if (value := cells.money(cell)) is not None:
                    spend[column.key] = value
            elif f == "funding_source" and (_text(cell) or "").startswith(L.AS_STATED):
                scheme["funding_source_as_stated"] = _text(cell)[len(L.AS_STATED):]
            elif f in choices:
                names = {n: i for i, n in fw.names(choices[f]).items()}
                if names:
                    if (value := cells.choice(cell, names, words[f])) is not None:
                        scheme[f] = value
                elif (value := cells.text(cell)) is not None:
                    scheme[f] = value
            elif f == "new":
                if (value := cells.choice(cell, {v: k for k, v in L.NEW.items()}, "choices")) is not None:
                    scheme["new"] = value
            elif (value := cells.text(cell)) is not None:
                scheme[f] = value
        if not scheme and not spend:
            continue
        for f in ("id", "name"):
            if f not in scheme:
                cells.problem(ws.cell(row, sheet.index(f)), f"this scheme has no {sheet.columns[sheet.index(f) - 1].title}",
                              "every scheme needs an ID and a name")
        scheme["expenditure"] = spend
        schemes.append(scheme)
    _below_total(ws, total, cells, "scheme")
    if not_stated is not None and not schemes:
        result.plan["schemes"] = {"not_stated": not_stated}
    else:
        result.plan["schemes"] = schemes


def _columns(ws: Worksheet, sheet: L.Sheet, expanded: str, parse) -> tuple[dict[str, int], list[tuple[str, int]]]:
    """A sheet with columns the writer may add (a baseline year, a month outside the years), read by heading:
    the fixed fields' columns, and (period or month, column) of each column whose heading `parse` reads."""
    fixed = {c.title: c.field for c in sheet.columns if c.field != expanded}
    columns, keyed = {}, []
    for number in range(1, ws.max_column + 1):
        heading = _text(ws.cell(L.HEADER_ROW, number)) or ""
        if heading in fixed:
            columns[fixed[heading]] = number
        elif (key := parse(heading)) is not None:
            keyed.append((key, number))
    return columns, keyed


def _read_metrics(ws: Worksheet, sheet: L.Sheet, result: Imported, cells: Cells) -> None:
    fw = result.fw
    columns, periods = _columns(ws, sheet, "periods", L.heading_period)
    if "metric" not in columns or "measure" not in columns:
        raise TemplateError(f"'{ws.title}' has no Metric and Baseline or goal columns")
    national = {m.name: m.id for m in fw.metrics}
    measures = {v: k for k, v in L.MEASURE.items()}
    metrics: dict = {}
    local: dict = {}
    for row in range(L.FIRST_ROW, ws.max_row + 1):
        name = _text(ws.cell(row, columns["metric"]))
        if name is None:
            continue
        measure = cells.choice(ws.cell(row, columns["measure"]), measures, "measures")
        if measure is None:
            continue
        if name in national:
            entry = metrics.setdefault(national[name], {})
        elif name.endswith(L.LOCAL):
            base = name.removesuffix(L.LOCAL)
            entry = local.setdefault(base, {"id": re.sub(r"[^a-z0-9]+", "_", base.lower()).strip("_") or "local",
                                            "name": base})
            unit = _text(ws.cell(row, columns["unit"])) if "unit" in columns else None
            if unit:
                entry["unit"] = unit
        else:
            cells.problem(ws.cell(row, columns["metric"]), f"'{name}' is not a metric of {fw.period}",
                          "a local metric's name ends with ' (local)'")
            continue
        values = {p: v for p, number in periods if (v := cells.number(ws.cell(row, number))) is not None}
        if values:
            entry[measure] = values
        note = _text(ws.cell(row, columns["notes"])) if "notes" in columns else None
        if note and note.startswith(L.NOT_STATED):
            entry["not_stated" if measure == "baseline" else "goals_not_stated"] = note[len(L.NOT_STATED):]
        if measure == "goals":
            for f in ("goal_as_stated", "rationale"):
                if f in columns and (text := cells.text(ws.cell(row, columns[f]))):
                    entry[f] = text
    ordered = {}
    for metric_id in national.values():
        value = metrics.get(metric_id)
        if not value:
            continue
        if "not_stated" in value and not (value.get("baseline") or value.get("goals")):
            ordered[metric_id] = {"not_stated": value["not_stated"]}
            continue
        value.pop("not_stated", None)
        ordered[metric_id] = {k: value[k] for k in ("baseline", "goals", "goal_as_stated", "goals_not_stated",
                                                    "rationale") if k in value}
    result.plan["metrics"] = ordered
    if local:
        result.plan["local_metrics"] = [{k: e[k] for k in ("id", "name", "unit", "baseline", "goals", "rationale")
                                         if k in e} for e in local.values()]


def _read_capacity_demand(ws: Worksheet, sheet: L.Sheet, result: Imported, cells: Cells) -> None:
    reason = _text(ws.cell(L.NOTE_ROW, 1))
    columns, months = _columns(ws, sheet, "months", L.heading_month)
    kinds = {v: k for k, v in L.KIND.items()}
    rows = []
    for row in range(L.FIRST_ROW, ws.max_row + 1):
        if not any(ws.cell(row, n).value not in (None, "") for n in [*columns.values(), *(n for _, n in months)]):
            continue
        entry: dict = {}
        for f in ("service", "kind", "source", "unit"):
            if f not in columns:
                continue
            cell = ws.cell(row, columns[f])
            value = cells.choice(cell, kinds, "kinds") if f == "kind" else cells.text(cell)
            if value is not None:
                entry[f] = value
        for f in ("service", "kind"):
            if f not in entry and f in columns:
                cells.problem(ws.cell(row, columns[f]), f"this row has no {sheet.columns[columns[f] - 1].title}",
                              "every row names its service or pathway and whether it is demand or capacity")
        entry["months"] = {m: v for m, number in months if (v := cells.number(ws.cell(row, number))) is not None}
        rows.append(entry)
    if rows:
        result.plan["capacity_demand"] = rows
    elif reason and reason.startswith(L.NOT_STATED):
        result.plan["capacity_demand"] = {"not_stated": reason[len(L.NOT_STATED):]}


def _read_answers_only(ws: Worksheet, sheet: L.Sheet, result: Imported, cells: Cells) -> None:
    """Sheets whose inputs (confirmations, met or not met) the plan format has no place for."""
    inputs = [n for n, c in enumerate(sheet.columns, 1) if c.field in L.INPUT_ONLY or sheet.id == "national_conditions"
              and c.field != "condition"]
    for row in range(L.FIRST_ROW, ws.max_row + 1):
        for number in inputs:
            if _text(ws.cell(row, number)):
                result.notes.append(f"'{ws.title}': the answers stay in the workbook (the plan format has no "
                                    "place for them)")
                return


def _read_change_model(ws: Worksheet, sheet: L.Sheet, result: Imported, cells: Cells) -> None:
    model = result.fw.change_model
    if not model:
        return
    changes = {c["name"]: c["id"] for c in model["changes"]}
    levels = {lv["name"]: lv["id"] for lv in model["levels"]}
    columns = {c.field: n for n, c in enumerate(sheet.columns, 1)}
    rows = []
    for row in range(L.FIRST_ROW, ws.max_row + 1):
        name = cells.text(ws.cell(row, columns["change"])) if "change" in columns else None
        if not name or name not in changes:
            continue
        entry: dict = {}
        for f in ("current", "planned", "planned_by", "narrative"):
            if f not in columns:
                continue
            cell = ws.cell(row, columns[f])
            text = cells.text(cell) if f != "planned_by" else None
            if f == "planned_by":
                value = cells.date(cell)
            elif text is not None and is_not_stated(read_shown(text)):
                value = read_shown(text)
            elif f in ("current", "planned") and text is not None:
                value = cells.choice(cell, levels, "maturity levels")
            else:
                value = text
            if value is not None:
                entry[f] = value
        if entry:
            rows.append({"change": changes[name], **entry})
    if rows:
        result.plan["change_model"] = rows


def _read_summary(ws, sheet, result, cells) -> None:
    """The summary is all formulas: nothing to read."""


READERS = {"cover": _read_cover, "income": _read_income, "expenditure": _read_expenditure, "metrics": _read_metrics,
           "capacity_demand": _read_capacity_demand, "summary": _read_summary, "change_model": _read_change_model,
           "planning_requirements": _read_answers_only, "national_conditions": _read_answers_only}
