"""`bcfc diff`: what changed between two versions of a plan, in the plan's own terms.

A line diff of YAML says "line 1047 changed"; a reviewer wants "£250,000 moved
from scheme S01 to S02, the avoidable admissions goal for Q1 went from 200 to
210, section nc2.pr4.approach gained 40 words". The diff is data (PlanDiff,
JSON-ready) with a text, Markdown (for pull request comments) and JSON form.
Money is whole pounds and stays integer; metric values are compared as decimals.
"""
from __future__ import annotations

import difflib
import json
import re
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from fractions import Fraction

from bcf_schema import escape
from bcf_schema.framework import Framework, FrameworkError, available_periods, load_framework
from bcf_schema.loader import loads
from renderers.document import period_words  # 2023-24 Q1 -> April to June 2023, as the documents say it

NOT_STATED = "not stated"
METADATA = ("framework", "title", "version", "status", "date")
HANDLED = {"framework", "hwbs", "icbs", "ccgs", "title", "version", "status", "date", "history", "narrative",
           "extra_sections", "funding", "schemes", "metrics", "local_metrics"}


@dataclass
class PlanDiff:
    path: str
    status: str  # changed | unchanged | added | removed | unreadable
    error: str = ""
    metadata: list[dict] = field(default_factory=list)  # {field, old, new}
    history_added: list[dict] = field(default_factory=list)
    history_removed: list[dict] = field(default_factory=list)
    funding: list[dict] = field(default_factory=list)  # {stream, name, year, old, new, change, percent}
    schemes_added: list[dict] = field(default_factory=list)  # {id, name, funding_source, expenditure}
    schemes_removed: list[dict] = field(default_factory=list)
    schemes_changed: list[dict] = field(default_factory=list)  # {id, name, fields: [...], expenditure: [...]}
    metrics: list[dict] = field(default_factory=list)  # {metric, name, measure, period, old, new, change}
    narrative: list[dict] = field(default_factory=list)  # {id, title, status, words_added, words_removed}
    other: list[dict] = field(default_factory=list)  # {section, summary}
    assurance: list[dict] = field(default_factory=list)  # a review file: {id, old, new, comment} per heading

    @property
    def changed(self) -> bool:
        return self.status != "unchanged"

    def as_dict(self) -> dict:
        return asdict(self)


# -- comparing --------------------------------------------------------------------------------------

class _Frameworks:
    """The names, years and headings of the frameworks of both plans (the newer plan's first)."""

    def __init__(self, *plans: dict | None):
        self.frameworks: list[Framework] = []
        for plan in plans:
            period = (plan or {}).get("framework")
            if isinstance(period, str) and period in available_periods():
                try:
                    fw = load_framework(period)
                except FrameworkError:
                    continue
                if fw not in self.frameworks:
                    self.frameworks.append(fw)

    def names(self, key: str) -> dict[str, str]:
        merged: dict[str, str] = {}
        for fw in self.frameworks:
            for item_id, name in fw.names(key).items():
                merged.setdefault(item_id, name)
        return merged

    @property
    def financial_years(self) -> list[str]:
        return list(dict.fromkeys(y for fw in reversed(self.frameworks) for y in fw.financial_years))

    @property
    def titles(self) -> dict[str, str]:
        merged: dict[str, str] = {}
        for fw in self.frameworks:
            for entry in fw.outline:
                merged.setdefault(entry.id, entry.title)
        return merged


def _money(value):
    if isinstance(value, bool):
        return None
    return value if isinstance(value, int) else None


def money_change(old, new) -> tuple[int | None, float | None]:
    """New minus old in pounds, and as a percentage of old (None where it cannot be said)."""
    if _money(old) is None or _money(new) is None:
        return None, None
    change = new - old
    percent = float(round(Fraction(change * 100, old), 1)) if old else None
    return change, percent


def _number_change(old, new):
    if isinstance(old, bool) or isinstance(new, bool) or not all(isinstance(v, (int, float)) for v in (old, new)):
        return None
    change = Decimal(repr(new)) - Decimal(repr(old))
    return int(change) if change == change.to_integral_value() else float(change)


def words(text: str) -> list[str]:
    return re.findall(r"\S+", text or "")


