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

import functools
import re
from dataclasses import dataclass, replace

import cerberus
import re2
from cerberus import errors as cerberus_errors

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


class PlanValidator(cerberus.Validator):
    """Cerberus with the rules plan authors ask for."""

    def _validate_max_words(self, max_words, field, value):
        """Text (or a narrative answer with sub-headings) of at most this many words.

        The rule's arguments are validated against this schema:
        {'type': 'integer', 'min': 1}
        """
        words = count_words(value)
        if words > max_words:
            self._error(field, f"has {words:,} words, over the limit of {max_words:,}")


    def _validate_regex(self, pattern, field, value):
        """Matched by RE2, which never backtracks: a rule's time grows with the text, never exponentially.

        The rule's arguments are validated against this schema:
        {'type': 'string'}
        """
        if not isinstance(value, str):
            return
        compiled = _compiled(pattern)
        # as Cerberus does with Python's re: the whole value, or all of it but a final line break
        if not (compiled.fullmatch(value) or (value.endswith("\n") and compiled.fullmatch(value[:-1]))):
            self._error(field, cerberus_errors.REGEX_MISMATCH)


_RE2_OPTIONS = re2.Options()
_RE2_OPTIONS.log_errors = False  # a bad pattern is a finding, not a line on standard error


@functools.lru_cache(maxsize=256)
def _compiled(pattern: str):
    """A rule's pattern, compiled once."""
    return re2.compile(pattern, _RE2_OPTIONS)


def _pattern_problem(pattern: str) -> str:
    """Why a pattern cannot be used ('' if it can)."""
    try:
        re.compile(pattern)
    except re.error as err:
        return f"'{pattern}' is not a valid regular expression: {err}"
    try:
        _compiled(pattern)
    except re2.error:
        return (f"'{pattern}' uses a feature (a backreference or a look-ahead/behind) that cannot be matched "
                f"in bounded time")
    return ""


def _regexes(schema, pointer: str):
    """(pointer, pattern) of every `regex` rule in a Cerberus schema, however deep."""
    if isinstance(schema, dict):
        for key, value in schema.items():
            if key == "regex" and isinstance(value, str):
                yield pointer_join(pointer, key), value
            else:
                yield from _regexes(value, pointer_join(pointer, key))
    elif isinstance(schema, list):
        for index, value in enumerate(schema):
            yield from _regexes(value, pointer_join(pointer, index))


class _LeafErrors(cerberus_errors.BasicErrorHandler):
    """Collects every leaf error with its path, instead of Cerberus' nested dict."""

    def __call__(self, errors):
        leaves = []

        def walk(items):
            for error in items:
                if error.is_group_error:
                    walk(error.child_errors)
                else:
                    leaves.append((error.document_path, self._format_message(error.field, error)))

        walk(errors)
        return leaves


@dataclass
class HouseRule:
    id: str
    description: str
    severity: Severity
    validator: PlanValidator


def load_rules(path: str) -> tuple[list[HouseRule], list[Finding]]:
    """Read a rules file. Problems in it are findings against the rules file itself."""
    loaded = load(path)
    if not loaded.ok:
        if loaded.findings[0].code == "BCF009":  # an empty rules file is a wrong rules file
            return [], [replace(f, code="BCF301", message="the house rules file holds no rules",
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
        except cerberus.SchemaError as err:
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
