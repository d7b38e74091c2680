"""Rules a JSON Schema cannot express: sums, money conditions, completeness.

Each rule reads the plan (already schema-valid in shape where it looks) and the
framework, and yields findings. The framework supplies every id and money
rule; nothing here knows a particular period.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from . import hwbs
from .findings import Finding, Severity
from .framework import Framework
from .loader import LoadedPlan, pointer_of
from .stated import lifecycle_status


TO_WRITE = "to be written"  # how `bcfc new` marks a value it cannot fill in
FINAL = ("submitted", "approved")  # from these statuses on, what is not yet written is an error


class Context:
    """A plan and its framework, as the rules read them."""

    def __init__(self, plan: LoadedPlan, fw: Framework):
        self.plan, self.fw = plan, fw

    @property
    def data(self) -> dict:
        return self.plan.data

    def finding(self, code, severity, pointer, message, hint="", key=False) -> Finding:
        # A finding about a whole mapping or list points at its key: `narrative:`, not its first entry.
        key = key or isinstance(_value_at(self.data, pointer), (dict, list))
        return self.plan.finding_at(code, severity, pointer, message, hint, key=key)

    @property
    def left(self) -> Severity:
        """The severity of work left to do: a warning in a draft, an error once submitted or approved."""
        return Severity.ERROR if lifecycle_status(self.data) in FINAL else Severity.WARNING

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


def _expenditure(scheme: dict, year: str) -> int:
    return _money((scheme.get("expenditure") or {}).get(year))


def income_matches_expenditure(ctx: Context) -> Iterator[Finding]:
    """Money that meets both ways, per funding stream and year.

    BCF201: income no scheme spends (unless declared under funding: unallocated: with a reason),
    or schemes spending more than the income; BCF213: spend from a stream or year with no income;
    BCF214: no income or no schemes at all; BCF209 (info): a check that cannot run, and why;
    BCF206 (info): schemes funded from outside the streams, which no stream counts.
    Incompleteness is a warning in a draft and an error from submitted (Context.left)."""
    funding = ctx.data.get("funding") or {}
    streams = funding.get("streams") or {}
    names = ctx.fw.names("funding_streams")
    raw_schemes = ctx.data.get("schemes")
    schemes = ctx.schemes()
    if not streams:
        yield ctx.finding("BCF214", ctx.left, "/funding/streams", "the plan states no income yet",
                          "add each funding stream's income per year under funding: streams:, in whole pounds",
                          key=True)
    if isinstance(raw_schemes, list) and not raw_schemes:
        yield ctx.finding("BCF214", ctx.left, "/schemes", "the plan lists no schemes yet",
                          "add the schemes the pooled fund pays for under schemes:, each with its funding_source "
                          "and expenditure per year", key=True)
    if not schemes and funding.get("expenditure_by_source"):  # as the planning template's summary does
        yield from _income_against_stated_spend(ctx)
        return
    if schemes is None:
        if any(isinstance(v, dict) and "not_stated" not in v for v in streams.values()):
            yield ctx.finding("BCF209", Severity.INFO, "/schemes",
                              "income against expenditure cannot be checked: the schemes are not stated in this "
                              f"document ({raw_schemes.get('not_stated') if isinstance(raw_schemes, dict) else ''})")
        return
    for index, scheme in enumerate(schemes):
        if "funding_source" not in scheme and scheme.get("funding_source_as_stated"):
            yield ctx.finding("BCF206", Severity.INFO, f"/schemes/{index}/funding_source_as_stated",
                              f"scheme {scheme.get('id')} is funded from '{scheme['funding_source_as_stated']}', "
                              "which is none of the framework's funding streams, so no stream's income counts it")
    unallocated = funding.get("unallocated") or {}
    for stream in ctx.fw.ids("funding_streams"):
        funded = [(i, s) for i, s in enumerate(schemes) if s.get("funding_source") == stream]
        stated = streams.get(stream)
        if isinstance(stated, dict) and "not_stated" in stated:
            if funded:
                yield ctx.finding("BCF209", Severity.INFO, f"/funding/streams/{stream}",
                                  f"{names[stream]}: the schemes it funds cannot be checked against its income, "
                                  f"which is not stated in this document ({stated['not_stated']})")
            continue
        income = stated if isinstance(stated, dict) else {}
        declared_all = unallocated.get(stream) or {}
        for year in ctx.fw.financial_years:
            spending = [(i, s) for i, s in funded if _expenditure(s, year)]
            spent = sum(_expenditure(s, year) for _, s in spending)
            if year not in income:
                if spent:
                    first = spending[0][0]
                    listed = ", ".join(str(s.get("id")) for _, s in spending[:5])
                    yield ctx.finding(
                        "BCF213", ctx.left, f"/schemes/{first}/expenditure/{year}",
                        f"{names[stream]} {year}: schemes plan to spend {pounds(spent)} from it "
                        f"(scheme(s) {listed}) but the plan gives it no income for {year}",
                        f"add its income under funding: streams: {stream}: {{{year}: ...}}, "
                        "or fund the scheme(s) from another stream")
                continue
            planned = _money(income[year])
            declared = _money(declared_all.get(year))
            reason = declared_all.get("reason")
            pointer = f"/funding/streams/{stream}/{year}"
            if spent + declared < planned:
                gap = planned - spent - declared
                said = f" and declares {pounds(declared)} unallocated" if declared else ""
                yield ctx.finding(
                    "BCF201", ctx.left, pointer,
                    f"{names[stream]} {year}: income is {pounds(planned)} but schemes plan to spend "
                    f"{pounds(spent)} from it{said}: {pounds(gap)} is not allocated to any scheme",
                    "allocate it to schemes, or declare it under funding: unallocated: "
                    f"{stream}: {{{year}: {gap}, reason: why}}")
            elif spent + declared > planned:
                yield ctx.finding(
                    "BCF201", ctx.left, pointer,
                    f"{names[stream]} {year}: income is {pounds(planned)} but schemes plan to spend "
                    f"{pounds(spent)} from it" + (f" and {pounds(declared)} is declared unallocated" if declared else "")
                    + f": overspent by {pounds(spent + declared - planned)}",
                    "the expenditure of the schemes funded from a stream must add up to its income for the year")
            elif declared and not reason:
                yield ctx.finding(
                    "BCF201", ctx.left, f"/funding/unallocated/{stream}/{year}",
                    f"{names[stream]} {year}: {pounds(declared)} is declared unallocated without a reason",
                    f"say why under funding: unallocated: {stream}: reason: ...")
            elif declared:
                yield ctx.finding(
                    "BCF201", Severity.WARNING, f"/funding/unallocated/{stream}/{year}",
                    f"{names[stream]} {year}: {pounds(declared)} of the income is not yet allocated to a scheme "
                    f"({reason})", "allocate it to schemes when it is decided")


def _income_against_stated_spend(ctx: Context) -> Iterator[Finding]:
    """BCF201 for a plan whose schemes are elsewhere but which states expenditure by funding source:
    each stream's income against the spend the document states for it, per year."""
    funding = ctx.data["funding"]
    spend = funding["expenditure_by_source"]
    names = ctx.fw.names("funding_streams")
    for stream in ctx.fw.ids("funding_streams"):
        income = ctx.stream_income(stream)
        stated = spend.get(stream) or {}
        if income is None:
            if stated and stream in (funding.get("streams") or {}):
                yield ctx.finding("BCF209", Severity.INFO, f"/funding/expenditure_by_source/{stream}",
                                  f"{names[stream]}: its stated expenditure cannot be checked against its income, "
                                  "which is not stated in this document")
            continue
        for year in ctx.fw.financial_years:
            if year not in income and year not in stated:
                continue
            planned, spent = _money(income.get(year)), _money(stated.get(year))
            declared = _money(((funding.get("unallocated") or {}).get(stream) or {}).get(year))
            if planned == spent + declared:
                continue
            where = (f"/funding/expenditure_by_source/{stream}/{year}" if year in stated
                     else f"/funding/streams/{stream}/{year}")
            yield ctx.finding(
                "BCF201", ctx.left, where,
                f"{names[stream]} {year}: income is {pounds(planned)} but the stated expenditure is "
                f"{pounds(spent)}" + (f" and {pounds(declared)} is declared unallocated" if declared else "")
                + f": a difference of {pounds(planned - spent - declared)}",
                f"correct funding: expenditure_by_source: {stream}: {year}, or the income, so they agree "
                "(or declare the difference under funding: unallocated:)")