def word_changes(old: str, new: str) -> tuple[int, int]:
    """Words added and removed between two texts (a replaced word counts as one of each)."""
    a, b = words(old), words(new)
    added = removed = 0
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag in ("replace", "delete"):
            removed += i2 - i1
        if tag in ("replace", "insert"):
            added += j2 - j1
    return added, removed


def answer_text(answer) -> str:
    """An answer (text, or an object with sub-headings or a reason) as one text to compare."""
    if answer is None:
        return ""
    if isinstance(answer, str):
        return answer
    if isinstance(answer, dict):
        parts = []
        for key in ("not_stated", "not_applicable"):
            if answer.get(key):
                parts.append(f"[{key.replace('_', ' ')}: {answer[key]}]")
        for key in ("title", "text"):
            if isinstance(answer.get(key), str):
                parts.append(answer[key])
        for sub in answer.get("subsections") or []:
            parts.append(answer_text(sub))
        return "\n".join(parts)
    if isinstance(answer, list):
        return "\n".join(answer_text(item) for item in answer)
    return str(answer)


def _hwbs(plan: dict) -> str:
    entries = plan.get("hwbs") or []
    return "; ".join(f"{h.get('name')} ({h.get('code')})" if isinstance(h, dict) else str(h) for h in entries)


def _listing(value) -> str | None:
    if value is None:
        return None
    return "; ".join(map(str, value)) if isinstance(value, list) else str(value)


def is_review(data: dict | None) -> bool:
    """A regional reviewer's file (reviews/<hwb>/<period>.yaml, bcf_schema.reviews), not a plan."""
    return isinstance(data, dict) and "framework" not in data and "entries" in data and "recommendation" in data


def compare_reviews(old: dict | None, new: dict | None, path: str = "") -> PlanDiff:
    """What changed in a plan's assurance: the recommendation, the reviewer, and each heading's assessment."""
    status = "added" if old is None else "removed" if new is None else "changed"
    diff = PlanDiff(path, status)
    old, new = old or {}, new or {}
    for name in ("recommendation", "conditions"):
        if old.get(name) != new.get(name):
            diff.metadata.append({"field": name, "old": _listing(old.get(name)) if name == "conditions" else
                                  old.get(name), "new": _listing(new.get(name)) if name == "conditions"
                                  else new.get(name)})
    for name in ("role", "date"):
        before, after = (old.get("reviewer") or {}).get(name), (new.get("reviewer") or {}).get(name)
        if before != after:
            diff.metadata.append({"field": f"reviewer {name}", "old": before, "new": after})
    entries_old, entries_new = old.get("entries") or {}, new.get("entries") or {}
    for entry_id in _ordered(set(entries_old) | set(entries_new), list(entries_new) + list(entries_old)):
        before, after = entries_old.get(entry_id) or {}, entries_new.get(entry_id) or {}
        if before != after:
            diff.assurance.append({"id": entry_id, "old": before.get("assessment"), "new": after.get("assessment"),
                                   "comment": before.get("comment") != after.get("comment")})
    if status == "changed" and old == new:
        diff.status = "unchanged"
    return diff


def compare(old: dict | None, new: dict | None, path: str = "") -> PlanDiff:
    """The semantic difference between two plans' data (either None: added or removed)."""
    if old is None and new is None:
        return PlanDiff(path, "unchanged")
    if is_review(old) or is_review(new):
        return compare_reviews(old, new, path)
    status = "added" if old is None else "removed" if new is None else "changed"
    diff = PlanDiff(path, status)
    old, new = old or {}, new or {}
    fw = _Frameworks(new, old)
    _metadata(diff, old, new)
    _funding(diff, old, new, fw)
    _schemes(diff, old, new, fw)
    _metrics(diff, old, new, fw)
    _narrative(diff, old, new, fw)
    _other(diff, old, new)
    if status == "changed" and old == new:
        diff.status = "unchanged"
    return diff


