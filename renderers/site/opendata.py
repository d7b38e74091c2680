"""Open data: every published plan's figures as tidy CSV and JSON, with a data dictionary.

One row per fact: funding per plan, stream and year; scheme expenditure per scheme and year; metric
baselines and goals per metric and period; capacity and demand per service and month; and one row per
plan. Every row carries the plan's HWB ONS code(s) and, from the bundled HWB list
(bcf_schema/data/hwbs.csv), its region and ICB ODS code(s), so the tables join with other data.

A column that holds a plan field is described from the plan's JSON Schema (`schema_ref.fields`), so the
dictionary cannot drift from the format. Figures a document leaves elsewhere are rows with no amount
and the document's reason in `not_stated`, never a 0.

CSV injection (OWASP, "CSV Injection"): a text cell that begins with =, +, -, @, a tab or a carriage
return could be read as a formula by a spreadsheet, so it is written with a leading apostrophe, and
every text cell is quoted. Numbers are numbers (a money amount is never negative). The JSON holds the
plan text as it is: it is no spreadsheet.
"""
from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass

from bcf_schema import hwbs as reference
from bcf_schema.framework import available_periods, load_framework
from bcf_schema.stated import shown

from . import schema_ref
from .model import SitePlan, numeric_periods

DATA_DIR = "data"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    name: str
    meaning: str
    field: str = ""  # the plan field it holds (a schema path, as the plan fields page writes it)


# Every table starts with these: which plan, and where it sits among England's HWBs.
PLAN_COLUMNS = [
    Column("period", "The planning period (its framework), such as 2023-25.", "framework"),
    Column("plan", "The plan's place on this site: plans/<plan>/ (HWB and period)."),
    Column("hwb_ons_code", "The ONS (GSS) code of the plan's Health and Wellbeing Board; several, separated by "
                           "semicolons, where one plan covers more than one.", "hwbs[].code"),
    Column("hwb_name", "The Health and Wellbeing Board's name as the plan gives it.", "hwbs[].name"),
    Column("region", "The NHS England region of the HWB, from the bundled HWB list."),
    Column("icb_ods_codes", "The ODS codes of the Integrated Care Boards that cover the HWB, from the bundled HWB "
                            "list, separated by semicolons."),
]

TABLES: dict[str, tuple[str, list[Column]]] = {
    "plans": ("One row per published plan.", [
        Column("icbs_as_stated", "The ICBs (CCGs for 2014-15) the plan names, separated by semicolons.", "icbs"),
        Column("version", "The document version, as the document gives it.", "version"),
        Column("status", "Where the plan is in its life: draft, submitted or approved.", "status"),
        Column("date", "The plan's date, as YYYY-MM-DD or YYYY-MM; empty where the document gives none.", "date"),
    ]),
    "funding": ("One row per plan, funding stream and financial year: the income the plan states.", [
        Column("stream_id", "The funding stream's id in the period's framework.", "funding.streams"),
        Column("stream_name", "The funding stream's name."),
        Column("financial_year", "The financial year, such as 2023-24; empty where the stream is not stated."),
        Column("amount_gbp", "Income in whole pounds; empty where the document leaves it elsewhere."),
        Column("not_stated", "Where the document leaves the figure instead (its reason), if it does."),
    ]),
    "expenditure_by_source": ("One row per plan, funding stream and financial year: the expenditure a plan "
                              "states by funding source, where it lists its schemes elsewhere.", [
        Column("stream_id", "The funding stream's id in the period's framework.", "funding.expenditure_by_source"),
        Column("stream_name", "The funding stream's name."),
        Column("financial_year", "The financial year, such as 2023-24."),
        Column("expenditure_gbp", "Planned expenditure in whole pounds, as the document states it."),
    ]),
    "dfg": ("One row per plan, part of the Disabled Facilities Grant and financial year: its split to district "
            "councils or by purpose.", [
        Column("split", "district (a district council's share) or purpose (what it pays for)."),
        Column("name", "The district council, or the purpose in the document's words.", "dfg.purposes[].purpose"),
        Column("financial_year", "The financial year."),
        Column("amount_gbp", "The amount in whole pounds."),
    ]),
    "schemes": ("One row per scheme and financial year: what the pooled fund buys.", [
        Column("scheme_id", "The document's own scheme reference.", "schemes[].id"),
        Column("scheme_name", "The scheme's name.", "schemes[].name"),
        Column("scheme_type", "The scheme type's id in the period's framework.", "schemes[].type"),
        Column("scheme_type_name", "The scheme type's name."),
        Column("area_of_spend", "The area of spend's name.", "schemes[].area_of_spend"),
        Column("funding_source", "The funding stream that pays for it, or the source in the document's words.",
               "schemes[].funding_source"),
        Column("commissioner", "Who commissions it.", "schemes[].commissioner"),
        Column("provider", "Who provides it.", "schemes[].provider"),
        Column("financial_year", "The financial year."),
        Column("expenditure_gbp", "Planned expenditure in whole pounds.", "schemes[].expenditure"),
    ]),
    "metrics": ("One row per plan, metric and period: the baselines and goals the plan states.", [
        Column("metric_id", "The national metric's id in the period's framework, or local-<id> for the plan's "
                            "own metric.", "metrics"),
        Column("metric_name", "The metric's name."),
        Column("unit", "What the figure counts."),
        Column("measure", "baseline or goal."),
        Column("period_label", "The period: a financial year (2023-24), a quarter (2023-24 Q1) or a month "
                               "(2023-24 M01 is April 2023)."),
        Column("value", "The figure."),
    ]),
    "capacity_demand": ("One row per plan, service, kind and month: intermediate care capacity and demand.", [
        Column("service", "The service or discharge pathway.", "capacity_demand[].service"),
        Column("kind", "demand or capacity.", "capacity_demand[].kind"),
        Column("source", "Where demand comes from, or which trust.", "capacity_demand[].source"),
        Column("unit", "What the figure counts.", "capacity_demand[].unit"),
        Column("month", "The calendar month, YYYY-MM.", "capacity_demand[].months"),
        Column("value", "The figure."),
    ]),
    "returns": ("One row per plan, published return and funding stream: the income and spend the return reports "
                "to date, beside what the plan sets for that financial year.", [
        Column("return_id", "The return's id in the period's framework, such as y1-q2."),
        Column("return_name", "The return's name, such as 2023-24 Q2 return."),
        Column("return_status", "submitted or approved."),
        Column("financial_year", "The financial year the return reports on."),
        Column("stream_id", "The funding stream's id in the period's framework."),
        Column("stream_name", "The funding stream's name."),
        Column("income_gbp", "Income to date in whole pounds, as the return reports it."),
        Column("spend_gbp", "Spend to date in whole pounds: the return's expenditure on the stream's schemes."),
        Column("planned_income_gbp", "The plan's income from the stream for the year; empty where it states none."),
        Column("planned_spend_gbp", "The plan's scheme expenditure from the stream for the year; empty where it "
                                    "states none."),
    ]),
    "return_metrics": ("One row per plan, published return, metric and period: the actual figure the return "
                       "reports and its verdict against the plan's goal.", [
        Column("return_id", "The return's id in the period's framework, such as y1-q2."),
        Column("return_name", "The return's name, such as 2023-24 Q2 return."),
        Column("metric_id", "The national metric's id in the period's framework."),
        Column("metric_name", "The metric's name."),
        Column("period_label", "The period: a financial year (2023-24) or a quarter (2023-24 Q1)."),
        Column("actual", "The actual figure; empty where data is not available."),
        Column("data_not_available", "Why there is no figure, where there is none."),
        Column("goal", "The plan's goal for the period; empty where the plan states none."),
        Column("verdict", "on_track, not_on_track, achieved, not_achieved or data_not_available."),
    ]),
}


