"""Rules a JSON Schema cannot express: sums, money conditions, completeness.

Each rule reads the plan (already schema-valid in shape where it looks) and the
framework, and yields findings. The framework supplies every id and money
rule; nothing here knows a particular period.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from . import hwbs
from .findings import Finding, Severity
from .framework import Framework
from .loader import LoadedPlan, pointer_join


@dataclass
class Context:
    plan: LoadedPlan
    fw: Framework

    @property
    def data(self) -> dict:
        return self.plan.data

    def finding(self, code, severity, pointer, message, hint="", key=False) -> Finding:
        # A finding about a whole mapping or list points at its key: `narrative:`, not its first entry.
        key = key or isinstance(_value_at(self.data, pointer), (dict, list))
        line, col = self.plan.source_map.locate(pointer, key=key)
        return Finding(code, severity, self.plan.path, line, col, pointer, message, hint)

    def schemes(self) -> list[dict] | None:
        """The plan's schemes, or None where the document leaves them to the template."""
        schemes = self.data.get("schemes")
        return schemes if isinstance(schemes, list) else None

    def stream_income(self, stream: str) -> dict | None:
        income = (self.data.get("funding") or {}).get("streams", {}).get(stream)
        return income if isinstance(income, dict) and "not_stated" not in income else None


def _value_at(data, pointer: str):
    for token in pointer.split("/")[1:]:
        token = token.replace("~1", "/").replace("~0", "~")
        if isinstance(data, dict):
            data = data.get(token)
        elif isinstance(data, list) and token.isdigit() and int(token) < len(data):
            data = data[int(token)]
        else:
            return None
    return data


def pounds(amount: int) -> str:
    return f"£{amount:,}"


def _money(value) -> int:
    """Amounts that passed the schema are ints; anything else counts as nothing here."""
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _is_answered(answer) -> bool:
    if isinstance(answer, str):
        return bool(answer.strip())
    if isinstance(answer, dict):
        return any(answer.get(k) for k in ("text", "subsections", "not_stated", "not_applicable"))
    return False


def income_matches_expenditure(ctx: Context) -> Iterator[Finding]:
    """BCF201: each stream's income, per year, is what the schemes plan to spend from it;
    BCF206 (info) names the schemes funded from outside the streams, which no stream counts."""
    schemes = ctx.schemes()
    if not schemes:
        return
    names = ctx.fw.names("funding_streams")
    for index, scheme in enumerate(schemes):
        if "funding_source" not in scheme and scheme.get("funding_source_as_stated"):
            yield ctx.finding("BCF206", Severity.INFO, f"/schemes/{index}/funding_source_as_stated",
                              f"scheme {scheme.get('id')} is funded from '{scheme['funding_source_as_stated']}', "
                              "which is none of the framework's funding streams, so no stream's income counts it")
    unallocated = (ctx.data.get("funding") or {}).get("unallocated") or {}
    for stream in ctx.fw.ids("funding_streams"):
        income = ctx.stream_income(stream)
        funded = [s for s in schemes if s.get("funding_source") == stream]
        if income is None or not funded:
            continue
        for year in ctx.fw.financial_years:
            if year not in income:
                continue
            spent = sum(_money((s.get("expenditure") or {}).get(year)) for s in funded)
            planned = _money(income[year])
            declared = _money((unallocated.get(stream) or {}).get(year))
            if spent + declared != planned:
                gap = planned - spent
                said = f"; the plan declares {pounds(declared)} unallocated" if declared else ""
                yield ctx.finding(
                    "BCF201", Severity.ERROR, f"/funding/streams/{stream}/{year}",
                    f"{names[stream]} {year}: income is {pounds(planned)} but schemes plan to spend "
                    f"{pounds(spent)} from it ({'unallocated' if gap > 0 else 'overspent by'} {pounds(abs(gap))}{said})",
                    "the expenditure of the schemes funded from a stream must add up to its income for the year; "
                    "income the document leaves unallocated goes under funding: unallocated:",
                )
            elif declared:
                yield ctx.finding(
                    "BCF201", Severity.WARNING, f"/funding/unallocated/{stream}/{year}",
                    f"{names[stream]} {year}: {pounds(declared)} of the income is not yet allocated to a scheme",
                    "allocate it to schemes before the plan is submitted")