def _metadata(diff: PlanDiff, old: dict, new: dict) -> None:
    fields = [("framework", old.get("framework"), new.get("framework")),
              ("hwbs", _hwbs(old) or None, _hwbs(new) or None)]
    for key in ("icbs", "ccgs"):
        fields.append((key, _listing(old.get(key)), _listing(new.get(key))))
    fields += [(key, old.get(key), new.get(key)) for key in METADATA if key != "framework"]
    for name, before, after in fields:
        if before != after:
            diff.metadata.append({"field": name, "old": before, "new": after})
    old_history = [h for h in old.get("history") or [] if isinstance(h, dict)]
    new_history = [h for h in new.get("history") or [] if isinstance(h, dict)]
    diff.history_added = [h for h in new_history if h not in old_history]
    diff.history_removed = [h for h in old_history if h not in new_history]


def _ordered(keys, preferred: list[str]) -> list:
    keys = list(dict.fromkeys(keys))
    rank = {k: i for i, k in enumerate(preferred)}
    return sorted(keys, key=lambda k: (rank.get(k, len(rank)), keys.index(k)))


def _per_year(value) -> dict:
    """A money-by-year mapping, or {} with the not-stated marker kept apart."""
    if isinstance(value, dict) and "not_stated" not in value:
        return {str(k): v for k, v in value.items() if k != "reason"}  # unallocated income's reason is text
    return {}


def _funding(diff: PlanDiff, old: dict, new: dict, fw: _Frameworks) -> None:
    old_funding = old.get("funding") if isinstance(old.get("funding"), dict) else {}
    new_funding = new.get("funding") if isinstance(new.get("funding"), dict) else {}
    old_streams = old_funding.get("streams") if isinstance(old_funding.get("streams"), dict) else {}
    new_streams = new_funding.get("streams") if isinstance(new_funding.get("streams"), dict) else {}
    names = fw.names("funding_streams")
    years = fw.financial_years
    for stream in _ordered([*old_streams, *new_streams], list(names)):
        before, after = old_streams.get(stream), new_streams.get(stream)
        if before == after:
            continue
        before_years, after_years = _per_year(before), _per_year(after)
        for year in _ordered([*before_years, *after_years], years):
            a = before_years.get(year, NOT_STATED if _is_not_stated(before) else None)
            b = after_years.get(year, NOT_STATED if _is_not_stated(after) else None)
            if a != b:
                change, percent = money_change(a, b)
                diff.funding.append({"stream": stream, "name": names.get(stream, stream), "year": year,
                                     "old": a, "new": b, "change": change, "percent": percent})
        if not before_years and not after_years and before != after:
            diff.funding.append({"stream": stream, "name": names.get(stream, stream), "year": None,
                                 "old": _describe(before), "new": _describe(after), "change": None, "percent": None})
    totals = [("stated_total", "total stated in the plan", old_funding.get("stated_total"),
               new_funding.get("stated_total"))]
    unallocated_old, unallocated_new = old_funding.get("unallocated") or {}, new_funding.get("unallocated") or {}
    if isinstance(unallocated_old, dict) and isinstance(unallocated_new, dict):
        for stream in _ordered([*unallocated_old, *unallocated_new], list(names)):
            totals.append((f"unallocated/{stream}", f"{names.get(stream, stream)}: not allocated to schemes",
                           unallocated_old.get(stream), unallocated_new.get(stream)))
    totals += _stated_money_parts(old, new, fw)
    for key, label, a, b in totals:
        a, b = _per_year(a), _per_year(b)
        for year in _ordered([*a, *b], years):
            if a.get(year) != b.get(year):
                change, percent = money_change(a.get(year), b.get(year))
                diff.funding.append({"stream": key, "name": label, "year": year, "old": a.get(year),
                                     "new": b.get(year), "change": change, "percent": percent})


_DFG_MONEY = ("allocation", "districts", "purposes")


def _named_parts(dfg, key: str, name: str) -> dict:
    parts = dfg.get(key) if isinstance(dfg, dict) and isinstance(dfg.get(key), list) else []
    return {str(p.get(name)): p.get("allocation") for p in parts if isinstance(p, dict)}


