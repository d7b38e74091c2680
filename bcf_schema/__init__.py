"""The BCF plan contract: frameworks as data, safe loading, schema and rules.

    from bcf_schema import load, validate_plan
    plan = load("plans/worcestershire/2023-25.yaml")
    result = validate_plan(plan)
    for finding in result.findings: print(finding.location, finding.message)
"""
from .findings import Finding, Severity
from .framework import Framework, available_periods, load_framework
from .loader import LoadedPlan, load, loads
from .validate import PlanResult, validate_file, validate_paths, validate_plan

__all__ = [
    "Finding", "Framework", "LoadedPlan", "PlanResult", "Severity", "available_periods", "load",
    "load_framework", "loads", "validate_file", "validate_paths", "validate_plan",
]
