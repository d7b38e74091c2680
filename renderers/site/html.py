"""Plan content as safe page source for MkDocs: escaped headings, prose and tables.

Plan text is untrusted, and it never reaches Python-Markdown. MkDocs runs Python-Markdown
over the whole page source, HTML blocks included, and its preprocessors act on any line:
fenced code with an attribute list (`{ onfocus=... }`), and whatever extensions a
repository's mkdocs.yml adds (snippets, which read files, among them). Escaping HTML is
not enough against those, so:

- every value a page template prints goes into the page source as an opaque token,
  `&bcfc<hex>;`, which Python-Markdown passes through untouched as an entity reference
  (`page_value`, the templates' finalize step); the plugin puts each token's HTML back
  after Markdown has run (`restore`, in on_page_content). A token cannot be forged: plan
  text reaches a page only escaped, and escaping turns every `&` into `&amp;`;
- headings stay Markdown (the table of contents and search need them), with every
  character but ASCII letters, digits and spaces written as a numeric character
  reference, so no Markdown or extension syntax can form in them;
- prose is rendered here by markdown-it-py with raw HTML off and only web and mail links
  allowed; table cells and attribute values are HTML-escaped.

The narrative's block model (renderers.document) decides the outline; this
module only says how each block looks on a web page.
"""
from __future__ import annotations

import functools
import html
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from markdown_it import MarkdownIt
from markupsafe import Markup

from .. import document as d
from ..narrative import cell_text

# Raw HTML off: a tag in plan text is shown as text. Images off: a plan cannot make the
# reader's browser fetch from elsewhere (a link is shown instead).
_MARKDOWN = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_MARKDOWN.enable(["table", "strikethrough"]).disable("image")
_SAFE_SCHEMES = {"http", "https", "mailto"}


def _safe_link(url: str) -> bool:
    """Web and mail links, and links within the site; never javascript:, data:, vbscript:, file: ..."""
    cleaned = re.sub(r"[\x00-\x20\x7f]+", "", html.unescape(url))
    try:
        scheme = urlsplit(cleaned).scheme.lower()
    except ValueError:
        return False
    return scheme in _SAFE_SCHEMES if scheme else ":" not in cleaned.split("/", 1)[0]


_MARKDOWN.validateLink = _safe_link

class PageSource(Markup):
    """Markdown page source made here (headings, tokens): printed into a page as it is."""


# A token alone in a paragraph is an HTML block: its <p> wrapper goes with it.
_TOKEN = re.compile(r"<p>&bcfc([0-9a-f]*);</p>|&bcfc([0-9a-f]*);")
# Text that cannot mean anything to Markdown or an extension wherever it is printed (one line,
# no punctuation that starts syntax, not a list item): printed as it is, so a link such as
# [2023-25](2023-25.md) stays a link MkDocs can check.
_INERT = re.compile(r"(?!\d+[.)])[A-Za-z0-9][A-Za-z0-9 ,.()/-]*")


def token(value) -> PageSource:
    """A value as an opaque token in the page source; restore() puts its HTML back."""
    fragment = str(value) if isinstance(value, Markup) else html.escape(str(value), quote=True)
    return PageSource("&bcfc" + fragment.encode("utf-8").hex() + ";")


def page_value(value):
    """The page templates' finalize step: what a {{ ... }} prints into the Markdown source."""
    if isinstance(value, PageSource):
        return value
    if not isinstance(value, Markup) and (isinstance(value, int) or _INERT.fullmatch(str(value))):
        return value
    return token(value)


def restore(page_html: str) -> str:
    """The page's HTML with every token replaced by its HTML. A macro's output holds the tokens of
    the values it printed, so what a token holds is restored in turn."""
    return _TOKEN.sub(lambda m: restore(bytes.fromhex(m.group(m.lastindex)).decode("utf-8")), page_html)


def md_heading_text(text) -> PageSource:
    """Text for a Markdown heading line: one line, every character that could start Markdown or
    extension syntax as a numeric character reference (the browser shows the character; Markdown sees none)."""
    flat = " ".join(str(text).split())
    return PageSource("".join(c if c.isalnum() or c in _HEADING_PLAIN else f"&#{ord(c)};" for c in flat))


_HEADING_PLAIN = frozenset(" ,.:;()'/-?!%")  # punctuation no Markdown syntax starts with inside a line


def heading(level: int, text, anchor: str = "") -> PageSource:
    """A Markdown heading (so it is in the page's table of contents and the search index)."""
    line = "#" * max(1, min(level, 6)) + " " + md_heading_text(text)
    if anchor:
        line += " { #" + _anchor(anchor) + " }"
    return PageSource(line)


