"""Plan text made inert for the tools it is shown in: a terminal, and Markdown a forge renders.

Plan text is untrusted. On a terminal, control characters could erase a line or print a fake
summary; in a pull-request comment, Markdown could mention people or teams, link, embed images or
carry HTML. Each function here keeps the words and removes the power.
"""
from __future__ import annotations

import re

# C0 and C1 controls (escape sequences, carriage returns, line breaks), the line and paragraph
# separators, and the bidirectional overrides that reorder what is shown ("Trojan source").
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
# Every ASCII punctuation character CommonMark can escape, but a point or comma inside a number
# (200.0, 1,000), which can start nothing and reads better unescaped.
_PUNCTUATION = re.compile(r"(?!(?<=\d)[.,](?=\d))([!-/:-@\[-`{-~])")
ZERO_WIDTH_SPACE = "\u200b"


def _visible(match: re.Match) -> str:
    char = match.group()
    return {"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(char, f"\\x{ord(char):02x}" if ord(char) < 256
                                                       else f"\\u{ord(char):04x}")


def terminal(text) -> str:
    """One line of text for a terminal: every control character shown as an escape (\\x1b, \\n)."""
    return _CONTROLS.sub(_visible, str(text))


def markdown(text) -> str:
    """Text for Markdown a forge renders (a table cell or a list item), shown as the same words but
    with no markup: no HTML, links, images, emphasis, mentions (@person, @org/team), bare-URL links
    or table breaks."""
    text = _CONTROLS.sub(" ", str(text))
    # A zero-width space after "@" and inside "://" and "www." stops mentions and bare URLs becoming
    # links (the way Dependabot quotes release notes); the words read the same.
    text = text.replace("@", "@" + ZERO_WIDTH_SPACE).replace("://", ":" + ZERO_WIDTH_SPACE + "//")
    text = re.sub(r"(?i)\bwww\.", lambda m: m.group()[:3] + ZERO_WIDTH_SPACE + ".", text)
    return _PUNCTUATION.sub(r"\\\1", text)


def markdown_code(text) -> str:
    """Text as a Markdown code span (a file name in a heading): a fence longer than any run of
    backticks in it, so it cannot end the span early."""
    text = _CONTROLS.sub(" ", str(text))
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    return f"{fence} {text} {fence}" if longest else f"{fence}{text}{fence}"
