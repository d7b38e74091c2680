"""Messages for a planning lead: what YAML and the schema mean, in the plan's terms, and how to fix it.

The loader and the schema step find the problem; this module words it. Nothing here decides
whether something is wrong.
"""
from __future__ import annotations

import difflib
import re

# -- YAML syntax ---------------------------------------------------------------------------------------

_KEY = re.compile(r"^(?P<indent> *)(?P<dash>- +)?(?P<key>[^:#'\"{}\[\]][^:#]*?):(?: +|$)")


def _content_lines(lines: list[str], before: int):
    """(number, text) of the lines with content above line `before` (1-based), nearest first."""
    for number in range(before - 1, 0, -1):
        text = lines[number - 1]
        if text.strip() and not text.lstrip().startswith("#"):
            yield number, text


def _indent_of_key(text: str) -> int:
    stripped = text.lstrip(" ")
    indent = len(text) - len(stripped)
    return indent + 2 if stripped.startswith("- ") else indent


def _spaces(count: int) -> str:
    return f"{count} space{'' if count == 1 else 's'}"


def _quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def explain_yaml_error(text: str, line: int | None, col: int | None, problem: str) -> tuple[str, str] | None:
    """(message, hint) for the YAML errors plan authors make most, or None to keep the parser's words."""
    if not line:
        return None
    lines = text.splitlines()
    current = lines[line - 1] if 0 < line <= len(lines) else ""
    if "mapping values are not allowed" in problem:
        match = _KEY.match(current)
        if match and col and col > match.end():
            key, value = match.group("key").strip(), current[match.end():].strip()
            return (f"the value of '{key}' contains ': ', which YAML reads as the start of another key",
                    f"put the whole value in quotes: {key}: {_quoted(value)}")
        above = next(_content_lines(lines, line), None)
        if above is not None:
            indent = len(current) - len(current.lstrip(" "))
            return (f"line {line} is indented {_spaces(indent)}, more than the line above it "
                    f"({_indent_of_key(above[1])} on line {above[0]}), so YAML reads it as part of the value above",
                    "line it up with the keys of the same mapping above it, or make it a list item with '- '")
    if any(words in problem for words in ("did not find expected key", "did not find expected '-' indicator",
                                          "expected <block end>")):
        above = next(_content_lines(lines, line), None)
        indent = len(current) - len(current.lstrip(" "))
        if above is not None:
            return (f"line {line} is indented {_spaces(indent)}, which matches none of the mappings or lists above it "
                    f"(line {above[0]} is indented {_indent_of_key(above[1])})",
                    "keys of one mapping, and the '- ' of one list, start in the same column; indent with spaces")
    return None


# -- amounts -------------------------------------------------------------------------------------------------

_WRITTEN_AMOUNT = re.compile(r"^\s*£?\s*\d{1,3}(,\d{3})+(\.\d+)?\s*$|^\s*£\s*\d+(\.\d+)?\s*$")
_DIGIT_GROUP = re.compile(r"^\d{3}$")


def amount_as_written(value) -> str | None:
    """The plain whole pounds a text amount like '£2,100,000' stands for ('2100000'), else None."""
    if not isinstance(value, str) or not _WRITTEN_AMOUNT.match(value):
        return None
    digits = value.replace("£", "").replace(",", "").strip()
    return digits.split(".")[0] if digits.endswith(".00") or "." not in digits else digits


def amount_message(field: str, written: str, digits: str) -> tuple[str, str]:
    what = " and ".join(w for w, present in (("commas", "," in written), ("a £ sign", "£" in written)) if present)
    whole = digits if "." not in digits else digits.split(".")[0]
    return (f"the amount for '{field}' is written '{written}', with {what}: write {whole}",
            "amounts are whole pounds written as a plain whole number, without £ or commas")


def split_amounts(data, pointer: str = ""):
    """Amounts that YAML split at their commas in a flow mapping: `{2025-26: 2,100,000}` reads as
    {2025-26: 2, '100': null, '000': null}. Yields (pointer of the mapping, key, written, digits, split keys)."""
    if isinstance(data, dict):
        keys = list(data)
        index = 0
        while index < len(keys):
            key, value = keys[index], data[keys[index]]
            groups = []
            while (index + 1 + len(groups) < len(keys) and _DIGIT_GROUP.match(str(keys[index + 1 + len(groups)]))
                   and data[keys[index + 1 + len(groups)]] is None):
                groups.append(keys[index + 1 + len(groups)])
            head = value if isinstance(value, str) else str(value) if isinstance(value, int) else None
            if groups and head is not None and re.fullmatch(r"£?\s*\d{1,3}", head.strip()):
                written = ",".join([head.strip(), *groups])
                yield pointer, key, written, written.replace("£", "").replace(",", "").strip(), groups
                index += 1 + len(groups)
                continue
            index += 1
        for key, value in data.items():
            yield from split_amounts(value, f"{pointer}/{str(key).replace('~', '~0').replace('/', '~1')}")
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from split_amounts(value, f"{pointer}/{index}")


def not_whole_pounds(field: str, value: float) -> tuple[str, str]:
    if value == int(value):
        return (f"the amount for '{field}' is {value}: amounts are whole pounds", f"write {int(value)}")
    low = int(value // 1)
    return (f"the amount for '{field}' is {value}: amounts are whole pounds, without pence",
            f"write {low} or {low + 1}")


# -- allowed values ---------------------------------------------------------------------------------------------

def closest(value, allowed, where: str = "") -> str:
    """The closest allowed values and where the full list is."""
    allowed = [str(a) for a in allowed]
    close = difflib.get_close_matches(str(value), allowed, n=3, cutoff=0.5)
    if len(allowed) <= 8:
        listing = f"allowed: {', '.join(allowed)}"
    else:
        listing = f"{len(allowed)} values are allowed" + (f": the full list is {where}" if where else "")
    if close:
        return f"did you mean {' or '.join(repr(c) for c in close)}? {listing}"
    return listing
