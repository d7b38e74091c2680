"""`bcfc import` without --into: a planning template's data as a new plan file.

The workbook is read by renderers/workbook/reader.py (the writer's pair); what is left here is the
new plan's file, which `bcfc new`'s scaffold (bcf_schema/scaffold.py) writes.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from bcf_schema import hwbs as hwb_list
from bcf_schema import scaffold

from .reader import Imported


def default_path(imported: Imported, plans_dir: str | Path = "plans") -> Path:
    hwbs = imported.plan.get("hwbs") or []
    first = hwbs[0] if hwbs else {}
    hwb = hwb_list.by_code().get(first.get("code", "")) or hwb_list.find(first.get("name", ""))
    slug = hwb.slug if hwb else scaffold.slugify(first.get("name") or "plan")
    return Path(plans_dir) / slug / f"{imported.fw.period}.yaml"


def render(imported: Imported, output: Path, source_name: str, today: dt.date | None = None) -> str:
    """The imported plan as YAML, the narrative headings marked to be written."""
    plan = dict(imported.plan)
    plan["narrative"] = {e.id: "" for e in imported.fw.outline if e.answer != "none"}
    today = today or dt.date.today()
    header = (f"Imported from {source_name} with `bcfc import` on {today.isoformat()}: the money, schemes, "
              "metric goals and capacity and demand are the template's; the narrative is not in the template, "
              "so every heading is marked to be written.")
    return scaffold.render(scaffold.Scaffold(plan, imported.fw, []), output, today, header=header)
