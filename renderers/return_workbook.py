"""A return as an Excel workbook, and back (`bcfc render return-excel`, `bcfc import --into RETURN`).

The planning template's conventions (renderers/excel.py): yellow unlocked input cells, everything
else locked and the sheets protected without a password, drop-downs from a hidden lists sheet,
whole-pound and number checks, and totals that grow (blank rows inside each SUM's range). Plan
text is written as text, never as a formula.
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field

from openpyxl import Workbook, load_workbook

from bcf_schema.framework import Framework
from bcf_schema.return_diff import _planned
from bcf_schema.returns import period_of

from . import document as d
from .deterministic import document_time, normalise_zip
from .excel import BOLD, POUNDS, WRAP, TemplateWriter, _span, formula, header, put, put_input, title

CONDITIONS, METRICS, INCOME, SPEND = "National conditions", "Metrics", "Income", "Expenditure"
FIRST = 4  # the first data row (title, note, header above)
BLANK_ROWS = 10  # spare rows in the expenditure sheet, inside the total's range
YES_NO = {"Yes": True, "No": False}


class _Writer(TemplateWriter):
    """TemplateWriter's drop-downs and checks, over a return's own sheets."""

    def __init__(self, ret: dict, plan: dict, fw: Framework):  # noqa: super().__init__ lays out a plan's template
        self.ret, self.plan, self.fw = ret, plan, fw
        self.workbook = Workbook()
        self.workbook.remove(self.workbook.active)
        self.lists: dict[str, str] = {}
        self.lists_sheet = None
        self.period = period_of(fw, ret["return"])

    def write_return(self) -> bytes:
        self.lists_sheet = self.workbook.create_sheet("Lists")
        for name, writer in ((CONDITIONS, self.conditions), (METRICS, self.metrics), (INCOME, self.income),
                             (SPEND, self.spend)):
            ws = self.workbook.create_sheet(name)
            writer(ws)
            setup = ws.page_setup  # printed one page wide, as the planning template's sheets
            setup.orientation, setup.paperSize, setup.fitToWidth, setup.fitToHeight = "landscape", ws.PAPERSIZE_A4, 1, 0
            ws.sheet_properties.pageSetUpPr.fitToPage = True
            ws.print_title_rows = "3:3"
            ws.protection.sheet = True
            for allowed in ("insertRows", "deleteRows", "formatColumns", "formatRows"):
                setattr(ws.protection, allowed, False)
        self.workbook.move_sheet(self.lists_sheet, offset=4)
        self.lists_sheet.sheet_state = "hidden"
        self.lists_sheet.protection.sheet = True
        props = self.workbook.properties
        props.title = f"{self.fw.title}: {self.period['name']}"
        props.created = props.modified = document_time(d.plan_date(self.ret))
        buffer = io.BytesIO()
        self.workbook.save(buffer)
        return normalise_zip(buffer.getvalue(), document_time(d.plan_date(self.ret)))

    def conditions(self, ws) -> None:
        title(ws, f"{self.period['name']}: national conditions", "Is each national condition still met?")
        header(ws, 3, ["Id", "National condition", "Met", "Comment"])
        answers = self.ret.get("national_conditions") or {}
        row = FIRST - 1
        for row, condition in enumerate(self.fw.data["returns"]["national_conditions"], FIRST):
            answer = answers.get(condition["id"]) or {}
            put(ws, row, 1, condition["id"])
            put(ws, row, 2, condition["name"]).alignment = WRAP
            put_input(ws, row, 3, {True: "Yes", False: "No"}.get(answer.get("met")))
            put_input(ws, row, 4, answer.get("comment"))
        self.drop_down(ws, "yes_no", list(YES_NO), _span(3, FIRST, row), "Met")
        ws.column_dimensions["B"].width, ws.column_dimensions["D"].width = 60, 40

    def metrics(self, ws) -> None:
        verdicts = self.fw.data["returns"]["verdicts"][self.period["kind"]]
        title(ws, f"{self.period['name']}: metrics", "The actual for each period, or why there is none, and the verdict.")
        header(ws, 3, ["Metric", "Period", "Goal", "Actual", "Data not available because", "Verdict", "Comment"])
        from bcf_schema.returns import _reported_periods
        reported = self.ret.get("metrics") or {}
        goals = self.plan.get("metrics") or {}
        row = FIRST - 1
        for metric in self.fw.items("metrics"):
            labels = list(dict.fromkeys([*_reported_periods(self.fw, metric, self.period),
                                         *(reported.get(metric["id"]) or {})]))
            for label in labels:
                row += 1
                entry = (reported.get(metric["id"]) or {}).get(label) or {}
                goal = ((goals.get(metric["id"]) or {}).get("goals") or {}).get(label)
                put(ws, row, 1, metric["id"])
                put(ws, row, 2, label)
                put(ws, row, 3, goal if isinstance(goal, (int, float)) else None)
                put_input(ws, row, 4, entry.get("actual"))
                put_input(ws, row, 5, entry.get("data_not_available"))
                put_input(ws, row, 6, entry.get("verdict"))
                put_input(ws, row, 7, entry.get("comment"))
        if row >= FIRST:
            self.figures(ws, _span(4, FIRST, row))
            self.drop_down(ws, f"verdicts_{self.period['kind']}", verdicts, _span(6, FIRST, row), "Verdict")
        for column, width in zip("ABCDEFG", (30, 14, 10, 10, 36, 18, 36)):
            ws.column_dimensions[column].width = width

    def income(self, ws) -> None:
        year = self.period["financial_year"]
        title(ws, f"{self.period['name']}: income to {self.period['to']}", "Whole pounds; say why spend differs.")
        header(ws, 3, ["Funding stream", f"Planned {year}", "Income to date", "Variance explained"])
        plan_income, _ = _planned(self.plan, year)
        income, variance = self.ret.get("income") or {}, self.ret.get("variance") or {}
        streams = list((self.plan.get("funding") or {}).get("streams") or {})
        row = FIRST - 1
        for row, stream in enumerate(streams, FIRST):
            put(ws, row, 1, stream)
            put(ws, row, 2, plan_income.get(stream), POUNDS)
            put_input(ws, row, 3, income.get(stream), POUNDS)
            put_input(ws, row, 4, variance.get(stream))
        self.whole_pounds(ws, _span(3, FIRST, row))
        put(ws, row + 1, 1, "Total").font = BOLD
        formula(ws, row + 1, 3, f"=SUM({_span(3, FIRST, row)})").font = BOLD
        ws.column_dimensions["A"].width, ws.column_dimensions["D"].width = 30, 50

    def spend(self, ws) -> None:
        year = self.period["financial_year"]
        title(ws, f"{self.period['name']}: spend to {self.period['to']}", "One row per scheme and stream; "
              "use the blank rows for more (the total counts them).")
        header(ws, 3, ["Scheme", "Funding stream", f"Planned {year}", "Spend to date", "Comment"])
        schemes = self.plan.get("schemes") if isinstance(self.plan.get("schemes"), list) else []
        planned = {str(s.get("id")): (s.get("expenditure") or {}).get(year) for s in schemes if isinstance(s, dict)}
        rows = list(self.ret.get("expenditure") or [])
        last = FIRST + len(rows) + BLANK_ROWS - 1
        for row in range(FIRST, last + 1):
            entry = rows[row - FIRST] if row - FIRST < len(rows) else {}
            put_input(ws, row, 1, entry.get("scheme"))
            put_input(ws, row, 2, entry.get("stream"))
            put(ws, row, 3, planned.get(str(entry.get("scheme"))) if entry else None, POUNDS)
            put_input(ws, row, 4, entry.get("amount"), POUNDS)
            put_input(ws, row, 5, entry.get("comment"))
        streams = list((self.plan.get("funding") or {}).get("streams") or {})
        self.drop_down(ws, "streams", streams, _span(2, FIRST, last), "Funding stream")
        self.whole_pounds(ws, _span(4, FIRST, last))
        put(ws, last + 1, 1, "Total").font = BOLD
        formula(ws, last + 1, 4, f"=SUM({_span(4, FIRST, last)})").font = BOLD
        for column, width in zip("ABCDE", (20, 30, 16, 16, 40)):
            ws.column_dimensions[column].width = width


def render(ret: dict, plan: dict, fw: Framework) -> bytes:
    """The return's workbook as .xlsx bytes, the same bytes for the same return."""
    return _Writer(ret, plan, fw).write_return()


