"""`bcfc import`: a planning template (.xlsx) back into a plan's YAML.

Reads the layout `bcfc render excel` writes (renderers/excel.py): the cover's
labelled rows, then the income, expenditure, metrics, capacity and demand (and
DFG, where the framework has that sheet) tables under their header rows, found
by the framework's sheet titles. What comes back is data only: cells a plan's
text went into are read as text, numbers as numbers, and formulas (the
template's totals and differences) are never imported. The narrative is not in
the template, so every heading comes back marked to be written, as `bcfc new`
writes it.
"""
from __future__ import annotations

import datetime as dt
import io
import os
import re
import stat
import zipfile
from xml.etree.ElementTree import ParseError
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
from defusedxml import DefusedXmlException
from openpyxl.worksheet.worksheet import Worksheet

from bcf_schema import hwbs as hwb_list
from bcf_schema.framework import Framework, FrameworkError, available_periods, load_framework
from renderers import excel
from renderers.excel import DEFAULT_SHEETS, TemplateWriter

from . import scaffold

NOT_STATED = "Not stated: "
HEADER_ROW = 3
FIRST_ROW = 4
# A template bcfc writes is ~15 KB and unzips to ~100 KB; the national templates are a few MB.
# Checked before anything is unzipped, so a zip bomb or a sheet of millions of cells is refused at once.
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_ENTRIES = 1_000
MAX_UNZIPPED_BYTES = 16 * 1024 * 1024


class TemplateError(ValueError):
    """The workbook is not a planning template bcfc can read (no cover, unknown period ...)."""


@dataclass
class Imported:
    plan: dict
    fw: Framework
    notes: list[str] = field(default_factory=list)  # cells skipped or values that could not be mapped


# -- cells ---------------------------------------------------------------------------------------------

def _is_formula(cell) -> bool:
    return cell.data_type == "f"


def _text(cell) -> str | None:
    """A cell holding plan text, as text ('' and formulas give None)."""
    if cell is None or _is_formula(cell) or cell.value is None:
        return None
    value = cell.value
    if isinstance(value, str):
        return value if value != "" else None
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _number(cell, notes: list[str], what: str):
    """A cell holding a number: int where whole, float otherwise; None for empty, text or formulas."""
    if cell is None or cell.value is None or cell.value == "":
        return None
    if _is_formula(cell):
        notes.append(f"{what}: {cell.coordinate} is a formula; formulas are not imported")
        return None
    value = cell.value
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        notes.append(f"{what}: {cell.coordinate} holds {value!r}, not a number; not imported")
        return None
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _money(cell, notes: list[str], what: str):
    value = _number(cell, notes, what)
    if isinstance(value, float):
        notes.append(f"{what}: {cell.coordinate} is {value}, not whole pounds; imported as it is")
    return value


def _not_stated(cell) -> str | None:
    text = _text(cell)
    if text and text.startswith(NOT_STATED):
        return text[len(NOT_STATED):]
    return None


def _row_values(ws: Worksheet, row: int, first: int = 1, last: int | None = None) -> list:
    last = last or ws.max_column
    return [ws.cell(row=row, column=c) for c in range(first, last + 1)]


def _header(ws: Worksheet) -> list[str]:
    return [_text(c) or "" for c in _row_values(ws, HEADER_ROW)]


def _split(text: str | None) -> list[str]:
    return [part.strip() for part in (text or "").split(";") if part.strip()]


# -- finding the sheets ------------------------------------------------------------------------------

def _cover_period(workbook) -> tuple[Worksheet, str]:
    for ws in workbook.worksheets:
        for row in range(1, min(ws.max_row, 40) + 1):
            if _text(ws.cell(row=row, column=1)) == "Planning period":
                period = _text(ws.cell(row=row, column=2))
                if period:
                    return ws, period
    raise TemplateError("no cover sheet with a 'Planning period' row: is this a planning template "
                        "written by `bcfc render excel`?")


def _sheets(workbook, fw: Framework) -> dict[str, Worksheet]:
    layout = (fw.data.get("planning_template") or {}).get("sheets") or DEFAULT_SHEETS
    by_title = {ws.title: ws for ws in workbook.worksheets}
    return {sheet["id"]: by_title[sheet["title"][:31]] for sheet in layout if sheet["title"][:31] in by_title}


# -- reading -------------------------------------------------------------------------------------------

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


_DECLARATION = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)


def _refused_xml(err: BaseException) -> BaseException | None:
    """The defusedxml refusal behind an openpyxl error, if that is what it is."""
    while err is not None:
        if isinstance(err, (DefusedXmlException, ParseError)):
            return err
        err = err.__cause__ or err.__context__
    return None