def _stated_money_parts(old: dict, new: dict, fw: _Frameworks) -> list[tuple]:
    """Figures issue 18 added, each by name: expenditure by funding source, the total of an allocation shared
    between contributing bodies, and the DFG's allocation, its
    districts' shares and its split by purpose ((key, label, old by year, new by year))."""
    names = fw.names("funding_streams")
    spend = [(plan.get("funding") or {}).get("expenditure_by_source") if isinstance(plan.get("funding"), dict)
             else None for plan in (old, new)]
    spend = [value if isinstance(value, dict) else {} for value in spend]
    parts = [(f"expenditure_by_source/{stream}", f"{names.get(stream, stream)}: expenditure as stated",
              spend[0].get(stream), spend[1].get(stream))
             for stream in _ordered([*spend[0], *spend[1]], list(names))]
    groups = [(plan.get("funding") or {}).get("group_totals") if isinstance(plan.get("funding"), dict)
              else None for plan in (old, new)]
    groups = [value if isinstance(value, dict) else {} for value in groups]
    group_names = fw.names("stream_groups")
    parts += [(f"group_totals/{group}", f"{group_names.get(group, group)}: total stated",
               groups[0].get(group), groups[1].get(group)) for group in _ordered([*groups[0], *groups[1]], [])]
    dfgs = [plan.get("dfg") if isinstance(plan.get("dfg"), dict) else {} for plan in (old, new)]
    parts.append(("dfg/allocation", "DFG allocation", dfgs[0].get("allocation"), dfgs[1].get("allocation")))
    for key, name, label in (("districts", "name", "DFG to {}"), ("purposes", "purpose", "DFG for {}")):
        a, b = _named_parts(dfgs[0], key, name), _named_parts(dfgs[1], key, name)
        parts += [(f"dfg/{key}/{part}", label.format(part), a.get(part), b.get(part))
                  for part in _ordered([*a, *b], [])]
    return parts


def _is_not_stated(value) -> bool:
    return isinstance(value, dict) and "not_stated" in value


def _describe(value):
    if _is_not_stated(value):
        return f"{NOT_STATED} ({_clip(value['not_stated'])})"
    return value


def _clip(text, limit: int = 60) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 3].rstrip() + "..."


def _scheme_key(scheme: dict, index: int, seen: set) -> str:
    key = str(scheme.get("id")) if scheme.get("id") is not None else f"#{index + 1}"
    while key in seen:
        key += "'"
    seen.add(key)
    return key


def _schemes_of(plan: dict) -> dict[str, dict]:
    schemes = plan.get("schemes")
    if not isinstance(schemes, list):
        return {}
    seen: set = set()
    return {_scheme_key(s, i, seen): s for i, s in enumerate(schemes) if isinstance(s, dict)}


def _is_long(value, limit: int = 80) -> bool:
    """Long text is shown as words added and removed, not in full."""
    return isinstance(value, str) and (len(value) > limit or "\n" in value)


def _schemes(diff: PlanDiff, old: dict, new: dict, fw: _Frameworks) -> None:
    before, after = _schemes_of(old), _schemes_of(new)
    years = fw.financial_years
    for key in _ordered([*before, *after], []):
        a, b = before.get(key), after.get(key)
        if a == b:
            continue
        if a is None or b is None:
            scheme = a if b is None else b
            source = scheme.get("funding_source") or scheme.get("funding_source_as_stated")
            entry = {"id": key, "name": scheme.get("name"), "funding_source": source,
                     "expenditure": _per_year(scheme.get("expenditure"))}
            (diff.schemes_added if a is None else diff.schemes_removed).append(entry)
            continue
        fields = []
        for name in _ordered([*a, *b], ["name", "type", "funding_source", "funding_source_as_stated", "area_of_spend",
                                        "commissioner", "provider", "lead", "new", "description"]):
            if name == "expenditure" or a.get(name) == b.get(name):
                continue
            old_value, new_value = a.get(name), b.get(name)
            long = _is_long(old_value) or _is_long(new_value)
            item = {"field": name, "old": None if long else old_value, "new": None if long else new_value,
                    "long": long}
            if isinstance(old_value, str) or isinstance(new_value, str):
                added, removed = word_changes(str(old_value or ""), str(new_value or ""))
                item.update(words_added=added, words_removed=removed)
            fields.append(item)
        spend = []
        ea, eb = _per_year(a.get("expenditure")), _per_year(b.get("expenditure"))
        for year in _ordered([*ea, *eb], years):
            if ea.get(year) != eb.get(year):
                change, percent = money_change(ea.get(year), eb.get(year))
                spend.append({"year": year, "old": ea.get(year), "new": eb.get(year), "change": change,
                              "percent": percent})
        diff.schemes_changed.append({"id": key, "name": b.get("name") or a.get("name"), "fields": fields,
                                     "expenditure": spend})
    a_marker, b_marker = _is_not_stated(old.get("schemes")), _is_not_stated(new.get("schemes"))
    if (a_marker or b_marker) and old.get("schemes") != new.get("schemes"):
        diff.other.append({"section": "schemes", "summary": f"{_count_or_marker(old.get('schemes'))} -> "
                                                           f"{_count_or_marker(new.get('schemes'))}"})


