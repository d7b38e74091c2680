"""Facts a plan document does not state, as every output shows them, and the status the lifecycle reads.

A document may leave out its version, its status or a sign-off body; the plan records
`{not_stated: reason}` rather than an invented value, and every output shows it as
"Not stated (reason)". A status the document does not state is read as submitted: a plan held as
published was submitted, so what it leaves unwritten is checked as strictly as any submitted plan's.
"""
from __future__ import annotations

import re

STATUSES = ("draft", "submitted", "approved")
UNSTATED_STATUS = "submitted"  # the lifecycle status of a plan whose document states none
_SHOWN = re.compile(r"Not stated \((.*)\)", re.DOTALL)


def is_not_stated(value) -> bool:
    return isinstance(value, dict) and "not_stated" in value


def shown(value) -> str:
    """A value as a reader sees it: "Not stated (reason)" for a {not_stated: reason} marker."""
    if is_not_stated(value):
        return f"Not stated ({value['not_stated']})"
    return "" if value is None else str(value)


def read_shown(text: str):
    """The reverse of shown() for text read back (a workbook cell): "Not stated (reason)" -> the marker."""
    match = _SHOWN.fullmatch(text.strip())
    return {"not_stated": match[1]} if match else text


def lifecycle_status(data: dict) -> str:
    """draft, submitted or approved: the status the completeness rules and the site's policy follow."""
    status = data.get("status", "draft") if isinstance(data, dict) else "draft"
    return UNSTATED_STATUS if is_not_stated(status) else str(status)