def read(source: str | Path | bytes) -> Imported:
    """The plan data in a planning template."""
    data = _bounded_bytes(source)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), data_only=False)
    except (DefusedXmlException, ParseError, OSError, ValueError, KeyError, TypeError, AttributeError,
            zipfile.BadZipFile, openpyxl.utils.exceptions.InvalidFileException) as err:
        refused = _refused_xml(err)  # defusedxml refuses DTDs, entities and external references
        if refused is not None:
            raise TemplateError(f"the workbook's XML is refused ({type(refused).__name__}: {refused}): is this a "
                                "planning template bcfc or Excel wrote?") from err
        raise TemplateError(f"cannot read the workbook: {err}") from err
    cover, period = _cover_period(workbook)
    if period not in available_periods():
        raise TemplateError(f"the cover says planning period '{period}', which bcfc does not know "
                            f"(it knows {', '.join(available_periods())})")
    try:
        fw = load_framework(period)
    except FrameworkError as err:
        raise TemplateError(str(err)) from err
    result = Imported({"framework": period}, fw)
    sheets = _sheets(workbook, fw)
    _read_cover(sheets.get("cover", cover), result)
    result.plan["narrative"] = {}
    if "income" in sheets:
        _read_income(sheets["income"], result)
    if "expenditure" in sheets:
        _read_expenditure(sheets["expenditure"], result)
    if "metrics" in sheets:
        _read_metrics(sheets["metrics"], result)
    if "capacity_demand" in sheets:
        _read_capacity_demand(sheets["capacity_demand"], result)
    if "dfg" in sheets:
        _read_dfg(sheets["dfg"], result)
    return result


def _read_cover(ws: Worksheet, result: Imported) -> None:
    plan, fw = result.plan, result.fw
    partners_label = {"icbs": "ICB(s)", "ccgs": "CCG(s)"}[fw.nhs_partners]
    labels: dict[str, str | None] = {}
    sign_off_row = None
    for row in range(HEADER_ROW, ws.max_row + 1):
        label = _text(ws.cell(row=row, column=1))
        if label == "Sign-off":
            sign_off_row = row
            break
        if label:
            labels.setdefault(label, _text(ws.cell(row=row, column=2)))
    names, codes = _split(labels.get("Health and Wellbeing Board")), _split(labels.get("ONS code"))
    if len(names) != len(codes):
        result.notes.append(f"cover: {len(names)} HWB name(s) but {len(codes)} ONS code(s)")
    plan["hwbs"] = [{"name": n, "code": c} for n, c in zip(names, codes)]
    partners = _split(labels.get(partners_label))
    if partners:
        plan[fw.nhs_partners] = partners
    for key, label in (("version", "Version"), ("status", "Status"), ("date", "Date")):
        if labels.get(label):
            plan[key] = labels[label]
    if sign_off_row is None:
        return
    header = [(_text(c) or "").lower() for c in _row_values(ws, sign_off_row + 1, 1, 4)]
    entries = []
    for row in range(sign_off_row + 2, ws.max_row + 1):
        cells = [_text(ws.cell(row=row, column=c)) for c in range(1, len(header) + 1)]
        if not any(cells):
            break
        entries.append({key: value for key, value in zip(header, cells) if value is not None})
    if entries:
        plan["sign_off"] = entries


def _read_income(ws: Worksheet, result: Imported) -> None:
    fw, notes = result.fw, result.notes
    ids = {name: sid for sid, name in fw.names("funding_streams").items()}
    years = [h for h in _header(ws)[2:] if h]
    streams: dict = {}
    stated: dict = {}
    unallocated: dict = {}
    for row in range(FIRST_ROW, ws.max_row + 1):
        label = _text(ws.cell(row=row, column=1))
        if label is None:
            continue
        if label == "Total":
            continue
        cells = [ws.cell(row=row, column=3 + i) for i in range(len(years))]
        if label == "Total stated in the plan":
            stated = {y: v for y, c in zip(years, cells) if (v := _money(c, notes, "income: stated total")) is not None}
            continue
        if label.startswith(excel.UNALLOCATED):
            stream = ids.get(label.removeprefix(excel.UNALLOCATED))
            amounts = {y: v for y, c in zip(years, cells) if (v := _money(c, notes, "income: unallocated")) is not None}
            if stream and amounts:
                unallocated[stream] = amounts
            continue
        stream = ids.get(label, label if label in fw.names("funding_streams") else None)
        if stream is None:
            notes.append(f"income: row {row} '{label}' is not a funding stream of {fw.period}; not imported")
            continue
        reason = _not_stated(cells[0]) if cells else None
        if reason is not None:
            streams[stream] = {"not_stated": reason}
            continue
        amounts = {y: v for y, c in zip(years, cells) if (v := _money(c, notes, f"income: {stream}")) is not None}
        if amounts:
            streams[stream] = amounts
    result.plan["funding"] = {"streams": streams, **({"stated_total": stated} if stated else {}),
                              **({"unallocated": unallocated} if unallocated else {})}


