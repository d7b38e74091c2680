"""The JSON Schema step: jsonschema errors turned into findings with file:line.

A jsonschema error carries only a path into the data; the loader's source map
turns that path into the line and column, and the messages are rewritten to say
which field is wrong and how to fix it.

Most plans are valid, so each plan is first checked by jsonschema-rs (compiled,
about 200 times faster); only a plan it rejects goes through python-jsonschema,
whose error objects the findings are made from. A test keeps the two in step.
"""
from __future__ import annotations

import difflib
import functools
import json
import re
TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing on every `bcfc validate`

import jsonschema_rs

from . import messages
from .findings import Finding, Severity
from .framework import FRAMEWORKS_DIR, Framework
from .loader import LoadedPlan, pointer_join, pointer_of

if TYPE_CHECKING:
    import jsonschema

_TYPE_NAMES = {
    "string": "text", "integer": "a whole number", "number": "a number", "object": "a mapping (key: value lines)",
    "array": "a list (lines starting with '- ')", "boolean": "true or false", "null": "nothing",
}


DEFS_PATH = FRAMEWORKS_DIR / "defs.schema.json"
# what defs.schema.json's text patterns keep out of text: control characters but tab and new line, and the
# two non-characters U+FFFE and U+FFFF (none of them can be written into a Word or Excel file)
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffe\uffff]")
_DATE_SHAPE = re.compile(r"^[0-9]{4}-[0-9]{2}(-[0-9]{2})?$")


@functools.cache
def _defs() -> dict:
    return json.loads(DEFS_PATH.read_text(encoding="utf-8"))


@functools.cache
def _registry():
    from referencing import Registry, Resource

    return Registry().with_resource(DEFS_PATH.as_uri(), Resource.from_contents(_defs()))


def _bundled_only(uri: str) -> dict:
    """The only document a plan schema refers to; nothing is fetched from elsewhere."""
    if uri != DEFS_PATH.as_uri():
        raise ValueError(f"plan schemas refer only to {DEFS_PATH.name}, not {uri}")
    return _defs()


@functools.cache
def fast_validator_for(fw: Framework):
    """The same schema compiled by jsonschema-rs: a yes/no answer for the common, valid plan."""
    return jsonschema_rs.validator_for(fw.schema(), base_uri=fw.schema_path.as_uri(), retriever=_bundled_only)


@functools.cache
def _strict():
    """Draft 2020-12 as python-jsonschema checks it, but for integers: JSON Schema counts 1000.0 as an
    integer; an amount is whole pounds written as such, so here it is not. Imported only for a plan
    jsonschema-rs rejects: python-jsonschema takes longer to import than a valid plan takes to check."""
    import jsonschema

    return jsonschema.validators.extend(jsonschema.Draft202012Validator, type_checker=(
        jsonschema.Draft202012Validator.TYPE_CHECKER.redefine(
            "integer", lambda _checker, value: isinstance(value, int) and not isinstance(value, bool))))


@functools.cache
def validator_for(fw: Framework) -> jsonschema.Draft202012Validator:
    """One compiled validator per framework, reused for every plan."""
    schema = dict(fw.schema())
    schema["$id"] = fw.schema_path.as_uri()  # so '../defs.schema.json' resolves to the bundled file
    return _strict()(schema, registry=_registry())


def quick_is_valid(plan: LoadedPlan, fw: Framework) -> bool:
    """jsonschema-rs' yes, trusted only for a plan without whole numbers written as 1000.0 (which it
    would take for integers)."""
    return not plan.whole_floats and fast_validator_for(fw).is_valid(plan.data)


