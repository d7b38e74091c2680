"""Local house rules: a plans repository's own checks, written as Cerberus schemas.

A rules file (bcfc-rules.yaml by default) lists rules; each is a Cerberus
schema applied to the whole plan, unknown keys allowed, so it only constrains
what it names. Findings point at the plan's line like any other.

    rules:
      - id: scheme-lead
        description: Every scheme names a lead
        severity: error            # or warning
        schema:
          schemes:
            type: list
            schema: {type: dict, schema: {lead: {required: true, empty: false}}}
      - id: section-length
        description: A narrative section stays under 1,500 words
        schema:
          narrative: {type: dict, valuesrules: {max_words: 1500}}
"""
from __future__ import annotations

import re
from collections import namedtuple

from .findings import Finding, Severity
from .loader import LoadedPlan, load, pointer_join


_WORD = re.compile(r"\S+")


def count_words(value) -> int:
    """Words in an answer: its text and every sub-heading's text."""
    if isinstance(value, str):
        return len(_WORD.findall(value))
    if isinstance(value, dict):
        return sum(count_words(value.get(k)) for k in ("text", "subsections"))
    if isinstance(value, list):
        return sum(count_words(item) for item in value)
    return 0


# A rule of a plans repository's rules file; validator is its house_rule_engine.PlanValidator.
HouseRule = namedtuple("HouseRule", "id description severity validator")


def load_rules(path: str) -> tuple[list[HouseRule], list[Finding]]:
    """Read a rules file. Problems in it are findings against the rules file itself."""
    # Cerberus and RE2 only where a repository has house rules: `bcfc validate` starts without them
    from .house_rule_engine import PlanValidator, SchemaError, _LeafErrors, _pattern_problem, _regexes

    loaded = load(path)
    if not loaded.ok:
        if loaded.findings[0].code == "BCF009":  # an empty rules file is a wrong rules file
            return [], [f._replace(code="BCF301", message="the house rules file holds no rules",
                                   hint="a rules file holds a 'rules:' list; see README, 'Local house rules'")
                        for f in loaded.findings]
        return [], loaded.findings
    problems: list[Finding] = []

    def problem(pointer, message, hint=""):
        line, col = loaded.source_map.locate(pointer, key=True)
        problems.append(Finding("BCF301", Severity.ERROR, path, line, col, pointer, message, hint))

    rules_list = loaded.data.get("rules")
    if not isinstance(rules_list, list):
        problem("", "a rules file needs a 'rules:' list", "see README, 'Local house rules'")
        return [], problems
    rules = []
    for index, item in enumerate(rules_list):
        pointer = f"/rules/{index}"
        if not isinstance(item, dict) or not isinstance(item.get("id"), str) or not isinstance(item.get("schema"), dict):
            problem(pointer, "each rule needs an 'id' and a Cerberus 'schema' mapping")
            continue
        severity = item.get("severity", "error")
        if severity not in ("error", "warning"):
            problem(pointer_join(pointer, "severity"), f"severity '{severity}' must be error or warning")
            continue
        bad = [(where, _pattern_problem(pattern)) for where, pattern in _regexes(item["schema"], pointer_join(pointer, "schema"))]
        bad = [(where, message) for where, message in bad if message]
        for where, message in bad:
            problem(where, f"rule '{item['id']}': {message}",
                    "house rules use Python's regular expression syntax without backreferences or look-arounds")
        if bad:
            continue
        try:
            validator = PlanValidator(item["schema"], allow_unknown=True, error_handler=_LeafErrors)
        except SchemaError as err:
            problem(pointer_join(pointer, "schema"), f"rule '{item['id']}' is not a valid Cerberus schema: {err}")
            continue
        rules.append(HouseRule(item["id"], str(item.get("description", item["id"])), Severity(severity), validator))
    return rules, problems


def check(plan: LoadedPlan, rules: list[HouseRule]) -> list[Finding]:
    findings = []
    for rule in rules:
        rule.validator.validate(plan.data)
        for path, message in rule.validator.errors:
            pointer = ""
            for part in path:
                pointer = pointer_join(pointer, part)
            line, col = plan.source_map.locate(pointer)
            field = "/".join(str(p) for p in path) or "the plan"
            findings.append(Finding("BCF300", rule.severity, plan.path, line, col, pointer,
                                    f"house rule '{rule.id}': {field} {message}", rule.description))
    return findings