def _count_or_marker(value) -> str:
    if _is_not_stated(value):
        return NOT_STATED
    if isinstance(value, list):
        return f"{len(value)} scheme(s)"
    return "none"


def _metric_values(value, measure: str) -> dict:
    if isinstance(value, dict) and isinstance(value.get(measure), dict):
        return value[measure]
    return {}


def _metrics(diff: PlanDiff, old: dict, new: dict, fw: _Frameworks) -> None:
    names = fw.names("metrics")
    sources = [("metrics", old.get("metrics") or {}, new.get("metrics") or {})]
    local_old = {str(m.get("id")): m for m in old.get("local_metrics") or [] if isinstance(m, dict)}
    local_new = {str(m.get("id")): m for m in new.get("local_metrics") or [] if isinstance(m, dict)}
    sources.append(("local_metrics", local_old, local_new))
    for kind, before_all, after_all in sources:
        if not isinstance(before_all, dict) or not isinstance(after_all, dict):
            continue
        for metric in _ordered([*before_all, *after_all], list(names)):
            a, b = before_all.get(metric), after_all.get(metric)
            if a == b:
                continue
            name = names.get(metric) or (b or a or {}).get("name") or metric
            if kind == "local_metrics":
                name = f"{name} (local)"
            if _is_not_stated(a) != _is_not_stated(b) or a is None or b is None:
                diff.metrics.append({"metric": metric, "name": name, "measure": "metric", "period": None,
                                     "old": _metric_state(a), "new": _metric_state(b), "change": None})
            for measure, label in (("goals", "goal"), ("baseline", "baseline")):
                va, vb = _metric_values(a, measure), _metric_values(b, measure)
                for period in _ordered([*va, *vb], sorted({*va, *vb})):
                    if va.get(period) != vb.get(period):
                        diff.metrics.append({"metric": metric, "name": name, "measure": label, "period": period,
                                             "old": va.get(period), "new": vb.get(period),
                                             "change": _number_change(va.get(period), vb.get(period))})
            for key in ("goal_as_stated", "goals_not_stated", "rationale", "unit", "name"):
                ta = a.get(key) if isinstance(a, dict) else None
                tb = b.get(key) if isinstance(b, dict) else None
                if ta != tb and not (key == "name" and kind == "metrics"):
                    added, removed = word_changes(str(ta or ""), str(tb or ""))
                    long = _is_long(ta) or _is_long(tb)
                    diff.metrics.append({"metric": metric, "name": name, "measure": key.replace("_", " "),
                                         "period": None, "old": None if long else ta, "new": None if long else tb,
                                         "change": None, "text": True, "long": long,
                                         "words_added": added, "words_removed": removed})


def _metric_state(value) -> str:
    if value is None:
        return "absent"
    if _is_not_stated(value):
        return f"{NOT_STATED} ({_clip(value['not_stated'])})"
    if isinstance(value, dict) and value.get("goals"):
        return "goals set"
    if isinstance(value, dict) and value.get("goal_as_stated"):
        return "goal in words"
    if isinstance(value, dict) and value.get("goals_not_stated"):
        return "goals not stated"
    return "no goals"


