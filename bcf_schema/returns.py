"""Returns against a plan: plans/<hwb>/returns/<period>-<return>.yaml, checked against the plan they name.

What a return holds is the `returns:` section of the period's framework.yaml; the checks here read it
and the plan, and report findings at the return's lines like the plan rules do. The status rules are
the plan's (rules.signed_off, version_in_history, no_placeholder_text): work left is a warning in a
draft and an error once submitted.
"""
from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from pathlib import Path

from . import messages, rules, schema_check
from .findings import Finding, Severity, sort_key
from .framework import Framework, load_framework
from .loader import LoadedPlan, load, pointer_join

RETURNS_FOLDER = "returns"
GOOD = ("on_track", "achieved")
BAD = ("not_on_track", "not_achieved")


def is_return_path(path: str | Path) -> bool:
    """A return lives in a returns/ folder beside its HWB's plans."""
    return Path(path).parent.name == RETURNS_FOLDER


class ReturnsView(Framework):
    """The framework with its return.schema.json in place of plan.schema.json, for schema_check."""

    @property
    def schema_path(self) -> Path:
        return self.return_schema_path


@functools.cache
def view_of(period: str) -> ReturnsView:
    fw = load_framework(period)
    return ReturnsView(fw.period, fw.data, fw.folder, fw.outline)


def period_of(fw: Framework, return_id: str) -> dict | None:
    return next((p for p in fw.data["returns"]["periods"] if p["id"] == return_id), None)


def plan_path_of(return_path: str | Path, data: dict) -> Path:
    return (Path(return_path).parent / str(data.get("plan", ""))).resolve()


class ReturnContext(rules.Context):
    plan_data: dict = None  # the plan the return names (already loaded)
    period: dict = None

    @property
    def kind(self) -> str:
        return self.period["kind"]


def _plan_of(ret: LoadedPlan, fw: Framework) -> tuple[dict | None, list[Finding]]:
    """The plan the return names, loaded, or why not (BCF501, BCF502)."""
    given = ret.data.get("plan")
    path = plan_path_of(ret.path, ret.data)
    here = Path(ret.path).parent
    hint = f"name the plan relative to this file: plan: ../{fw.period}.yaml"
    if not path.is_file():
        return None, [ret.finding_at("BCF501", Severity.ERROR, "/plan", f"no plan at '{given}' (looked for {path})",
                                     hint)]
    plan = load(path)
    if not plan.ok:
        return None, [ret.finding_at("BCF501", Severity.ERROR, "/plan",
                                     f"the plan '{given}' does not load: {plan.findings[0].message}",
                                     f"fix the plan first (bcfc validate {path})")]
    if plan.data.get("framework") != fw.period:
        return None, [ret.finding_at("BCF501", Severity.ERROR, "/plan",
                                     f"the plan '{given}' is for framework {plan.data.get('framework')!r}, "
                                     f"this return for {fw.period!r}", hint)]
    if path.parent != here.parent.resolve():
        return None, [ret.finding_at("BCF501", Severity.ERROR, "/plan",
                                     f"the plan '{given}' is not this HWB's: a return sits in the returns/ folder "
                                     "beside its plan", hint)]
    status = plan.data.get("status", "draft")
    if status not in rules.FINAL:
        return None, [ret.finding_at("BCF502", Severity.ERROR, "/plan",
                                     f"the plan '{given}' is {status}: a return reports on a submitted or approved plan",
                                     "submit the plan first (set its status: submitted once it validates)")]
    return plan.data, []


def file_named_for_return(ctx: ReturnContext) -> Iterator[Finding]:
    """BCF507: the file is named <period>-<return>.yaml, so the folder listing says what each return is."""
    expected = f"{ctx.fw.period}-{ctx.data['return']}"
    if Path(ctx.plan.path).stem != expected:
        yield ctx.finding("BCF507", Severity.ERROR, "/return",
                          f"the return is {ctx.data['return']} but the file is named {Path(ctx.plan.path).name}",
                          f"name the file {expected}.yaml (or correct return:)")