@dataclass
class Imported:
    sections: dict = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def _rows(ws):
    for row in ws.iter_rows(min_row=FIRST):
        if str(row[0].value or "").strip() == "Total":
            return
        yield row


def merged(text: str, imported: Imported) -> str:
    """The return's YAML with the workbook's sections in place of its own; its opening comments kept."""
    import yaml

    from bcf_schema.loader import loads
    lines = text.splitlines(keepends=True)
    head = "".join(lines[:next((i for i, line in enumerate(lines) if not line.startswith("#")), len(lines))])
    data = dict(loads(text).data)
    data.update(imported.sections)
    return head + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def read(data: bytes) -> Imported:
    """The figures typed into a return workbook, with each problem named by sheet!cell."""
    out = Imported()
    try:
        book = load_workbook(io.BytesIO(data), data_only=True)
    except Exception as err:  # openpyxl raises many kinds for a file that is not a workbook
        out.problems.append(f"not an xlsx workbook ({type(err).__name__})")
        return out
    missing = [n for n in (CONDITIONS, METRICS, INCOME, SPEND) if n not in book.sheetnames]
    if missing:
        out.problems.append(f"not a return workbook: no sheet {', '.join(missing)} (bcfc render return-excel writes one)")
        return out

    def problem(cell, what: str) -> None:
        out.problems.append(f"{cell.parent.title}!{cell.coordinate}: {what}")

    conditions = {}
    for row in _rows(book[CONDITIONS]):
        cid, met, comment = row[0].value, row[2].value, row[3].value
        if not cid:
            continue
        if met not in YES_NO:
            problem(row[2], "choose Yes or No")
            continue
        conditions[str(cid)] = {"met": YES_NO[met], **({"comment": str(comment)} if comment else {})}
    metrics: dict = {}
    for row in _rows(book[METRICS]):
        metric, label, _goal, actual, reason, verdict, comment = (c.value for c in row[:7])
        metric, label = str(metric), str(label)
        if actual is None and not reason and not verdict:
            continue
        entry: dict = {}
        if actual is not None:
            if isinstance(actual, bool) or not isinstance(actual, (int, float)):
                problem(row[3], f"the actual must be a number, not '{actual}'")
                continue
            entry["actual"] = actual
        if reason:
            entry["data_not_available"] = str(reason)
        if not verdict:
            problem(row[5], "choose the verdict from the list")
            continue
        entry["verdict"] = str(verdict)
        if comment:
            entry["comment"] = str(comment)
        metrics.setdefault(metric, {})[label] = entry
    income, variance = {}, {}
    for row in _rows(book[INCOME]):
        stream, amount, why = row[0].value, row[2].value, row[3].value
        if amount is not None:
            if isinstance(amount, bool) or not isinstance(amount, int) or amount < 0:
                problem(row[2], f"type whole pounds, 0 or more, not '{amount}'")
                continue
            income[str(stream)] = amount
        if why:
            variance[str(stream)] = str(why)
    expenditure = []
    for row in _rows(book[SPEND]):
        scheme, stream, amount, comment = row[0].value, row[1].value, row[3].value, row[4].value
        if scheme is None and stream is None and amount is None:
            continue
        if not scheme or not stream or amount is None:
            problem(row[0], "a spend row needs its scheme, funding stream and amount")
            continue
        if isinstance(amount, bool) or not isinstance(amount, int) or amount < 0:
            problem(row[3], f"type whole pounds, 0 or more, not '{amount}'")
            continue
        expenditure.append({"scheme": str(scheme), "stream": str(stream), "amount": amount,
                            **({"comment": str(comment)} if comment else {})})
    out.sections = {"national_conditions": conditions, "metrics": metrics, "income": income,
                    "expenditure": expenditure, **({"variance": variance} if variance else {})}
    return out
