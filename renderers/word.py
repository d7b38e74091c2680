"""The narrative plan as a Word document (python-docx).

Real heading styles (so Word's navigation pane and a table of contents work),
real tables with repeating header rows, and the plan's Markdown emphasis,
lists and links carried over as Word formatting.
"""
from __future__ import annotations

import copy
import functools
import io
import re
import zipfile

from docx import Document as new_docx
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.opc.pkgwriter import PackageWriter
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.text.run import _RunContentAppender
from docx.shared import Emu, Inches, Mm, Pt, RGBColor
from docx.text.paragraph import Paragraph
from lxml.etree import SubElement
from markdown_it import MarkdownIt

from bcf_schema.framework import Framework

from . import document as d
from .deterministic import document_time, normalise_zip
from .narrative import cell_text

# html=False: raw HTML in plan text stays literal text; markdown-it also drops
# javascript:, vbscript: and data: links.
_MARKDOWN = MarkdownIt("commonmark", {"html": False})
_SAFE_SCHEMES = ("http://", "https://", "mailto:")
_MARKER_COLOUR = RGBColor(0x9C, 0x00, 0x06)
_NOTE = "Editor's Note"  # the paragraph style of a note on where a fact is (not stated here, not allocated)


def render(plan: dict, fw: Framework) -> bytes:
    """The narrative of a validated plan as .docx bytes, the same bytes for the same plan."""
    return to_docx(d.build(plan, fw))


class _FastStyles:
    """The python-docx Document, with paragraphs and runs written straight into its XML.

    python-docx resolves a style name by scanning every style on each call, and builds each
    run's text a character at a time through its schema-ordering helpers: together most of
    the time of rendering a plan. Here a style's id is looked up once per process, and
    paragraphs, runs and table rows are made with lxml as the same elements, in the same
    order, as python-docx makes them (the .docx bytes are unchanged)."""

    _ids: dict[str, str] = {}  # style name -> id: every document is made from the same template (_styled)

    def __init__(self, document):
        self.document = document
        self._body = document._body  # the Paragraph objects' parent, as python-docx gives them
        self._end = document.element.body.get_or_add_sectPr()  # the body's last child: add_section() keeps it so

    def __getattr__(self, name):
        return getattr(self.document, name)

    def style_id(self, style: str) -> str:
        if style not in self._ids:
            self._ids[style] = self.document.styles[style].style_id
        return self._ids[style]

    def new_p(self, style: str | None = None):
        """An empty <w:p> at the end of the body, with its style, as document.add_paragraph() makes it."""
        p = OxmlElement("w:p")
        self._end.addprevious(p)  # python-docx inserts before the body's closing sectPr too
        if style is not None:
            SubElement(SubElement(p, _PPR), _PSTYLE, {_VAL: self.style_id(style)})
        return p

    def add_paragraph(self, text: str = "", style: str | None = None):
        p = self.new_p(style)
        if text:
            _add_run(p, text)
        return Paragraph(p, self._body)

    def add_heading(self, text: str, level: int):
        return self.add_paragraph(text, "Title" if level == 0 else f"Heading {level}")


_VAL, _PPR, _PSTYLE, _JC = qn("w:val"), qn("w:pPr"), qn("w:pStyle"), qn("w:jc")
_R, _RPR, _T, _BR = qn("w:r"), qn("w:rPr"), qn("w:t"), qn("w:br")
_B, _I, _RFONTS, _ASCII, _HANSI = qn("w:b"), qn("w:i"), qn("w:rFonts"), qn("w:ascii"), qn("w:hAnsi")
_TR, _TRPR, _CANT_SPLIT, _TC, _TCPR, _TCW = (qn("w:tr"), qn("w:trPr"), qn("w:cantSplit"), qn("w:tc"),
                                             qn("w:tcPr"), qn("w:tcW"))
_P, _TYPE, _W, _SPACE = qn("w:p"), qn("w:type"), qn("w:w"), qn("xml:space")
_TBL_HEADER, _SHD, _KEEP_NEXT, _SPACING, _BEFORE = (qn("w:tblHeader"), qn("w:shd"), qn("w:keepNext"),
                                                    qn("w:spacing"), qn("w:before"))
_HEADER_SHADING = {qn("w:val"): "clear", qn("w:color"): "auto", qn("w:fill"): "D9E2F3"}


