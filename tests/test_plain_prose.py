"""Plain prose (renderers.document.plain_paragraphs) is set without the Markdown parser, to save its cost:
it must give exactly what the parser gives, in the Word document and on the site, and anything that could
be Markdown must go to the parser."""
from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st
from lxml import etree

from renderers import document as d
from renderers import word
from renderers.site import html

PLAIN = [
    "One line.", "Two lines\nof prose.", "A paragraph.\n\nAnother, after a blank line.\n", "\n\nLeading blank lines.\n\n\n",
    "2023-24 figures: £1,000 (10%) and 'quoted' \"double\" words!", "Café, naïve, Zoë; ½ and ² are letters or digits",
    "Line one\nline two\nline three\n\nNew paragraph = sum + rest - other # not a heading",
    "100 people\n2 people in 2024-25\nEmails a@b.c and https://example.org stay text (no linkify)",
]
MARKUP = [
    "1. a list", "2) a list", "- a list", "+ a list", "* a list", "# a heading", "> a quote", "    code", "\tcode",
    "*emphasis*", "_emphasis_", "`code`", "[link](https://x.org)", "<b>html</b>", "a & b", "&amp;", "a\\b",
    "~~struck~~", "a | b\n--|--\n1 | 2", "trailing  \nhard break", "Text\n===", "Text\n---", "lead\n space",
    "a\u00a0b", "a\rb", "a\x00b", "", "\n", "[ref]: https://x.org", "a  ", " a", "a\n \nb", "! [x]",
]


def _word_body(write, markdown: str) -> bytes:
    document = word.new_word(d.Document(title="t"))
    write(document, markdown)
    return etree.tostring(document.element.body)


@pytest.mark.parametrize("markdown", PLAIN)
def test_plain_prose_takes_the_shortcut(markdown):
    assert d.plain_paragraphs(markdown) is not None


@pytest.mark.parametrize("markdown", MARKUP)
def test_anything_that_could_be_markdown_goes_to_the_parser(markdown):
    assert d.plain_paragraphs(markdown) is None


def _same_as_the_parser(markdown: str) -> None:
    if d.plain_paragraphs(markdown) is None:
        return
    assert _word_body(word._add_markdown, markdown) == _word_body(word._add_parsed, markdown)
    for level in (2, 3):
        body = html._rendered(markdown, level).strip()
        assert html._prose(markdown, level) == f'<div class="bcfc-prose">\n{body}\n</div>'


@pytest.mark.parametrize("markdown", PLAIN)
def test_the_shortcut_gives_what_the_parser_gives(markdown):
    _same_as_the_parser(markdown)


# Mostly letters and spaces, with every character that matters to Markdown, so that many samples are plain.
_ALPHABET = st.sampled_from(list("abcXYZ019 .,:;'\"!?()/%£-+=#\n") + list("*_`[]<>&|\\~\t\r\u00a0é²"))


@settings(max_examples=1500, deadline=None)
@given(st.text(_ALPHABET, max_size=60))
def test_the_shortcut_gives_what_the_parser_gives_for_any_text(markdown):
    _same_as_the_parser(markdown)
