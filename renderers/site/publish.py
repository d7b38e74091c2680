"""Building and serving the site: MkDocs' own commands, with an atomic swap of site_dir."""
from __future__ import annotations

import logging
import time
from contextlib import contextmanager
from pathlib import Path

from .. import folders
from ..outputs import PlanSource
from . import policy
from .model import SiteReturn
from .incremental import WorkDir, remove_stale_outputs, signature
from .siteconfig import CONFIG_FILE, DEFAULT_MKDOCS, SiteConfigError, builtin_overrides, load_site_config

DEFAULT_CONFIG = "mkdocs.yml"
BUILTIN_WORK = ".bcfc-cache"  # where the built-in configuration keeps its empty docs folder


class SiteBuildError(Exception):
    """The site could not be built; the previous site folder is as it was."""


class _Collect(logging.Handler):
    """Keeps MkDocs' warnings and errors, to report them when a build fails."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(f"{record.levelname}: {record.getMessage()}")


def _load(config_file: str | Path | None, plans_dir: str | Path | None, strict: bool, **options):
    """The MkDocs configuration, its folder and what it was given: the repository's mkdocs.yml, or,
    where it has none (config_file None or missing), the built-in one with the repository's folders
    and bcfc.yaml filled in (its folder is then the repository's, the working folder)."""
    from mkdocs.config import load_config

    if config_file is not None and Path(config_file).is_file():
        config = load_config(str(config_file), strict=strict, **options)
        return config, Path(config.config_file_path).parent, b""
    root = Path.cwd()
    site_config = load_site_config(root / CONFIG_FILE)  # SiteConfigError: reported by the caller
    overrides = builtin_overrides(site_config, root, Path(plans_dir or "plans"), root / BUILTIN_WORK)
    config = load_config(str(DEFAULT_MKDOCS), strict=strict, **overrides, **options)
    return config, root, repr(sorted(overrides.items())).encode()


def build_site(config_file: str | Path | None = DEFAULT_CONFIG, *, plans_dir: str | Path | None = None,
               documents_dir: str | Path | None = None, plans: list[PlanSource] | None = None,
               work_dir: str | Path | None = None, strict: bool = True, swap: folders.Swap | None = None,
               drafts: bool = False, returns: list[tuple] | None = None) -> tuple[Path, int]:
    """Build the MkDocs site into a staging folder, then swap it in for site_dir; return site_dir and
    how many of the plans given it shows (drafts are left off unless the call or mkdocs.yml asks for them).

    plans: the plans `bcfc build` has already validated, so the plugin need not read them again.
    work_dir: keep what this build made there, so the next build renders only what changed (see
    incremental.py). Any failure (a plan with errors, a warning in strict mode, a bug) raises
    SiteBuildError and leaves the previous site_dir untouched. swap: stage the site there, to be
    swapped in with the documents (`bcfc build`); without it the site is swapped in here. drafts:
    publish draft plans too (under a DRAFT banner); the public site leaves them out. Without the
    config file the built-in configuration is used (see _load). returns: with plans, the returns `bcfc build`
    checked, as (path, data, framework, bytes).
    """
    from mkdocs.exceptions import MkDocsException

    collect = _Collect()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(collect)
    try:
        config, config_dir, settings = _load(config_file, plans_dir, strict)
        plugin = config.plugins.get("bcfc")
        if plugin is not None:
            plugin.config.drafts = plugin.config.drafts or drafts
            if plans is not None:
                plans = policy.published(plans, plugin.config.drafts)
            if plans_dir is not None:
                plugin.config.plans = str(Path(plans_dir).resolve())
            if documents_dir is not None:
                plugin.config.documents = str(Path(documents_dir).resolve())
            plugin.preloaded = plans
            plugin.preloaded_returns = [SiteReturn(*r) for r in returns or []]
        site_dir = Path(config.site_dir)
        own_swap = swap is None
        swap = swap or folders.Swap()
        stage = swap.stage(site_dir, legacy=is_site_folder, roots=[config_dir], protected=[Path(config.docs_dir)],
                           reuse=WorkDir(Path(work_dir)).published if work_dir is not None and plans is not None
                           else None)
        try:
            _build_into(config, plugin, plans, work_dir, stage, settings)
        except BaseException:
            if own_swap:
                swap.abort()
            raise
        if own_swap:
            swap.commit()
        return site_dir, len(plans or ())
    except MkDocsException as err:  # a plan with errors, a warning in strict mode, a bad mkdocs.yml
        details = "\n".join(m for m in collect.messages if m not in str(err))
        raise SiteBuildError("\n".join(x for x in (details, str(err)) if x)) from err
    except SiteConfigError as err:
        raise SiteBuildError(str(err)) from err
    finally:  # an I/O error (a full disk) goes up as it is: `bcfc build` says which file and why, exit 2
        logger.removeHandler(collect)


def is_site_folder(folder: Path) -> bool:
    """A site written before bcfc marked its outputs (or by a plain `mkdocs build`): MkDocs' home page and
    bcfc's own assets. Not the sitemap: a site without an address has none."""
    return (folder / "index.html").is_file() and (folder / "assets" / "bcfc" / "bcfc.css").is_file()


def _build_into(config, plugin, plans, work_dir, stage: Path, settings: bytes = b"") -> None:
    from mkdocs.commands.build import build

    if plugin is None or work_dir is None or plans is None:
        config.site_dir = str(stage)
        build(config)
        return
    work = WorkDir(Path(work_dir))
    slugs = {plan.slug for plan in plans}
    site_config = Path(config.config_file_path).parent / plugin.config.site_config
    build_signature = signature(Path(config.config_file_path), settings, str(plugin.config.drafts),
                                site_config.read_bytes() if site_config.is_file() else b"")
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
    # Linked, not copied: the plugin makes MkDocs write every file it changes as a new file (on_env), so
    # the published site never changes under a later build.
    folders.link_tree(work.site, stage)


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


def serve_site(config_file: str | Path | None = DEFAULT_CONFIG, *, dev_addr: str | None = None,
               open_in_browser: bool = False, plans_dir: str | Path | None = None) -> None:
    """MkDocs' live preview: rebuilds and reloads the browser when a plan, a page or mkdocs.yml changes.
    Drafts are shown (under a DRAFT banner). Without the config file the built-in configuration is used.
    SiteConfigError: the repository's bcfc.yaml is wrong."""
    from mkdocs.commands.serve import serve

    logger = logging.getLogger("mkdocs")
    if not logger.handlers:  # what `mkdocs serve` shows: where it serves, each rebuild, any error
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    options = {}
    if config_file is None or not Path(config_file).is_file():
        root = Path.cwd()
        options = builtin_overrides(load_site_config(root / CONFIG_FILE), root, Path(plans_dir or "plans"),
                                    root / BUILTIN_WORK)
        del options["site_dir"]  # serve builds into a temporary folder of its own
        config_file = DEFAULT_MKDOCS
    serve(config_file=str(config_file), dev_addr=dev_addr, open_in_browser=open_in_browser, **options)