def _add_run(p, text: str = "", bold: bool = False, italic: bool = False, font: str | None = None):
    """paragraph.add_run(text) with run.bold, run.italic and run.font.name set, as the same XML: rPr's
    children in the schema's order, and text with a tab or line break through python-docx's own writer."""
    r = SubElement(p, _R)
    if bold or italic or font:
        props = SubElement(r, _RPR)
        if font:
            SubElement(props, _RFONTS, {_ASCII: font, _HANSI: font})
        if bold:
            SubElement(props, _B)
        if italic:
            SubElement(props, _I)
    if not text:
        return r
    if "\t" in text or "\r" in text or "\n" in text:
        _RunContentAppender.append_to_run_from_text(r, text)
    else:
        t = SubElement(r, _T)
        t.text = text
        if len(text.strip()) < len(text):
            t.set(_SPACE, "preserve")
    return r


def to_docx(doc: d.Document) -> bytes:
    word = new_word(doc)
    landscape = False
    for block in doc.blocks:
        if isinstance(block, d.Table):
            block = _without_empty_columns(block)
            wide = _needs_landscape(block)
            if wide != landscape:
                _new_section(word, WD_ORIENT.LANDSCAPE if wide else WD_ORIENT.PORTRAIT)
                landscape = wide
        elif isinstance(block, d.Heading) and landscape:
            # A landscape page is shared with what follows a wide table, up to the next heading.
            _new_section(word, WD_ORIENT.PORTRAIT)
            landscape = False
        add_block(word, doc, block, landscape)

    return normalise_zip(_save(word), document_time(doc.date))


class _StoredZip:
    """python-docx's zip writer (docx.opc.phys_pkg._ZipPkgWriter) storing the parts uncompressed:
    normalise_zip compresses them, once instead of twice."""

    def __init__(self, pkg_file):
        self._zipf = zipfile.ZipFile(pkg_file, "w", compression=zipfile.ZIP_STORED)

    def write(self, pack_uri, blob):
        self._zipf.writestr(pack_uri.membername, blob)

    def close(self):
        self._zipf.close()


def _save(word) -> bytes:
    """word.save() (OpcPackage.save and PackageWriter.write, step by step) into an uncompressed archive."""
    package = word.part.package
    for part in package.parts:
        part.before_marshal()
    buffer = io.BytesIO()
    writer = _StoredZip(buffer)
    PackageWriter._write_content_types_stream(writer, package.parts)
    PackageWriter._write_pkg_rels(writer, package.rels)
    PackageWriter._write_parts(writer, package.parts)
    writer.close()
    return buffer.getvalue()


def new_word(doc: d.Document):
    """An empty Word document with the narrative's properties, styles, page, header and footer."""
    word = _FastStyles(copy.deepcopy(_styled(doc.language)))
    _set_properties(word, doc)
    _set_header_and_footer(word, doc)
    return word


@functools.lru_cache(maxsize=4)
def _styled(language: str):
    """python-docx's template with the narrative's styles and page, made once and copied for each document:
    reading the template and adding the styles cost more than the copy (python-docx finds a style by
    scanning all of them). Nothing here may keep a python-docx object for an element inside a part (such
    as document._body): deepcopy would copy that element apart from its part's tree."""
    word = new_docx()
    _set_styles(word, language)
    section = word.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)  # A4, as a council prints
    return word


def add_block(word, doc: d.Document, block, landscape: bool = False) -> None:
    """One block of the narrative model, written at the end of the document."""
    if isinstance(block, d.Heading) and block.level == 1:
        _add_title(word, doc)
    elif isinstance(block, d.Heading):
        word.add_heading(block.text, level=min(block.level - 1, 9))
        if block.subtitle:  # the official heading the plan's own wording answers
            word.add_paragraph(block.subtitle, style="Subtitle")
    elif isinstance(block, d.Rule):
        _add_rule(word)
    elif isinstance(block, d.Text):
        _add_markdown(word, block.markdown)
    elif isinstance(block, d.Prompt):
        for text in _paragraphs(block.text):
            _add_run(word.new_p("Quote"), text)
    elif isinstance(block, d.Marker):
        if block.kind == "draft":
            return  # the title page and every page's header say DRAFT
        if block.kind == "not_answered":  # work left to do in a draft: it should stand out
            run = word.add_paragraph().add_run(block.text)
            run.bold = True
            run.font.color.rgb = _MARKER_COLOUR
        else:
            word.add_paragraph(block.text, style=_NOTE)
    elif isinstance(block, d.Caption):
        _add_caption(word, block.text)
    elif isinstance(block, d.Table):
        _add_table(word, block, landscape)
    elif isinstance(block, d.Contents):
        _add_contents(word, block.levels)