def schemes_agree_with_stated_spend(ctx: Context) -> Iterator[Finding]:
    """BCF202: where a plan lists its schemes and also states expenditure by funding source, the
    schemes funded from each stream add up to the stated expenditure, per year."""
    spend = (ctx.data.get("funding") or {}).get("expenditure_by_source") or {}
    schemes = ctx.schemes()
    if not spend or not schemes:
        return
    names = ctx.fw.names("funding_streams")
    for stream, years in spend.items():
        for year, stated in years.items():
            added = sum(_expenditure(s, year) for s in schemes if s.get("funding_source") == stream)
            if added != _money(stated):
                yield ctx.finding(
                    "BCF202", Severity.ERROR, f"/funding/expenditure_by_source/{stream}/{year}",
                    f"{names.get(stream, stream)} {year}: the stated expenditure is {pounds(_money(stated))} but "
                    f"the schemes funded from it add up to {pounds(added)}",
                    "correct the stated expenditure or the schemes' amounts so they agree")


def shares_add_up(ctx: Context) -> Iterator[Finding]:
    """BCF202: an allocation shared between contributing bodies (the framework's stream_groups: the
    discharge funding's local authority and ICB shares) equals the sum of its shares, per year."""
    totals = (ctx.data.get("funding") or {}).get("group_totals") or {}
    names = ctx.fw.names("funding_streams")
    for group in ctx.fw.items("stream_groups"):
        for year, total in (totals.get(group["id"]) or {}).items():
            shares = {s: (ctx.stream_income(s) or {}).get(year) for s in group["streams"]}
            missing = [names[s] for s, v in shares.items() if v is None]
            pointer = f"/funding/group_totals/{group['id']}/{year}"
            if missing:
                yield ctx.finding("BCF209", Severity.INFO, pointer,
                                  f"{group['name']} {year}: the total cannot be checked against its shares: "
                                  f"{', '.join(missing)} not stated for {year}")
                continue
            added = sum(_money(v) for v in shares.values())
            if added != _money(total):
                parts = " + ".join(f"{names[s]} {pounds(_money(v))}" for s, v in shares.items())
                yield ctx.finding(
                    "BCF202", Severity.ERROR, pointer,
                    f"{group['name']} {year}: the stated total is {pounds(_money(total))} but its shares add up to "
                    f"{pounds(added)} ({parts})", "correct the total or the contributing bodies' shares so they agree")


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
            # some streams are left to the template: the parts we have cannot be checked, and we say so
            yield ctx.finding("BCF209", Severity.INFO, f"/funding/stated_total/{year}",
                              f"the stated total for {year} cannot be checked against the streams: "
                              f"{', '.join(unknown)} {'is' if len(unknown) == 1 else 'are'} not stated in this document")
            continue
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
    yield from _dfg_purposes_add_up(ctx, dfg)


