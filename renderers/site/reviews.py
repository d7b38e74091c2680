"""A plan's assurance review on its pages: beside each answer, and as a summary on the overview.

The review file (bcf_schema.reviews) is loaded and checked by the plugin with the plans; here it is only
laid out. Every value is escaped by the html helpers; the reviewer's comments and summary are Markdown,
rendered as plan prose is (no raw HTML, web and mail links only).
"""
from __future__ import annotations

from markupsafe import Markup

from bcf_schema.reviews import ASSESSMENTS, RECOMMENDATIONS

from .. import document as d
from . import html


def _who(review: dict) -> str:
    reviewer = review.get("reviewer") or {}
    org = f", {reviewer['organisation']}" if reviewer.get("organisation") else ""
    return f"{reviewer.get('role', '')}{org}, {d.long_date(reviewer.get('date'))}"


def beside(entry: dict, review: dict) -> Markup:
    """One heading's assurance, set beside the plan's answer."""
    kind = entry.get("assessment", "")
    return (Markup(f'<aside class="bcfc-review bcfc-review-{html.text(kind)}"><p class="bcfc-review-label">')
            + html.text(f"Assurance: {ASSESSMENTS.get(kind, kind)}") + Markup('</p>')
            + html.prose(entry.get("comment"), 5)
            + Markup('<p class="bcfc-review-who">') + html.text(_who(review)) + Markup("</p></aside>"))


def beside_answers(blocks: list, review: dict | None) -> list:
    """The narrative's blocks with each reviewed heading's assurance after its answer (before the next heading)."""
    entries = (review or {}).get("entries") or {}
    if not entries:
        return blocks
    out, pending = [], None
    for item in blocks:
        if isinstance(item, d.Heading) and pending is not None:
            out.append(pending)
            pending = None
        out.append(item)
        anchor = getattr(item, "anchor", "")
        if isinstance(item, (d.Heading, d.Prompt)) and anchor in entries:
            if pending is not None:
                out.append(pending)
            pending = beside(entries[anchor], review)
    if pending is not None:
        out.append(pending)
    return out


def summary(review: dict | None, titles: dict[str, str], narrative_href) -> dict:
    """The overview's review summary: the recommendation, who and when, counts, conditions, and each entry
    that is not met or partly met, linked to its heading on the narrative page."""
    if not review:
        return {}
    entries = review.get("entries") or {}
    counts = {label: sum(1 for e in entries.values() if e.get("assessment") == kind)
              for kind, label in ASSESSMENTS.items()}
    rows = [[html.Link(titles.get(entry_id, entry_id), narrative_href(entry_id)),
             ASSESSMENTS.get(e.get("assessment"), ""), " ".join(str(e.get("comment") or "").split())]
            for entry_id, e in entries.items()]
    return {"recommendation": RECOMMENDATIONS.get(review.get("recommendation"), ""), "who": _who(review),
            "counts": "; ".join(f"{n} {label.lower()}" for label, n in counts.items()),
            "conditions": review.get("conditions") or [], "summary": html.prose(review.get("summary"), 3),
            "table": html.table(["Heading", "Assurance", "Comment"], rows, caption="The reviewer's assurance, "
                                "heading by heading") if rows else Markup("")}