def _add_rule(word) -> None:
    """A horizontal rule (a bottom border on an empty paragraph) before a block printed without a heading."""
    paragraph = word.add_paragraph()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "808080")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    paragraph._p.get_or_add_pPr().append(borders)


def _add_title(word, doc: d.Document) -> None:
    """The title page's head: the title, who and which period, and a draft's mark."""
    word.add_heading(doc.title, level=0)
    subtitle = word.add_paragraph(style="Subtitle")
    subtitle.add_run(" | ".join(part for part in (doc.author, doc.subject) if part))
    if doc.draft:
        mark = word.add_paragraph().add_run("DRAFT: not yet submitted or approved")
        mark.bold = True
        mark.font.size = Pt(16)
        mark.font.color.rgb = _MARKER_COLOUR


def _paragraphs(text: str) -> list[str]:
    return [" ".join(p.split()) for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]


def _set_properties(word, doc: d.Document) -> None:
    """Title, subject (the period), author (the HWB) and times (the plan's date): the same every build."""
    props = word.core_properties
    props.title = doc.title
    props.subject = doc.subject
    props.author = props.last_modified_by = doc.author
    props.created = props.modified = props.last_printed = document_time(doc.date)
    props.language = doc.language
    props.revision = 1


def _set_styles(word, language: str) -> None:
    word.styles["Normal"].font.name = "Arial"
    word.styles["Normal"].font.size = Pt(11)
    # The document's language, for screen readers and the PDF's /Lang.
    defaults = word.styles.element.find(qn("w:docDefaults"))
    run_defaults = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    lang = run_defaults.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        run_defaults.append(lang)
    lang.set(qn("w:val"), language)
    table_text = word.styles.add_style(_TABLE_TEXT, WD_STYLE_TYPE.PARAGRAPH)
    table_text.base_style = word.styles["Normal"]
    table_text.font.size = Pt(9)
    table_text.paragraph_format.space_after = Pt(0)
    note = word.styles.add_style(_NOTE, WD_STYLE_TYPE.PARAGRAPH)  # an editor's note: quiet, not an error
    note.base_style = word.styles["Normal"]
    note.font.size = Pt(9.5)
    note.font.italic = True
    note.font.color.rgb = RGBColor(0x59, 0x59, 0x59)
    note.paragraph_format.left_indent = Inches(0.25)
    quote = word.styles["Quote"]  # the framework's guidance: set apart from the plan's own words
    quote.font.size = Pt(10)
    quote.font.color.rgb = RGBColor(0x40, 0x40, 0x40)
    quote.paragraph_format.left_indent = Inches(0.3)
    word.styles["Title"].font.size = Pt(24)
    # the official heading under a heading the plan words its own way: quieter than the heading it names
    subtitle = word.styles["Subtitle"]
    subtitle.font.size = Pt(10)
    subtitle.font.color.rgb = RGBColor(0x59, 0x59, 0x59)
    subtitle.paragraph_format.space_before = Pt(0)
    subtitle.paragraph_format.space_after = Pt(6)
    subtitle.paragraph_format.keep_with_next = True
    for spacing in subtitle.element.findall(f"{qn('w:rPr')}/{qn('w:spacing')}"):
        spacing.getparent().remove(spacing)  # the template's letter-spacing


def _set_header_and_footer(word, doc: d.Document) -> None:
    """Title and period above, "Page 3 of 38" below, on every page after the title page; a draft's pages,
    the title page too, say DRAFT."""
    section = word.sections[0]
    section.different_first_page_header_footer = True
    draft = "DRAFT" if doc.draft else ""
    first = section.first_page_header.paragraphs[0]
    first.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    if draft:
        first.add_run(draft).bold = True
    header = section.header.paragraphs[0]
    header.add_run(" | ".join(part for part in (doc.title, doc.subject) if part))
    if draft:
        header.add_run(f" | {draft}").bold = True
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run("Page ")
    _add_field(footer, "PAGE", "1")
    footer.add_run(" of ")
    _add_field(footer, "NUMPAGES", "1")