def check(plan: LoadedPlan, fw: Framework) -> list[Finding]:
    if quick_is_valid(plan, fw):
        return []
    findings: list[Finding] = []
    # An amount YAML split at its commas ({2025-26: 2,100,000}) is one mistake, said once; the stray
    # keys it left ('100', '000') are not reported again.
    split = {}
    for mapping, key, written, digits, groups in messages.split_amounts(plan.data):
        message, hint = messages.amount_message(f"{mapping.rsplit('/', 1)[-1]} {key}".strip(), written, digits)
        findings.append(_finding("BCF102", plan, pointer_join(mapping, key), message, hint))
        split[mapping] = {key, *groups}
    for error in validator_for(fw).iter_errors(plan.data):
        if _within_split(error, split):
            continue
        findings.extend(_to_findings(error, plan, fw))
    return list(dict.fromkeys(findings))  # jsonschema reports `required` once per missing field


def _within_split(error: jsonschema.ValidationError, split: dict[str, set]) -> bool:
    path = list(error.absolute_path)
    if "propertyNames" in error.schema_path and _pointer(path) in split:
        return error.instance in split[_pointer(path)]
    return bool(path) and _pointer(path[:-1]) in split and str(path[-1]) in split[_pointer(path[:-1])]


def _where_listed(fw: Framework, allowed) -> str:
    """Where a planning lead finds the full list of allowed values: the framework's section that holds them."""
    wanted = {str(a) for a in allowed}
    for key, value in fw.data.items():
        if isinstance(value, list) and value and all(isinstance(v, dict) and "id" in v for v in value):
            if wanted == {str(v["id"]) for v in value}:
                return f"under {key}: in bcf_schema/frameworks/{fw.period}/framework.yaml"
    return f"in bcf_schema/frameworks/{fw.period}/plan.schema.json (or `bcfc schema {fw.period}`)"


_pointer = pointer_of


def _describe(value) -> str:
    for name, kind in (("true or false", bool), ("a whole number", int), ("a number", float), ("text", str),
                       ("a list", list), ("a mapping", dict)):
        if isinstance(value, kind):
            return name
    return "nothing" if value is None else type(value).__name__


def _field_name(path) -> str:
    names = [str(p) for p in path if not isinstance(p, int)]
    return names[-1] if names else "the plan"


def _finding(code, plan, pointer, message, hint="", key=False) -> Finding:
    return plan.finding_at(code, Severity.ERROR, pointer, message, hint, key=key)


def _suggest(value, allowed) -> str:
    allowed = [str(a) for a in allowed]
    close = difflib.get_close_matches(str(value), allowed, n=1, cutoff=0.6)
    listing = ", ".join(allowed) if len(allowed) <= 12 else ", ".join(allowed[:12]) + ", ..."
    return (f"did you mean '{close[0]}'? " if close else "") + f"allowed: {listing}"


