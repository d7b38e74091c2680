"""Writing every plan's documents into an output folder, all or nothing.

Outputs are written into a fresh sibling folder and swapped in only when all
of them are done, so a failed build leaves the previous outputs as they were.
"""
from __future__ import annotations

import errno
import functools
import gc
import hashlib
import multiprocessing
import os
import shutil
import sys
import tempfile
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from lxml.etree import SerialisationError

from bcf_schema.framework import Framework

from . import cache_keys, document, folders, pdf, registry
from .deterministic import document_time

# The outputs are declared in renderers/registry.py; these names are for the steps that need one of them.
NARRATIVE_MD = registry.get("narrative-markdown").file
NARRATIVE_DOCX = registry.get("narrative-word").file
NARRATIVE_PDF = registry.get("narrative-pdf").file  # made from the Word file by LibreOffice (renderers.pdf)
TEMPLATE_XLSX = registry.get("planning-template").file
PLAN_YAML = registry.get("plan-yaml").file  # the validated bytes: a folder whose copy matches is that plan's
WORKER_PLANS = 20  # plans a worker process renders before a fresh one takes over


@dataclass(frozen=True)
class PlanSource:
    path: Path  # plans/<hwb>/<period>.yaml
    data: dict
    framework: Framework
    raw: bytes | None = None  # the bytes that were validated: these, not the file as it is now, are published

    @property
    def content(self) -> bytes:
        return self.raw if self.raw is not None else self.path.read_bytes()

    @property
    def slug(self) -> str:
        """Where the plan's outputs go: <hwb folder>/<period>."""
        return f"{self.path.parent.name}/{self.path.stem}"


def clashes(sources: Iterable[PlanSource]) -> list[str]:
    """Plans whose outputs would go to the same folder (x.yaml beside x.yml, a/h/p.yaml and h/p.yaml)."""
    first: dict[str, PlanSource] = {}
    found = []
    for source in sources:
        # One folder on a case-insensitive disk (and on GitHub Pages), or after Unicode normalisation (macOS).
        key = unicodedata.normalize("NFC", source.slug).casefold()
        if key in first:
            found.append(f"{first[key].path} and {source.path} would both be published as {source.slug}/ "
                         "(a plan's outputs go to <its folder's name>/<its file name>): rename or move one of them")
        else:
            first[key] = source
    return found


def render_plan(source: PlanSource, folder: Path) -> list[Path]:
    """Every rendered output of the registry into folder, written only once all of them are made."""
    folder.mkdir(parents=True, exist_ok=True)
    files, failed = {}, ""
    for output in registry.rendered():
        try:
            files[output.file] = output.render(source)
        except SerialisationError as err:  # openpyxl writes each sheet to a temporary file through lxml
            failed = str(err)
        if failed:
            raise _io_error(failed, folder / output.file)
    for name, content in files.items():
        (folder / name).write_bytes(content)
    return [folder / name for name in files]


def _io_error(lxml_code: str, path: Path) -> OSError:
    """lxml's IO_ENOSPC as the OSError it stands for, after dropping what the failed write left: its
    half-closed writer would otherwise print a traceback when it is collected."""
    hook, sys.unraisablehook = sys.unraisablehook, lambda unraisable: None
    try:
        gc.collect()
    finally:
        sys.unraisablehook = hook
    code = getattr(errno, lxml_code.removeprefix("IO_"), errno.EIO)
    return OSError(code, os.strerror(code), str(path))


def is_documents_folder(folder: Path) -> bool:
    """A build folder written before bcfc marked its outputs: only <hwb>/<period>/<document> files."""
    names = registry.files()
    return all(len(p.relative_to(folder).parts) == 3 and p.name in names
               for p in folder.rglob("*") if not p.is_dir())