def schemes_and_streams_in_plan(ctx: ReturnContext) -> Iterator[Finding]:
    """BCF503: every scheme and funding stream the return reports is one of its plan's (did you mean)."""
    plan_streams = list(((ctx.plan_data.get("funding") or {}).get("streams") or {}))
    for section in ("income", "variance"):
        for stream in ctx.data.get(section) or {}:
            if stream not in plan_streams:
                yield ctx.finding("BCF503", Severity.ERROR, pointer_join(f"/{section}", stream),
                                  f"the plan has no income from '{stream}'",
                                  messages.closest(stream, plan_streams), key=True)
    schemes = ctx.plan_data.get("schemes")
    by_id = {str(s.get("id")): s for s in schemes if isinstance(s, dict)} if isinstance(schemes, list) else None
    for index, entry in enumerate(ctx.data.get("expenditure") or []):
        at = f"/expenditure/{index}"
        if entry["stream"] not in plan_streams:
            yield ctx.finding("BCF503", Severity.ERROR, f"{at}/stream", f"the plan has no income from '{entry['stream']}'",
                              messages.closest(entry["stream"], plan_streams))
        if by_id is None:
            continue  # the plan leaves its schemes to the template: nothing to check the id against
        scheme = by_id.get(str(entry["scheme"]))
        if scheme is None:
            yield ctx.finding("BCF503", Severity.ERROR, f"{at}/scheme", f"the plan has no scheme '{entry['scheme']}'",
                              messages.closest(entry["scheme"], list(by_id)))
        elif scheme.get("funding_source") not in (None, entry["stream"]):
            yield ctx.finding("BCF503", Severity.ERROR, f"{at}/stream",
                              f"the plan funds scheme '{entry['scheme']}' from '{scheme['funding_source']}', "
                              f"not '{entry['stream']}'", f"stream: {scheme['funding_source']}")


def spend_meets_income(ctx: ReturnContext) -> Iterator[Finding]:
    """BCF504: each stream's spend to date equals its income to date, or the variance says why."""
    income = ctx.data.get("income") or {}
    spend: dict[str, int] = {}
    for entry in ctx.data.get("expenditure") or []:
        spend[entry["stream"]] = spend.get(entry["stream"], 0) + entry["amount"]
    explained = ctx.data.get("variance") or {}
    for stream in [*income, *(s for s in spend if s not in income)]:
        got, spent = income.get(stream, 0), spend.get(stream, 0)
        if got == spent or stream in explained:
            continue
        pointer = pointer_join("/income", stream) if stream in income else "/expenditure"
        gap = f"{rules.pounds(abs(got - spent))} {'less' if spent < got else 'more'}"
        yield ctx.finding("BCF504", ctx.left, pointer,
                          f"{stream}: spend to date {rules.pounds(spent)} against income {rules.pounds(got)} "
                          f"({gap}), and no variance explains it",
                          f"correct the figures, or add variance: {{{stream}: why the spend differs}}", key=True)


def _meets(actual: float, goal: float, better: str) -> bool:
    return actual <= goal if better == "lower" else actual >= goal