def _dfg_purposes_add_up(ctx: Context, dfg: dict) -> Iterator[Finding]:
    """BCF202: the DFG split by purpose adds up to the DFG allocation, per year, at the first purpose's amount."""
    purposes = dfg.get("purposes") or []
    if not purposes:
        return
    total, against = dfg.get("allocation") or {}, "allocation"
    for year, allocation in total.items():
        parts = [(i, p["allocation"][year]) for i, p in enumerate(purposes) if year in (p.get("allocation") or {})]
        if not parts:
            continue
        added = sum(_money(a) for _, a in parts)
        if added != _money(allocation):
            yield ctx.finding(
                "BCF202", Severity.ERROR, f"/dfg/purposes/{parts[0][0]}/allocation/{year}",
                f"the DFG {against} for {year} is {pounds(_money(allocation))} but its split by purpose adds up to "
                f"{pounds(added)}", "correct the purposes' amounts or the DFG " + against + " so they agree")


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
    """BCF203: the framework's minimum-spend rules, run on the minimums and schemes the plan states.

    From submitted each minimum must be stated (or marked not_stated with where it is); a rule
    that cannot run says which check and what is missing (BCF209)."""
    stated = ctx.data.get("minimum_spend") or {}
    schemes = ctx.schemes()
    for rule in ctx.fw.minimum_spend:
        minimums = stated.get(rule.id)
        pointer = f"/minimum_spend/{rule.id}"
        if not minimums:
            yield ctx.finding("BCF203", ctx.left, "/minimum_spend" if "minimum_spend" in ctx.data else "/funding",
                              f"{rule.name}: the plan does not state the minimum, so it cannot be checked",
                              f"add minimum_spend: {rule.id}: {{year: amount}} from the allocation NHS England "
                              "published, or {not_stated: where it is}", key=True)
            continue
        if "not_stated" in minimums:
            yield ctx.finding("BCF209", Severity.INFO, pointer,
                              f"{rule.name}: cannot be checked, the minimum is not stated in this document "
                              f"({minimums['not_stated']})")
            continue
        if schemes is None:
            yield ctx.finding("BCF209", Severity.INFO, pointer,
                              f"{rule.name}: cannot be checked, the schemes are not stated in this document")
            continue
        funded = [s for s in schemes if s.get("funding_source") == rule.funding_stream]
        unclear = [s for s in funded if _scheme_matches(s, rule.where) is None]
        if unclear:
            fields = ", ".join(sorted({"type" if k == "scheme_type" else k for k in rule.where}))
            yield ctx.finding(
                "BCF203", Severity.WARNING, pointer,
                f"{rule.name}: {len(unclear)} scheme(s) funded from this stream do not say their {fields}, "
                "so the minimum cannot be fully checked",
                f"add {fields} to scheme(s) {', '.join(str(s.get('id')) for s in unclear[:5])}",
            )
        counted = [s for s in funded if _scheme_matches(s, rule.where)]
        for year, minimum in minimums.items():
            spent = sum(_expenditure(s, year) for s in counted)
            if spent < minimum and not unclear:
                yield ctx.finding(
                    "BCF203", ctx.left, f"{pointer}/{year}",
                    f"{rule.name} {year}: the plan commits {pounds(spent)}, below the minimum of {pounds(minimum)}",
                    f"move {pounds(minimum - spent)} of the stream's schemes into qualifying spend, or correct the minimum",
                )


