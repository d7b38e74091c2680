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


def rich_plan(fw: Framework) -> dict:
    """complete_plan with every optional kind of field the schema has filled in (sub-headings, tables,
    risks, history ...), for tests that put a value into each field in turn."""
    plan = complete_plan(fw)
    years = fw.financial_years
    first = next(e.id for e in fw.outline if e.answer != "none")
    plan.update({
        "title": "Better Care Fund plan",
        "date": "2023-06-28",
        "history": [{"version": "0.1", "date": "2023-06-01", "change": "First draft", "author": "A. Author"}],
        "sign_off": [{"body": "Health and Wellbeing Board", "organisation": "The council", "date": "2023-06",
                      "decision": "approved", "signatory": "A. Chair"}],
        "raci": {"responsible": ["BCF lead"], "accountable": ["Board"], "consulted": ["Partners"],
                 "informed": ["Public"]},
        "population": {"count": 600000, "year": 2023, "source": "ONS mid-year estimate"},
        "priorities": ["Home first"],
        "extra_sections": [{"id": "summary", "title": "Executive summary", "text": "A summary.",
                            "subsections": [{"title": "Background", "text": "Some background."}]}],
        "risks": [{"risk": "Demand rises", "mitigation": "Plan for it.", "likelihood": "medium", "impact": 3,
                   "owner": "BCF lead", "timescale": "2023-24"}],
        "related_documents": [{"number": 1, "title": "Planning template", "description": "The Excel template.",
                               "link": "https://example.org/template.xlsx"}],
        "tables": [{"id": "t1", "title": "A table", "section": first, "columns": ["Service", "Places"],
                    "rows": [["Reablement", 12], ["Respite", None]], "notes": "From the plan."}],
        "local_metrics": [{"id": "local", "name": "A local metric", "unit": "people",
                           "baseline": {years[0]: 5}, "goals": {years[0]: 6}, "rationale": "Why."}],
    })
    plan["narrative"][first] = {"title": "Our own heading", "text": "An answer.",
                                "subsections": [{"title": "A sub-heading", "text": "More."}]}
    plan["funding"]["notes"] = "Notes on the funding."
    for scheme in plan["schemes"]:
        scheme.update({"description": "What it does.", "provider": "A provider", "lead": "A lead",
                       "sub_type": "A sub-type", "notes": "Scheme notes.", "new": False})
    for metric in plan["metrics"].values():
        metric.update({"baseline": {years[0]: 11.5}, "rationale": "Why this goal."})
    if "uec_mapping" in fw.schema()["properties"]:
        plan["uec_mapping"] = [{"priority": "Discharge", "schemes": ["S1"], "notes": "How."}]
    plan["capacity_demand"] = [{"service": "Reablement", "kind": "demand", "source": "Hospital", "unit": "people",
                                "months": {f"{years[0][:4]}-04": 10}, "notes": "Expected."}]
    plan["statistics"] = [{"label": "Outcomes achieved", "value": 80.2, "unit": "%", "qualifier": "over",
                           "period": {"financial_year": years[0]}, "source": "Service data", "section": first}]
    plan["milestones"] = [{"when": {"date": "2024-01"}, "what": "The pilot is reviewed", "section": first},
                          {"when": {"as_stated": "6 months from April"}, "what": "A decision"}]
    plan["lost_figures"] = [{"caption": "Figure 1", "note": "A chart.", "section": first}]
    if fw.change_model:
        model = fw.change_model
        plan["change_model"] = [{"change": model["changes"][0]["id"], "current": model["levels"][0]["id"],
                                 "planned": model["levels"][1]["id"], "planned_by": "2024-03",
                                 "narrative": "How."}]
    return plan
