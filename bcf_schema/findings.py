"""Findings: what validation reports, as plain values.

Expected problems in a plan are findings, never exceptions, so every problem in
every file can be reported at once.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import Enum


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True)
class Finding:
    code: str  # BCFnnn, listed in README "Findings"
    severity: Severity
    file: str
    line: int | None  # 1-based; None where the file has no lines to point at
    col: int | None  # 1-based
    pointer: str  # JSON pointer into the plan ("" for the whole document)
    message: str
    hint: str = ""

    @property
    def location(self) -> str:
        if self.line is None:
            return self.file
        return f"{self.file}:{self.line}:{self.col or 1}"

    def as_dict(self) -> dict:
        data = asdict(self)
        data["severity"] = self.severity.value
        return data


def sort_key(finding: Finding) -> tuple:
    return (finding.file, finding.line or 0, finding.col or 0, finding.code, finding.message)


# What kind of problem each code is, for the one-line summary at the end of `bcfc validate`.
KINDS = {
    "BCF001": "unreadable path", "BCF002": "file too large", "BCF003": "not UTF-8 text", "BCF004": "YAML syntax",
    "BCF005": "repeated key", "BCF006": "YAML tag", "BCF007": "alias expansion", "BCF008": "nesting too deep",
    "BCF009": "not a plan", "BCF010": "framework",
    "BCF101": "missing field", "BCF102": "wrong kind of value", "BCF103": "unknown field",
    "BCF104": "value not allowed", "BCF105": "value in the wrong form", "BCF106": "schema",
    "BCF201": "income and spend", "BCF202": "totals", "BCF203": "minimum spend", "BCF204": "ring-fenced spend",
    "BCF205": "headings to write", "BCF206": "left elsewhere", "BCF207": "metric goals", "BCF208": "template text",
    "BCF209": "check that cannot run", "BCF210": "HWB", "BCF211": "HWB code", "BCF212": "ICB",
    "BCF213": "spend without income", "BCF214": "funding or schemes", "BCF215": "sign-off",
    "BCF216": "goal periods", "BCF217": "history",
    "BCF300": "house rule", "BCF301": "house rules file",
    "BCF401": "version", "BCF402": "history", "BCF403": "version",
}


def kinds(findings: list[Finding]) -> str:
    """'unknown field 2, YAML syntax 1': each kind with how many, most first."""
    counts: dict[str, int] = {}
    for f in findings:
        kind = KINDS.get(f.code, f.code)
        counts[kind] = counts.get(kind, 0) + 1
    return ", ".join(f"{kind} {n}" for kind, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