def ring_fenced_spend(ctx: Context) -> Iterator[Finding]:
    """BCF204: ring-fenced income (DFG) is spent only on the scheme types it is for."""
    names = ctx.fw.names("scheme_types")
    for rule in ctx.fw.ring_fenced:
        if ctx.schemes() is None and ctx.stream_income(rule.funding_stream):
            yield ctx.finding("BCF209", Severity.INFO, "/schemes",
                              f"the ring-fence on {ctx.fw.names('funding_streams')[rule.funding_stream]} cannot be "
                              "checked: the schemes are not stated in this document")
        for index, scheme in enumerate(ctx.schemes() or []):
            if scheme.get("funding_source") != rule.funding_stream:
                continue
            if scheme.get("type") not in rule.scheme_types:
                allowed = " or ".join(names.get(t, t) for t in rule.scheme_types)
                pointer = f"/schemes/{index}/type" if "type" in scheme else f"/schemes/{index}"
                yield ctx.finding(
                    "BCF204", Severity.ERROR, pointer,
                    f"scheme {scheme.get('id')} '{scheme.get('name')}' is funded from "
                    f"{ctx.fw.names('funding_streams')[rule.funding_stream]}, which may only fund {allowed} schemes",
                    f"set its type to {' or '.join(rule.scheme_types)}, or fund it from another stream",
                )


