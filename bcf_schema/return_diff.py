"""`bcfc diff` for returns: a return against its plan, or two returns against each other.

"spend to date £4,100,000 of £5,100,000 planned, 80%": the plan's figures are its own for the return's
financial year (income by stream, expenditure of its schemes by funding source).
"""
from __future__ import annotations

import json

from . import escape
from .framework import load_framework
from .returns import is_return_path, period_of
from .rules import pounds


def _spend(ret: dict) -> dict[str, int]:
    spend: dict[str, int] = {}
    for entry in ret.get("expenditure") or []:
        spend[entry["stream"]] = spend.get(entry["stream"], 0) + entry["amount"]
    return spend


def _planned(plan: dict, year: str) -> tuple[dict[str, int], dict[str, int]]:
    """The plan's income and scheme spend by stream for one financial year (what it states)."""
    income = {s: v[year] for s, v in ((plan.get("funding") or {}).get("streams") or {}).items()
              if isinstance(v, dict) and isinstance(v.get(year), int)}
    spend: dict[str, int] = {}
    schemes = plan.get("schemes") if isinstance(plan.get("schemes"), list) else []
    for s in schemes:
        amount = (s.get("expenditure") or {}).get(year) if isinstance(s, dict) else None
        if s.get("funding_source") and isinstance(amount, int):
            spend[s["funding_source"]] = spend.get(s["funding_source"], 0) + amount
    return income, spend


def _of(actual: int, planned: int | None) -> str:
    if not planned:
        return f"{pounds(actual)} (none planned)" if actual else f"{pounds(actual)}"
    return f"{pounds(actual)} of {pounds(planned)} planned, {round(100 * actual / planned)}%"


def against_plan(ret: dict, plan: dict, name: str) -> dict:
    fw = load_framework(ret["framework"])
    period = period_of(fw, ret["return"])
    year = period["financial_year"]
    income, spend = ret.get("income") or {}, _spend(ret)
    plan_income, plan_spend = _planned(plan, year)
    streams = list(dict.fromkeys([*income, *spend]))
    reported = f" ({len(streams)} of the plan's {len(plan_income)} funded streams reported)" \
        if len(streams) < len(plan_income) else ""
    lines = [f"spend to date {_of(sum(spend.values()), sum(plan_spend.get(s, 0) for s in streams))}{reported}",
             f"income to date {_of(sum(income.values()), sum(plan_income.get(s, 0) for s in streams))}"]
    lines += [f"  {s}: spend {_of(spend.get(s, 0), plan_spend.get(s))}; income {_of(income.get(s, 0), plan_income.get(s))}"
              for s in streams]
    goals = plan.get("metrics") or {}
    for metric, by_period in (ret.get("metrics") or {}).items():
        for label, entry in by_period.items():
            goal = ((goals.get(metric) or {}).get("goals") or {}).get(label)
            actual = entry.get("actual", "data not available")
            lines.append(f"  {metric} {label}: actual {actual}, goal {goal if goal is not None else 'not stated'}, "
                         f"{entry['verdict'].replace('_', ' ')}")
    conditions = ret.get("national_conditions") or {}
    unmet = [c for c, answer in conditions.items() if not answer.get("met")]
    lines.append(f"national conditions: {len(conditions) - len(unmet)} met"
                 + (f", not met: {', '.join(unmet)}" if unmet else ""))
    return {"path": name, "title": f"{period['name']} against the plan ({year})", "lines": lines}


def between_returns(old: dict, new: dict, name: str) -> dict:
    fw = load_framework(new["framework"])
    titles = [period_of(fw, r["return"])["name"] if period_of(fw, r["return"]) else r["return"] for r in (old, new)]
    old_spend, new_spend = _spend(old), _spend(new)
    change = sum(new_spend.values()) - sum(old_spend.values())
    lines = [f"spend to date {pounds(sum(old_spend.values()))} -> {pounds(sum(new_spend.values()))} "
             f"({'+' if change >= 0 else '-'}{pounds(abs(change))})"]
    for s in dict.fromkeys([*old_spend, *new_spend]):
        if old_spend.get(s, 0) != new_spend.get(s, 0):
            lines.append(f"  {s}: spend {pounds(old_spend.get(s, 0))} -> {pounds(new_spend.get(s, 0))}")
    for metric, by_period in (new.get("metrics") or {}).items():
        for label, entry in by_period.items():
            before = ((old.get("metrics") or {}).get(metric) or {}).get(label)
            if before is None:
                lines.append(f"  {metric} {label}: new, {entry['verdict'].replace('_', ' ')}")
            elif before.get("verdict") != entry["verdict"] or before.get("actual") != entry.get("actual"):
                lines.append(f"  {metric} {label}: {before.get('verdict')} -> {entry['verdict']}"
                             f" (actual {before.get('actual', 'n/a')} -> {entry.get('actual', 'n/a')})")
    for cid, answer in (new.get("national_conditions") or {}).items():
        was = ((old.get("national_conditions") or {}).get(cid) or {}).get("met")
        if was is not None and was != answer.get("met"):
            lines.append(f"  {cid}: {'met' if was else 'not met'} -> {'met' if answer.get('met') else 'not met'}")
    return {"path": name, "title": f"{titles[0]} -> {titles[1]}", "lines": lines}


def involves_returns(files) -> bool:
    return any(is_return_path(f) for f in files)


def compare(old_path: str, old: dict, new_path: str, new: dict) -> dict:
    """Two returns, or a return and its plan in either order."""
    name = f"{old_path} -> {new_path}"
    if is_return_path(old_path) and is_return_path(new_path):
        return between_returns(old, new, name)
    ret, plan = (old, new) if is_return_path(old_path) else (new, old)
    return against_plan(ret, plan, name)


def as_text(diff: dict) -> str:
    return "".join(escape.terminal(line) + "\n" for line in [f"{diff['path']}: {diff['title']}", *diff["lines"]])


def as_json(diff: dict) -> str:
    return json.dumps(diff, indent=2, ensure_ascii=False) + "\n"


def as_markdown(diff: dict) -> str:
    body = "\n".join(diff["lines"]).replace("`", "'")
    return f"### {escape.markdown_code(diff['path'])}: {diff['title']}\n\n```\n{body}\n```\n"


FORMATS = {"text": as_text, "markdown": as_markdown, "json": as_json}
