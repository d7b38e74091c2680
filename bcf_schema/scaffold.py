"""`bcfc new`: a new plan for a planning period, every heading present and marked to write.

The HWB's code and name and its ICBs come from the bundled reference list
(bcf_schema.hwbs). A new plan validates with only the findings that say what
is left to write (BCF205 for each required heading; BCF206 notes for the metric
goals, marked "to be written"). With an earlier plan, what still applies in the
new period is carried over and the rest is listed, never silently dropped.
"""
from __future__ import annotations

import copy
import datetime as dt
import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path

from bcf_schema import hwbs as hwb_list
from bcf_schema.framework import Framework, FrameworkError, load_framework
from bcf_schema.rules import pounds

from . import yamltext

TO_WRITE = "to be written"
FIRST_VERSION = "0.1"
_CREATED = re.compile(r"[Uu]nitary from (\d{1,2}) (\w{3}) (\d{4})")


class UnknownHwb(ValueError):
    """An HWB name or code that is not in the reference list; `suggestions` holds close ones."""

    def __init__(self, query: str, suggestions: list[hwb_list.Hwb]):
        self.query, self.suggestions = query, suggestions
        hint = ("; did you mean " + ", ".join(f"{h.short_name} ({h.code})" for h in suggestions) + "?"
                if suggestions else "")
        super().__init__(f"'{query}' is not a Health and Wellbeing Board in England{hint} "
                         "(the list is bcf_schema/data/hwbs.csv; give a name or an ONS code)")


def resolve_hwb(query: str) -> hwb_list.Hwb:
    found = hwb_list.find(query.strip())
    if found is None:
        raise UnknownHwb(query, suggest(query))
    return found


def suggest(query: str, limit: int = 5) -> list[hwb_list.Hwb]:
    """Close matches by name, slug or code: names containing the query first, then similar spellings."""
    wanted = re.sub(r"[^a-z0-9]+", " ", query.lower()).strip()
    every = hwb_list.all_hwbs()
    found = [h for h in every if wanted and (wanted in h.short_name.lower() or wanted in h.slug.replace("-", " "))]
    if re.fullmatch(r"e\d{8}", wanted):  # a code with digits swapped or mistyped: E10000043 for E10000034
        code = wanted.upper()
        close = [h for h in every if len(h.code) == len(code)
                 and sum(a != b for a, b in zip(h.code, code, strict=True)) <= 2]
        found += sorted(close, key=lambda h: (sorted(h.code) != sorted(code),
                                              sum(a != b for a, b in zip(h.code, code, strict=True))))
    scored = []
    for hwb in every:
        for key in (hwb.short_name.lower(), hwb.code.lower()):
            # Against the whole name and against its start: 'worcs' is close to 'worce(stershire)'.
            score = max(difflib.SequenceMatcher(None, wanted, key).ratio(),
                        difflib.SequenceMatcher(None, wanted, key[:len(wanted)]).ratio())
            scored.append((score, hwb))
    for score, hwb in sorted(scored, key=lambda item: -item[0]):
        if score < 0.7 or len(found) >= limit:
            break
        if hwb not in found:
            found.append(hwb)
    return found[:limit]


def period_start(fw: Framework) -> dt.date:
    return dt.date(int(fw.financial_years[0][:4]), 4, 1)


def code_for_period(hwb: hwb_list.Hwb, fw: Framework) -> str:
    """The ONS code the HWB carried when the period began (Barnsley's 2023-25 plan: E08000016)."""
    changed = hwb.code_changed_on
    if changed and hwb.previous_codes and period_start(fw) < changed:
        return hwb.previous_codes[0]
    return hwb.code


def created_after_start(hwb: hwb_list.Hwb, fw: Framework) -> dt.date | None:
    """When the council was created, if that is after the period began (a unitary of 2023 in 2014-15)."""
    match = _CREATED.search(hwb.notes)
    if not match:
        return None
    day, month, year = match.groups()
    months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    created = dt.date(int(year), months.index(month) + 1 if month in months else 4, int(day))
    return created if created > period_start(fw) else None


def default_path(hwb: hwb_list.Hwb, fw: Framework, plans_dir: str | Path = "plans") -> Path:
    return Path(plans_dir) / hwb.slug / f"{fw.period}.yaml"


@dataclass
class Scaffold:
    """A new plan as data, with what was carried from an earlier plan and what was not."""

    plan: dict
    fw: Framework
    hwbs: list[hwb_list.Hwb]
    carried: list[str] = field(default_factory=list)
    not_carried: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    source: str = ""  # the earlier plan's path, where there is one
    carried_narrative: set[str] = field(default_factory=set)