def metrics_agree(ctx: ReturnContext) -> Iterator[Finding]:
    """BCF505 (warning): a verdict agrees with the actual and the plan's goal; BCF507: a verdict of the
    return's kind, for a period of the return's year."""
    allowed = ctx.fw.data["returns"]["verdicts"][ctx.kind]
    year = ctx.period["financial_year"]
    better = {m["id"]: m["better"] for m in ctx.fw.items("metrics")}
    for metric, by_period in (ctx.data.get("metrics") or {}).items():
        goals = ((ctx.plan_data.get("metrics") or {}).get(metric) or {}).get("goals") or {}
        for label, entry in by_period.items():
            at = pointer_join(pointer_join("/metrics", metric), label)
            if not label.startswith(year):
                yield ctx.finding("BCF507", Severity.ERROR, at, f"{label} is not in this return's year {year}",
                                  f"report periods of {year} ({year}, {year} Q1, {year} M01 ...)", key=True)
            verdict = entry["verdict"]
            if verdict not in allowed:
                yield ctx.finding("BCF507", Severity.ERROR, pointer_join(at, "verdict"),
                                  f"'{verdict}' is not a verdict of a {ctx.kind.replace('_', '-')} return",
                                  messages.closest(verdict, allowed))
                continue
            actual, goal = entry.get("actual"), goals.get(label)
            if "actual" not in entry and "data_not_available" not in entry:
                yield ctx.finding("BCF506", ctx.left, at, f"{metric} {label}: no actual figure",
                                  "add actual: <figure>, or data_not_available: <why>", key=True)
            if isinstance(actual, (int, float)) and isinstance(goal, (int, float)) and verdict in GOOD + BAD:
                met = _meets(actual, goal, better[metric])
                if met != (verdict in GOOD):
                    yield ctx.finding("BCF505", Severity.WARNING, pointer_join(at, "verdict"),
                                      f"{metric} {label}: verdict {verdict} but the actual {actual:g} "
                                      f"{'meets' if met else 'misses'} the plan's goal {goal:g} "
                                      f"({better[metric]} is better)",
                                      "check the actual and the verdict; say why in comment if both are right")


def everything_answered(ctx: ReturnContext) -> Iterator[Finding]:
    """BCF506: every national condition is answered, every metric reported and every section the
    framework says this kind of return holds is there (work left: a warning in a draft)."""
    spec = ctx.fw.data["returns"]
    holds = spec["holds"][ctx.kind]
    for section in holds:
        if section not in ctx.data:
            yield ctx.finding("BCF506", ctx.left, "/return",
                              f"a {ctx.kind.replace('_', '-')} return holds {section}; this one has none",
                              f"add {section}: (bcfc new --return lists what to write)")
    if "national_conditions" in holds and "national_conditions" in ctx.data:
        answered = ctx.data["national_conditions"] or {}
        for condition in spec["national_conditions"]:
            if condition["id"] not in answered:
                yield ctx.finding("BCF506", ctx.left, "/national_conditions",
                                  f"{condition['name']} is not answered",
                                  f"add {condition['id']}: {{met: true, comment: ...}}", key=True)
    if "metrics" in holds and "metrics" in ctx.data:
        reported = ctx.data["metrics"] or {}
        for metric in ctx.fw.items("metrics"):
            if metric["id"] not in reported:
                yield ctx.finding("BCF506", ctx.left, "/metrics", f"{metric['name']} is not reported",
                                  f"add {metric['id']}: {{\"<period>\": {{actual: ..., verdict: ...}}}}", key=True)


CHECKS = (file_named_for_return, schemes_and_streams_in_plan, spend_meets_income, metrics_agree,
          everything_answered, rules.signed_off, rules.version_in_history, rules.no_placeholder_text)


def check(ret: LoadedPlan, fw: Framework) -> list[Finding]:
    """Every finding for a loaded return of framework fw: schema, its plan, then the checks."""
    view = view_of(fw.period)
    findings = schema_check.check(ret, view)
    if findings:
        return findings  # the checks read the shape the schema guarantees
    plan_data, refused = _plan_of(ret, fw)
    if plan_data is None:
        return refused
    ctx = ReturnContext(ret, fw)
    ctx.plan_data, ctx.period = plan_data, period_of(fw, ret.data["return"])
    for rule in CHECKS:
        findings.extend(rule(ctx))
    return sorted(findings, key=sort_key)


