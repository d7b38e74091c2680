"""Generate a period's plan.schema.json from its framework.yaml.

framework.yaml is the one source of truth for ids (outline, funding streams,
scheme types, metrics); the schema repeats them as enums and property names so
editors can complete them. `bcfc schema --write` regenerates the files and a
test checks the committed ones are current.
"""
from __future__ import annotations

import json

from .framework import Framework

DEFS = "../defs.schema.json#/$defs/"


def _ref(name: str, **extra) -> dict:
    return {"$ref": DEFS + name, **extra}


def _or_not_stated(schema: dict) -> dict:
    """Either the schema, or a {not_stated: reason} marker.

    if/then/else rather than oneOf, so a mistake inside the real value gets the
    real value's error message instead of 'not valid under any of the given schemas'.
    """
    return {
        "if": {"type": "object", "required": ["not_stated"]},
        "then": _ref("not_stated"),
        "else": schema,
    }


def _enum(ids: list[str], names: dict[str, str], what: str) -> dict:
    listing = "; ".join(f"{i} = {names.get(i, i)}" for i in ids)
    return {"enum": ids, "description": f"A {what} of the framework: {listing}."}


def _spend_by_source(fw: Framework, money_by_year: dict) -> dict:
    """funding.expenditure_by_source: what the document says each stream spends, per year, where its
    scheme list is elsewhere (an appendix not in the document); the money rules use it (issue 18)."""
    return {"expenditure_by_source": {
        "type": "object",
        "description": "Planned expenditure by funding source and year, as the document states it (its "
                       "'expenditure' column beside the income), for a plan whose schemes are listed elsewhere. "
                       "Where schemes are listed too, they must add up to it.",
        "properties": {stream["id"]: {**money_by_year, "title": stream["name"]}
                       for stream in fw.items("funding_streams")},
        "additionalProperties": False,
    }}


def _group_totals(fw: Framework, money_by_year: dict) -> dict:
    """funding.group_totals: the stated total of an allocation the framework splits by contributing body
    into streams (stream_groups: the discharge funding's local authority and ICB shares), per year."""
    groups = fw.items("stream_groups")
    if not groups:
        return {}
    return {"group_totals": {
        "type": "object",
        "description": "The total the document states for an allocation shared between contributing bodies, "
                       "per year; the shares (each a funding stream) must add up to it.",
        "properties": {g["id"]: {**money_by_year, "title": g["name"],
                                 "description": f"{g['name']}: the sum of {', '.join(g['streams'])}."}
                       for g in groups},
        "additionalProperties": False,
    }}


def _dfg_purposes(money_by_year: dict) -> dict:
    """dfg.purposes: the DFG split by what it pays for (staffing, equipment recharges, grants ...),
    summing to the allocation (issue 18)."""
    return {"purposes": {
        "type": "array",
        "description": "The DFG split by purpose, as the document states it (a unitary authority's staffing, "
                       "equipment recharges, grants ...); the amounts add up to the allocation.",
        "items": {
            "type": "object",
            "properties": {"purpose": _ref("text"), "allocation": money_by_year, "notes": _ref("markdown")},
            "required": ["purpose", "allocation"],
            "additionalProperties": False,
        },
    }}