def new_plan(hwbs: list[hwb_list.Hwb], fw: Framework, *, today: dt.date | None = None,
             earlier: dict | None = None, earlier_path: str = "") -> Scaffold:
    """The plan for these HWBs and this framework, optionally carrying forward from an earlier plan."""
    if not hwbs:
        raise ValueError("a plan is for at least one Health and Wellbeing Board")
    if len(hwbs) > 1 and not fw.multiple_hwbs:
        raise ValueError(f"a {fw.period} plan covers one Health and Wellbeing Board; "
                         "only frameworks that allow a joint narrative take several")
    today = today or dt.date.today()
    partners: list[str] = []
    if fw.nhs_partners == "icbs":
        for hwb in hwbs:
            partners += [icb for icb in hwb.icbs if icb not in partners]
    if not partners:  # 2014-15 plans name CCGs, which the reference list does not hold
        partners = [f"{TO_WRITE}: the {'CCG(s)' if fw.nhs_partners == 'ccgs' else 'ICB(s)'}"]
    change = "New plan started with bcfc new" + (f" from {earlier_path}" if earlier_path else "")
    plan: dict = {
        "framework": fw.period,
        "hwbs": [{"name": h.short_name, "code": code_for_period(h, fw)} for h in hwbs],
        fw.nhs_partners: partners,
        "version": FIRST_VERSION,
        "status": "draft",
        "history": [{"version": FIRST_VERSION, "date": today.isoformat(), "change": change}],
        "narrative": {e.id: "" for e in fw.outline if e.answer != "none"},
        "funding": {"streams": {}},
        "schemes": [],
        "metrics": {m.id: {"goals": {}} for m in fw.metrics},
    }
    scaffold = Scaffold(plan, fw, list(hwbs), source=earlier_path)
    for hwb in hwbs:
        created = created_after_start(hwb, fw)
        if created:
            scaffold.warnings.append(f"{hwb.short_name} was created on {created.day} {created:%B %Y}, "
                                     f"after {fw.period} began")
    if earlier is not None:
        _carry(scaffold, earlier)
    return scaffold


def metric_marker(metric: dict, fw: Framework) -> str:
    periods = {"monthly": "each month", "quarterly": "each quarter", "annual": "each year"}
    when = periods.get(metric.get("goal_periods", ""), "each period")
    return f"{TO_WRITE}: the goals for {when} of {', '.join(fw.financial_years)}"


# -- carrying an earlier plan forward --------------------------------------------------------------

_SECTION_NAMES = {
    "extra_sections": "local sections (extra_sections)", "dfg": "the DFG allocation and districts (dfg)",
    "capacity_demand": "capacity and demand (capacity_demand)", "spend_by_category": "spend by category",
    "tables": "tables", "related_documents": "related documents", "uec_mapping": "UEC priorities (uec_mapping)",
    "minimum_spend": "minimum spend", "title": "the title", "date": "the date",
    "narrative_order": "the document's order of headings (narrative_order)", "statistics": "figures quoted (statistics)",
    "milestones": "milestones", "lost_figures": "figures lost from the text (lost_figures)",
    "change_model": "the change-model self-assessment (change_model)",
}


def _carry(s: Scaffold, old: dict) -> None:
    fw, plan = s.fw, s.plan
    old_period = old.get("framework", "?")
    years = set(fw.financial_years)

    for key in ("population", "raci", "priorities", "risks"):
        if old.get(key):
            plan[key] = copy.deepcopy(old[key])
            s.carried.append(key)
    if old.get("sign_off"):
        bodies, seen = [], set()
        for entry in old["sign_off"]:
            if not isinstance(entry, dict) or not entry.get("body"):
                continue
            kept = {k: entry[k] for k in ("body", "organisation", "signatory") if entry.get(k)}
            marker = (kept.get("body"), kept.get("organisation"))
            if marker not in seen:
                seen.add(marker)
                bodies.append(kept)
        if bodies:
            plan["sign_off"] = bodies
            s.carried.append(f"sign_off: {len(bodies)} bod{'y' if len(bodies) == 1 else 'ies'} "
                             "(their dates and decisions were for the earlier plan)")

    same_period = old_period == fw.period  # a fresh start from a draft of the same period keeps the rest too
    for key in ("title", "date", "extra_sections", "dfg", "capacity_demand", "spend_by_category", "tables",
                "related_documents", "uec_mapping", "minimum_spend", "narrative_order", "statistics", "milestones",
                "lost_figures", "change_model"):
        if not old.get(key):
            continue
        if same_period and key not in ("title", "date"):
            plan[key] = copy.deepcopy(old[key])
            s.carried.append(key)
        else:
            why = "it names the earlier plan" if key in ("title", "date") else f"it is written for {old_period}"
            s.not_carried.append(f"{_SECTION_NAMES[key]}: {why}")

    _carry_narrative(s, old, old_period)
    _carry_funding(s, old, old_period, years)
    _carry_schemes(s, old, old_period, years)
    _carry_metrics(s, old, old_period)


