"""Findings: what validation reports, as plain values.

Expected problems in a plan are findings, never exceptions, so every problem in
every file can be reported at once.
"""
from __future__ import annotations

from collections import namedtuple
from enum import Enum

from .catalogue import BY_CODE


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


# Records of bcf_schema are named tuples and plain classes, not dataclasses: `bcfc validate PLAN` runs on
# every commit and save, and importing dataclasses (which imports inspect) and making a class with it cost
# it more than checking the plan.
class Finding(namedtuple("Finding", "code severity file line col pointer message hint", defaults=("",))):
    """One problem: code is BCFnnn, one of bcf_schema.catalogue.CODES; file the path as given; line and col
    1-based, None where the file has no lines to point at; pointer a JSON pointer into the plan ("" for the
    whole document); hint what to do."""
    __slots__ = ()

    def __new__(cls, *args, **kwargs):
        finding = super().__new__(cls, *args, **kwargs)
        if finding.code not in BY_CODE:
            raise ValueError(f"finding code {finding.code!r} is not in bcf_schema/catalogue.py: catalogue it first")
        return finding

    @property
    def location(self) -> str:
        if self.line is None:
            return self.file
        return f"{self.file}:{self.line}:{self.col or 1}"

    def as_dict(self) -> dict:
        return {**self._asdict(), "severity": self.severity.value}


def sort_key(finding: Finding) -> tuple:
    return (finding.file, finding.line or 0, finding.col or 0, finding.code, finding.message)


def kinds(findings: list[Finding]) -> str:
    """'unknown field 2, YAML syntax 1': each kind with how many, most first."""
    counts: dict[str, int] = {}
    for f in findings:
        kind = BY_CODE[f.code].title
        counts[kind] = counts.get(kind, 0) + 1
    return ", ".join(f"{kind} {n}" for kind, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
