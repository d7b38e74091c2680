"""A workbook's figures into an existing plan file, the rest of the file left byte for byte as it was.

The plan file is edited, not re-emitted: ruamel.yaml's round-trip loader keeps comments, key order,
quoting and block scalars of what it re-emits, and only the top-level sections whose data changed
are re-emitted at all; every other line of the file is copied from the original.
Inside a changed section only the values the workbook carries are touched: a scheme's notes, lead
or metrics, a metric's comments, stay as they were.
"""
from __future__ import annotations

import datetime as dt
import io

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from . import layout as L
from .reader import Imported, TemplateError

SCHEME_FIELDS = ("id", "name", "description", "type", "sub_type", "funding_source", "funding_source_as_stated",
                 "area_of_spend", "commissioner", "provider", "new", "expenditure")
METRIC_FIELDS = ("not_stated", "baseline", "goals", "goal_as_stated", "goals_not_stated", "rationale")
SIGN_OFF_FIELDS = tuple(key for key, _ in L.SIGN_OFF_COLUMNS)
CD_FIELDS = ("service", "kind", "source", "unit", "months")


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap a long line
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def plain(value):
    """Round-trip data as plain Python (dates as ISO text, ids as text), to compare with the workbook's."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, str):
        return value.rstrip()  # a block scalar's final newline is not in the cell
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _same(old, new) -> bool:
    return plain(old) == plain(new)


def _scalar(old, new):
    """The new value in the old one's form where they mean the same (an int id, a date, a block scalar)."""
    if _same(old, new) or (isinstance(old, int) and not isinstance(old, bool) and str(old) == new):
        return old  # a scheme id written as a number in the plan comes back from its cell as text
    if isinstance(new, str) and len(new) == 10 and isinstance(old, dt.date):
        return dt.date.fromisoformat(new)
    return new


def _update(target: CommentedMap, new: dict, fields: tuple[str, ...] | None = None) -> None:
    """Set target's keys to new's, in place: unchanged values keep their node (comments, style), a key the
    workbook carries but left empty is removed; keys outside `fields` are not touched."""
    keys = fields if fields is not None else tuple(dict.fromkeys([*target.keys(), *new.keys()]))
    for key in keys:
        if key not in new:
            if key in target and fields is not None:
                del target[key]
            continue
        if key in target and isinstance(target[key], dict) and isinstance(new[key], dict) \
                and "not_stated" not in new[key] and "not_stated" not in target[key]:
            _update(target[key], new[key], None)
            for stale in [k for k in target[key] if k not in new[key]]:
                del target[key][stale]
        elif key in target:
            target[key] = _styled(_scalar(target[key], new[key]))
        else:
            target[key] = _styled(new[key])


def _like(old, new):
    """A new list in the old one's style (the plans write short lists on one line)."""
    if isinstance(old, CommentedSeq) and old.fa.flow_style():
        new.fa.set_flow_style()
    return new


def _styled(value):
    """New data in the plans' style: figures by year or month on one line ({2023-24: 1002363}, as the
    example plans write them), a scheme or a not-stated reason as a block mapping."""
    if isinstance(value, CommentedMap | CommentedSeq) or not isinstance(value, dict | list):
        return value
    if isinstance(value, list):
        return CommentedSeq(_styled(v) for v in value)
    mapping = CommentedMap((k, _styled(v)) for k, v in value.items())
    if value and all(isinstance(v, int | float) and not isinstance(v, bool) for v in value.values()) \
            or "not_stated" in value and len(value) == 1:
        mapping.fa.set_flow_style()
    return mapping


def _merge_list(old, new: list, key_of, fields: tuple[str, ...]) -> CommentedSeq:
    """A list matched by key (a scheme's id): matched items updated in place, new ones appended."""
    if not isinstance(old, list):
        old = CommentedSeq()
    by_key = {key_of(item): item for item in old if isinstance(item, dict)}
    result = CommentedSeq()
    used = set()
    for item in new:
        key = key_of(item)
        if key in by_key and key not in used:
            used.add(key)
            _update(by_key[key], item, fields)
            result.append(by_key[key])
        else:
            result.append(_styled(item))
    if [id(i) for i in result] == [id(i) for i in old if isinstance(i, dict)] and len(old) == len(result):
        return old  # same items in the same order: keep the sequence (and its comments)
    kept = {id(i) for i in result}
    for index, item in enumerate(old):  # the comment above an item goes with it
        if id(item) in kept and index in old.ca.items:
            result.ca.items[[id(i) for i in result].index(id(item))] = old.ca.items[index]
    return result


def _update_unallocated(target: CommentedMap, new: dict, years: list[str]) -> None:
    """Unallocated income by stream: the workbook carries the amounts, not the reason the plan gives for
    them, so a stream's reason stays as it is."""
    for stream in [s for s in target if s not in new]:
        del target[stream]
    for stream, amounts in new.items():
        if isinstance(target.get(stream), dict):
            _update(target[stream], amounts, tuple(years))
        else:
            target[stream] = amounts


