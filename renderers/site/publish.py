"""Building and serving the site: MkDocs' own commands, with an atomic swap of site_dir."""
from __future__ import annotations

import logging
import shutil
import time
from contextlib import contextmanager
from pathlib import Path

from .. import folders
from ..outputs import PlanSource
from .incremental import WorkDir, remove_stale_outputs, signature

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
               documents_dir: str | Path | None = None, plans: list[PlanSource] | None = None,
               work_dir: str | Path | None = None, strict: bool = True, swap: folders.Swap | None = None) -> Path:
    """Build the MkDocs site into a staging folder, then swap it in for site_dir; return site_dir.

    plans: the plans `bcfc build` has already validated, so the plugin need not read them again.
    work_dir: keep what this build made there, so the next build renders only what changed (see
    incremental.py). Any failure (a plan with errors, a warning in strict mode, a bug) raises
    SiteBuildError and leaves the previous site_dir untouched. swap: stage the site there, to be
    swapped in with the documents (`bcfc build`); without it the site is swapped in here.
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
            plugin.preloaded = plans
        site_dir = Path(config.site_dir)
        own_swap = swap is None
        swap = swap or folders.Swap()
        config_dir = Path(config.config_file_path).parent
        stage = swap.stage(site_dir, legacy=is_site_folder, roots=[config_dir], protected=[Path(config.docs_dir)])
        try:
            _build_into(config, plugin, plans, work_dir, stage)
        except BaseException:
            if own_swap:
                swap.abort()
            raise
        if own_swap:
            swap.commit()
        return site_dir
    except MkDocsException as err:  # a plan with errors, a warning in strict mode, a bad mkdocs.yml
        details = "\n".join(m for m in collect.messages if m not in str(err))
        raise SiteBuildError("\n".join(x for x in (details, str(err)) if x)) from err
    finally:  # an I/O error (a full disk) goes up as it is: `bcfc build` says which file and why, exit 2
        logger.removeHandler(collect)


def is_site_folder(folder: Path) -> bool:
    """A site written before bcfc marked its outputs: MkDocs' sitemap and bcfc's own assets."""
    return (folder / "sitemap.xml").is_file() and (folder / "assets" / "bcfc").is_dir()


def _build_into(config, plugin, plans, work_dir, stage: Path) -> None:
    from mkdocs.commands.build import build

    if plugin is None or work_dir is None or plans is None:
        config.site_dir = str(stage)
        build(config)
        return
    work = WorkDir(Path(work_dir))
    slugs = {plan.slug for plan in plans}
    build_signature = signature(Path(config.config_file_path))
    plugin.dirty = work.can_build_dirty(build_signature, slugs)
    work.state_file.unlink(missing_ok=True)  # saved again at the end: a build killed midway is never built on
    if not plugin.dirty:
        work.reset()
    work.root.mkdir(parents=True, exist_ok=True)
    plugin.work = work
    config.site_dir = str(work.site)
    started = time.time()
    try:
        with _dirty_warning_silenced():
            build(config, dirty=plugin.dirty)
        expected = {Path(f.abs_dest_path) for f in plugin.final_files or ()}
        remove_stale_outputs(work.site, expected, started)
        work.pages.prune()
        work.save(build_signature, slugs)
    except BaseException:
        work.reset()  # half-updated: the next build starts clean
        raise
    shutil.copytree(work.site, stage, dirs_exist_ok=True)


@contextmanager
def _dirty_warning_silenced():
    """MkDocs warns that a dirty build may leave navigation stale, and a strict build fails on any
    warning. Here the navigation never lists plans and a removed plan forces a clean build, so the
    warning does not apply."""
    build_logger = logging.getLogger("mkdocs.commands.build")

    def not_the_dirty_warning(record: logging.LogRecord) -> bool:
        return "'dirty' build" not in record.getMessage()

    build_logger.addFilter(not_the_dirty_warning)
    try:
        yield
    finally:
        build_logger.removeFilter(not_the_dirty_warning)


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
