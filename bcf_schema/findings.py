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
