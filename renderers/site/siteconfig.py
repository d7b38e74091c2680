"""A plans repository's own facts for its site: `bcfc.yaml` at the repository's root.

    site:
      name: Worcestershire Better Care Fund plans
      publisher: Worcestershire County Council
      contact: bcf@worcestershire.gov.uk        # an email address or a web page
      url: https://worcs.github.io/bcf-plans/   # optional: the sitemap and canonical links

Why a bcfc file and not mkdocs.yml: a plans repository has no mkdocs.yml (the package carries the
site's configuration, see defaults/), and one that writes its own mkdocs.yml replaces that whole
configuration; these facts belong to the council, not to the site's machinery, so both the built-in
site and a repository's own mkdocs.yml read them from here. The file is loaded by the plan loader
(safe, with lines) and checked here, so a mistake is named by file:line like a plan's.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from bcf_schema.loader import load

CONFIG_FILE = "bcfc.yaml"
RULES_FILE = "bcfc-rules.yaml"  # the house rules (bcf_schema.house_rules), at the repository's root
DEFAULTS = Path(__file__).parent / "defaults"
DEFAULT_MKDOCS = DEFAULTS / "mkdocs.yml"

# field: (required, what it is, for the error message)
FIELDS = {
    "name": (True, "the site's name, shown in every page's header"),
    "publisher": (True, "who publishes the plans (the council or the Health and Wellbeing Board)"),
    "contact": (True, "an email address or web page (https://...) where readers can reach the publisher"),
    "url": (False, "the address the site is published at (https://...), for the sitemap"),
    "description": (False, "one sentence about the site, for search engines"),
}
_EMAIL = re.compile(r"^[^@\s<>\"']+@[^@\s<>\"']+\.[^@\s<>\"']+$")
_WEB = re.compile(r"^https?://[^\s<>\"']+$")


class SiteConfigError(Exception):
    """bcfc.yaml is wrong; the message names the file, the line and what to write."""


@dataclass(frozen=True)
class SiteConfig:
    name: str = "Better Care Fund plans"
    publisher: str = ""
    contact: str = ""
    url: str = ""
    description: str = ""
    path: str = ""  # where it was read from ('' for none)

    @property
    def contact_href(self) -> str:
        return self.contact if _WEB.match(self.contact) else (f"mailto:{self.contact}" if self.contact else "")


def load_site_config(path: str | Path = CONFIG_FILE) -> SiteConfig | None:
    """The repository's bcfc.yaml, checked; None where there is none."""
    path = Path(path)
    if not path.is_file():
        return None
    try:
        shown = os.path.relpath(path)
    except ValueError:
        shown = str(path)
    try:
        loaded = load(path)
    except OSError as err:
        raise SiteConfigError(f"{shown}: cannot read it: {err.strerror}") from err
    if loaded.findings:
        finding = loaded.findings[0]
        raise SiteConfigError(f"{shown}{finding.location.removeprefix(str(path))}: {finding.message}")
    where = loaded.source_map.locate
    site = loaded.data.get("site")
    if not isinstance(site, dict):
        line, _ = where("/site")
        raise SiteConfigError(f"{shown}:{line}: write the site's facts under `site:` "
                              "(name, publisher, contact and, once it is published, url)")
    problems = []
    for key in (loaded.data.keys() - {"site"}):
        line, col = where(f"/{key}", key=True)
        problems.append(f"{shown}:{line}:{col}: unknown setting '{key}': bcfc.yaml holds only `site:`")
    values = {}
    for key, value in site.items():
        line, col = where(f"/site/{key}", key=True)
        if key not in FIELDS:
            problems.append(f"{shown}:{line}:{col}: unknown setting 'site.{key}'; allowed: {', '.join(FIELDS)}")
            continue
        if not isinstance(value, str) or not value.strip():
            line, col = where(f"/site/{key}")
            problems.append(f"{shown}:{line}:{col}: site.{key} should be text: {FIELDS[key][1]}")
            continue
        values[key] = " ".join(value.split())
    for key, (required, meaning) in FIELDS.items():
        if required and key not in values and key not in site:
            line, _ = where("/site", key=True)
            problems.append(f"{shown}:{line}: site.{key} is missing: {meaning}")
    if "contact" in values and not (_EMAIL.match(values["contact"]) or _WEB.match(values["contact"])):
        line, col = where("/site/contact")
        problems.append(f"{shown}:{line}:{col}: site.contact should be an email address or a web page (https://...)")
    if "url" in values:
        if not _WEB.match(values["url"]):
            line, col = where("/site/url")
            problems.append(f"{shown}:{line}:{col}: site.url should be the site's address, starting https://")
        elif not values["url"].endswith("/"):
            values["url"] += "/"
    if problems:
        raise SiteConfigError("\n".join(problems))
    return SiteConfig(**values, path=shown)


def builtin_overrides(config: SiteConfig | None, root: Path, plans_dir: Path, work_dir: Path) -> dict:
    """What the built-in mkdocs.yml takes from the repository: its folders and its bcfc.yaml.

    A repository without docs/ gets an empty docs folder under the work folder (MkDocs needs one;
    every page is generated).
    """
    docs = root / "docs"
    if not docs.is_dir():
        docs = work_dir / "empty-docs"
        docs.mkdir(parents=True, exist_ok=True)
    overrides = {
        "docs_dir": str(docs.resolve()),
        "site_dir": str((root / "site").resolve()),
        "plugins": ["search", {"bcfc": {"plans": str(plans_dir.resolve()),
                                         "site_config": str((root / CONFIG_FILE).resolve())}}],
    }
    rules = root / RULES_FILE
    if rules.is_file():  # the house rules, as bcfc validate finds them (the plugin would look beside this file)
        overrides["plugins"][1]["bcfc"]["rules"] = str(rules.resolve())
    if config is not None:
        overrides["site_name"] = config.name
        if config.url:
            overrides["site_url"] = config.url
        if config.description:
            overrides["site_description"] = config.description
    return overrides
