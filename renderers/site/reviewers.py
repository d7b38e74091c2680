"""Views for reviewers: every ICB with the HWBs it funds, and per period the submissions and how each plan
stands against the national conditions' money rules.

The ICBs and regions come from the bundled HWB list (bcf_schema/data/hwbs.csv), so an ICB page lists every
HWB it covers, with or without a published plan (an HWB two ICBs cover is on both). The compliance checks are
the framework's own (framework.yaml's funding streams, minimum_spend and ring_fenced rules), worked out from
what each plan states: met, not met, or not stated, with the reason and a link to the plan's figures.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from bcf_schema import hwbs as reference
from bcf_schema.framework import Framework

from .model import SitePlan

MET, NOT_MET, NOT_STATED = "Met", "Not met", "Not stated"


@dataclass(frozen=True)
class Icb:
    name: str
    code: str  # ODS code
    region: str
    hwbs: tuple  # reference.Hwb, in name order

    @property
    def slug(self) -> str:
        short = re.sub(r"^NHS\s+|\s+Integrated Care Board$", "", self.name)
        return re.sub(r"[^a-z0-9]+", "-", short.lower()).strip("-")

    @property
    def page(self) -> str:
        return f"icbs/{self.slug}.md"


def icbs() -> list[Icb]:
    """Every ICB in the HWB list, with the HWBs it covers; by region, then name."""
    found: dict[str, dict] = {}
    for hwb in reference.all_hwbs():
        for name, code in zip(hwb.icbs, hwb.icb_ods_codes):
            entry = found.setdefault(code, {"name": name, "regions": set(), "hwbs": []})
            entry["regions"].add(hwb.region)
            entry["hwbs"].append(hwb)
    out = [Icb(e["name"], code, "; ".join(sorted(e["regions"])), tuple(sorted(e["hwbs"], key=lambda h: h.name)))
           for code, e in found.items()]
    return sorted(out, key=lambda i: (i.region, i.name))


def place(plan: SitePlan) -> dict:
    """A plan's region and ICBs, from the HWB list by its ONS code(s)."""
    found = [reference.by_code().get(h.get("code", "")) for h in plan.data.get("hwbs") or []]
    return {"region": "; ".join(sorted({h.region for h in found if h})),
            "icbs": "; ".join(sorted({i for h in found if h for i in h.icbs}))}


def _spent(schemes: list[dict], year: str) -> int:
    return sum(s["expenditure"][year] for s in schemes if isinstance((s.get("expenditure") or {}).get(year), int))


def _matches(scheme: dict, where: dict) -> bool | None:
    for key, field in (("area_of_spend", "area_of_spend"), ("commissioner", "commissioner"), ("scheme_type", "type")):
        if where.get(key):
            if field not in scheme:
                return None
            if scheme[field] not in where[key]:
                return False
    return True


def compliance(plan: SitePlan) -> list[dict]:
    """Each check of the plan's framework: {check, year, status, detail, anchor} (anchor on the funding page)."""
    fw: Framework = plan.fw
    data = plan.data
    schemes = plan.schemes if isinstance(data.get("schemes"), list) else None
    schemes_reason = "the schemes are not stated in this document"
    unallocated = (data.get("funding") or {}).get("unallocated") or {}
    rows = []
    for stream in plan.streams:
        check = f"Income and spend meet: {stream.name}"
        if stream.not_stated:
            rows.append(dict(check=check, year="", status=NOT_STATED, detail=f"Income: {stream.not_stated}",
                             anchor="income-by-funding-stream"))
            continue
        stated_spend = ((data.get("funding") or {}).get("expenditure_by_source") or {}).get(stream.id) or {}
        for year, income in stream.amounts.items():
            if schemes is None and year in stated_spend:
                # the document states the stream's spend, though its schemes are elsewhere (issue 18)
                spent, declared = stated_spend[year], (unallocated.get(stream.id) or {}).get(year) or 0
                rows.append(dict(check=check, year=year, status=MET if spent + declared == income else NOT_MET,
                                 detail=f"income £{income:,}, stated expenditure £{spent:,}"
                                        + (f", unallocated £{declared:,}" if declared else ""),
                                 anchor="expenditure-by-scheme"))
                continue
            if schemes is None:
                rows.append(dict(check=check, year=year, status=NOT_STATED, detail=schemes_reason,
                                 anchor="expenditure-by-scheme"))
                continue
            spent = _spent([s for s in schemes if s.get("funding_source") == stream.id], year)
            declared = (unallocated.get(stream.id) or {}).get(year) or 0
            ok = spent + declared == income
            detail = f"income £{income:,}, schemes £{spent:,}" + (f", unallocated £{declared:,}" if declared else "")
            rows.append(dict(check=check, year=year, status=MET if ok else NOT_MET, detail=detail,
                             anchor="expenditure-by-scheme"))
    stated = data.get("minimum_spend") or {}
    for rule in fw.items("minimum_spend"):
        minimums = stated.get(rule["id"]) or {}
        if not minimums or "not_stated" in minimums:
            reason = minimums.get("not_stated") or "the plan does not state the minimum"
            rows.append(dict(check=rule["name"], year="", status=NOT_STATED, detail=str(reason), anchor="minimum-spend"))
            continue
        for year, minimum in minimums.items():
            if schemes is None:
                rows.append(dict(check=rule["name"], year=year, status=NOT_STATED, detail=schemes_reason,
                                 anchor="minimum-spend"))
                continue
            funded = [s for s in schemes if s.get("funding_source") == rule["funding_stream"]]
            if any(_matches(s, rule["where"]) is None for s in funded):
                rows.append(dict(check=rule["name"], year=year, status=NOT_STATED, anchor="minimum-spend",
                                 detail="some schemes from the stream do not say enough to count them"))
                continue
            spent = _spent([s for s in funded if _matches(s, rule["where"])], year)
            rows.append(dict(check=rule["name"], year=year, status=MET if spent >= minimum else NOT_MET,
                             detail=f"minimum £{minimum:,}, qualifying spend £{spent:,}", anchor="minimum-spend"))
    streams = fw.names("funding_streams")
    types = fw.names("scheme_types")
    for rule in fw.items("ring_fenced"):
        check = f"Ring-fenced: {streams.get(rule['funding_stream'])}"
        if schemes is None:
            rows.append(dict(check=check, year="", status=NOT_STATED, detail=schemes_reason,
                             anchor="expenditure-by-scheme"))
            continue
        funded = [s for s in schemes if s.get("funding_source") == rule["funding_stream"]]
        wrong = [s for s in funded if s.get("type") not in rule["scheme_types"]]
        allowed = " or ".join(types.get(t, t) for t in rule["scheme_types"])
        detail = (f"{len(funded)} scheme(s), all {allowed}" if funded and not wrong else
                  f"schemes of other types: {', '.join(str(s.get('id')) for s in wrong)}" if wrong else
                  "no scheme is funded from it in the scheme list")
        rows.append(dict(check=check, year="", status=NOT_MET if wrong else MET if funded else NOT_STATED,
                         detail=detail, anchor="expenditure-by-scheme"))
    return rows