def _add_field(paragraph, instruction: str, placeholder: str) -> None:
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = placeholder
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def _add_contents(word, levels: int) -> None:
    """A contents field over the outline's heading levels, on a page of its own after the title page. Word
    fills it on opening (settings ask it to), LibreOffice when it converts the file."""
    word.add_paragraph(style="Normal").add_run().add_break(WD_BREAK.PAGE)
    word.add_paragraph("Contents", style="TOC Heading")
    paragraph = word.add_paragraph()
    for kind, text in (("begin", None), (None, f'TOC \\o "1-{levels}" \\h \\z \\u'), ("separate", None),
                       ("text", "Right-click to update the contents."), ("end", None)):
        run = OxmlElement("w:r")
        if kind in ("begin", "separate", "end"):
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run.append(char)
        else:
            element = OxmlElement("w:instrText" if kind is None else "w:t")
            element.set(qn("xml:space"), "preserve")
            element.text = text
            run.append(element)
        paragraph._p.append(run)
    update = OxmlElement("w:updateFields")
    update.set(qn("w:val"), "true")
    word.settings.element.append(update)
    word.add_paragraph(style="Normal").add_run().add_break(WD_BREAK.PAGE)


def _add_caption(word, text: str) -> None:
    caption = word.new_p("Caption")
    SubElement(caption[0], _KEEP_NEXT)  # never a caption alone at the foot of a page
    SubElement(caption[0], _SPACING, {_BEFORE: "240"})  # 12 pt: apart from a table just above it
    _add_run(caption, text, bold=True)


def _without_empty_columns(table: d.Table) -> d.Table:
    """The table less the columns no row fills (a risk register's empty Likelihood and Impact): on paper
    they only narrow the others."""
    keep = [c for c in range(len(table.columns))
            if any(c < len(row) and cell_text(row[c]).strip() for row in table.rows)]
    if not keep or len(keep) == len(table.columns):
        return table
    return d.Table(table.title, [table.columns[c] for c in keep],
                   [[row[c] if c < len(row) else None for c in keep] for row in table.rows],
                   frozenset(i for i, c in enumerate(keep) if c in table.money_columns), table.total_row, table.notes)


def _needs_landscape(table: d.Table) -> bool:
    """Too wide for a portrait page: its words and amounts, each kept whole, need more than the page's width."""
    return sum(_least_widths(table)) > _PORTRAIT_WIDTH.inches * _CHARS_PER_INCH


def _add_table(word, table: d.Table, wide: bool) -> None:
    _add_caption(word, table.title)
    # word.add_table() and grid.style = "Table Grid", without python-docx's search of the whole document for
    # the last section's width (each column's width is set below) or of every style for the table style's id
    grid = word._body.add_table(0, len(table.columns), _PORTRAIT_WIDTH)
    grid._tbl.tblPr.style = word.style_id("Table Grid")
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    grid.autofit = False
    widths = _column_widths(table, _LANDSCAPE_WIDTH if wide else _PORTRAIT_WIDTH)
    for column, width in zip(grid.columns, widths):
        column.width = width
    # Every row as python-docx makes it (add_table's first row, grid.add_row(), cell.width = ...,
    # cell.text = "", paragraph.add_run, paragraph.alignment), the elements made here with lxml.
    # Word reads the cells' widths, LibreOffice the grid's: both are set.
    tbl, style = grid._tbl, {_VAL: word.style_id(_TABLE_TEXT)}
    twips = [{_TYPE: "dxa", _W: str(Emu(width).twips)} for width in widths]
    header = SubElement(tbl, _TR)
    # The header row: screen readers announce it, and it repeats across pages.
    SubElement(SubElement(header, _TRPR), _TBL_HEADER, {_VAL: "true"})
    for title, width in zip(table.columns, twips):
        tc = SubElement(header, _TC)
        props = SubElement(tc, _TCPR)
        SubElement(props, _TCW, width)
        SubElement(props, _SHD, _HEADER_SHADING)
        p = SubElement(tc, _P)
        SubElement(SubElement(p, _PPR), _PSTYLE, style)
        SubElement(p, _R)  # the empty run cell.text = "" leaves
        _add_run(p, str(title), bold=True)
    money = [column in table.money_columns for column in range(len(table.columns))]
    for index, values in enumerate(table.rows):
        tr = SubElement(tbl, _TR)
        if max((len(str(v)) for v in values if v is not None), default=0) <= _WHOLE_ROW:
            # never split across two pages (a scheme's name on one, its funding source on the next)
            SubElement(SubElement(tr, _TRPR), _CANT_SPLIT)
        is_total = table.total_row and index == len(table.rows) - 1
        for column, width in enumerate(twips):
            tc = SubElement(tr, _TC)
            SubElement(SubElement(tc, _TCPR), _TCW, width)
            p = SubElement(tc, _P)
            props = SubElement(p, _PPR)
            SubElement(props, _PSTYLE, style)
            value = values[column] if column < len(values) else None
            # A line break in plan text is the YAML's, not the document's: a cell reads as one paragraph.
            _add_run(p, " ".join(cell_text(value, money[column]).split()), bold=is_total)
            if money[column]:
                SubElement(props, _JC, {_VAL: "right"})
    if table.notes:
        word.add_paragraph(style="Normal").paragraph_format.space_after = Pt(0)  # apart from the table
        _add_markdown(word, table.notes)


