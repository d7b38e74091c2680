"""The pages a public body must publish: About and the accessibility statement.

Both come from the repository's bcfc.yaml (siteconfig.py) and the plans; the date they give is the
newest date the plans state, never the clock, so the same plans give the same pages.
"""
from __future__ import annotations

from pathlib import Path

import jinja2

from .. import document as d
from .policy import STATUSES
from .siteconfig import CONFIG_FILE, SiteConfig

ABOUT = "about.md"
ACCESSIBILITY = "accessibility.md"

# The automated checks the project runs on the site (tests/test_site_browser.py runs axe-core with
# exactly these rule tags on every kind of page); the statement names them.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]

ENV = jinja2.Environment(loader=jinja2.FileSystemLoader(str(Path(__file__).parent / "templates")),
                          autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True,
                          lstrip_blocks=True, keep_trailing_newline=True)
ENV.filters["long_date"] = d.long_date


def pages(config: SiteConfig | None, *, last_updated: str, plan_count: int) -> dict[str, str]:
    """{site path: Markdown} for the About page and the accessibility statement."""
    context = dict(config=config or SiteConfig(), configured=config is not None, config_file=CONFIG_FILE,
                   last_updated=last_updated, plan_count=plan_count, statuses=STATUSES, axe_tags=AXE_TAGS)
    return {ABOUT: ENV.get_template("about.md.j2").render(**context),
            ACCESSIBILITY: ENV.get_template("accessibility.md.j2").render(**context)}


def nav() -> list[dict]:
    return [{"About": ABOUT}, {"Accessibility": ACCESSIBILITY}]