def neutralise(value):
    """A cell as a spreadsheet may safely open it: text that could start a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _plan_cells(plan: SitePlan) -> list:
    codes = [h.get("code", "") for h in plan.data.get("hwbs") or []]
    found = [reference.by_code().get(code) for code in codes]
    regions = sorted({h.region for h in found if h})
    icbs = sorted({code for h in found if h for code in h.icb_ods_codes})
    return [plan.period, plan.slug, ";".join(codes), plan.hwb_name, ";".join(regions), ";".join(icbs)]


def rows(plans: list[SitePlan]) -> dict[str, list[list]]:
    """Every table's rows, plans in site order (period, HWB)."""
    out: dict[str, list[list]] = {name: [] for name in TABLES}
    for plan in plans:
        first = _plan_cells(plan)
        data, fw = plan.data, plan.fw
        out["plans"].append(first + ["; ".join(plan.partners), shown(data.get("version", "")), shown(data.get("status", "")),
                                     str(data.get("date") or "")])
        for stream in plan.streams:
            if stream.not_stated:
                out["funding"].append(first + [stream.id, stream.name, "", None, stream.not_stated])
            for year, amount in stream.amounts.items():
                out["funding"].append(first + [stream.id, stream.name, year, amount, ""])
        names = {key: fw.names(key) for key in ("scheme_types", "areas_of_spend", "commissioner_kinds",
                                                "funding_streams")}
        for scheme in plan.schemes:
            source = (names["funding_streams"].get(scheme["funding_source"], scheme["funding_source"])
                      if "funding_source" in scheme else scheme.get("funding_source_as_stated", ""))
            facts = [str(scheme.get("id", "")), scheme.get("name", ""), scheme.get("type", ""),
                     names["scheme_types"].get(scheme.get("type"), ""),
                     names["areas_of_spend"].get(scheme.get("area_of_spend"), scheme.get("area_of_spend", "")),
                     source, names["commissioner_kinds"].get(scheme.get("commissioner"), scheme.get("commissioner", "")),
                     scheme.get("provider", "")]
            for year, amount in (scheme.get("expenditure") or {}).items():
                if isinstance(amount, int):
                    out["schemes"].append(first + facts + [year, amount])
        out["expenditure_by_source"] += _spend_by_source_rows(first, data, names["funding_streams"])
        out["dfg"] += _dfg_rows(first, data)
        given = data.get("metrics") or {}
        entries = [(m["id"], m["name"], m.get("unit", ""), given.get(m["id"])) for m in fw.items("metrics")]
        entries += [(f"local-{m['id']}", m["name"], m.get("unit", ""), m) for m in data.get("local_metrics") or []]
        for metric_id, name, unit, value in entries:
            for measure in ("baseline", "goals"):
                for label, figure in numeric_periods((value or {}).get(measure) if isinstance(value, dict) else None):
                    out["metrics"].append(first + [metric_id, name, unit, measure.rstrip("s"), label, figure])
        capacity = data.get("capacity_demand")
        for row in capacity if isinstance(capacity, list) else []:
            for month, figure in (row.get("months") or {}).items():
                out["capacity_demand"].append(first + [row["service"], row["kind"], row.get("source", ""),
                                                       row.get("unit", ""), str(month), figure])
        _return_rows(out, first, plan)
    return out


