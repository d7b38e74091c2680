"""Version discipline: a plan that changed since a base revision says so in its version and history.

Compares a plan with the same file at a base revision (how the older data is
fetched, from git or elsewhere, is the caller's business):

- BCF401 the content changed but the version did not;
- BCF402 the version changed, or the content did, without a new history entry for the new version;
- BCF403 the version went backwards.

Versions compare numerically by their dotted parts: "V0.4" and "0.4" are the
same version, "0.10" comes after "0.9", "1" equals "1.0". A version with no
number in it ("not stated in the document") is compared as text only.
"""
from __future__ import annotations

import re

from .findings import Finding, Severity
from .loader import LoadedPlan

_NUMBER = re.compile(r"\d+(?:\.\d+)*")
_META = ("version", "history")


def version_key(version) -> tuple[int, ...] | None:
    """(0, 4) for "V0.4", "v0.4", "0.4" or "Version 0.4 (draft)"; None where there is no number."""
    if isinstance(version, bool) or version is None:
        return None
    match = _NUMBER.search(str(version))
    if not match:
        return None
    parts = [int(p) for p in match.group().split(".")]
    while len(parts) > 1 and parts[-1] == 0:  # 1.0 == 1
        parts.pop()
    return tuple(parts)


def next_version(version) -> str | None:
    """The version after this one, numbered the same way: "1.0" -> "1.1", "V0.4" -> "V0.5"."""
    match = _NUMBER.search(str(version)) if version is not None else None
    if not match:
        return None
    head, _, last = match.group().rpartition(".")
    bumped = f"{head}.{int(last) + 1}" if head else str(int(last) + 1)
    text = str(version)
    return text[:match.start()] + bumped + text[match.end():]


def compare_versions(old, new) -> int | None:
    """-1, 0 or 1 as new is before, the same as or after old; None where they cannot be compared."""
    a, b = version_key(old), version_key(new)
    if a is None or b is None:
        return 0 if str(old).strip() == str(new).strip() else None
    return (b > a) - (b < a)


def same_version(old, new) -> bool:
    return compare_versions(old, new) == 0 or str(old).strip() == str(new).strip()


def _content(plan: dict) -> dict:
    return {k: v for k, v in plan.items() if k not in _META}


def _history(plan: dict) -> list:
    history = plan.get("history")
    return [h for h in history if isinstance(h, dict)] if isinstance(history, list) else []


def check(old: dict, plan: LoadedPlan, base: str) -> list[Finding]:
    """Findings for a plan against its content at `base` (a git ref, shown in the messages)."""
    new = plan.data or {}
    if old == new or not isinstance(old, dict):
        return []
    findings = []

    def at(pointer: str, code: str, message: str, hint: str) -> None:
        findings.append(plan.finding_at(code, Severity.ERROR, pointer, message, hint, key=pointer == "/history"))

    old_version, new_version = old.get("version"), new.get("version")
    version_pointer = "/version" if "version" in new else ""
    content_changed = _content(old) != _content(new)
    version_changed = not same_version(old_version, new_version)
    order = compare_versions(old_version, new_version)

    if order is not None and order < 0:
        at(version_pointer, "BCF403",
           f"the version went backwards since {base}: {old_version} -> {new_version}",
           f"a new version of the plan is numbered after {old_version}")
    suggested = new_version if version_changed else (next_version(old_version) or "<the new version>")
    if content_changed and not version_changed:
        at(version_pointer, "BCF401",
           f"the plan changed since {base} but its version is still {new_version}",
           f"give it a new version after {old_version} ({suggested}, say) and a history entry saying what changed")
    if content_changed or version_changed:
        added = [h for h in _history(new) if h not in _history(old)]
        if not any(same_version(h.get("version"), new_version) for h in added):
            pointer = "/history" if "history" in new else version_pointer
            what = "the plan changed" if content_changed else "the version changed"
            at(pointer, "BCF402",
               f"{what} since {base} but history has no new entry for version {new_version}",
               f"add to history: - {{version: \"{suggested}\", date: YYYY-MM-DD, change: what changed}}")
    return findings