def _anchor(value: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", value).strip("-") or "section"


def prose(markdown, heading_level: int = 3) -> Markup:
    """Plan-authored Markdown as HTML; its own headings start at heading_level."""
    if not markdown or not str(markdown).strip():
        return Markup("")
    return _prose(str(markdown), heading_level)


@functools.lru_cache(maxsize=1024)
def _prose(markdown: str, heading_level: int) -> Markup:
    """prose(), kept for the text's next page: a plan's pages show many texts more than once (a note on
    the overview and again on the narrative), and parsing Markdown is most of making a plan's pages."""
    plain = d.plain_paragraphs(markdown)
    if plain is not None:  # as _rendered() gives it: <p> a paragraph, its line breaks kept, '"' escaped
        body = "".join("<p>" + "\n".join(lines) + "</p>\n" for lines in plain).replace('"', "&quot;")
    else:
        body = _rendered(markdown, heading_level)
    return Markup('<div class="bcfc-prose">\n') + Markup(body.strip()) + Markup("\n</div>")


def _rendered(markdown: str, heading_level: int) -> str:
    """Any Markdown as HTML, through markdown-it."""
    tokens = _MARKDOWN.parse(markdown)
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(6, heading_level + int(token.tag[1]) - 1)}"
        elif token.type == "link_open":
            token.attrSet("rel", "nofollow noopener")
    return _MARKDOWN.renderer.render(tokens, _MARKDOWN.options, {})


def text(value) -> Markup:
    return Markup(html.escape("" if value is None else str(value), quote=True))


def block(html_text: str) -> PageSource:
    """An HTML block as a token in a paragraph of its own (restore() unwraps it)."""
    return PageSource("\n\n" + token(Markup(html_text.strip())) + "\n\n")


def table(columns: list[str], rows: list[list], *, caption: str = "", money_columns=frozenset(),
          total_row: bool = False, notes: str = "", sortable: bool = False, filterable: bool = False,
          table_id: str = "", numeric_columns=frozenset(), row_header: bool = True,
          caption_hidden: bool = False, code_columns=frozenset(), drop_empty_columns: bool = False,
          css_class: str = "") -> Markup:
    """An HTML table: caption, header cells with scope, money right-aligned, a total row in tfoot.

    With sortable=True the site's script lets the reader sort by any column (money and number cells
    carry their raw value in data-sort, so they sort as numbers); with filterable=True it adds a box
    that shows only the rows holding the typed text. caption_hidden keeps the caption for screen
    readers only, where a heading just above says the same. drop_empty_columns leaves out a column
    no row fills (a summary table's optional columns, such as a scheme's provider).
    """
    if drop_empty_columns and rows:
        body = rows[:-1] if total_row else rows
        keep = [i for i in range(len(columns))
                if i == 0 or any(i < len(r) and r[i] not in (None, "") for r in body)]
        if len(keep) < len(columns):
            remap = {old: new for new, old in enumerate(keep)}
            columns = [columns[i] for i in keep]
            rows = [[r[i] if i < len(r) else None for i in keep] for r in rows]
            money_columns = frozenset(remap[i] for i in money_columns if i in remap)
            numeric_columns = frozenset(remap[i] for i in numeric_columns if i in remap)
            code_columns = frozenset(remap[i] for i in code_columns if i in remap)
    attrs = ""
    if table_id:
        attrs += f' id="{_anchor(table_id)}"'
    if sortable:
        attrs += ' data-bcfc-sortable=""'
    if filterable:
        attrs += ' data-bcfc-filterable=""'
    out = [f"<div class=\"bcfc-table{' ' + css_class if css_class else ''}\"><table{attrs}>"]
    if caption:
        hidden = ' class="bcfc-visually-hidden"' if caption_hidden else ""
        out.append(f"<caption{hidden}>{text(caption)}</caption>")
    out.append("<thead><tr>")
    for index, column in enumerate(columns):
        cls = ' class="bcfc-num"' if index in money_columns or index in numeric_columns else ""
        out.append(f'<th scope="col"{cls}>{text(column)}</th>')
    out.append("</tr></thead>")
    body_rows = rows[:-1] if total_row and rows else rows
    # A table that stacks on a phone (css_class bcfc-stack) labels each cell with its column.
    labels = [str(c) for c in columns] if "bcfc-stack" in css_class.split() else None
    out.append("<tbody>")
    for row in body_rows:
        out.append(_row(row, len(columns), money_columns, numeric_columns, row_header, code_columns, labels))
    out.append("</tbody>")
    if total_row and rows:
        out.append('<tfoot class="bcfc-total">' + _row(rows[-1], len(columns), money_columns, numeric_columns,
                                                        row_header, code_columns) + "</tfoot>")
    out.append("</table></div>")
    result = Markup("".join(out))
    if notes:
        result += Markup("\n") + prose(notes)
    return result


def _row(row: list, width: int, money_columns, numeric_columns, row_header: bool, code_columns=frozenset(),
         labels=None) -> str:
    cells = list(row) + [None] * (width - len(row))
    # "Not stated: ..." in a money column with nothing after it: one cell across the remaining years.
    for index, value in enumerate(cells[:width]):
        if index in money_columns and isinstance(value, str) and value.startswith("Not stated") \
                and all(v in (None, "") for v in cells[index + 1:width]):
            before = _cells(cells[:index], money_columns, numeric_columns, row_header, code_columns)
            return f'<tr>{before}<td colspan="{width - index}">{text(value)}</td></tr>'
    return f"<tr>{_cells(cells[:width], money_columns, numeric_columns, row_header, code_columns, labels)}</tr>"


