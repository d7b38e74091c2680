"""The one gate between validation and rendering.

`bcfc validate`, `build`, `render`, `serve`, a plain `mkdocs build` through the plugin and the
pre-commit hook all ask this function which plans may be rendered: the same checks (schema,
rules, the plans repository's house rules), so what one refuses, all refuse, and a draft that one
lets through (its incompleteness is only warnings) every one renders as a draft.
"""
from __future__ import annotations

from pathlib import Path

from .findings import Finding, Severity
from .stated import lifecycle_status
from .validate import PlanResult, Report, validate_paths

DEFAULT_RULES = "bcfc-rules.yaml"  # a plans repository's house rules, beside its plans/ and mkdocs.yml


class Gate:
    """What the checks said of the plans given, read as which may be rendered."""

    def __init__(self, report: Report):
        self.report = report

    @property
    def findings(self) -> list[Finding]:
        return self.report.findings

    @property
    def usage_problem(self) -> bool:
        """An unreadable path or a broken house rules file: exit 2, nothing is judged."""
        return bool(self.report.io_errors or self.report.rule_file_findings)

    @property
    def refused(self) -> list[PlanResult]:
        return [r for r in self.report.results if r.errors]

    @property
    def passed(self) -> list[PlanResult]:
        """The plans that may be rendered, in order; each says its own status (draft, submitted, approved)."""
        return [r for r in self.report.results
                if not r.errors and r.plan is not None and r.framework is not None and not r.is_return]

    @property
    def returns_passed(self) -> list[PlanResult]:
        """The returns against plans that may be rendered, in order."""
        return [r for r in self.report.results
                if not r.errors and r.plan is not None and r.framework is not None and r.is_return]

    @property
    def ok(self) -> bool:
        """Every plan may be rendered: nothing refused and nothing unreadable."""
        return not self.usage_problem and not self.refused


def rules_file_for(rules_file: str | None, base_dir: str | Path = ".") -> str | None:
    """The house rules to apply: the file given, else bcfc-rules.yaml in base_dir if there is one."""
    if rules_file:
        return rules_file
    default = Path(base_dir) / DEFAULT_RULES
    return str(default) if default.is_file() else None


def check(paths: list[str], rules_file: str | None = None, *, base_dir: str | Path = ".",
          keep_plans: bool = True, with_reviews: bool = False, cache=None) -> Gate:
    """Validate the plans under paths with the house rules, and say which may be rendered. with_reviews: check
    the assurance reviews among the paths too (and reviews/ beside a plans/ folder). cache: a
    checked_cache.CheckedCache for the same house rules; unchanged plans are read back from it (`bcfc build`)."""
    return Gate(validate_paths(paths, rules_file_for(rules_file, base_dir), keep_plans=keep_plans,
                               with_reviews=with_reviews, cache=cache))


def status_of(result: PlanResult) -> str:
    data = result.plan.data if result.plan is not None and isinstance(result.plan.data, dict) else {}
    return lifecycle_status(data)


def failing(findings: list[Finding], strict: bool = False) -> bool:
    severities = {Severity.ERROR, Severity.WARNING} if strict else {Severity.ERROR}
    return any(f.severity in severities for f in findings)