def every_section_answered(ctx: Context) -> Iterator[Finding]:
    """BCF205 every required heading is answered (a warning in a draft); BCF206 (info) shows what the
    document leaves elsewhere."""
    narrative = ctx.data.get("narrative") or {}
    for entry in ctx.fw.outline:
        answer = narrative.get(entry.id)
        pointer = f"/narrative/{entry.id}"
        if entry.answer == "required" and not _is_answered(answer):
            yield ctx.finding(
                "BCF205", ctx.left, pointer if entry.id in narrative else "/narrative",
                f"'{entry.title}' ({entry.id}) is not written yet",
                f"write the answer under narrative: {entry.id}: | as Markdown",
                key=entry.id in narrative,
            )
        elif isinstance(answer, dict) and (answer.get("not_stated") or answer.get("not_applicable")):
            reason = answer.get("not_stated") or answer.get("not_applicable")
            label = "not stated in this document" if answer.get("not_stated") else "not applicable"
            yield ctx.finding("BCF206", Severity.INFO, pointer, f"'{entry.title}': {label}: {reason}")


def every_metric_has_goals(ctx: Context) -> Iterator[Finding]:
    """BCF207: a goal (or a reason why not) for every national metric of the framework;
    BCF216: goals for every period the framework sets them for (all 12 months of a monthly metric)."""
    metrics = ctx.data.get("metrics") or {}
    for metric in ctx.fw.metrics:
        value = metrics.get(metric.id)
        if value is None:
            yield ctx.finding("BCF207", ctx.left, "/metrics",
                              f"no goals yet for the national metric '{metric.name}' ({metric.id})",
                              f"add metrics: {metric.id}: {{goals: {{period: value}}}}", key=True)
        elif "not_stated" in value:
            yield ctx.finding("BCF206", Severity.INFO, f"/metrics/{metric.id}",
                              f"'{metric.name}' goals: not stated in this document: {value['not_stated']}")
        elif value.get("goals"):
            missing = [p for p in ctx.fw.goal_periods(metric) if p not in value["goals"]]
            if missing:
                shown = ", ".join(missing[:6]) + (f" and {len(missing) - 6} more" if len(missing) > 6 else "")
                yield ctx.finding("BCF216", ctx.left, f"/metrics/{metric.id}/goals",
                                  f"'{metric.name}' has no goal for {len(missing)} of its "
                                  f"{len(ctx.fw.goal_periods(metric))} {metric.goal_periods} periods: {shown}",
                                  f"add a goal for each: {missing[0]}: value", key=True)
        elif value.get("goal_as_stated"):
            yield ctx.finding("BCF206", Severity.INFO, f"/metrics/{metric.id}/goal_as_stated",
                              f"'{metric.name}' goal given in words, not as figures: {value['goal_as_stated']}")
        elif value.get("goals_not_stated"):
            yield ctx.finding("BCF206", Severity.INFO, f"/metrics/{metric.id}/goals_not_stated",
                              f"'{metric.name}' goals: not stated in this document: {value['goals_not_stated']}")
        else:
            yield ctx.finding("BCF207", ctx.left, f"/metrics/{metric.id}",
                              f"the national metric '{metric.name}' has no goals yet",
                              f"add goals for each period: {ctx.fw.goal_periods(metric)[0]}: value", key=True)


