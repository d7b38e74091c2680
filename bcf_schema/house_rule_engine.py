"""The Cerberus side of house rules (bcf_schema.house_rules): the validator and its RE2 patterns.

A module of its own so that only a repository with house rules imports Cerberus and RE2.
"""
from __future__ import annotations

import functools
import re

import cerberus
import re2
from cerberus import SchemaError
from cerberus import errors as cerberus_errors

from .house_rules import count_words
from .loader import pointer_join

__all__ = ["PlanValidator", "SchemaError"]


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