def _narrative(diff: PlanDiff, old: dict, new: dict, fw: _Frameworks) -> None:
    titles = fw.titles
    before = old.get("narrative") if isinstance(old.get("narrative"), dict) else {}
    after = new.get("narrative") if isinstance(new.get("narrative"), dict) else {}
    entries = [(k, titles.get(k, k), before.get(k), after.get(k)) for k in _ordered([*before, *after], list(titles))]
    extra_old = {str(s.get("id")): s for s in old.get("extra_sections") or [] if isinstance(s, dict)}
    extra_new = {str(s.get("id")): s for s in new.get("extra_sections") or [] if isinstance(s, dict)}
    for key in _ordered([*extra_old, *extra_new], []):
        section = extra_new.get(key) or extra_old.get(key)
        entries.append((f"extra_sections/{key}", section.get("title") or key, extra_old.get(key), extra_new.get(key)))
    for key, title, a, b in entries:
        if a == b:
            continue
        text_a, text_b = answer_text(a), answer_text(b)
        added, removed = word_changes(text_a, text_b)
        status = "added" if not text_a.strip() else "removed" if not text_b.strip() else "changed"
        if text_a == text_b:
            status = "reworded"  # the same words under a different structure (text moved into a sub-heading)
        diff.narrative.append({"id": key, "title": title, "status": status,
                               "words_added": added, "words_removed": removed})


def _other(diff: PlanDiff, old: dict, new: dict) -> None:
    old_funding = old.get("funding") if isinstance(old.get("funding"), dict) else {}
    new_funding = new.get("funding") if isinstance(new.get("funding"), dict) else {}
    if old_funding.get("notes") != new_funding.get("notes"):
        diff.other.append({"section": "funding notes", "summary": "changed"})
    for key in _ordered([*old, *new], []):
        if key in HANDLED or old.get(key) == new.get(key):
            continue
        if key == "dfg" and all(isinstance(v, dict) for v in (old.get(key), new.get(key))) and \
                {k: v for k, v in old[key].items() if k not in _DFG_MONEY} == \
                {k: v for k, v in new[key].items() if k not in _DFG_MONEY}:
            continue  # only its figures changed, and the funding lines name them
        a, b = old.get(key), new.get(key)
        if isinstance(a, list) or isinstance(b, list):
            count = lambda v: len(v) if isinstance(v, list) else (NOT_STATED if _is_not_stated(v) else 0)  # noqa: E731
            summary = f"{count(a)} -> {count(b)} entries" if count(a) != count(b) else "entries changed"
        else:
            summary = "added" if a is None else "removed" if b is None else "changed"
        diff.other.append({"section": key, "summary": summary})


# -- loading ----------------------------------------------------------------------------------------

def compare_sources(old: bytes | str | None, new: bytes | str | None, path: str) -> PlanDiff:
    """Compare two versions of a plan file's content (None: the file did not exist)."""
    loaded = []
    for raw, which in ((old, "old"), (new, "new")):
        if raw is None:
            loaded.append(None)
            continue
        plan = loads(raw, f"{path} ({which})")
        if not plan.ok:
            finding = plan.findings[0]
            return PlanDiff(path, "unreadable", error=f"the {which} version cannot be read: "
                                                     f"{finding.location}: {finding.message}")
        loaded.append(plan.data)
    return compare(loaded[0], loaded[1], path)


# -- output -----------------------------------------------------------------------------------------

def signed_pounds(amount: int) -> str:
    return f"{'+' if amount > 0 else '-' if amount < 0 else ''}£{abs(amount):,}"


def money(value) -> str:
    if value is None:
        return "none"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"£{value:,}"
    return str(value)


def _value(value) -> str:
    return "none" if value is None else str(value)


def number(value) -> str:
    if value is None:
        return "none"
    return f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else str(value)


def _change_note(item: dict) -> str:
    if item.get("change") is None:
        return ""
    pct = f", {item['percent']:+.1f}%" if item.get("percent") is not None else ""
    return f" ({signed_pounds(item['change'])}{pct})"


def _metric_change(item: dict) -> str:
    change = item.get("change")
    if change is None:
        return ""
    return f" ({'+' if change > 0 else ''}{change:g})" if isinstance(change, float) else f" ({change:+,})"


def _words(item: dict) -> str:
    return f"+{item.get('words_added', 0)} / -{item.get('words_removed', 0)} words"


def _history(entry: dict) -> str:
    date = f" ({entry['date']})" if entry.get("date") else ""
    return f"{entry.get('version')}{date}: {entry.get('change', '')}"


def _year(item: dict) -> str:
    return f" {item['year']}" if item.get("year") else ""


