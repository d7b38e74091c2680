"""The narrative plan as a Word document (python-docx).

Real heading styles (so Word's navigation pane and a table of contents work),
real tables with repeating header rows, and the plan's Markdown emphasis,
lists and links carried over as Word formatting.
"""
from __future__ import annotations

import io

from docx import Document as new_docx
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Inches, Pt, RGBColor
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

    def style_id(self, style: str) -> str:
        if style not in self._ids:
            self._ids[style] = self.document.styles[style].style_id
        return self._ids[style]

    def add_paragraph(self, text: str = "", style: str | None = None):
        paragraph = self.document.add_paragraph(text)
        if style is not None:
            paragraph._p.style = self.style_id(style)
        return paragraph

    def add_heading(self, text: str, level: int):
        return self.add_paragraph(text, "Title" if level == 0 else f"Heading {level}")


def to_docx(doc: d.Document) -> bytes:
    word = new_word(doc.title)
    for block in doc.blocks:
        add_block(word, block)
    buffer = io.BytesIO()
    word.save(buffer)
    return normalise_zip(buffer.getvalue())


def new_word(title: str):
    """An empty Word document with bcfc's styles and fixed properties."""
    word = _FastStyles(new_docx())
    props = word.core_properties
    props.title = title
    props.author = props.last_modified_by = "bcfc"
    props.created = props.modified = FIXED_TIME
    props.last_printed = FIXED_TIME
    props.revision = 1
    word.styles["Normal"].font.name = "Arial"
    word.styles["Normal"].font.size = Pt(11)
    table_text = word.styles.add_style(_TABLE_TEXT, WD_STYLE_TYPE.PARAGRAPH)
    table_text.base_style = word.styles["Normal"]
    table_text.font.size = Pt(9)
    table_text.paragraph_format.space_after = Pt(0)
    return word


def add_block(word, block) -> None:
    """One block of the narrative model, written into the document."""
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
    elif isinstance(block, d.Caption):
        _add_caption(word, block.text)
    elif isinstance(block, d.Table):
        _add_table(word, block)


def _add_caption(word, text: str) -> None:
    caption = word.add_paragraph(style="Caption")
    caption.paragraph_format.space_before = Pt(12)  # apart from a table just above it
    caption.paragraph_format.keep_with_next = True  # never a caption alone at the foot of a page
    caption.add_run(text).bold = True


def _add_table(word, table: d.Table) -> None:
    wide = len(table.columns) >= _LANDSCAPE_FROM
    if wide:  # as a planning lead would: a landscape page, not amounts broken across lines
        _new_section(word, WD_ORIENT.LANDSCAPE)
    _add_caption(word, table.title)
    grid = word.add_table(rows=1, cols=len(table.columns))
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    grid.autofit = False
    widths = _column_widths(table, _LANDSCAPE_WIDTH if wide else _PORTRAIT_WIDTH)
    for column, width in zip(grid.columns, widths):
        column.width = width
    header = grid.rows[0]
    _repeat_as_header(header)
    for cell, title, width in zip(header.cells, table.columns, widths):
        cell.width = width  # Word reads the cells' widths, LibreOffice the grid's: both are set
        cell.text = ""
        cell.paragraphs[0]._p.style = word.style_id(_TABLE_TEXT)
        run = cell.paragraphs[0].add_run(str(title))
        run.bold = True
        _shade(cell, "D9E2F3")
    for index, values in enumerate(table.rows):
        row = grid.add_row()
        if max((len(str(v)) for v in values if v is not None), default=0) <= _WHOLE_ROW:
            _keep_whole(row)
        cells = row.cells
        is_total = table.total_row and index == len(table.rows) - 1
        for column, cell in enumerate(cells):
            cell.width = widths[column]
            value = values[column] if column < len(values) else None
            paragraph = cell.paragraphs[0]
            paragraph._p.style = word.style_id(_TABLE_TEXT)
            run = paragraph.add_run(cell_text(value, column in table.money_columns))
            if is_total:
                run.bold = True
            if column in table.money_columns:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    if table.notes:
        _add_markdown(word, table.notes)
    if wide:
        _new_section(word, WD_ORIENT.PORTRAIT)


def _new_section(word, orientation) -> None:
    section = word.add_section(WD_SECTION.NEW_PAGE)
    if section.orientation != orientation:
        section.orientation = orientation
        section.page_width, section.page_height = section.page_height, section.page_width


_TABLE_TEXT = "Table Text"  # 9 pt, no space after: the paragraph style of every table cell
_PORTRAIT_WIDTH = Inches(6.5)  # the page's width inside its margins
_LANDSCAPE_WIDTH = Inches(9)
_CHARS_PER_INCH = 14.5  # of 9 pt Arial, on average
_WHOLE_WORD = 24  # characters: the longest word or amount a column is made wide enough to keep on one line
_LANDSCAPE_FROM = 7  # columns: a table this wide gets a landscape page
_WHOLE_ROW = 600  # characters in a row's longest cell: a longer row may run over a page break rather than
                  # leave most of a page empty (or, taller than a page, be cut off)


def _column_widths(table: d.Table, across) -> list:
    """Widths that keep every word and amount whole (no "£1,002,3 / 63"), the rest shared by need.

    Equal widths, the default, break amounts and long words across lines in a table of many columns."""
    columns = range(len(table.columns))
    texts = [[str(table.columns[c])] + [cell_text(row[c] if c < len(row) else None, c in table.money_columns)
                                        for row in table.rows] for c in columns]
    padding = 3  # a cell's margins take about three characters' width
    # Longer runs than _WHOLE_WORD (web addresses) may wrap; letting one claim its full length would
    # squeeze every other column of the table to a word a line.
    least = [padding + max([4, *(min(len(word), _WHOLE_WORD) for text in column for word in text.split())])
             for column in texts]
    wanted = [max(least[c], padding + min(40, max(len(text) for text in texts[c]))) for c in columns]
    room = across.inches * _CHARS_PER_INCH
    if sum(wanted) <= room:
        chars = wanted
    else:
        spare = max(0, room - sum(least))
        extra = sum(w - m for w, m in zip(wanted, least)) or 1
        chars = [m + spare * (w - m) / extra for w, m in zip(wanted, least)]
    return [int(across * c / sum(chars)) for c in chars]


def _repeat_as_header(row) -> None:
    """Mark the row as the table's header: screen readers announce it, and it repeats across pages."""
    properties = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


def _keep_whole(row) -> None:
    """A row is never split across two pages (a scheme's name on one, its funding source on the next)."""
    row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))


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