@dataclass(frozen=True)
class Link:
    """A table cell that links within the site: its text escaped, its href one the site made (Linker)."""
    text: str
    href: str


def _links(value) -> str:
    links = [value] if isinstance(value, Link) else value
    return "; ".join(f'<a href="{text(link.href)}">{text(link.text)}</a>' for link in links)


def _cells(cells: list, money_columns, numeric_columns, row_header: bool, code_columns, labels=None) -> str:
    out = []
    for index, value in enumerate(cells):
        label = f' data-label="{text(labels[index])}"' if labels and index < len(labels) else ""
        if isinstance(value, Link) or (isinstance(value, list) and value and all(isinstance(v, Link) for v in value)):
            tag = "th" if index == 0 and row_header else "td"
            scope = ' scope="row"' if tag == "th" else ""
            out.append(f"<{tag}{scope}{label if tag == 'td' else ''}>{_links(value)}</{tag}>")
            continue
        is_money = index in money_columns
        shown = cell_text(value, is_money)
        attrs = []
        numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
        if (is_money or index in numeric_columns) and numeric:
            attrs.append(f'data-sort="{value}"')
        if (is_money or index in numeric_columns) and (numeric or value is None):
            attrs.append('class="bcfc-num"')  # text in a money column ("Not stated: ...") wraps as text
        attr_text = (" " + " ".join(attrs)) if attrs else ""
        inner = f"<code>{text(shown)}</code>" if index in code_columns and shown else text(shown)
        if index == 0 and row_header and shown:
            out.append(f'<th scope="row"{attr_text}>{inner}</th>')
        else:
            out.append(f"<td{attr_text}{label}>{inner}</td>")
    return "".join(out)


def marker(message: str, kind: str = "note") -> Markup:
    """A heading's answer left to do ("not_answered": it stands out) or an editor's note (where a fact is
    instead, what a document leaves out: set quietly apart from the plan's own words)."""
    if kind == "not_answered":
        return Markup('<p class="bcfc-marker"><strong>') + text(message) + Markup("</strong></p>")
    return editor_note(text(message))


def editor_note(inner: Markup) -> Markup:
    """A note by whoever transcribed the plan, not the plan's own words: labelled and set apart."""
    body = inner if str(inner).lstrip().startswith("<") else Markup("<p>") + inner + Markup("</p>")
    return (Markup('<aside class="bcfc-editor-note"><p class="bcfc-editor-note-label">Editor\'s note</p>') + body
            + Markup("</aside>"))


def prompt(wording: str) -> Markup:
    """The framework's official wording of what a section answers, one quoted paragraph each."""
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", wording.strip()) if p.strip()]
    inner = "".join(f"<p>{text(p)}</p>" for p in paragraphs)
    return Markup(f'<blockquote class="bcfc-prompt"><p class="bcfc-prompt-label">The framework asks</p>{inner}'
                  "</blockquote>")


def blocks_to_page(blocks: list, *, heading_offset: int = 0, sortable_titles=frozenset(),
                   drop_empty_columns: bool = False) -> Markup:
    """Narrative blocks (renderers.document) as page source: Markdown headings and HTML blocks.

    heading_offset shifts heading levels (a block's level 2 is the page's level 2 by default).
    A Table whose title is in sortable_titles gets the sort and filter controls.
    """
    parts: list[str] = []
    level = 2
    for item in blocks:
        if isinstance(item, d.Heading):
            level = max(1, min(6, item.level + heading_offset))
            parts.append("\n\n" + heading(level, item.text, item.anchor) + "\n\n")
            if item.subtitle:  # the official heading the plan's own wording answers
                parts.append(block(Markup('<p class="bcfc-subtitle">') + text(item.subtitle) + Markup("</p>")))
        elif isinstance(item, d.Rule):
            parts.append(block(Markup('<hr class="bcfc-untitled">')))
        elif isinstance(item, d.Text):
            parts.append(block(prose(item.markdown, min(6, level + 1))))
        elif isinstance(item, d.Prompt):
            parts.append(block(prompt(item.text)))
        elif isinstance(item, d.Marker):
            parts.append(block(marker(item.text, item.kind)))
        elif isinstance(item, Markup):  # a block the site's own helpers made (a review beside an answer)
            parts.append(block(item))
        elif isinstance(item, d.Table):
            parts.append(block(table(item.columns, item.rows, caption=item.title, money_columns=item.money_columns,
                                     total_row=item.total_row, notes=item.notes,
                                     sortable=item.title in sortable_titles,
                                     filterable=item.title in sortable_titles,
                                     drop_empty_columns=drop_empty_columns)))
    return PageSource("".join(parts))