def lines(diff: PlanDiff) -> list[tuple[str, list[str]]]:
    """The diff as (section, lines), shared by the text and Markdown forms."""
    out: list[tuple[str, list[str]]] = []
    meta = [f"{m['field']}: {_value(m['old'])} -> {_value(m['new'])}" for m in diff.metadata]
    meta += [f"history added: {_history(h)}" for h in diff.history_added]
    meta += [f"history removed: {_history(h)}" for h in diff.history_removed]
    if meta:
        out.append(("Metadata", meta))
    if diff.funding:
        out.append(("Funding", [f"{f['name']}{_year(f)}: {money(f['old'])} -> {money(f['new'])}{_change_note(f)}"
                                for f in diff.funding]))
    schemes = []
    for s in diff.schemes_added:
        spend = ", ".join(f"{y} {money(v)}" for y, v in s["expenditure"].items())
        schemes.append(f"added {s['id']} '{s['name']}' ({s.get('funding_source')}): {spend or 'no expenditure'}")
    for s in diff.schemes_removed:
        spend = ", ".join(f"{y} {money(v)}" for y, v in s["expenditure"].items())
        schemes.append(f"removed {s['id']} '{s['name']}' ({s.get('funding_source')}): {spend or 'no expenditure'}")
    for s in diff.schemes_changed:
        parts = [f"expenditure {e['year']}: {money(e['old'])} -> {money(e['new'])}{_change_note(e)}"
                 for e in s["expenditure"]]
        for f in s["fields"]:
            if f["long"]:
                parts.append(f"{f['field']} changed ({_words(f)})")
            else:
                parts.append(f"{f['field']}: {_value(f['old'])} -> {_value(f['new'])}")
        schemes.append(f"changed {s['id']} '{s['name']}': " + "; ".join(parts))
    if schemes:
        out.append(("Schemes", schemes))
    metrics = []
    for m in diff.metrics:
        if m.get("text") and m["long"]:
            metrics.append(f"{m['name']}: {m['measure']} changed ({_words(m)})")
        elif m.get("text"):
            metrics.append(f"{m['name']} {m['measure']}: {_value(m['old'])} -> {_value(m['new'])}")
        elif m["measure"] == "metric":
            metrics.append(f"{m['name']}: {m['old']} -> {m['new']}")
        else:
            metrics.append(f"{m['name']} {m['measure']} {period_words(m['period'])}: {number(m['old'])} -> "
                           f"{number(m['new'])}{_metric_change(m)}")
    if metrics:
        out.append(("Metrics", metrics))
    if diff.narrative:
        out.append(("Narrative", [f"{n['id']} '{n['title']}': {n['status']}, {_words(n)}" for n in diff.narrative]))
    if diff.other:
        out.append(("Other sections", [f"{o['section']}: {o['summary']}" for o in diff.other]))
    if diff.assurance:
        out.append(("Assurance", [f"{a['id']}: {_value(a['old'])} -> {_value(a['new'])}"
                                  + ("; comment changed" if a["comment"] and a["old"] == a["new"] else
                                     ", comment changed" if a["comment"] else "") for a in diff.assurance]))
    return out


def _status_line(diff: PlanDiff) -> str:
    if diff.error:
        return f"{diff.path}: {diff.error}"
    return f"{diff.path}: {diff.status}"


def as_text(diffs: list[PlanDiff]) -> str:
    out = []
    for diff in diffs:  # plan text shown on a terminal: no control characters (escape.terminal)
        out.append(escape.terminal(_status_line(diff)))
        for section, items in lines(diff):
            out.append(f"  {section}:")
            out += [f"    {escape.terminal(item)}" for item in items]
    out.append(summary(diffs))
    return "\n".join(out) + "\n"


def _md_cell(value) -> str:
    return escape.markdown(value)


