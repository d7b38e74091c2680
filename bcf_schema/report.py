"""Findings as text for people, JSON for tools, or GitHub annotations for CI."""
from __future__ import annotations

import json

from .escape import terminal
from .findings import Finding, Severity, kinds


def checked(files_checked: int, reviews_checked: int = 0, returns_checked: int = 0) -> str:
    """What was checked: "3 plan file(s)", "1 review file(s)", "4 plan file(s), 2 return file(s) and 1 review
    file(s)". files_checked counts plans and returns; a return is named as one, not as a plan."""
    parts = [f"{n} {kind} file(s)" for n, kind in ((files_checked - returns_checked, "plan"),
                                                    (returns_checked, "return"), (reviews_checked, "review")) if n]
    if not parts:
        return "0 plan file(s)"
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"


def summary(findings: list[Finding], files_checked: int, reviews_checked: int = 0, returns_checked: int = 0) -> str:
    """One line: the counts, then what kinds of things are wrong."""
    counts = {s: sum(1 for f in findings if f.severity is s) for s in Severity}
    line = (f"{checked(files_checked, reviews_checked, returns_checked)} checked: {counts[Severity.ERROR]} error(s), "
            f"{counts[Severity.WARNING]} warning(s), {counts[Severity.INFO]} note(s)")
    parts = [f"{label}: {kinds([f for f in findings if f.severity is severity])}"
             for severity, label in ((Severity.ERROR, "errors"), (Severity.WARNING, "warnings")) if counts[severity]]
    return line + (f" ({'; '.join(parts)})" if parts else "")


def as_text(findings: list[Finding], files_checked: int, reviews_checked: int = 0, returns_checked: int = 0) -> str:
    lines = []
    for f in findings:  # plan text quoted in a message cannot move the cursor or add a line
        lines.append(terminal(f"{f.location}: {f.severity.value} {f.code}: {f.message}"))
        if f.hint:
            lines.append(f"    hint: {terminal(f.hint)}")
    lines.append(summary(findings, files_checked, reviews_checked, returns_checked))
    return "\n".join(lines)


def as_json(findings: list[Finding], files_checked: int, reviews_checked: int = 0, returns_checked: int = 0) -> str:
    return json.dumps(
        {"files_checked": files_checked, "returns_checked": returns_checked, "reviews_checked": reviews_checked,
         "findings": [f.as_dict() for f in findings]},
        indent=2, ensure_ascii=False,
    )


def _escape_data(text: str) -> str:
    # GitHub workflow command escaping: https://github.com/actions/toolkit (core/src/command.ts)
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def as_github(findings: list[Finding], files_checked: int, reviews_checked: int = 0, returns_checked: int = 0) -> str:
    level = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}
    lines = []
    for f in findings:
        props = [f"file={_escape_property(terminal(f.file))}"]
        if f.line is not None:
            props += [f"line={f.line}", f"col={f.col or 1}"]
        props.append(f"title={_escape_property(f.code)}")
        message = terminal(f.message + (f" (hint: {f.hint})" if f.hint else ""))
        lines.append(f"::{level[f.severity]} {','.join(props)}::{_escape_data(message)}")
    return "\n".join(lines + [summary(findings, files_checked, reviews_checked, returns_checked)])


FORMATS = {"text": as_text, "json": as_json, "github": as_github}
