"""`bcfc serve` while a plan has errors: the preview keeps the last good version of each plan and
every page carries a banner listing the findings (file:line), so the author sees them in the browser."""
from __future__ import annotations

from markupsafe import escape

from bcf_schema.findings import Finding

ANCHOR = '<article class="md-content__inner md-typeset">'  # where the theme starts a page's content


def html(findings: list[Finding], kept: list[str]) -> str:
    """kept: the broken plans whose last good version the preview shows (the others are left out)."""
    if not findings:
        return ""
    items = "".join(f"<li><code>{escape(f.location)}</code>: {escape(f.code)} {escape(f.message)}</li>"
                    for f in findings)
    left_out = sorted({f.file for f in findings} - set(kept))
    shown = "".join([
        f" Until then the preview shows the last version without errors of {escape(', '.join(kept))}." if kept else "",
        f" Not in the preview: {escape(', '.join(left_out))} (no version without errors yet)." if left_out else ""])
    return ('<div class="admonition danger bcfc-serve-errors" role="alert">'
            f'<p class="admonition-title">This preview is not up to date: plans have errors</p>'
            f"<ul>{items}</ul><p>Fix them and save: the page reloads.{shown}</p></div>")


def add(page_html: str, banner: str) -> str:
    """The page with the banner at the top of its content (or of its body, for a page without it)."""
    if not banner:
        return page_html
    for anchor in (ANCHOR, "<body>"):
        if anchor in page_html:
            return page_html.replace(anchor, anchor + banner, 1)
    return banner + page_html