def _new_section(word, orientation) -> None:
    section = word.add_section(WD_SECTION.NEW_PAGE)
    section.different_first_page_header_footer = False  # only the title page has no header and number
    if section.orientation != orientation:
        section.orientation = orientation
        section.page_width, section.page_height = section.page_height, section.page_width


_TABLE_TEXT = "Table Text"  # 9 pt, no space after: the paragraph style of every table cell
_PORTRAIT_WIDTH = Mm(210 - 2 * 25.4)  # A4's width inside its one-inch margins
_LANDSCAPE_WIDTH = Mm(297 - 2 * 25.4)
_CHARS_PER_INCH = 14.5  # of 9 pt Arial, on average
_WHOLE_WORD = 24  # characters: the longest word or amount a column is made wide enough to keep on one line
_WHOLE_ROW = 600  # characters in a row's longest cell: a longer row may run over a page break rather than
                  # leave most of a page empty (or, taller than a page, be cut off)


_PADDING = 3  # characters: a cell's margins take about three characters' width


def _column_texts(table: d.Table) -> list[list[str]]:
    return [[str(table.columns[c])] + [cell_text(row[c] if c < len(row) else None, c in table.money_columns)
                                       for row in table.rows] for c in range(len(table.columns))]


def _least_widths(table: d.Table) -> list[int]:
    """Each column's width in characters that keeps its longest word or amount whole.

    Longer runs than _WHOLE_WORD (web addresses) may wrap; letting one claim its full length would
    squeeze every other column of the table to a word a line."""
    return [_PADDING + max([4, *(min(len(word), _WHOLE_WORD) for text in column for word in text.split())])
            for column in _column_texts(table)]


def _column_widths(table: d.Table, across) -> list:
    """Widths that keep every word and amount whole (no "£1,002,3 / 63"), the rest shared by need.

    Equal widths, the default, break amounts and long words across lines in a table of many columns."""
    columns = range(len(table.columns))
    texts = _column_texts(table)
    least = _least_widths(table)
    wanted = [max(least[c], _PADDING + min(40, max(len(text) for text in texts[c]))) for c in columns]
    room = across.inches * _CHARS_PER_INCH
    if sum(wanted) <= room:
        chars = wanted
    else:
        spare = max(0, room - sum(least))
        extra = sum(w - m for w, m in zip(wanted, least)) or 1
        chars = [m + spare * (w - m) / extra for w, m in zip(wanted, least)]
    return [int(across * c / sum(chars)) for c in chars]


def _add_markdown(word, markdown: str) -> None:
    """Paragraphs, lists, emphasis and links from Markdown, as Word paragraphs and runs."""
    plain = d.plain_paragraphs(markdown)
    if plain is not None:  # as _add_parsed() sets it: a run a line, a run of a space between lines
        for lines in plain:
            p = word.new_p()
            _add_run(p, lines[0])
            for line in lines[1:]:
                _add_run(p, " ")
                _add_run(p, line)
    else:
        _add_parsed(word, markdown)


def _add_parsed(word, markdown: str) -> None:
    """_add_markdown() through markdown-it's tokens: any Markdown."""
    lists: list[str] = []  # the open list kinds, outermost first
    paragraph_style = None
    for token in _tokens(markdown):
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
            _add_run(word.new_p(), token.content.rstrip("\n"), font="Courier New")
        elif token.type == "blockquote_open":
            paragraph_style = "Quote"


@functools.lru_cache(maxsize=256)
def _tokens(markdown: str) -> list:
    """The Markdown's tokens (only read, never changed), kept for its next use: a plan's document has
    many texts more than once (the same note under several headings), and parsing is costly."""
    return _MARKDOWN.parse(markdown)


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
                _add_run(paragraph._p, child.content, bold, italic, "Courier New" if kind == "code_inline" else None)
        elif kind == "hardbreak":
            SubElement(SubElement(paragraph._p, _R), _BR)  # paragraph.add_run().add_break()
        elif kind == "softbreak":
            _add_run(paragraph._p, " ")


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