def _to_findings(error: jsonschema.ValidationError, plan: LoadedPlan, fw: Framework) -> list[Finding]:
    path = list(error.absolute_path)
    pointer = _pointer(path)
    field = _field_name(path)
    validator = error.validator
    schema = error.schema if isinstance(error.schema, dict) else {}

    if "propertyNames" in error.schema_path:
        # The error is about a key (error.instance is the key itself).
        key = error.instance
        key_pointer = pointer_join(pointer, key)
        allowed = schema.get("enum")
        hint = messages.closest(key, allowed, _where_listed(fw, allowed)) if allowed else schema.get("description", "")
        return [_finding("BCF104", plan, key_pointer, f"'{key}' is not allowed as a key of '{field}'", hint, key=True)]

    if validator == "required":
        missing = [name for name in error.validator_value if name not in error.instance]
        found = []
        for name in missing:
            described = (schema.get("properties", {}).get(name) or {}).get("description", "")
            where = f"'{field}'" if path else "the plan"
            found.append(_finding("BCF101", plan, pointer, f"{where} is missing the required field '{name}'",
                                  described or f"add '{name}:' here"))
        return found

    if validator == "additionalProperties" and error.validator_value is False:
        allowed = list(schema.get("properties", {}))
        extras = [k for k in error.instance if k not in allowed]
        return [
            _finding("BCF103", plan, pointer_join(pointer, k),
                     f"unknown field '{k}'" + (f" in '{field}'" if path else " at the top level of the plan"),
                     _suggest(k, allowed), key=True)
            for k in extras
        ]

    if validator == "type":
        expected = error.validator_value
        expected = expected if isinstance(expected, list) else [expected]
        wanted = " or ".join(_TYPE_NAMES.get(t, t) for t in expected)
        hint = ""
        digits = messages.amount_as_written(error.instance) if "integer" in expected else None
        amount = " ".join(str(p) for p in path[-2:] if not isinstance(p, int))  # "dfg 2025-26"
        if digits is not None:
            return [_finding("BCF102", plan, pointer, *messages.amount_message(amount, error.instance, digits))]
        if isinstance(error.instance, float) and "integer" in expected:
            return [_finding("BCF102", plan, pointer, *messages.not_whole_pounds(amount, error.instance))]
        if isinstance(error.instance, bool):
            hint = "YAML reads yes/no/on/off as true/false: put the text in quotes"
        elif isinstance(error.instance, str) and "integer" in expected:
            hint = "write whole pounds as a plain number: 1234567, without £ or commas"
        elif isinstance(error.instance, (int, float)) and "string" in expected:
            hint = "put the value in quotes to keep it as text (\"1.0\")"
        return [_finding("BCF102", plan, pointer,
                         f"'{field}' should be {wanted}, not {_describe(error.instance)}", hint)]

    if validator in ("enum", "const"):
        allowed = error.validator_value if validator == "enum" else [error.validator_value]
        return [_finding("BCF104", plan, pointer, f"'{error.instance}' is not an allowed value for '{field}'",
                         messages.closest(error.instance, allowed, _where_listed(fw, allowed)))]

    if validator == "pattern" and isinstance(error.instance, str):
        control = _CONTROL.search(error.instance)
        if control:
            return [_finding("BCF105", plan, pointer,
                             f"'{field}' holds a control character (U+{ord(control.group()):04X}) at character "
                             f"{control.start() + 1}, which documents cannot hold",
                             "remove it: in double quotes YAML writes one as \\0, \\x01 or \\uFFFE; text may hold "
                             "tabs and new lines only")]
        if _DATE_SHAPE.match(error.instance):
            return [_finding("BCF105", plan, pointer, f"'{error.instance}' in '{field}' is not a date in the calendar",
                             schema.get("description", "give a real date as YYYY-MM-DD"))]
    if validator == "pattern":
        return [_finding("BCF105", plan, pointer, f"'{error.instance}' is not in the right form for '{field}'",
                         schema.get("description", f"it must match {error.validator_value}"))]

    if validator == "maximum":
        return [_finding("BCF105", plan, pointer, f"'{field}' is {error.instance:,}, over the largest figure a plan "
                         f"may give here ({error.validator_value:,})", schema.get("description", ""))]

    if validator in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        return [_finding("BCF105", plan, pointer, f"'{field}' is {error.instance}: {error.message.split(' is ', 1)[-1]}",
                         "amounts are whole pounds, zero or more")]

    if validator == "maxLength":
        return [_finding("BCF105", plan, pointer, f"'{field}' is {len(error.instance):,} characters long, over the "
                         f"limit of {error.validator_value:,}", schema.get("description", ""))]

    if validator in ("minItems", "maxItems", "minProperties", "minLength"):
        texts = {
            "minItems": f"'{field}' needs at least {error.validator_value} entr{'y' if error.validator_value == 1 else 'ies'}",
            "maxItems": f"'{field}' may have at most {error.validator_value} entr{'y' if error.validator_value == 1 else 'ies'}",
            "minProperties": f"'{field}' is empty",
            "minLength": f"'{field}' is empty",
        }
        hint = ""
        if validator == "maxItems" and field == "hwbs":
            hint = "this framework has one HWB per plan; write a plan per HWB"
        return [_finding("BCF105", plan, pointer, texts[validator], hint)]

    return [_finding("BCF106", plan, pointer, f"'{field}': {error.message}")]