def stated_totals_add_up(ctx: Context) -> Iterator[Finding]:
    """BCF202: a total the document states equals the sum of its parts."""
    funding = ctx.data.get("funding") or {}
    stated = funding.get("stated_total") or {}
    streams = funding.get("streams") or {}
    for year, total in stated.items():
        parts = [v.get(year) for v in streams.values() if isinstance(v, dict) and "not_stated" not in v]
        unknown = [k for k, v in streams.items() if not isinstance(v, dict) or "not_stated" in v]
        added = sum(_money(p) for p in parts)
        if unknown and added <= _money(total):
            continue  # some streams are left to the template: the parts we have cannot be checked
        if added != _money(total):
            yield ctx.finding(
                "BCF202", Severity.ERROR, f"/funding/stated_total/{year}",
                f"the stated total for {year} is {pounds(_money(total))} but the funding streams add up to {pounds(added)}",
                "correct the total or the stream amounts so they agree",
            )
        categories = ctx.data.get("spend_by_category") or []
        if categories and all(year in (c.get("amounts") or {}) for c in categories):
            by_category = sum(_money(c["amounts"][year]) for c in categories)
            if by_category != _money(total):
                yield ctx.finding(
                    "BCF202", Severity.ERROR, "/spend_by_category",
                    f"spend by category adds up to {pounds(by_category)} for {year}, "
                    f"but the stated total is {pounds(_money(total))}",
                    "the categories should divide the whole pooled fund",
                )

    dfg = ctx.data.get("dfg") or {}
    districts = dfg.get("districts") or []
    for year, allocation in (dfg.get("allocation") or {}).items():
        shares = [d["allocation"][year] for d in districts if year in (d.get("allocation") or {})]
        if districts and len(shares) == len(districts) and sum(shares) != allocation:
            yield ctx.finding(
                "BCF202", Severity.ERROR, f"/dfg/allocation/{year}",
                f"the DFG allocation for {year} is {pounds(allocation)} but the district shares add up to {pounds(sum(shares))}",
                "the districts' shares should add up to the allocation",
            )


def _scheme_matches(scheme: dict, where: dict) -> bool | None:
    """True/False, or None where the scheme does not say enough to tell."""
    for field_name, plan_field in (("area_of_spend", "area_of_spend"), ("commissioner", "commissioner"),
                                   ("scheme_type", "type")):
        allowed = where.get(field_name)
        if not allowed:
            continue
        if plan_field not in scheme:
            return None
        if scheme[plan_field] not in allowed:
            return False
    return True


def minimum_spend_met(ctx: Context) -> Iterator[Finding]:
    """BCF203: the national conditions' money rules: spend at or above the minimum the plan states."""
    stated = ctx.data.get("minimum_spend") or {}
    schemes = ctx.schemes()
    for rule in ctx.fw.items("minimum_spend"):
        minimums = stated.get(rule["id"])
        if not minimums:
            continue
        if schemes is None:
            yield ctx.finding("BCF203", Severity.INFO, f"/minimum_spend/{rule['id']}",
                              f"{rule['name']}: cannot be checked, the schemes are left to the planning template")
            continue
        funded = [s for s in schemes if s.get("funding_source") == rule["funding_stream"]]
        unclear = [s for s in funded if _scheme_matches(s, rule["where"]) is None]
        if unclear:
            fields = ", ".join(sorted({"type" if k == "scheme_type" else k for k in rule["where"]}))
            yield ctx.finding(
                "BCF203", Severity.WARNING, f"/minimum_spend/{rule['id']}",
                f"{rule['name']}: {len(unclear)} scheme(s) funded from this stream do not say their {fields}, "
                "so the minimum cannot be fully checked",
                f"add {fields} to scheme(s) {', '.join(str(s.get('id')) for s in unclear[:5])}",
            )
        counted = [s for s in funded if _scheme_matches(s, rule["where"])]
        for year, minimum in minimums.items():
            spent = sum(_money((s.get("expenditure") or {}).get(year)) for s in counted)
            if spent < minimum and not unclear:
                yield ctx.finding(
                    "BCF203", Severity.ERROR, f"/minimum_spend/{rule['id']}/{year}",
                    f"{rule['name']} {year}: the plan commits {pounds(spent)}, below the minimum of {pounds(minimum)}",
                    f"move {pounds(minimum - spent)} of the stream's schemes into qualifying spend, or correct the minimum",
                )


