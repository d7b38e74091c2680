"""Building and serving the site: MkDocs' own commands, with an atomic swap of site_dir."""
from __future__ import annotations

import logging
from pathlib import Path

from ..outputs import staged

DEFAULT_CONFIG = "mkdocs.yml"


class SiteBuildError(Exception):
    """The site could not be built; the previous site folder is as it was."""


class _Collect(logging.Handler):
    """Keeps MkDocs' warnings and errors, to report them when a build fails."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(f"{record.levelname}: {record.getMessage()}")


def build_site(config_file: str | Path = DEFAULT_CONFIG, *, plans_dir: str | Path | None = None,
               documents_dir: str | Path | None = None, strict: bool = True) -> Path:
    """Build the MkDocs site into a staging folder, then swap it in for site_dir; return site_dir.

    Any failure (a plan with errors, a warning in strict mode, a bug) raises SiteBuildError and
    leaves the previous site_dir untouched.
    """
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    collect = _Collect()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(collect)
    try:
        config = load_config(str(config_file), strict=strict)
        plugin = config.plugins.get("bcfc")
        if plugin is not None:
            if plans_dir is not None:
                plugin.config.plans = str(Path(plans_dir).resolve())
            if documents_dir is not None:
                plugin.config.documents = str(Path(documents_dir).resolve())
        site_dir = Path(config.site_dir)
        with staged(site_dir) as stage:
            config.site_dir = str(stage)
            build(config)
        return site_dir
    except MkDocsException as err:  # a plan with errors, a warning in strict mode, a bad mkdocs.yml
        details = "\n".join(m for m in collect.messages if m not in str(err))
        raise SiteBuildError("\n".join(x for x in (details, str(err)) if x)) from err
    except OSError as err:
        raise SiteBuildError(f"cannot build the site: {err}") from err
    finally:
        logger.removeHandler(collect)


def serve_site(config_file: str | Path = DEFAULT_CONFIG, *, dev_addr: str | None = None,
               open_in_browser: bool = False) -> None:
    """MkDocs' live preview: rebuilds and reloads the browser when a plan, a page or mkdocs.yml changes."""
    from mkdocs.commands.serve import serve

    logger = logging.getLogger("mkdocs")
    if not logger.handlers:  # what `mkdocs serve` shows: where it serves, each rebuild, any error
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    serve(config_file=str(config_file), dev_addr=dev_addr, open_in_browser=open_in_browser)