def _carry_narrative(s: Scaffold, old: dict, old_period: str) -> None:
    outline = s.fw.outline_by_id
    try:
        old_titles = {e.id: e.title for e in load_framework(old_period).outline}
    except (FrameworkError, TypeError):
        old_titles = {}
    for key, answer in (old.get("narrative") or {}).items():
        entry = outline.get(key)
        if entry is not None and entry.answer != "none" and answer:
            s.plan["narrative"][key] = copy.deepcopy(answer)
            s.carried_narrative.add(key)
        elif answer:
            title = f" ('{old_titles[key]}')" if key in old_titles else ""
            s.not_carried.append(f"narrative {key}{title}: {s.fw.period} has no heading with this id")
    if s.carried_narrative:
        s.carried.append(f"narrative: {len(s.carried_narrative)} answer(s) under headings {s.fw.period} keeps")


def _carry_funding(s: Scaffold, old: dict, old_period: str, years: set[str]) -> None:
    funding = old.get("funding") or {}
    if old_period == s.fw.period and isinstance(funding, dict) and funding.get("streams"):
        s.plan["funding"] = copy.deepcopy(funding)
        s.carried.append("funding")
        return
    streams = funding.get("streams") or {}
    names = s.fw.names("funding_streams")
    for stream, income in streams.items():
        if stream not in names:
            s.not_carried.append(f"funding stream {stream}: not a funding stream of {s.fw.period}"
                                 + _amounts_note(income))
            continue
        if not isinstance(income, dict) or "not_stated" in income:
            continue
        kept = {y: v for y, v in income.items() if y in years}
        if kept:
            s.plan["funding"]["streams"][stream] = kept
            s.carried.append(f"funding {stream}: {', '.join(kept)}")
        elif income:
            s.not_carried.append(f"funding {stream}: income for {', '.join(income)}, not years of {s.fw.period}")
    for key in ("stated_total",):
        kept = {y: v for y, v in (funding.get(key) or {}).items() if y in years}
        if kept:
            s.plan["funding"][key] = kept


def _amounts_note(income) -> str:
    if isinstance(income, dict) and "not_stated" not in income and income:
        return " (" + ", ".join(f"{y}: {pounds(v)}" for y, v in income.items() if isinstance(v, int)) + ")"
    return ""


