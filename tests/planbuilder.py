"""A small complete plan for any framework, for tests that break one thing at a time.

Built from framework.yaml, so the same tests run for every period.
"""
from __future__ import annotations

import copy

import yaml

from bcf_schema import hwbs
from bcf_schema.framework import Framework


def complete_plan(fw: Framework, hwb_code: str = "E10000034") -> dict:
    hwb = hwbs.by_code()[hwb_code]
    years = fw.financial_years
    streams = fw.ids("funding_streams")
    plan = {
        "framework": fw.period,
        "hwbs": [{"name": hwb.short_name, "code": hwb.code}],
        fw.nhs_partners: list(hwb.icbs) if fw.nhs_partners == "icbs" else ["NHS Test CCG"],
        "version": "1.0",
        "status": "submitted",
        "sign_off": [{"body": "Health and Wellbeing Board", "date": f"{years[0][:4]}-07-01"}],
        "narrative": {e.id: f"Answer to {e.title}." for e in fw.outline if e.answer != "none"},
        "funding": {"streams": {s: {y: 100_000 for y in years} for s in streams[:2]}},
        "schemes": [],
        "metrics": {m["id"]: {"goals": {p: 10.0 for p in fw.goal_periods(m)}} for m in fw.items("metrics")},
    }
    if fw.items("minimum_spend"):
        plan["minimum_spend"] = {r["id"]: {"not_stated": "in the planning template"} for r in fw.items("minimum_spend")}
    for index, stream in enumerate(streams[:2]):
        scheme = {
            "id": f"S{index + 1}",
            "name": f"Scheme funded by {stream}",
            "funding_source": stream,
            "expenditure": {y: 100_000 for y in years},
        }
        for rule in fw.items("ring_fenced"):
            if rule["funding_stream"] == stream:
                scheme["type"] = rule["scheme_types"][0]
        plan["schemes"].append(scheme)
    return plan


def dump(plan: dict) -> str:
    return yaml.safe_dump(plan, sort_keys=False, allow_unicode=True, width=1000)


def line_of(text: str, needle: str, after: str | None = None, *, starts: bool = False) -> int:
    """1-based line of the first line containing needle (after the line containing `after`).

    With starts=True the line must begin with needle, indentation aside (a key, not a longer key ending in it)."""
    lines = text.splitlines()
    start = 0
    if after is not None:
        start = next(i for i, line in enumerate(lines) if after in line) + 1
    for index in range(start, len(lines)):
        line = lines[index]
        if (line.lstrip().startswith(needle) if starts else needle in line):
            return index + 1
    raise AssertionError(f"{needle!r} not in the text")


def variant(plan: dict) -> dict:
    return copy.deepcopy(plan)
