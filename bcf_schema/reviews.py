"""A plan's regional assurance as data: `reviews/<hwb>/<period>.yaml` beside `plans/<hwb>/<period>.yaml`.

    reviewer: {role: NHS England regional BCF manager, date: 2023-08-14}
    recommendation: approve_with_conditions      # approve | approve_with_conditions | not_approve
    conditions: [Confirm the DFG split with the districts]
    summary: |
      Markdown ...
    entries:                                      # keyed by the framework's outline ids
      nc2.pr4.capacity_demand: {assessment: partly_met, comment: Demand for pathway 1 not broken down}

The review's JSON Schema is generated from the plan's framework (`review_schema`), so an outline id the
framework does not have is an error at its line with the closest id (BCF104, as for a plan). Loading is the
plans' safe loader; the findings are the plans' findings.
"""
from __future__ import annotations

from pathlib import Path

from .findings import Finding, Severity
from .framework import Framework
from .loader import load
from .schema_check import _to_findings

ASSESSMENTS = {"met": "Met", "partly_met": "Partly met", "not_met": "Not met"}
RECOMMENDATIONS = {"approve": "Approve", "approve_with_conditions": "Approve with conditions",
                   "not_approve": "Not approve"}


def review_schema(fw: Framework) -> dict:
    """The schema of a review of a plan of this framework: its outline ids are the entries' keys."""
    ids = [entry.id for entry in fw.outline]
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": f"BCF plan review: {fw.title}",
        "description": "A regional reviewer's assurance of one plan: per outline entry met, partly met or not met "
                       "with a comment, the reviewer's role and date, and an overall recommendation.",
        "type": "object",
        "properties": {
            "reviewer": {"type": "object", "description": "Who reviewed the plan, by role, and when.",
                         "properties": {"role": {"type": "string", "minLength": 1},
                                        "organisation": {"type": "string"},
                                        "date": {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$",
                                                 "description": "The date of the review, YYYY-MM-DD."}},
                         "required": ["role", "date"], "additionalProperties": False},
            "recommendation": {"enum": list(RECOMMENDATIONS), "description": "The overall recommendation."},
            "conditions": {"type": "array", "items": {"type": "string", "minLength": 1},
                           "description": "The conditions of an approval with conditions."},
            "summary": {"type": "string", "description": "The reviewer's summary, Markdown."},
            "entries": {
                "type": "object", "description": "The assurance of each heading, keyed by its outline id.",
                "propertyNames": {"enum": ids},
                "additionalProperties": {
                    "type": "object",
                    "properties": {"assessment": {"enum": list(ASSESSMENTS)}, "comment": {"type": "string"}},
                    "required": ["assessment"], "additionalProperties": False},
            },
        },
        "required": ["reviewer", "recommendation", "entries"],
        "additionalProperties": False,
    }


def review_path(plan_path: Path, plans_dir: Path) -> Path:
    """reviews/<hwb>/<period>.yaml beside the plans folder, for plans/<hwb>/<period>.yaml."""
    return plans_dir.parent / "reviews" / plan_path.resolve().relative_to(plans_dir.resolve())


def load_review(path: str | Path, fw: Framework) -> tuple[dict | None, list[Finding]]:
    """The review's data, or None with the findings (file:line) that stop it being used."""
    loaded = load(path)
    if loaded.findings or loaded.data is None:
        return None, loaded.findings
    import jsonschema  # here: a build with no reviews never needs it

    validator = jsonschema.Draft202012Validator(review_schema(fw))
    findings = [f for error in sorted(validator.iter_errors(loaded.data), key=lambda e: list(e.absolute_path))
                for f in _to_findings(error, loaded, fw)]
    if not findings and loaded.data.get("recommendation") == "approve_with_conditions" \
            and not loaded.data.get("conditions"):
        line, col = loaded.source_map.locate("/recommendation")
        findings.append(Finding("BCF106", Severity.ERROR, loaded.path, line, col, "/recommendation",
                                "an approval with conditions lists no conditions",
                                "add conditions: [...], one line each"))
    return (None if findings else loaded.data), findings