def _section_updates(doc: CommentedMap, imported: Imported) -> None:
    plan, fw = imported.plan, imported.fw
    if "cover" in imported.sheets:
        for key in (fw.nhs_partners, "version", "status", "date"):
            if key in plan and not _same(doc.get(key), plan[key]):
                doc[key] = _scalar(doc.get(key), plan[key]) if key != fw.nhs_partners else \
                    _like(doc.get(key), CommentedSeq(plan[key]))
        if "sign_off" in plan or doc.get("sign_off"):
            new = plan.get("sign_off") or []
            old = doc.get("sign_off") or CommentedSeq()
            if not _same([{k: s.get(k) for k in SIGN_OFF_FIELDS if k in s} for s in old], new):
                for index, entry in enumerate(new):
                    if index < len(old):
                        _update(old[index], entry, SIGN_OFF_FIELDS)
                    else:
                        old.append(CommentedMap(entry))
                del old[len(new):]
                doc["sign_off"] = old
    if "income" in imported.sheets:
        funding = doc.get("funding")
        if not isinstance(funding, dict):
            doc["funding"] = funding = CommentedMap()
        new = plan["funding"]
        for key in ("streams", "stated_total", "unallocated"):
            if key == "unallocated" and key in new and isinstance(funding.get(key), dict):
                _update_unallocated(funding[key], new[key], fw.financial_years)
            elif key in new:
                if isinstance(funding.get(key), dict):
                    _update(funding[key], new[key], tuple(dict.fromkeys([*funding[key], *new[key]])))
                else:
                    funding[key] = _styled(new[key])
            elif key in funding:
                del funding[key]
    if "expenditure" in imported.sheets:
        new = plan["schemes"]
        if isinstance(new, dict) or not isinstance(doc.get("schemes"), list):
            if not _same(doc.get("schemes"), new):
                doc["schemes"] = _styled(new)
        else:
            doc["schemes"] = _merge_list(doc["schemes"], new, lambda s: str(s.get("id")), SCHEME_FIELDS)
    if "metrics" in imported.sheets:
        metrics = doc.get("metrics")
        if not isinstance(metrics, dict):
            doc["metrics"] = metrics = CommentedMap()
        for metric_id, value in plan["metrics"].items():
            if isinstance(metrics.get(metric_id), dict):
                _update(metrics[metric_id], value, METRIC_FIELDS)
            else:
                metrics[metric_id] = _styled(value)
        if plan.get("local_metrics") or doc.get("local_metrics"):
            by_name = lambda m: m.get("name")  # noqa: E731: a local metric's id is not in the workbook
            doc["local_metrics"] = _merge_list(doc.get("local_metrics"), plan.get("local_metrics") or [], by_name,
                                               ("name", "unit", "baseline", "goals", "rationale"))
    if "capacity_demand" in imported.sheets and "capacity_demand" in plan:
        new = plan["capacity_demand"]
        if isinstance(new, dict) or not isinstance(doc.get("capacity_demand"), list):
            if not _same(doc.get("capacity_demand"), new):
                doc["capacity_demand"] = _styled(new)
        else:
            key = lambda r: (r.get("service"), r.get("kind"), r.get("source"))  # noqa: E731
            doc["capacity_demand"] = _merge_list(doc["capacity_demand"], new, key, CD_FIELDS)


def _spans(text: str, doc: CommentedMap) -> tuple[str, dict[str, str]]:
    """The text before the first top-level key, and each top-level key's lines (to the next key)."""
    lines = text.splitlines(keepends=True)
    starts = [(key, doc.lc.key(key)[0]) for key in doc]
    prologue = "".join(lines[:starts[0][1]]) if starts else text
    spans = {}
    for index, (key, line) in enumerate(starts):
        end = starts[index + 1][1] if index + 1 < len(starts) else len(lines)
        spans[key] = "".join(lines[line:end])
    return prologue, spans


def merge(text: str, imported: Imported, name: str = "the plan") -> str:
    """The plan file's text with the workbook's figures in it. TemplateError if the workbook belongs to
    another period or HWB."""
    yaml = _yaml()
    original = yaml.load(text)
    if not isinstance(original, dict):
        raise TemplateError(f"{name} is not a plan (no mapping at the top level)")
    if str(original.get("framework")) != imported.fw.period:
        raise TemplateError(f"the workbook is for planning period {imported.fw.period}, but {name} is for "
                            f"{original.get('framework')}: choose the plan of the workbook's period")
    theirs = sorted(h.get("code") for h in original.get("hwbs") or [] if isinstance(h, dict))
    ours = sorted(h["code"] for h in imported.plan.get("hwbs") or [])
    if theirs != ours:
        raise TemplateError(f"the workbook is for {', '.join(ours) or 'no HWB'}, but {name} is for "
                            f"{', '.join(map(str, theirs))}: a workbook only updates its own HWB's plan")
    before = plain(dict(original))
    doc = yaml.load(text)
    _section_updates(doc, imported)
    after = plain(dict(doc))
    if after == before:
        return text
    buffer = io.StringIO()
    yaml.dump(doc, buffer)
    dumped = buffer.getvalue()
    prologue, old_spans = _spans(text, original)
    _, new_spans = _spans(dumped, yaml.load(dumped))
    parts = [prologue]
    for key in new_spans:
        if key not in old_spans:
            parts.append(new_spans[key])
        elif _same(before.get(str(key)), after.get(str(key))):
            parts.append(old_spans[key])
        else:  # the blank lines and comments before the next key stay, even where the value was replaced whole
            span, tail = new_spans[key], _tail(old_spans[key])
            parts.append(span[:len(span) - len(_tail(span))] + tail)
    return "".join(parts)


def _tail(span: str) -> str:
    """A section's closing blank lines and comments (what stands before the next top-level key)."""
    lines = span.splitlines(keepends=True)
    end = len(lines)
    while end > 1 and (not lines[end - 1].strip() or lines[end - 1].lstrip().startswith("#")):
        end -= 1
    return "".join(lines[end:])