def as_markdown(diffs: list[PlanDiff]) -> str:
    out = ["## Plan changes", ""]
    if not diffs:
        out += ["No plan changed.", ""]
    for diff in diffs:
        out.append(f"### {escape.markdown_code(diff.path)}: {diff.status}")
        out.append("")
        if diff.error:
            out += [escape.markdown(diff.error), ""]
            continue
        if diff.metadata or diff.history_added or diff.history_removed:
            out += ["| field | before | after |", "| --- | --- | --- |"]
            out += [f"| {m['field']} | {_md_cell(_value(m['old']))} | {_md_cell(_value(m['new']))} |"
                    for m in diff.metadata]
            out += [f"| history | | added {_md_cell(_history(h))} |" for h in diff.history_added]
            out += [f"| history | removed {_md_cell(_history(h))} | |" for h in diff.history_removed]
            out.append("")
        if diff.funding:
            out += ["**Funding**", "", "| stream | year | before | after | change |",
                    "| --- | --- | ---: | ---: | ---: |"]
            out += [f"| {_md_cell(f['name'])} | {f['year'] or ''} | {money(f['old'])} | {money(f['new'])} | "
                    f"{_change_note(f).strip(' ()')} |" for f in diff.funding]
            out.append("")
        rows = []
        for s in diff.schemes_added:
            for year, value in s["expenditure"].items() or [("", None)]:
                rows.append(f"| {_md_cell(s['id'])} {_md_cell(s['name'])} | added | {year} | | {money(value)} | |")
        for s in diff.schemes_removed:
            for year, value in s["expenditure"].items() or [("", None)]:
                rows.append(f"| {_md_cell(s['id'])} {_md_cell(s['name'])} | removed | {year} | {money(value)} | | |")
        for s in diff.schemes_changed:
            label = f"{_md_cell(s['id'])} {_md_cell(s['name'])}"
            for e in s["expenditure"]:
                rows.append(f"| {label} | expenditure | {e['year']} | {money(e['old'])} | {money(e['new'])} | "
                            f"{_change_note(e).strip(' ()')} |")
            for f in s["fields"]:
                if f["long"]:
                    rows.append(f"| {label} | {f['field']} | | | | {_words(f)} |")
                else:
                    rows.append(f"| {label} | {f['field']} | | {_md_cell(_value(f['old']))} | "
                                f"{_md_cell(_value(f['new']))} | |")
        if rows:
            out += ["**Schemes**", "", "| scheme | what | year | before | after | change |",
                    "| --- | --- | --- | ---: | ---: | ---: |", *rows, ""]
        if diff.metrics:
            out += ["**Metrics**", "", "| metric | what | period | before | after | change |",
                    "| --- | --- | --- | ---: | ---: | ---: |"]
            for m in diff.metrics:
                if m.get("text") and m["long"]:
                    out.append(f"| {_md_cell(m['name'])} | {m['measure']} | | | | {_words(m)} |")
                elif m.get("text"):
                    out.append(f"| {_md_cell(m['name'])} | {m['measure']} | | {_md_cell(_value(m['old']))} | "
                               f"{_md_cell(_value(m['new']))} | |")
                else:
                    out.append(f"| {_md_cell(m['name'])} | {m['measure']} | {period_words(m['period'] or '')} | "
                               f"{_md_cell(number(m['old']))} | {_md_cell(number(m['new']))} | "
                               f"{_metric_change(m).strip(' ()')} |")
            out.append("")
        if diff.narrative:
            out += ["**Narrative**", "", "| section | status | words added | words removed |",
                    "| --- | --- | ---: | ---: |"]
            out += [f"| {_md_cell(n['id'])}: {_md_cell(n['title'])} | {n['status']} | {n['words_added']} | "
                    f"{n['words_removed']} |" for n in diff.narrative]
            out.append("")
        if diff.other:
            out += ["**Other sections**", ""]
            out += [f"- {_md_cell(o['section'])}: {_md_cell(o['summary'])}" for o in diff.other]
            out.append("")
    out.append(summary(diffs))
    return "\n".join(out) + "\n"


def as_json(diffs: list[PlanDiff]) -> str:
    return json.dumps({"plans": [d.as_dict() for d in diffs], "changed": sum(d.changed for d in diffs)},
                      indent=2, ensure_ascii=False) + "\n"


def summary(diffs: list[PlanDiff]) -> str:
    changed = sum(1 for d in diffs if d.changed)
    return f"{len(diffs)} plan file(s) compared: {changed} changed"


FORMATS = {"text": as_text, "markdown": as_markdown, "json": as_json}