def _reverse(fw: Framework, key: str) -> dict[str, str]:
    names = fw.names(key)
    table = {sid: sid for sid in names}
    table.update({name: sid for sid, name in names.items()})
    return table


def _read_expenditure(ws: Worksheet, result: Imported) -> None:
    fw, notes = result.fw, result.notes
    columns = TemplateWriter.EXPENDITURE_COLUMNS
    header = _header(ws)
    by_title = {title: index + 1 for index, title in enumerate(header) if title}
    keys = [(key, by_title.get(title)) for key, title, _ in columns]
    years = [(h, index + 1) for index, h in enumerate(header) if h in fw.financial_years]
    lookups = {"type": _reverse(fw, "scheme_types"), "funding_source": _reverse(fw, "funding_streams"),
               "area_of_spend": _reverse(fw, "areas_of_spend"), "commissioner": _reverse(fw, "commissioner_kinds")}
    first = FIRST_ROW
    reason = _not_stated(ws.cell(row=FIRST_ROW, column=1))
    if reason is not None:
        first += 1
    schemes = []
    for row in range(first, ws.max_row + 1):
        id_cell, name_cell = ws.cell(row=row, column=1), ws.cell(row=row, column=2)
        if _text(id_cell) is None and _text(name_cell) == "Total":
            break
        scheme: dict = {}
        for key, column in keys:
            if column is None:
                continue
            value = _text(ws.cell(row=row, column=column))
            if value is None:
                continue
            if key == "funding_source" and value not in lookups[key]:
                # How the template writes a source outside the framework's streams: the document's own words.
                notes.append(f"expenditure: row {row} source of funding '{value}' is not a funding stream of "
                             f"{fw.period}; kept as funding_source_as_stated")
                scheme["funding_source_as_stated"] = value
                continue
            if key in lookups and lookups[key]:
                mapped = lookups[key].get(value)
                if mapped is None:
                    notes.append(f"expenditure: row {row} {key} '{value}' is not one of {fw.period}'s; kept as written")
                    mapped = value
                value = mapped
            scheme[key] = value
        spend = {}
        for year, column in years:
            value = _money(ws.cell(row=row, column=column), notes, f"expenditure: row {row}")
            if value is not None:
                spend[year] = value
        if not scheme and not spend:
            continue
        scheme["expenditure"] = spend
        schemes.append(scheme)
    result.plan["schemes"] = {"not_stated": reason} if reason is not None else schemes
    if reason is not None and schemes:
        notes.append(f"expenditure: the sheet says the schemes are not stated, but lists {len(schemes)}; "
                     "the scheme rows were not imported")


