"""`bcfc init`: a council's plans repository, ready to commit, check and publish.

What it writes (nothing if any of it is already there):

    bcfc.yaml                         the site's facts: name, publisher, contact, address (siteconfig.py)
    plans/README.md                   how to start, check, preview and publish a plan
    schemas/<period>/plan.schema.json the schemas editors complete from, offline (bcfc schema --export)
    .pre-commit-config.yaml           the bcfc-validate hook, pinned to this bcfc's version
    .github/workflows/                pull request check (one comment: diff and checklist) and Pages publishing,
                                      both through this repository's action at the same pinned version
    .gitignore                        the outputs and caches
    .vscode/settings.json             yaml.schemas: each period's plans to its exported schema

The templates are in templates/init/ (a leading "dot-" stands for "."); bcfc is pinned as the tag
v<version> of its repository (SOURCE).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from bcf_schema import schema_export
from bcf_schema.framework import available_periods
from renderers.site.siteconfig import CONFIG_FILE, SiteConfigError, load_site_config

from bcf_schema import yamltext

TEMPLATES = Path(__file__).parent / "templates" / "init"
SOURCE = "bcfc-project/bcfc"  # bcfc's GitHub repository (owner/name): the hook and the action come from it


class InitError(Exception):
    """The repository cannot be set up as asked; nothing was written."""


@dataclass(frozen=True)
class Settings:
    name: str
    publisher: str
    contact: str
    site_url: str = ""
    source: str = SOURCE  # owner/name of the bcfc repository to pin (a fork, say)

    @property
    def ref(self) -> str:
        from importlib import metadata  # here, not at the top: every bcfc command imports this module

        return f"v{metadata.version('bcfc')}"


def files(settings: Settings) -> dict[str, str]:
    """{path in the repository: text} for everything init writes except the schemas."""
    tokens = {"__BCFC_REPO_URL__": f"https://github.com/{settings.source}", "__BCFC_ACTION__": settings.source,
              "__BCFC_REF__": settings.ref}
    out = {}
    for template in sorted(p for p in TEMPLATES.rglob("*") if p.is_file()):
        relative = "/".join(part.replace("dot-", ".", 1) if part.startswith("dot-") else part
                            for part in template.relative_to(TEMPLATES).parts)
        text = template.read_text(encoding="utf-8")
        for token, value in tokens.items():
            text = text.replace(token, value)
        out[relative] = text
    out[CONFIG_FILE] = _site_config(settings)
    out[".vscode/settings.json"] = _vscode_settings()
    return out


def _site_config(settings: Settings) -> str:
    def line(key, value, comment):
        return yamltext.key_value(key, value, indent=2, comment=comment)

    text = ("# The site's facts (bcfc build and bcfc serve read them; see `bcfc init --help`).\n"
            "site:\n"
            + line("name", settings.name, "shown in every page's header")
            + line("publisher", settings.publisher, "who publishes the plans: on the About page and in the footer")
            + line("contact", settings.contact, "an email address or a web page, for readers"))
    if settings.site_url:
        text += line("url", settings.site_url, "where the site is published: gives it a sitemap")
    else:
        text += "  # url: https://<owner>.github.io/<repository>/   # once published: gives the site a sitemap\n"
    return text


def _vscode_settings() -> str:
    schemas = {f"./{schema_export.EXPORT_DIR}/{period}/plan.schema.json": [f"plans/*/{period}.yaml"]
               for period in available_periods()}
    return json.dumps({"yaml.schemas": schemas, "yaml.validate": True}, indent=2) + "\n"


def init(folder: str | Path, settings: Settings) -> list[str]:
    """Write the repository into folder (created if need be); return the paths written, in order.

    InitError, and nothing written, if any file is already there or the settings are wrong."""
    folder = Path(folder)
    planned = files(settings)
    schemas = {f"{schema_export.EXPORT_DIR}/{name}": data for name, data in schema_export.exported_files().items()}
    existing = [path for path in [*planned, *schemas] if (folder / path).exists()]
    if existing:
        raise InitError(f"{folder} already has {', '.join(existing)}; bcfc init never overwrites a file "
                        "(set up an empty folder, or move those away first)")
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:  # the settings checked as bcfc build will read them
        check = Path(tmp) / CONFIG_FILE
        check.write_text(planned[CONFIG_FILE], encoding="utf-8")
        try:
            load_site_config(check)
        except SiteConfigError as err:
            raise InitError("the site settings are not right:\n" + "\n".join(
                "  " + re.sub(r"^.*?:\d+(:\d+)?: ", "", problem) for problem in str(err).splitlines())) from err
    written = []
    for path, content in [*planned.items(), *schemas.items()]:
        target = folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        mode = "xb" if isinstance(content, bytes) else "x"
        with target.open(mode, **({} if isinstance(content, bytes) else {"encoding": "utf-8", "newline": "\n"})) as out:
            out.write(content)
        written.append(path)
    return written