def signed_off(ctx: Context) -> Iterator[Finding]:
    """BCF215: from submitted a plan says who signed it off; from approved each sign-off names the body
    and the date."""
    entries = ctx.data.get("sign_off")
    if not entries:
        yield ctx.finding("BCF215", ctx.left, "/sign_off" if "sign_off" in ctx.data else "/status",
                          "the plan does not say who signed it off yet",
                          "add sign_off: - {body: ..., date: YYYY-MM-DD, decision: ...}", key=True)
        return
    if lifecycle_status(ctx.data) != "approved":
        return
    for index, entry in enumerate(entries):
        missing = [k for k in ("body", "date") if not (isinstance(entry, dict) and entry.get(k))]
        if missing:
            yield ctx.finding("BCF215", Severity.ERROR, f"/sign_off/{index}",
                              f"an approved plan's sign-off needs its {' and '.join(missing)}",
                              f"add {', '.join(f'{k}: ...' for k in missing)} to this sign-off entry", key=True)


def version_in_history(ctx: Context) -> Iterator[Finding]:
    """BCF217: a plan that keeps a history has an entry for its current version."""
    history = ctx.data.get("history")
    version = ctx.data.get("version")
    if not isinstance(history, list) or not history or not isinstance(version, str):
        return
    if not any(isinstance(h, dict) and str(h.get("version")) == version for h in history):
        yield ctx.finding("BCF217", ctx.left, "/history",
                          f"history has no entry for the plan's version {version}",
                          f"add to history: - {{version: \"{version}\", date: YYYY-MM-DD, change: what changed}}",
                          key=True)


def _texts(value, found: list[str]) -> list[str]:
    """Every string under a mapping or list, in document order (the loader's types: dict, list, str)."""
    for item in value.values() if isinstance(value, dict) else value:
        kind = type(item)
        if kind is str:
            found.append(item)
        elif kind is dict or kind is list:
            _texts(item, found)
        elif isinstance(item, str):
            found.append(item)
        elif isinstance(item, (dict, list)):
            _texts(item, found)
    return found


def _strings_where(value, wanted, path=()) -> Iterator[tuple[str, str]]:
    """(pointer, text) of each string for which wanted(text), in document order; a pointer is built only
    for a string that is wanted (building one for every value took most of the rules' time)."""
    for token, item in value.items() if isinstance(value, dict) else enumerate(value):
        if isinstance(item, str):
            if wanted(item):
                yield pointer_of((*path, token)), item
        elif isinstance(item, (dict, list)):
            yield from _strings_where(item, wanted, (*path, token))


def no_placeholder_text(ctx: Context) -> Iterator[Finding]:
    """BCF208: the national template's guidance and placeholder text is gone, and nothing is still marked
    "to be written" (as `bcfc new` marks what it cannot fill in). Work left: a warning in a draft."""
    placeholders = [(p, p.lower()) for p in ctx.fw.data.get("placeholders") or []]
    # First one search through all the plan's text, lowered at once (joined by a character no placeholder
    # holds, and which lowering treats as the end of a text): most plans hold no placeholder, and this is
    # several times cheaper than lowering and searching each string.
    everything = "\x00".join(_texts(ctx.data, [""]))
    needles = ["\x00" + TO_WRITE, *(needle for _, needle in placeholders)]
    if all(n.isascii() for n in needles) and "\u0130" not in everything and "\u212a" not in everything:
        # No letter but ASCII ones, İ and the Kelvin sign lowers to an ASCII letter: without those two,
        # an ASCII placeholder is in the text lowered just where it is in its UTF-8 with A-Z lowered (faster)
        everything, needles = everything.encode("utf-8", "surrogatepass").lower(), [n.encode() for n in needles]
    else:
        everything = everything.lower()
    if not any(needle in everything for needle in needles):
        return

    def wanted(text: str) -> bool:
        lowered = text.lower()
        return lowered.startswith(TO_WRITE) or any(needle in lowered for _, needle in placeholders)

    for pointer, text in _strings_where(ctx.data, wanted):
        lowered = text.lower()
        if lowered.startswith(TO_WRITE):
            yield ctx.finding("BCF208", ctx.left, pointer, f"still marked to be written: '{text}'",
                              "replace the marker with the plan's own words")
            continue
        for original, needle in placeholders:
            if needle in lowered:
                yield ctx.finding("BCF208", ctx.left, pointer,
                                  f"template text left in: '{original}'",
                                  "replace the template's guidance or placeholder with the plan's own words")


