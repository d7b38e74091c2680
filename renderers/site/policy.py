"""What the public site publishes: submitted and approved plans; drafts only in a preview.

Drafts are shown by `bcfc serve` (and `mkdocs serve`) and by `bcfc build --drafts`, always under
a DRAFT banner on every page of the plan; `bcfc build` and a plain `mkdocs build` leave them out.
"""
from __future__ import annotations

from html import escape

from .. import document

# status: what it means, as the home page says it
STATUSES = [
    ("draft", "Being written by the HWB and its NHS partners. Not on the public site: drafts are seen only "
              "in the authors' preview, marked DRAFT."),
    ("submitted", "Complete and submitted for assurance (to NHS England, through its region). Its money and "
                  "answers have been checked against the period's framework; it may still change."),
    ("approved", "Assured and approved: the plan as agreed, with its sign-off."),
]


def is_draft(data: dict) -> bool:
    return document.is_draft(data or {})  # one definition of a draft for documents and site


def published(plans: list, drafts: bool) -> list:
    """The plans a site shows: every plan with drafts, else only those that are not drafts.

    plans: anything with a `data` mapping (PlanSource, SitePlan)."""
    return list(plans) if drafts else [p for p in plans if not is_draft(p.data)]


def draft_banner(label: str) -> str:
    """The banner at the top of every page of a draft plan (label: the plan's HWB and period)."""
    return ('<div class="bcfc-draft-banner" role="note"><p><strong>DRAFT</strong>: '
            f"{escape(label)} is a draft, still being written. It is not published and may change; "
            "the public site shows only submitted and approved plans.</p></div>\n")


def preview_banner(count: int) -> str:
    """The banner on the home page of a site built with drafts."""
    plural = "plan" if count == 1 else "plans"
    return ('<div class="bcfc-draft-banner" role="note"><p><strong>DRAFT</strong>: this preview includes '
            f"{count} draft {plural}, marked DRAFT on every page. The public site shows only submitted and "
            "approved plans.</p></div>\n")
