"""A return's short narrative: national conditions, metrics against goals, money against the plan,
successes and challenges, as the same Document blocks the plan's narrative uses (Markdown, Word, PDF)."""
from __future__ import annotations

import datetime as dt

from bcf_schema.framework import Framework
from bcf_schema.return_diff import _planned, _spend
from bcf_schema.returns import period_of

from . import document as d


def _date(value) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def build(ret: dict, plan: dict, fw: Framework) -> d.Document:
    period = period_of(fw, ret["return"])
    year = period["financial_year"]
    hwbs = ", ".join(str(h.get("name", "")) for h in plan.get("hwbs") or [] if isinstance(h, dict))
    title = f"{hwbs}: {fw.title}, {period['name']}"
    blocks: list = [d.Heading(1, title)]
    if ret.get("synthetic"):
        blocks.append(d.Marker(f"Synthetic example: {ret['synthetic']}", "note"))
    blocks.append(d.Table("Return details", ["Item", "Detail"], [
        ["Return", period["name"]], ["Reports to", period["to"]], ["Status", ret["status"]],
        ["Version", ret.get("version", "")], ["Date", str(ret.get("date", ""))],
        *[["Signed off by", f"{s.get('body', '')} {s.get('date', '')}".strip()] for s in ret.get("sign_off") or []]]))
    names = {c["id"]: c["name"] for c in fw.data["returns"]["national_conditions"]}
    conditions = ret.get("national_conditions") or {}
    if conditions:
        blocks += [d.Heading(2, "National conditions", "national-conditions"),
                   d.Table("National conditions", ["Condition", "Met", "Comment"],
                           [[names.get(c, c), "Yes" if a.get("met") else "No", a.get("comment", "")]
                            for c, a in conditions.items()])]
    goals = plan.get("metrics") or {}
    metric_names = fw.names("metrics")
    rows = []
    for metric, by_period in (ret.get("metrics") or {}).items():
        for label, entry in by_period.items():
            goal = ((goals.get(metric) or {}).get("goals") or {}).get(label)
            rows.append([metric_names.get(metric, metric), label, "" if goal is None else f"{goal:g}",
                         f"{entry['actual']:g}" if "actual" in entry else "Data not available",
                         entry["verdict"].replace("_", " ").capitalize(),
                         entry.get("comment") or entry.get("data_not_available", "")])
    if rows:
        blocks += [d.Heading(2, "Metrics against the plan's goals", "metrics"),
                   d.Table("Metrics", ["Metric", "Period", "Goal", "Actual", "Verdict", "Comment"], rows)]
    income, spend = ret.get("income") or {}, _spend(ret)
    plan_income, plan_spend = _planned(plan, year)
    stream_names = fw.names("funding_streams")
    streams = list(dict.fromkeys([*income, *spend]))
    if streams:
        money = [[stream_names.get(s, s), plan_income.get(s, ""), income.get(s, 0), plan_spend.get(s, ""),
                  spend.get(s, 0), (ret.get("variance") or {}).get(s, "")] for s in streams]
        blocks += [d.Heading(2, f"Income and spend to {period['to']}", "money"),
                   d.Table("Income and spend by funding stream",
                           ["Funding stream", f"Planned income {year}", "Income to date", f"Planned spend {year}",
                            "Spend to date", "Variance explained"], money, frozenset({1, 2, 3, 4}))]
    for key, heading in (("successes", "Successes"), ("challenges", "Challenges")):
        if ret.get(key):
            blocks += [d.Heading(2, heading, key), d.Text(ret[key])]
    return d.Document(title=title, blocks=blocks, subject=f"{fw.title} {period['name']}", author=hwbs,
                      date=_date(ret.get("date")), draft=ret["status"] not in ("submitted", "approved"))
