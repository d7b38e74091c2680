"""The narrative plan as a Word document (python-docx).

Real heading styles (so Word's navigation pane and a table of contents work),
real tables with repeating header rows, and the plan's Markdown emphasis,
lists and links carried over as Word formatting.
"""
from __future__ import annotations

import io

from docx import Document as new_docx
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor
from markdown_it import MarkdownIt

from bcf_schema.framework import Framework

from . import document as d
from .deterministic import FIXED_TIME, normalise_zip
from .narrative import cell_text

# html=False: raw HTML in plan text stays literal text; markdown-it also drops
# javascript:, vbscript: and data: links.
_MARKDOWN = MarkdownIt("commonmark", {"html": False})
_SAFE_SCHEMES = ("http://", "https://", "mailto:")
_MARKER_COLOUR = RGBColor(0x9C, 0x00, 0x06)


def render(plan: dict, fw: Framework) -> bytes:
    """The narrative of a validated plan as .docx bytes, the same bytes for the same plan."""
    return to_docx(d.build(plan, fw))


class _FastStyles:
    """The python-docx Document, with paragraph styles looked up by name once per document.

    python-docx resolves a style name by scanning every style on each call, which was half
    the time of rendering a long plan; the resolved style id is set on the paragraph directly."""

    def __init__(self, document):
        self.document = document
        self._ids: dict[str, str] = {}

    def __getattr__(self, name):
        return getattr(self.document, name)

    def add_paragraph(self, text: str = "", style: str | None = None):
        paragraph = self.document.add_paragraph(text)
        if style is not None:
            if style not in self._ids:
                self._ids[style] = self.document.styles[style].style_id
            paragraph._p.style = self._ids[style]
        return paragraph

    def add_heading(self, text: str, level: int):
        return self.add_paragraph(text, "Title" if level == 0 else f"Heading {level}")


def to_docx(doc: d.Document) -> bytes:
    word = _FastStyles(new_docx())
    props = word.core_properties
    props.title = doc.title
    props.author = props.last_modified_by = "bcfc"
    props.created = props.modified = FIXED_TIME
    props.last_printed = FIXED_TIME
    props.revision = 1
    word.styles["Normal"].font.name = "Arial"
    word.styles["Normal"].font.size = Pt(11)

    for block in doc.blocks:
        if isinstance(block, d.Heading):
            word.add_heading(block.text, level=0 if block.level == 1 else min(block.level - 1, 9))
        elif isinstance(block, d.Text):
            _add_markdown(word, block.markdown)
        elif isinstance(block, d.Prompt):
            paragraph = word.add_paragraph(style="Quote")
            paragraph.add_run(block.text.strip())
        elif isinstance(block, d.Marker):
            run = word.add_paragraph().add_run(block.text)
            run.bold = True
            run.font.color.rgb = _MARKER_COLOUR
        elif isinstance(block, d.Table):
            _add_table(word, block)

    buffer = io.BytesIO()
    word.save(buffer)
    return normalise_zip(buffer.getvalue())


def _add_table(word, table: d.Table) -> None:
    caption = word.add_paragraph(style="Caption")
    caption.paragraph_format.space_before = Pt(12)  # apart from a table just above it
    caption.paragraph_format.keep_with_next = True  # never a caption alone at the foot of a page
    caption.add_run(table.title).bold = True
    grid = word.add_table(rows=1, cols=len(table.columns))
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    header = grid.rows[0]
    _repeat_as_header(header)
    for cell, title in zip(header.cells, table.columns):
        cell.text = ""
        run = cell.paragraphs[0].add_run(str(title))
        run.bold = True
        _shade(cell, "D9E2F3")
    for index, values in enumerate(table.rows):
        cells = grid.add_row().cells
        is_total = table.total_row and index == len(table.rows) - 1
        for column, cell in enumerate(cells):
            value = values[column] if column < len(values) else None
            paragraph = cell.paragraphs[0]
            run = paragraph.add_run(cell_text(value, column in table.money_columns))
            if is_total:
                run.bold = True
            if column in table.money_columns:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    if table.notes:
        _add_markdown(word, table.notes)


def _repeat_as_header(row) -> None:
    """Mark the row as the table's header: screen readers announce it, and it repeats across pages."""
    properties = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


def _shade(cell, fill: str) -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shading)


def _add_markdown(word, markdown: str) -> None:
    """Paragraphs, lists, emphasis and links from Markdown, as Word paragraphs and runs."""
    lists: list[str] = []  # the open list kinds, outermost first
    paragraph_style = None
    for token in _MARKDOWN.parse(markdown):
        if token.type in ("bullet_list_open", "ordered_list_open"):
            lists.append("List Bullet" if token.type == "bullet_list_open" else "List Number")
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif token.type == "heading_open":
            paragraph_style = "Heading 4"
        elif token.type == "inline":
            style = paragraph_style
            if style is None and lists:
                depth = min(len(lists), 3)
                style = lists[-1] + ("" if depth == 1 else f" {depth}")
            paragraph = word.add_paragraph(style=style)
            _add_inline(paragraph, token.children or [])
            paragraph_style = None
        elif token.type in ("fence", "code_block"):
            paragraph = word.add_paragraph()
            run = paragraph.add_run(token.content.rstrip("\n"))
            run.font.name = "Courier New"
        elif token.type == "blockquote_open":
            paragraph_style = "Quote"


def _add_inline(paragraph, children) -> None:
    bold = italic = False
    link: str | None = None
    for child in children:
        kind = child.type
        if kind == "strong_open":
            bold = True
        elif kind == "strong_close":
            bold = False
        elif kind == "em_open":
            italic = True
        elif kind == "em_close":
            italic = False
        elif kind == "link_open":
            href = child.attrs.get("href", "")
            link = href if str(href).startswith(_SAFE_SCHEMES) else None
        elif kind == "link_close":
            link = None
        elif kind in ("text", "code_inline", "html_inline"):
            if link:
                _add_hyperlink(paragraph, child.content, link, bold, italic)
            else:
                run = paragraph.add_run(child.content)
                if bold:  # setting False or None costs as much as True, for no change in the file
                    run.bold = True
                if italic:
                    run.italic = True
                if kind == "code_inline":
                    run.font.name = "Courier New"
        elif kind in ("softbreak", "hardbreak"):
            paragraph.add_run().add_break() if kind == "hardbreak" else paragraph.add_run(" ")


def _add_hyperlink(paragraph, text: str, url: str, bold: bool, italic: bool) -> None:
    part = paragraph.part
    rel_id = part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    hyperlink = OxmlElement("w:hyperlink")
    hyperlink.set(qn("r:id"), rel_id)
    run = OxmlElement("w:r")
    props = OxmlElement("w:rPr")
    style = OxmlElement("w:rStyle")
    style.set(qn("w:val"), "Hyperlink")
    props.append(style)
    underline = OxmlElement("w:u")
    underline.set(qn("w:val"), "single")
    props.append(underline)
    colour = OxmlElement("w:color")
    colour.set(qn("w:val"), "0563C1")
    props.append(colour)
    if bold:
        props.append(OxmlElement("w:b"))
    if italic:
        props.append(OxmlElement("w:i"))
    run.append(props)
    text_element = OxmlElement("w:t")
    text_element.text = text
    text_element.set(qn("xml:space"), "preserve")
    run.append(text_element)
    hyperlink.append(run)
    paragraph._p.append(hyperlink)