def plan_schema(fw: Framework) -> dict:
    years = fw.financial_years
    money_by_year = {
        "type": "object",
        "description": f"Whole pounds per financial year ({', '.join(years)}).",
        "propertyNames": {"enum": years},
        "additionalProperties": _ref("money"),
        "minProperties": 1,
    }

    unallocated = {
        **money_by_year,
        "description": f"Whole pounds per financial year ({', '.join(years)}) not yet allocated to a scheme, "
                       "and the reason (a draft budget, say): from submitted the reason is required.",
        "propertyNames": {"enum": [*years, "reason"]},
        "properties": {"reason": _ref("text")},
    }

    def optional_enum(key: str, what: str) -> dict:
        ids = fw.ids(key)
        return _enum(ids, fw.names(key), what) if ids else _ref("text")

    scheme = {
        "type": "object",
        "description": "A scheme of the plan: what the pooled fund buys.",
        "properties": {
            "id": _ref("label", description="The document's own scheme reference."),
            "name": _ref("text"),
            "description": _ref("markdown"),
            "type": optional_enum("scheme_types", "scheme type"),
            "sub_type": _ref("text"),
            "funding_source": _enum(fw.ids("funding_streams"), fw.names("funding_streams"), "funding stream"),
            "funding_source_as_stated": {**_ref("text"), "description": "The funding source in the document's own "
                                         "words, where it is none of the framework's funding streams (a local "
                                         "development fund, say); then funding_source is left out, not guessed."},
            "area_of_spend": optional_enum("areas_of_spend", "area of spend"),
            "commissioner": optional_enum("commissioner_kinds", "commissioner kind"),
            "provider": _ref("text"),
            "lead": _ref("text"),
            "new": {"type": "boolean", "description": "New investment in this period."},
            "expenditure": money_by_year,
            "metrics": {"type": "array", "items": {"enum": fw.ids("metrics")},
                        "description": "National metrics the scheme contributes to."},
            "notes": _ref("markdown"),
        },
        "required": ["id", "name", "expenditure"],
        # funding_source is required unless the document names a source outside the framework's streams
        "if": {"not": {"required": ["funding_source_as_stated"]}},
        "then": {"required": ["funding_source"], "properties": {"funding_source": {
            "description": "Which funding stream pays for the scheme; where the document names a source outside "
                           "the framework's streams, give it as funding_source_as_stated instead."}}},
        "additionalProperties": False,
    }

    metric_goal = {
        "type": "object",
        "properties": {
            "baseline": _ref("values_by_period"),
            "goals": _ref("values_by_period"),
            "goal_as_stated": {**_ref("text"), "description": "The goal in the document's own terms where it is "
                               "not a figure per period, e.g. '15% fewer than in 2022-23'."},
            "goals_not_stated": {**_ref("text"), "description": "Why the document gives a baseline but no goal, "
                                 "and where the goal is."},
            "rationale": _ref("markdown"),
        },
        "additionalProperties": False,
    }

    narrative = {
        "type": "object",
        "description": "Answers keyed by the framework's outline ids.",
        "properties": {
            entry.id: _ref("answer", title=entry.title, **({"description": entry.wording} if entry.wording else {}))
            for entry in fw.outline
        },
        "additionalProperties": False,
    }

    partners = fw.nhs_partners
    partner_label = {"icbs": "Integrated Care Boards", "ccgs": "Clinical Commissioning Groups"}[partners]

    properties = {
        "framework": {"const": fw.period, "description": f"The planning period: {fw.title}."},
        "hwbs": {
            "type": "array",
            "items": _ref("hwb"),
            "minItems": 1,
            **({} if fw.multiple_hwbs else {"maxItems": 1}),
            "description": "The Health and Wellbeing Board(s) the plan covers.",
        },
        partners: {"type": "array", "items": _ref("text"), "minItems": 1, "description": f"The {partner_label}."},
        "title": _ref("text"),
        "version": {**_or_not_stated(_ref("text")), "description": "The document version, quoted: \"1.0\"; "
                    "{not_stated: reason} where the document gives none."},
        "status": {**_or_not_stated({"enum": ["draft", "submitted", "approved"]}),
                   "description": "draft, submitted or approved; {not_stated: reason} where the document states none "
                                  "(read as submitted: a published plan was submitted)."},
        "date": _ref("date_or_month"),
        "history": {"type": "array", "items": _ref("history_entry")},
        "sign_off": {"type": "array", "items": _ref("sign_off")},
        "raci": _ref("raci"),
        "population": _ref("population"),
        "priorities": {"type": "array", "items": _ref("text")},
        "narrative": narrative,
        "extra_sections": {"type": "array", "items": _ref("extra_section")},
        "funding": {
            "type": "object",
            "properties": {
                "streams": {
                    "type": "object",
                    "properties": {
                        stream["id"]: {**_or_not_stated(money_by_year), "title": stream["name"]}
                        for stream in fw.items("funding_streams")
                    },
                    "additionalProperties": False,
                },
                "stated_total": money_by_year,
                **_spend_by_source(fw, money_by_year),
                **_group_totals(fw, money_by_year),
                "unallocated": {
                    "type": "object",
                    "description": "Income the document leaves unallocated to schemes, by stream and year, "
                                   "as it states it (a draft budget, say).",
                    "properties": {stream["id"]: unallocated for stream in fw.items("funding_streams")},
                    "additionalProperties": False,
                },
                "notes": _ref("markdown"),
            },
            "required": ["streams"],
            "additionalProperties": False,
        },
        "minimum_spend": {
            "type": "object",
            "description": "The minimums the plan states for the framework's money rules.",
            "properties": {rule["id"]: {**_or_not_stated(money_by_year), "title": rule["name"]}
                           for rule in fw.items("minimum_spend")},
            "additionalProperties": False,
        },
        "schemes": _or_not_stated({"type": "array", "items": scheme}),
        "metrics": {
            "type": "object",
            "properties": {
                metric["id"]: {**_or_not_stated(metric_goal), "title": metric["name"], "description": metric["definition"]}
                for metric in fw.items("metrics")
            },
            "additionalProperties": False,
        },
        "local_metrics": {"type": "array", "items": _ref("local_metric")},
        "dfg": {
            "type": "object",
            "description": "The Disabled Facilities Grant, its split to district councils and by purpose.",
            "properties": {
                "allocation": money_by_year,
                **_dfg_purposes(money_by_year),
                "districts": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {"name": _ref("text"), "allocation": money_by_year},
                        "required": ["name", "allocation"],
                        "additionalProperties": False,
                    },
                },
                "discretionary_use": _ref("markdown"),
                "notes": _ref("markdown"),
            },
            "additionalProperties": False,
        },
        "spend_by_category": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "category": _ref("text"),
                    "amounts": money_by_year,
                    "new_investment": money_by_year,
                    "notes": _ref("markdown"),
                },
                "required": ["category", "amounts"],
                "additionalProperties": False,
            },
        },
        "capacity_demand": _or_not_stated({"type": "array", "items": _ref("capacity_demand_row")}),
        "risks": {"type": "array", "items": _ref("risk")},
        "uec_mapping": {"type": "array", "items": _ref("uec_mapping")},
        "related_documents": {"type": "array", "items": _ref("related_document")},
        "tables": {"type": "array", "items": _ref("table")},
        **_document_as_written(fw),
    }

    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": f"BCF plan: {fw.title}",
        "description": f"A Health and Wellbeing Board's plan for {fw.title}. Generated from "
        f"bcf_schema/frameworks/{fw.period}/framework.yaml by `bcfc schema --write`; do not edit by hand.",
        "type": "object",
        "properties": properties,
        "required": ["framework", "hwbs", partners, "version", "status", "narrative", "funding", "schemes", "metrics"],
        "additionalProperties": False,
    }


