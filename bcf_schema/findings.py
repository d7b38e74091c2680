"""Findings: what validation reports, as plain values.

Expected problems in a plan are findings, never exceptions, so every problem in
every file can be reported at once.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import Enum

from .catalogue import BY_CODE


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True)
class Finding:
    code: str  # BCFnnn, one of bcf_schema.catalogue.CODES
    severity: Severity
    file: str
    line: int | None  # 1-based; None where the file has no lines to point at
    col: int | None  # 1-based
    pointer: str  # JSON pointer into the plan ("" for the whole document)
    message: str
    hint: str = ""

    def __post_init__(self):
        if self.code not in BY_CODE:
            raise ValueError(f"finding code {self.code!r} is not in bcf_schema/catalogue.py: catalogue it first")

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


def kinds(findings: list[Finding]) -> str:
    """'unknown field 2, YAML syntax 1': each kind with how many, most first."""
    counts: dict[str, int] = {}
    for f in findings:
        kind = BY_CODE[f.code].title
        counts[kind] = counts.get(kind, 0) + 1
    return ", ".join(f"{kind} {n}" for kind, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