def hwb_is_known(ctx: Context) -> Iterator[Finding]:
    """BCF210-BCF212: the HWB exists in England's list, under the code current for the period;
    BCF218: the list's ICBs are not valid for the period."""
    period_start = dt.date(int(ctx.fw.financial_years[0][:4]), 4, 1)
    vintage = hwbs.vintage_for(period_start)
    plan_icbs = [hwbs.normalise_icb(i) for i in ctx.data.get("icbs") or []]
    if period_start > vintage.valid_to and ctx.fw.nhs_partners == "icbs":
        yield ctx.finding("BCF218", Severity.WARNING, "/icbs" if "icbs" in ctx.data else "/hwbs",
                          f"bcfc's list of HWBs and their ICBs holds ICB boundaries from {_day(vintage.valid_from)} "
                          f"to {_day(vintage.valid_to)}; this plan's period starts {_day(period_start)}, so ICB "
                          "names may have changed, and the ICBs the plan names are not checked",
                          "check the ICB names against NHS England's current list of ICBs; "
                          "a newer bcfc may hold a list for this period (bcf_schema/data/SOURCE.md)")
        plan_icbs = []
    for index, entry in enumerate(ctx.data.get("hwbs") or []):
        code, name = entry.get("code", ""), entry.get("name", "")
        pointer = f"/hwbs/{index}"
        hwb = vintage.by_code().get(code)
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


def _day(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def hwb_hint(guess) -> str:
    return f"did you mean {guess.code} ({guess.name})? " if guess else ""


RULES = (
    income_matches_expenditure,
    stated_totals_add_up,
    schemes_agree_with_stated_spend,
    shares_add_up,
    minimum_spend_met,
    ring_fenced_spend,
    every_section_answered,
    every_metric_has_goals,
    signed_off,
    version_in_history,
    no_placeholder_text,
    hwb_is_known,
)


# What each money rule reads: where the schema already rejects a value there, the rule waits until it
# is fixed, so one mistake ("2,100,000") is not reported again as a sum that does not add up.
READS = {
    income_matches_expenditure: ("/funding", "/schemes"),
    stated_totals_add_up: ("/funding", "/spend_by_category", "/dfg"),
    schemes_agree_with_stated_spend: ("/funding", "/schemes"),
    shares_add_up: ("/funding",),
    minimum_spend_met: ("/funding", "/minimum_spend", "/schemes"),
    ring_fenced_spend: ("/schemes",),
}


def _rejected(pointers: set[str], prefixes: tuple[str, ...]) -> bool:
    return any(p == prefix or p.startswith(prefix + "/") for p in pointers for prefix in prefixes)


def check(plan: LoadedPlan, fw: Framework, *, schema_findings: list[Finding] = ()) -> list[Finding]:
    ctx = Context(plan, fw)
    rejected = {f.pointer for f in schema_findings}
    findings: list[Finding] = []
    for rule in RULES:
        if _rejected(rejected, READS.get(rule, ())):
            continue
        try:
            findings.extend(rule(ctx))
        except (TypeError, AttributeError, KeyError, ValueError):
            # Only a plan whose shape the schema already rejected can get here: the
            # schema findings say what to fix, and this rule runs again once it is.
            if not schema_findings:
                raise
    return findings