def render_into(sources: list[PlanSource], folder: Path, progress: Callable[[PlanSource], None] = lambda s: None,
                *, cache: Path | None = None, jobs: int | None = None) -> int:
    """Render every plan into folder/<hwb>/<period>/; return how many were rendered (not cached).

    With a cache folder, a plan whose inputs (its file, its framework, the renderers' code) are
    unchanged since an earlier build is linked from the cache instead of rendered again; the plans
    that do need rendering are spread over the cores."""
    todo = []
    keys = {id(source): document_key(source) for source in sources} if cache else {}
    for source in sources:
        cached = cache / keys[id(source)] if cache else None
        if cached is not None and cached.is_dir():
            folders.link_tree(cached, folder / source.slug)  # linked, not copied: written once
            progress(source)
        else:
            todo.append((source, cached))
    jobs = min(jobs or os.cpu_count() or 1, len(todo))
    if jobs > 1 and "fork" in multiprocessing.get_all_start_methods():
        global _todo, _folder
        _todo, _folder = todo, folder  # inherited by the forked workers: only indexes are sent
        # One plan of each framework rendered here first: what rendering makes once a process (the Word
        # template and styles, the workbook's layout) is then made once, not again in every worker.
        first: dict[str, int] = {}
        for index, (source, _) in enumerate(todo):
            first.setdefault(source.framework.period, index)
        for index in first.values():
            _render_one(index, todo, folder)
            progress(todo[index][0])
        frozen = gc.get_freeze_count()  # bcfc build freezes the plans itself, for the whole build
        gc.collect()
        gc.freeze()  # keep the collector from touching, and so copying, the pages workers share with us
        # A worker's memory grows with every plan it renders (copied-on-write pages, the Office
        # libraries' caches); replacing it every WORKER_PLANS plans keeps a national build's peak flat.
        done = set(first.values())
        rest = [index for index in range(len(todo)) if index not in done]
        if rest:  # no workers forked for nothing
            with multiprocessing.get_context("fork").Pool(min(jobs, len(rest)), maxtasksperchild=WORKER_PLANS) as pool:
                for index in pool.imap(_render_one, rest):
                    progress(todo[index][0])
        if not frozen:
            gc.unfreeze()
    else:
        for index, (source, cached) in enumerate(todo):
            _render_one(index, todo, folder)
            progress(source)
    if cache is not None:  # keep only what this build used, so the cache does not grow without end
        used = set(keys.values())
        for entry in cache.iterdir() if cache.is_dir() else ():
            if entry.name not in used:
                shutil.rmtree(entry, ignore_errors=True)
    return len(todo)


_todo: list = []
_folder: Path = Path()


def _render_one(index: int, todo: list | None = None, folder: Path | None = None) -> int:
    source, cached = (todo or _todo)[index]
    target = (folder or _folder) / source.slug
    render_plan(source, target)
    if cached is not None:  # written aside, then renamed: a cut-off build never leaves half an entry
        cached.parent.mkdir(parents=True, exist_ok=True)
        partial = Path(tempfile.mkdtemp(prefix=f".{cached.name}-", dir=cached.parent))
        folders.link_tree(target, partial)
        try:
            partial.rename(cached)
        except OSError:  # another build filled it meanwhile
            shutil.rmtree(partial, ignore_errors=True)
    return index


@functools.cache
def _renderer_digest() -> str:
    """The renderers' own code (subpackages included): a change to it makes every cached document stale."""
    digest = hashlib.sha256()
    root = Path(__file__).parent
    for module in sorted(p for p in root.rglob("*.py") if "__pycache__" not in p.parts):
        digest.update(module.relative_to(root).as_posix().encode() + b"\0" + module.read_bytes())
    return digest.hexdigest()


def document_key(source: PlanSource) -> str:
    """What a plan's documents depend on: its bytes and path (the template records it), its framework
    the renderers, and the versions of bcfc and the libraries that shape the documents."""
    digest = hashlib.sha256(_renderer_digest().encode())
    digest.update(cache_keys.libraries().encode() + b"\0")
    digest.update(" ".join(o.file for o in registry.rendered()).encode() + b"\0")  # an output added or dropped
    digest.update(source.path.as_posix().encode() + b"\0")
    digest.update(source.content)
    for name in ("framework.yaml", "plan.schema.json"):
        digest.update(cache_keys.file_bytes(source.framework.folder / name))
    return digest.hexdigest()[:32]


def render_pdfs(sources: list[PlanSource], folder: Path, *, cache: Path | None = None) -> int:
    """Every plan's narrative.pdf from its narrative.docx in folder/<hwb>/<period>/, in one LibreOffice run;
    return how many were converted (not cached). Call only when pdf.available() is None."""
    jobs = [pdf.Job(folder / s.slug / NARRATIVE_DOCX, folder / s.slug / NARRATIVE_PDF,
                    document_time(document.plan_date(s.data))) for s in sources]
    converted = pdf.convert(jobs, cache)
    if cache is not None and cache.is_dir():  # keep only what this build used
        used = {pdf.cache_name(job) for job in jobs}
        for entry in cache.iterdir():
            if entry.name not in used:
                entry.unlink()
    return converted