def _read_metrics(ws: Worksheet, result: Imported) -> None:
    fw, notes = result.fw, result.notes
    header = _header(ws)
    if "Rationale" not in header or "Goal in words" not in header:
        return
    rationale_column = len(header) - header[::-1].index("Rationale")
    words_column = header.index("Goal in words") + 1
    periods = [(h, index + 1) for index, h in enumerate(header[4:words_column - 1], 4) if h]
    national = {m["id"]: m for m in fw.items("metrics")}
    metrics: dict = {}
    local: dict = {}
    for row in range(FIRST_ROW, ws.max_row + 1):
        metric_id = _text(ws.cell(row=row, column=1))
        if metric_id is None:
            continue
        name = _text(ws.cell(row=row, column=2)) or ""
        is_local = name.endswith(" (local)") or metric_id not in national
        measure = {"Baseline": "baseline", "Goal": "goals"}.get(_text(ws.cell(row=row, column=4)) or "")
        if measure is None:
            notes.append(f"metrics: row {row} is neither a baseline nor a goal row; not imported")
            continue
        if is_local:
            entry = local.setdefault(metric_id, {"id": metric_id, "name": name.removesuffix(" (local)")})
            unit = _text(ws.cell(row=row, column=3))
            if unit:
                entry["unit"] = unit
        else:
            entry = metrics.setdefault(metric_id, {})
        if measure == "baseline":
            reason = _not_stated(ws.cell(row=row, column=5))
            if reason is not None and not is_local:
                entry["not_stated"] = reason
                continue
        values = {}
        for period, column in periods:
            value = _number(ws.cell(row=row, column=column), notes, f"metrics: {metric_id} {measure}")
            if value is not None:
                values[period] = value
        if values and "not_stated" not in entry:
            entry[measure] = values
        if measure == "goals" and "not_stated" not in entry:
            words = _text(ws.cell(row=row, column=words_column))
            if words and words.startswith(NOT_STATED):
                entry["goals_not_stated"] = words[len(NOT_STATED):]
            elif words:
                entry["goal_as_stated"] = words
            rationale = _text(ws.cell(row=row, column=rationale_column))
            if rationale:
                entry["rationale"] = rationale
    ordered = {}
    for metric_id in [*national, *metrics]:
        value = metrics.get(metric_id)
        if not value:  # a metric the plan left out has an empty pair of rows: it stays out
            continue
        ordered[metric_id] = {k: value[k] for k in ("not_stated", "baseline", "goals", "goal_as_stated",
                                                    "goals_not_stated", "rationale") if k in value}
    result.plan["metrics"] = ordered
    if local:
        result.plan["local_metrics"] = [
            {k: entry[k] for k in ("id", "name", "unit", "baseline", "goals", "rationale") if k in entry}
            for entry in local.values()
        ]


def _read_capacity_demand(ws: Worksheet, result: Imported) -> None:
    reason = _not_stated(ws.cell(row=HEADER_ROW, column=1))
    if reason is not None:
        result.plan["capacity_demand"] = {"not_stated": reason}
        return
    header = _header(ws)
    months = [(h, index + 1) for index, h in enumerate(header) if index >= 4 and h]
    rows = []
    for row in range(FIRST_ROW, ws.max_row + 1):
        service = _text(ws.cell(row=row, column=1))
        if service is None:
            continue
        entry = {"service": service}
        for key, column in (("kind", 2), ("source", 3), ("unit", 4)):
            value = _text(ws.cell(row=row, column=column))
            if value is not None:
                entry[key] = value
        entry["months"] = {}
        for month, column in months:
            value = _number(ws.cell(row=row, column=column), result.notes, f"capacity and demand: {service}")
            if value is not None:
                entry["months"][month] = value
        rows.append(entry)
    if rows:
        result.plan["capacity_demand"] = rows


def _read_dfg(ws: Worksheet, result: Imported) -> None:
    notes = result.notes
    years = [(h, index + 1) for index, h in enumerate(_header(ws)) if h in result.fw.financial_years]
    dfg: dict = {}
    districts = []
    for row in range(FIRST_ROW, ws.max_row + 1):
        label = _text(ws.cell(row=row, column=1))
        if label is None or label == "Total of district shares":
            continue
        amounts = {y: v for y, c in years if (v := _money(ws.cell(row=row, column=c), notes, "dfg")) is not None}
        if label == "DFG allocation stated in the plan":
            dfg["allocation"] = amounts
        else:
            districts.append({"name": label, "allocation": amounts})
    if districts:
        dfg["districts"] = districts
    if dfg:
        result.plan["dfg"] = {k: dfg[k] for k in ("allocation", "districts") if k in dfg}


# -- the plan file -------------------------------------------------------------------------------------

def default_path(imported: Imported, plans_dir: str | Path = "plans") -> Path:
    hwbs = imported.plan.get("hwbs") or []
    first = hwbs[0] if hwbs else {}
    hwb = hwb_list.by_code().get(first.get("code", "")) or hwb_list.find(first.get("name", ""))
    slug = hwb.slug if hwb else scaffold.slugify(first.get("name") or "plan")
    return Path(plans_dir) / slug / f"{imported.fw.period}.yaml"


def render(imported: Imported, output: Path, source_name: str, today: dt.date | None = None) -> str:
    """The imported plan as YAML, the narrative headings marked to be written."""
    plan = dict(imported.plan)
    plan["narrative"] = {e.id: "" for e in imported.fw.outline if e.answer != "none"}
    today = today or dt.date.today()
    header = (f"Imported from {source_name} with `bcfc import` on {today.isoformat()}: the money, schemes, "
              "metric goals and capacity and demand are the template's; the narrative is not in the template, "
              "so every heading is marked to be written.")
    return scaffold.render(scaffold.Scaffold(plan, imported.fw, []), output, today, header=header)