def ring_fenced_spend(ctx: Context) -> Iterator[Finding]:
    """BCF204: ring-fenced income (DFG) is spent only on the scheme types it is for."""
    names = ctx.fw.names("scheme_types")
    for rule in ctx.fw.items("ring_fenced"):
        for index, scheme in enumerate(ctx.schemes() or []):
            if scheme.get("funding_source") != rule["funding_stream"]:
                continue
            if scheme.get("type") not in rule["scheme_types"]:
                allowed = " or ".join(names.get(t, t) for t in rule["scheme_types"])
                pointer = f"/schemes/{index}/type" if "type" in scheme else f"/schemes/{index}"
                yield ctx.finding(
                    "BCF204", Severity.ERROR, pointer,
                    f"scheme {scheme.get('id')} '{scheme.get('name')}' is funded from "
                    f"{ctx.fw.names('funding_streams')[rule['funding_stream']]}, which may only fund {allowed} schemes",
                    f"set its type to {' or '.join(rule['scheme_types'])}, or fund it from another stream",
                )


def every_section_answered(ctx: Context) -> Iterator[Finding]:
    """BCF205 (error) every required heading is answered; BCF206 (info) shows what the document left elsewhere."""
    narrative = ctx.data.get("narrative") or {}
    for entry in ctx.fw.outline:
        answer = narrative.get(entry.id)
        pointer = f"/narrative/{entry.id}"
        if entry.answer == "required" and not _is_answered(answer):
            yield ctx.finding(
                "BCF205", Severity.ERROR, pointer if entry.id in narrative else "/narrative",
                f"'{entry.title}' ({entry.id}) is not answered",
                f"write the answer under narrative: {entry.id}: |, or say where it is with "
                f"{{not_stated: ...}}",
                key=entry.id in narrative,
            )
        elif isinstance(answer, dict) and (answer.get("not_stated") or answer.get("not_applicable")):
            reason = answer.get("not_stated") or answer.get("not_applicable")
            label = "not stated in this document" if answer.get("not_stated") else "not applicable"
            yield ctx.finding("BCF206", Severity.INFO, pointer, f"'{entry.title}': {label}: {reason}")


def every_metric_has_goals(ctx: Context) -> Iterator[Finding]:
    """BCF207: a goal (or a reason why not) for every national metric of the framework."""
    metrics = ctx.data.get("metrics") or {}
    for metric in ctx.fw.items("metrics"):
        value = metrics.get(metric["id"])
        if value is None:
            yield ctx.finding("BCF207", Severity.ERROR, "/metrics",
                              f"no goal for the national metric '{metric['name']}' ({metric['id']})",
                              f"add metrics: {metric['id']}: {{goals: ...}}, or {{not_stated: where the goals are}}")
        elif "not_stated" in value:
            yield ctx.finding("BCF206", Severity.INFO, f"/metrics/{metric['id']}",
                              f"'{metric['name']}' goals: not stated in this document: {value['not_stated']}")
        elif value.get("goals"):
            continue
        elif value.get("goal_as_stated"):
            yield ctx.finding("BCF206", Severity.INFO, f"/metrics/{metric['id']}/goal_as_stated",
                              f"'{metric['name']}' goal given in words, not as figures: {value['goal_as_stated']}")
        elif value.get("goals_not_stated"):
            yield ctx.finding("BCF206", Severity.INFO, f"/metrics/{metric['id']}/goals_not_stated",
                              f"'{metric['name']}' goals: not stated in this document: {value['goals_not_stated']}")
        else:
            yield ctx.finding("BCF207", Severity.ERROR, f"/metrics/{metric['id']}",
                              f"the national metric '{metric['name']}' has no goals",
                              "add goals: {period: value}, goal_as_stated: the document's words, "
                              "or goals_not_stated: where the goals are")


