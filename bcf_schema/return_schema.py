"""Generate a period's return.schema.json from the `returns:` section of its framework.yaml.

A return reports on a plan during or after its year: plans/<hwb>/returns/<period>-<return>.yaml.
Like plan.schema.json, `bcfc schema --write` regenerates it and a test checks it is current.
"""
from __future__ import annotations

import json

from .framework import Framework
from .schema_gen import _enum, _ref


def return_schema(fw: Framework) -> dict:
    spec = fw.data["returns"]
    periods = [p["id"] for p in spec["periods"]]
    verdicts = sorted({v for kind in spec["verdicts"].values() for v in kind})
    goal_periods = sorted({p for m in fw.items("metrics") for p in fw.goal_periods(m)})
    streams = _enum(fw.ids("funding_streams"), fw.names("funding_streams"), "funding stream")
    condition = {
        "type": "object",
        "properties": {"met": {"type": "boolean", "description": "Is the condition still met?"},
                       "comment": _ref("markdown")},
        "required": ["met"],
        "additionalProperties": False,
    }
    actual = {
        "type": "object",
        "description": "The actual figure for one period (or data_not_available with the reason) and the verdict.",
        "properties": {
            "actual": {"type": "number"},
            "data_not_available": _ref("text"),
            "verdict": {"enum": verdicts, "description": "quarterly returns: " + ", ".join(spec["verdicts"]["quarterly"])
                        + "; year-end: " + ", ".join(spec["verdicts"]["year_end"]) + "."},
            "comment": _ref("markdown"),
        },
        "required": ["verdict"],
        "additionalProperties": False,
    }
    properties = {
        "framework": {"const": fw.period, "description": f"The planning period: {fw.title}."},
        "plan": {**_ref("text"), "description": "The plan this return reports on, relative to this file: ../2023-25.yaml."},
        "return": _enum(periods, {p["id"]: p["name"] for p in spec["periods"]}, "return"),
        "synthetic": {**_ref("text"), "description": "Why the figures are made up (an example, a test), if they are."},
        "version": _ref("text"),
        "status": {"enum": ["draft", "submitted", "approved"]},
        "date": _ref("date_or_month"),
        "history": {"type": "array", "items": _ref("history_entry")},
        "sign_off": {"type": "array", "items": _ref("sign_off")},
        "national_conditions": {
            "type": "object",
            "properties": {c["id"]: {**condition, "title": c["name"]} for c in spec["national_conditions"]},
            "additionalProperties": False,
        },
        "metrics": {
            "type": "object",
            "properties": {m["id"]: {"type": "object", "title": m["name"], "propertyNames": {"enum": goal_periods},
                                     "additionalProperties": actual} for m in fw.items("metrics")},
            "additionalProperties": False,
        },
        "income": {
            "type": "object",
            "description": "Actual income to date by funding stream, whole pounds.",
            "propertyNames": streams,
            "additionalProperties": _ref("money"),
        },
        "expenditure": {
            "type": "array",
            "description": "Actual spend to date by scheme (the plan's scheme id) and funding stream.",
            "items": {
                "type": "object",
                "properties": {"scheme": _ref("label"), "stream": streams, "amount": _ref("money"),
                               "comment": _ref("markdown")},
                "required": ["scheme", "stream", "amount"],
                "additionalProperties": False,
            },
        },
        "variance": {
            "type": "object",
            "description": "Why a stream's spend to date differs from its income, by funding stream.",
            "propertyNames": streams,
            "additionalProperties": _ref("markdown"),
        },
        "successes": _ref("markdown"),
        "challenges": _ref("markdown"),
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": f"BCF return: {fw.title}",
        "description": f"A Health and Wellbeing Board's return against its plan for {fw.title}. Generated from "
        f"bcf_schema/frameworks/{fw.period}/framework.yaml by `bcfc schema --write`; do not edit by hand.",
        "type": "object",
        "properties": properties,
        "required": ["framework", "plan", "return", "status"],
        "additionalProperties": False,
    }


def render(fw: Framework) -> str | None:
    """The schema as the committed file holds it, or None for a period without returns."""
    if not fw.data.get("returns"):
        return None
    return json.dumps(return_schema(fw), indent=2, ensure_ascii=False) + "\n"
