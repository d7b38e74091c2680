"""The narrative plan as Markdown, under the framework's official headings."""
from __future__ import annotations

import re

from bcf_schema.framework import Framework

from . import document as d

# Plan text is untrusted: an HTML tag in it is shown as text, never passed through. A web or mail address in
# angle brackets is a Markdown link (an autolink), not a tag, and stays one.
_HTML_TAG = re.compile(r"""<(?=[A-Za-z/!?])(?!(?:https?://|mailto:)[^\s<>"']*>)""")


def neutralise_html(markdown: str) -> str:
    return _HTML_TAG.sub("&lt;", markdown)


def cell_text(value, money: bool = False) -> str:
    if value is None:
        return ""
    if money and isinstance(value, int) and not isinstance(value, bool):
        return d.money(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return d.number(value)
    return str(value)


def _md_cell(text: str) -> str:
    return neutralise_html(text).replace("|", "\\|").replace("\n", " ").strip()


def _table(table: d.Table) -> str:
    lines = [f"**{_md_cell(table.title)}**", ""]
    lines.append("| " + " | ".join(_md_cell(c) for c in table.columns) + " |")
    align = ["---:" if i in table.money_columns else "---" for i in range(len(table.columns))]
    lines.append("| " + " | ".join(align) + " |")
    for index, row in enumerate(table.rows):
        cells = [_md_cell(cell_text(v, i in table.money_columns)) for i, v in enumerate(row)]
        cells += [""] * (len(table.columns) - len(cells))
        if table.total_row and index == len(table.rows) - 1:
            cells = [f"**{c}**" if c else c for c in cells]
        lines.append("| " + " | ".join(cells) + " |")
    if table.notes:
        lines += ["", neutralise_html(table.notes).strip()]
    return "\n".join(lines)


def _prompt(wording: str) -> str:
    """The framework's wording as an italic quote; emphasis cannot span paragraphs, so one per paragraph."""
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", wording.strip()) if p.strip()]
    return "\n>\n".join(f"> *{_md_cell(p)}*" for p in paragraphs)


def to_markdown(doc: d.Document) -> str:
    parts = []
    for block in doc.blocks:
        if isinstance(block, d.Heading):
            parts.append("#" * block.level + " " + _md_cell(block.text))
            if block.subtitle:  # the official heading the plan's own wording answers
                parts.append(f"*{_md_cell(block.subtitle)}*")
        elif isinstance(block, d.Rule):
            parts.append("---")
        elif isinstance(block, d.Text):
            parts.append(neutralise_html(block.markdown).strip())
        elif isinstance(block, d.Prompt):
            parts.append(_prompt(block.text))
        elif isinstance(block, d.Marker):
            parts.append(f"> **{_md_cell(block.text)}**")
        elif isinstance(block, d.Caption):
            parts.append(f"**{_md_cell(block.text)}**")
        elif isinstance(block, d.Table):
            parts.append(_table(block))
    return "\n\n".join(parts) + "\n"


def render(plan: dict, fw: Framework) -> str:
    """The narrative of a validated plan, as Markdown."""
    return to_markdown(d.build(plan, fw))