def _strings(value, pointer="") -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield pointer, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, pointer_join(pointer, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, pointer_join(pointer, index))


def no_placeholder_text(ctx: Context) -> Iterator[Finding]:
    """BCF208: the national template's guidance and placeholder text is gone."""
    placeholders = [(p, p.lower()) for p in ctx.fw.data.get("placeholders") or []]
    if not placeholders:
        return
    for pointer, text in _strings(ctx.data):
        lowered = text.lower()
        for original, needle in placeholders:
            if needle in lowered:
                yield ctx.finding("BCF208", Severity.ERROR, pointer,
                                  f"template text left in: '{original}'",
                                  "replace the template's guidance or placeholder with the plan's own words")


def hwb_is_known(ctx: Context) -> Iterator[Finding]:
    """BCF210-BCF212: the HWB exists in England's list, under the code current for the period."""
    period_start = dt.date(int(ctx.fw.financial_years[0][:4]), 4, 1)
    plan_icbs = [hwbs.normalise_icb(i) for i in ctx.data.get("icbs") or []]
    for index, entry in enumerate(ctx.data.get("hwbs") or []):
        code, name = entry.get("code", ""), entry.get("name", "")
        pointer = f"/hwbs/{index}"
        hwb = hwbs.by_code().get(code)
        if hwb is None:
            guess = hwbs.find(name)
            yield ctx.finding("BCF210", Severity.ERROR, f"{pointer}/code",
                              f"'{code}' is not the ONS code of any Health and Wellbeing Board in England",
                              f"{hwb_hint(guess)}see bcf_schema/data/hwbs.csv")
            continue
        if not hwb.matches_name(name):
            yield ctx.finding("BCF210", Severity.ERROR, f"{pointer}/name",
                              f"code {code} is {hwb.name}, but the plan names the HWB '{name}'",
                              "correct the name or the code")
        if code != hwb.code:
            changed = hwb.code_changed_on
            if changed and period_start >= changed:
                yield ctx.finding("BCF211", Severity.ERROR, f"{pointer}/code",
                                  f"{code} is {hwb.short_name}'s code before {changed:%d %B %Y}; "
                                  f"plans for {ctx.fw.period} use {hwb.code}", f"change the code to {hwb.code}")
        if plan_icbs and hwb.icbs and not any(hwbs.normalise_icb(i) in plan_icbs for i in hwb.icbs):
            yield ctx.finding("BCF212", Severity.WARNING, "/icbs",
                              f"none of the ICBs named is one that covers {hwb.short_name}",
                              f"the reference list gives: {'; '.join(hwb.icbs)}")


def hwb_hint(guess) -> str:
    return f"did you mean {guess.code} ({guess.name})? " if guess else ""


RULES = (
    income_matches_expenditure,
    stated_totals_add_up,
    minimum_spend_met,
    ring_fenced_spend,
    every_section_answered,
    every_metric_has_goals,
    no_placeholder_text,
    hwb_is_known,
)


def check(plan: LoadedPlan, fw: Framework, *, schema_clean: bool = True) -> list[Finding]:
    ctx = Context(plan, fw)
    findings: list[Finding] = []
    for rule in RULES:
        try:
            findings.extend(rule(ctx))
        except (TypeError, AttributeError, KeyError, ValueError):
            # Only a plan whose shape the schema already rejected can get here: the
            # schema findings say what to fix, and this rule runs again once it is.
            if schema_clean:
                raise
    return findings