def _carry_schemes(s: Scaffold, old: dict, old_period: str, years: set[str]) -> None:
    schemes = old.get("schemes")
    if isinstance(schemes, dict):
        reason = schemes.get("not_stated", "not stated")
        s.not_carried.append(f"schemes: the earlier plan does not list them ({reason})")
        return
    fw = s.fw
    streams, types = set(fw.ids("funding_streams")), set(fw.ids("scheme_types"))
    lists = {"area_of_spend": set(fw.ids("areas_of_spend")), "commissioner": set(fw.ids("commissioner_kinds"))}
    metric_ids = set(fw.ids("metrics"))
    # Streams the new framework merged into one of its own (2025-26: iBCF and LA discharge funding
    # into the Better Care Grant), from framework.yaml's `succeeds`.
    successor = {old: stream.id for stream in fw.funding_streams for old in stream.succeeds}
    carried = []
    for scheme in schemes or []:
        if not isinstance(scheme, dict):
            continue
        label = f"scheme {scheme.get('id')} '{scheme.get('name')}'"
        if scheme.get("funding_source") not in streams and scheme.get("funding_source") in successor:
            scheme = {**scheme, "funding_source": successor[scheme["funding_source"]]}
        if scheme.get("funding_source") not in streams and "funding_source_as_stated" not in scheme:
            s.not_carried.append(f"{label}: its funding source {scheme.get('funding_source')} "
                                 f"is not a funding stream of {fw.period}")
            continue
        if "type" in scheme and types and scheme["type"] not in types:
            s.not_carried.append(f"{label}: its type {scheme['type']} is not a scheme type of {fw.period}")
            continue
        dropped = ("expenditure", "metrics") if old_period == fw.period else ("expenditure", "new", "metrics")
        new = {k: copy.deepcopy(v) for k, v in scheme.items() if k not in dropped}
        for key, allowed in lists.items():
            if key in new and allowed and new[key] not in allowed:
                s.not_carried.append(f"{label}: {key} {new.pop(key)} is not one of {fw.period}'s")
        dropped_metrics = [m for m in scheme.get("metrics") or [] if m not in metric_ids]
        if scheme.get("metrics") and len(dropped_metrics) < len(scheme["metrics"]):
            new["metrics"] = [m for m in scheme["metrics"] if m in metric_ids]
        if dropped_metrics:
            s.not_carried.append(f"{label}: metrics {', '.join(dropped_metrics)} "
                                 f"are not national metrics of {fw.period}")
        spend = scheme.get("expenditure") or {}
        kept = {y: v for y, v in spend.items() if y in years}
        if not kept:
            # The amount for the new years is the plan's to decide: 0 until written, the old amounts noted.
            kept = {y: 0 for y in fw.financial_years}
            earlier = ", ".join(f"{y}: {pounds(v)}" for y, v in spend.items() if isinstance(v, int))
            note = (f"Expenditure for {', '.join(fw.financial_years)} {TO_WRITE} "
                    f"(carried from {old_period}{'; then ' + earlier if earlier else ''}).")
            new["notes"] = f"{new['notes'].rstrip()}\n\n{note}" if new.get("notes") else note
        new["expenditure"] = kept
        carried.append(new)
    if carried:
        s.plan["schemes"] = carried
        s.carried.append(f"schemes: {len(carried)} of {len(schemes or [])} (expenditure for "
                         f"{', '.join(fw.financial_years)} to write where the years differ)")


def _carry_metrics(s: Scaffold, old: dict, old_period: str) -> None:
    national = set(s.fw.ids("metrics"))
    same_period = old_period == s.fw.period
    for metric_id, value in (old.get("metrics") or {}).items():
        if metric_id not in national:
            s.not_carried.append(f"metric {metric_id}: not a national metric of {s.fw.period}")
        elif same_period and isinstance(value, dict):
            s.plan["metrics"][metric_id] = copy.deepcopy(value)
            s.carried.append(f"metric {metric_id}")
        else:
            s.not_carried.append(f"metric {metric_id}: goals are for {old_period}")
    locals_ = []
    for local in old.get("local_metrics") or []:
        if isinstance(local, dict) and local.get("id") and local.get("name"):
            keys = local if same_period else ("id", "name", "unit")
            locals_.append({k: copy.deepcopy(local[k]) for k in keys if local.get(k)})
    if locals_:
        s.plan["local_metrics"] = locals_
        note = "" if same_period else " (names and units; goals to write)"
        s.carried.append(f"local_metrics: {len(locals_)}{note}")


# -- the YAML text -----------------------------------------------------------------------------------

TOP_KEYS = ("hwbs", "icbs", "ccgs", "title", "version", "status", "date", "history", "sign_off", "raci",
            "population", "priorities")


def render(s: Scaffold, output: Path, today: dt.date | None = None, header: str = "") -> str:
    """The plan as YAML: the schema modeline, a header, and every heading with its wording as comments."""
    fw, plan = s.fw, s.plan
    today = today or dt.date.today()
    names = " and ".join(str(h.get("name")) for h in plan.get("hwbs") or [] if isinstance(h, dict)) or "The HWB"
    if not header:
        header = f"Started with `bcfc new` on {today.isoformat()}" + (f" from {s.source}." if s.source else ".")
    out = [yamltext.schema_modeline(fw.schema_path, output), "#\n"]
    out.append(yamltext.comment(
        f"{names}'s plan for {fw.title}. {header}\n"
        f"Every heading of the framework is under narrative: below, with its official wording as a comment. "
        f"An answer marked '{TO_WRITE}' is empty: write it as Markdown in a block (id: |). While the status "
        f"is draft what is left is a warning; from submitted it is an error. `bcfc status` lists what is left."))
    out.append(f'framework: "{fw.period}"\n')
    for key in TOP_KEYS:
        if key in plan:
            out.append(yamltext.key_value(key, plan[key]))
    out.append("\n")
    out.append(_narrative(s))
    out.append("\n")
    out.append(_funding(s))
    out.append("\n")
    out.append(_schemes(s))
    out.append("\n")
    out.append(_metrics(s))
    written = {"framework", *TOP_KEYS, "narrative", "funding", "schemes", "metrics"}
    for key, value in plan.items():
        if key not in written:
            out.append("\n" + yamltext.key_value(key, value))
    return "".join(out)


