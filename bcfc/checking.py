"""`bcfc validate` without click: what the command does once its arguments are read.

bcfc.entry runs it straight away for `bcfc validate [PATH ...]`, the form a pre-commit hook or an editor
uses on every commit or save; the click command runs it for every other form.
"""
from __future__ import annotations

import sys

from bcf_schema import gate, report


def validate_command(paths: list[str], fmt: str = "text", strict: bool = False, rules_file: str | None = None,
                     base: str | None = None) -> int:
    """Check the plans, print the report and give the exit status: 0 clean, 1 errors (or warnings with
    strict), 2 a usage or I/O problem."""
    checked = gate.check(paths or ["plans"], rules_file, keep_plans=False, with_reviews=True)
    result = checked.report
    if base:
        from bcf_schema import gitbase

        try:
            gitbase.check_versions(result, base)
        except gitbase.GitError as err:
            print(f"bcfc validate: {err}", file=sys.stderr)
            return 2
    print(report.FORMATS[fmt](result.findings, len(result.results), len(result.reviews),
                              sum(1 for r in result.results if r.is_return)), flush=True)
    if checked.usage_problem:
        return 2
    return 1 if gate.failing(result.findings, strict) else 0