def find_return(fw: Framework, asked: str) -> dict:
    """The return period asked for: its id (y1-q2) or, where the period has one year, its quarter (Q2)."""
    periods = fw.data["returns"]["periods"]
    asked_id = asked.strip().lower().replace(" ", "-").replace("_", "-")
    matches = [p for p in periods if p["id"] == asked_id] or [p for p in periods if p["id"].endswith("-" + asked_id)]
    if len(matches) != 1:
        ids = [p["id"] for p in periods]
        which = "is more than one return: say which" if matches else "is not a return of this framework"
        raise ValueError(f"{asked!r} {which}; {messages.closest(asked_id, ids)}")
    return matches[0]


def _months_to(period: dict) -> int:
    """How many months of its financial year (from April) a return covers."""
    year, month = int(period["to"][:4]), int(period["to"][5:7])
    return (year - int(period["financial_year"][:4])) * 12 + month - 3


def _reported_periods(fw: Framework, metric: dict, period: dict) -> list[str]:
    months, year = _months_to(period), period["financial_year"]
    labels = [p for p in fw.goal_periods(metric) if p.startswith(year)]
    if metric.get("goal_periods") == "quarterly":
        return [p for p in labels if int(p[-1]) * 3 <= months]
    if metric.get("goal_periods") == "monthly":
        return [p for p in labels if int(p[-2:]) <= months]
    return labels


def scaffold(plan_path: Path, plan: dict, fw: Framework, period: dict) -> str:
    """A new return's text: every national condition, metric period, funding stream and scheme of the
    plan listed, the figures 0 with the plan's own beside them, everything else marked to be written."""
    q = json.dumps  # plan text is untrusted: a JSON string is a safe YAML scalar
    year = period["financial_year"]
    lines = [f"# yaml-language-server: $schema=../../../bcf_schema/frameworks/{fw.period}/return.schema.json",
             f"# {period['name']} against {plan_path.name}: written by `bcfc new --return`. Replace every",
             "# 'to be written' and every 0 with the return's own figures (the plan's are in the comments).",
             f"framework: {q(fw.period)}", f"plan: {q('../' + plan_path.name)}", f"return: {period['id']}",
             'version: "0.1"', "status: draft", "", "national_conditions:"]
    lines += [f"  {c['id']}: {{met: false, comment: {q(rules.TO_WRITE)}}}  # {c['name']}"
              for c in fw.data["returns"]["national_conditions"]]
    lines += ["", "metrics:"]
    goals_of = plan.get("metrics") or {}
    for metric in fw.items("metrics"):
        lines.append(f"  {metric['id']}:  # {metric['name']}")
        goals = (goals_of.get(metric["id"]) or {}).get("goals") or {}
        for label in _reported_periods(fw, metric, period):
            goal = f"  # goal {goals[label]:g}" if isinstance(goals.get(label), (int, float)) else ""
            lines.append(f"    {q(label)}: {{data_not_available: {q(rules.TO_WRITE)}, verdict: data_not_available}}{goal}")
    streams = (plan.get("funding") or {}).get("streams") or {}
    lines += ["", f"income:  # to {period['to']}, whole pounds"]
    for stream, income in streams.items():
        planned = income.get(year) if isinstance(income, dict) else None
        lines.append(f"  {stream}: 0" + (f"  # planned for {year}: {rules.pounds(planned)}" if planned else ""))
    schemes = plan.get("schemes") if isinstance(plan.get("schemes"), list) else []
    rows = [s for s in schemes if isinstance(s, dict) and s.get("funding_source") in streams]
    lines += ["", "expenditure:" + ("" if rows else " []  # the plan lists no schemes by funding stream")]
    for s in rows:
        planned = (s.get("expenditure") or {}).get(year)
        lines.append(f"  - {{scheme: {q(str(s.get('id')))}, stream: {s['funding_source']}, amount: 0}}"
                     + (f"  # planned for {year}: {rules.pounds(planned)}" if isinstance(planned, int) else ""))
    if "successes" in fw.data["returns"]["holds"][period["kind"]]:
        lines += ["", f"successes: {q(rules.TO_WRITE)}", f"challenges: {q(rules.TO_WRITE)}"]
    return "\n".join(lines) + "\n"