def _return_rows(out: dict, first: list, plan: SitePlan) -> None:
    streams, metrics = plan.fw.names("funding_streams"), plan.fw.names("metrics")
    goals = plan.data.get("metrics") or {}
    for ret in reversed(plan.returns):  # oldest first, as the year went
        about = [ret.data["return"], ret.name]
        money = ret.money(plan.data)
        for stream in money["streams"]:
            out["returns"].append(first + about + [ret.data["status"], money["year"], stream,
                                                   streams.get(stream, stream), money["income"].get(stream, 0),
                                                   money["spend"].get(stream, 0), money["plan_income"].get(stream),
                                                   money["plan_spend"].get(stream)])
        for metric, by_period in (ret.data.get("metrics") or {}).items():
            for label, entry in by_period.items():
                goal = ((goals.get(metric) or {}).get("goals") or {}).get(label)
                out["return_metrics"].append(first + about + [
                    metric, metrics.get(metric, metric), str(label), entry.get("actual"),
                    entry.get("data_not_available", ""), goal if isinstance(goal, (int, float)) else None,
                    entry["verdict"]])


def _spend_by_source_rows(first: list, data: dict, streams: dict) -> list[list]:
    spend = (data.get("funding") or {}).get("expenditure_by_source") or {}
    return [first + [stream, streams.get(stream, stream), year, amount]
            for stream in streams if stream in spend for year, amount in spend[stream].items()]


def _dfg_rows(first: list, data: dict) -> list[list]:
    dfg = data.get("dfg") or {}
    parts = [("district", d["name"], d) for d in dfg.get("districts") or []]
    parts += [("purpose", p["purpose"], p) for p in dfg.get("purposes") or []]
    return [first + [split, name, year, amount] for split, name, part in parts
            for year, amount in (part.get("allocation") or {}).items()]


def columns(name: str) -> list[Column]:
    return PLAN_COLUMNS + TABLES[name][1]


def to_csv(name: str, table: list[list]) -> bytes:
    """UTF-8 with a byte-order mark (so Excel reads £ and names right), CRLF rows as RFC 4180 has them."""
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\r\n")
    writer.writerow([c.name for c in columns(name)])
    for row in table:
        writer.writerow(["" if v is None else neutralise(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_json(name: str, table: list[list]) -> bytes:
    names = [c.name for c in columns(name)]
    records = [dict(zip(names, row)) for row in table]
    document = {"table": name, "description": TABLES[name][0], "columns": names, "rows": records}
    return (json.dumps(document, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def files(plans: list[SitePlan]) -> tuple[dict[str, bytes], list[dict]]:
    """{site path: bytes} of every table in both formats, and the Data page's list of them."""
    out, listing = {}, []
    for name, table in rows(plans).items():
        csv_path, json_path = f"{DATA_DIR}/{name}.csv", f"{DATA_DIR}/{name}.json"
        out[csv_path], out[json_path] = to_csv(name, table), to_json(name, table)
        listing.append({"name": name, "description": TABLES[name][0], "rows": len(table), "csv": csv_path,
                        "json": json_path, "columns": dictionary(name)})
    return out, listing


def dictionary(name: str) -> list[list[str]]:
    """Each column: its name, meaning, the plan field it holds and what that field may be, from the schemas."""
    described = _schema_fields()
    result = []
    for column in columns(name):
        kind, meaning = described.get(column.field, ("", ""))
        text = column.meaning + (f" {meaning}" if meaning and meaning not in column.meaning else "")
        result.append([column.name, text, column.field, kind])
    return result


def _schema_fields() -> dict[str, tuple[str, str]]:
    """Plan field path -> (what it may be, its description), the first period's that describes it."""
    defs = schema_ref.load_defs()
    out: dict[str, tuple[str, str]] = {}
    for period in available_periods():
        for f in schema_ref.fields(load_framework(period), defs):
            kind = f.kind if not f.kind.startswith("one of:") else "one of the period's ids"
            if f.path not in out or (not out[f.path][1] and f.description):
                out[f.path] = (kind, f.description)
    return out