def _document_as_written(fw: Framework) -> dict:
    """What a published document says beyond the template: its own order of headings, figures it quotes,
    milestones, figures lost from its text and (where the period has one) its change-model self-assessment."""
    properties = {
        "narrative_order": {
            "type": "array", "items": {"enum": [e.id for e in fw.outline]}, "uniqueItems": True,
            "description": "The document's own order of headings: the outline ids listed are shown in this order "
                           "among their siblings; the others keep the framework's places. Every heading is still "
                           "checked.",
        },
        "statistics": {"type": "array", "items": _ref("statistic")},
        "milestones": {"type": "array", "items": _ref("milestone")},
        "lost_figures": {"type": "array", "items": _ref("lost_figure")},
    }
    model = fw.change_model
    if model:
        levels = _or_not_stated(_enum([lv["id"] for lv in model["levels"]],
                                      {lv["id"]: lv["name"] for lv in model["levels"]}, "maturity level"))
        properties["change_model"] = {
            "type": "array",
            "description": f"The {model['name']}: each change with its current and planned maturity level.",
            "items": {
                "type": "object",
                "properties": {
                    "change": _enum([c["id"] for c in model["changes"]], {c["id"]: c["name"] for c in model["changes"]},
                                    "change"),
                    "current": levels,
                    "planned": levels,
                    "planned_by": _ref("date_or_month"),
                    "narrative": _ref("markdown"),
                },
                "required": ["change"],
                "additionalProperties": False,
            },
        }
    return properties


def render(fw: Framework) -> str:
    """The schema as the committed file holds it: stable key order, trailing newline."""
    return json.dumps(plan_schema(fw), indent=2, ensure_ascii=False) + "\n"