def slugify(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.split(",")[0].lower()).strip("-") or "plan"


def _metrics(s: Scaffold) -> str:
    fw, metrics = s.fw, s.plan.get("metrics") or {}
    year = fw.financial_years[0]
    out = ["metrics:\n"]
    if any(_is_marker(v) for v in metrics.values()):
        out.append(yamltext.comment("Write each metric's {baseline: {period: value}, goals: {period: value}, "
                                    f"rationale: ...}}; a period is a year ({year}), a quarter ({year} Q1) "
                                    f"or a month ({year} M01 is April).", 2))
    known = fw.names("metrics")
    for metric in fw.metrics:
        if metric.id not in metrics:
            continue
        better = f"; {metric['better']} is better" if metric.get("better") else ""
        out.append(yamltext.comment(f"{metric.name} ({metric.unit}{better})", 2))
        value = metrics[metric.id]
        out.append(yamltext.key_value(metric.id, value, 2, comment=metric_marker(metric, fw) if _is_marker(value) else ""))
    for key, value in metrics.items():
        if key not in known:
            out.append(yamltext.key_value(key, value, 2))
    if not metrics:
        return "metrics: {}\n"
    return "".join(out)


def _is_marker(value) -> bool:
    """A metric whose goals are still to be written: {goals: {}}."""
    return value == {"goals": {}}


def _narrative(s: Scaffold) -> str:
    out = ["narrative:\n"]
    for entry in s.fw.outline:
        if entry.answer == "none":
            rule = "=" * max(0, 4 - entry.depth) or "-"
            out.append(yamltext.comment(f"{rule} {entry.title} {rule}", 2))
            if entry.wording:
                out.append(yamltext.comment(entry.wording, 2))
            continue
        out.append(yamltext.comment(f"{entry.title} ({entry.answer})", 2))
        if entry.wording:
            out.append(yamltext.comment(entry.wording, 2))
        answer = s.plan["narrative"].get(entry.id, "")
        if entry.id in s.carried_narrative:
            out.append(yamltext.key_value(entry.id, answer, 2, comment=f"carried from {s.source}: review"))
        else:
            out.append(yamltext.key_value(entry.id, answer, 2, comment=TO_WRITE))
    return "".join(out)


def _funding(s: Scaffold) -> str:
    fw, funding = s.fw, s.plan.get("funding") or {"streams": {}}
    years = fw.financial_years
    out = ["funding:\n"]
    if funding.get("streams"):
        out.append(yamltext.key_value("streams", funding["streams"], 2))
    else:
        out.append(yamltext.comment(f"Income in whole pounds by funding stream and financial year "
                                    f"({', '.join(years)}); the framework's streams:", 2))
        for stream in fw.funding_streams:
            example = "{" + ", ".join(f"{y}: 0" for y in years) + "}"
            out.append(yamltext.comment(f"  {stream.id}: {example}   # {stream.name}", 2, width=200))
        out.append(yamltext.key_value("streams", {}, 2, comment=TO_WRITE))
    for key, value in funding.items():
        if key != "streams":
            out.append(yamltext.key_value(key, value, 2))
    return "".join(out)


def _schemes(s: Scaffold) -> str:
    fw, schemes = s.fw, s.plan.get("schemes")
    if schemes:
        return yamltext.key_value("schemes", schemes)
    years = fw.financial_years
    example = [
        "- id: S01",
        "  name: ...",
        f"  type: {(fw.ids('scheme_types') or ['...'])[0]}   # the framework's scheme types complete in the editor",
        f"  funding_source: {fw.ids('funding_streams')[0]}",
        f"  area_of_spend: {(fw.ids('areas_of_spend') or ['...'])[0]}",
        f"  commissioner: {(fw.ids('commissioner_kinds') or ['...'])[0]}",
        "  provider: ...",
        "  expenditure: {" + ", ".join(f"{y}: 0" for y in years) + "}",
    ]
    out = [yamltext.comment("One entry per scheme, as in the planning template:\n" + "\n".join(example), width=200)]
    out.append(yamltext.key_value("schemes", [], comment=TO_WRITE))
    return "".join(out)
