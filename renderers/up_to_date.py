"""A rebuild with nothing changed writes nothing: the last build's inputs and outputs, by fingerprint.

After a build succeeds, `.bcfc-cache/last-build.json` records two fingerprints: one of everything the
build could have read (bcfc's code and the versions of the libraries that shape an output, every
file of the repository but its outputs, the plans, house rules and MkDocs configuration wherever
they are, the options, LibreOffice), taken before the build read anything, and one of everything it
wrote (each file of build/ and the site: its path, size, times and inode). When both are the same at
the next build, the outputs are already what that build would make: bcfc says what the last build
said, its warnings included, and touches nothing. Anything else, a file merely saved again
included, builds as usual, and the caches keep that cheap.

A file's fingerprint is its size and its modification and change times (the change time cannot be
set back by any tool, so an edit that restores the old modification time is still seen), as git and
make judge a file; reading every byte would cost as much as checking the plans.

Not watched: files outside the repository that mkdocs.yml names (a theme folder elsewhere). After
changing one, delete .bcfc-cache/last-build.json, or touch mkdocs.yml.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

from . import cache_keys

STAMP = "last-build.json"
CODE = Path(__file__).resolve().parent.parent  # bcf_schema/, renderers/, bcfc/: what checks and renders
NOT_INPUTS = {"node_modules", "__pycache__"}  # tools' folders, never read by a build


@dataclass(frozen=True)
class LastBuild:
    inputs: str
    outputs: str
    said: str  # what the build said about the plans (its warnings), said again when nothing changed
    plans: int
    site_dir: str | None
    on_site: int
    drafts_left_off: int


def _files(folder: Path, skip: set[Path]):
    """Every file under folder (symbolic links followed to their files, not into folders), in a stable
    order; the folders in skip and those a tool keeps (.git, .venv, node_modules) are left out.
    Paths as text, not pathlib's: a national site is 7,000 files, and this runs before every build."""
    skipped = {os.path.abspath(p) for p in skip}
    for root, dirs, names in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in NOT_INPUTS
                         and os.path.abspath(os.path.join(root, d)) not in skipped)
        for name in sorted(names):
            yield os.path.join(root, name)


def _stat_line(path: str | Path) -> bytes:
    try:
        info = os.stat(path)
    except OSError:
        return f"{path}\0missing\n".encode()
    return f"{path}\0{info.st_size}\0{info.st_mtime_ns}\0{info.st_ctime_ns}\0{info.st_ino}\n".encode()


def _tree_digest(folders: list[Path], skip: set[Path] = frozenset()) -> str:
    digest = hashlib.sha256()
    for folder in folders:
        digest.update(f"[{folder}]\n".encode())
        if folder.is_dir():
            for path in _files(folder, skip):
                digest.update(_stat_line(path))
        else:
            digest.update(_stat_line(folder))
    return digest.hexdigest()


def _code_digest() -> str:
    digest = hashlib.sha256(cache_keys.libraries().encode())
    registry = sys.modules.get("renderers.registry")
    if registry is not None:  # outputs registered at run time (a program using bcfc); else the code says them
        digest.update(" ".join(o.file for o in registry.rendered()).encode())
    for package in ("bcf_schema", "renderers", "bcfc"):
        for path in _files(CODE / package, set()):
            digest.update(_stat_line(path))
    return digest.hexdigest()


def inputs_digest(*, plans_dir: Path, out_dir: Path, cache: Path, config_file: str | None,
                  rules_file: str | None, options: dict, site_dir: str | None) -> str:
    """Everything a build could read, and how it was asked to build."""
    root = Path.cwd().absolute()
    outputs = {Path(p).absolute() for p in (out_dir, cache, "site", site_dir) if p}
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    explicit = [Path(p).absolute() for p in (plans_dir, config_file, rules_file) if p]
    return hashlib.sha256("\n".join([
        _code_digest(),
        _tree_digest([root], outputs),
        _tree_digest(explicit, outputs),  # given from outside the repository, perhaps
        json.dumps(options, sort_keys=True),
        _stat_line(Path(soffice).resolve()).decode() if soffice else "no LibreOffice",
    ]).encode()).hexdigest()


def outputs_digest(out_dir: Path, site_dir: str | None) -> str:
    return _tree_digest([Path(out_dir).absolute(), *([Path(site_dir).absolute()] if site_dir else [])])


def _last(cache: Path) -> LastBuild | None:
    try:
        return LastBuild(**json.loads((cache / STAMP).read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None


def last_site_dir(cache: Path) -> str | None:
    """Where the last build put the site: an output, so not an input of the next."""
    last = _last(cache)
    return last.site_dir if last else None


def unchanged(cache: Path, inputs: str, out_dir: Path) -> LastBuild | None:
    """The last build, if its inputs were these and its outputs are as it left them."""
    last = _last(cache)
    if last is None or last.inputs != inputs or last.outputs != outputs_digest(out_dir, last.site_dir):
        return None
    return last


def forget(cache: Path) -> None:
    """Before a build changes anything: a build cut off midway is never taken for the last one."""
    (cache / STAMP).unlink(missing_ok=True)


def record(cache: Path, last: LastBuild) -> None:
    cache.mkdir(parents=True, exist_ok=True)
    partial = cache / f".{STAMP}.partial"
    partial.write_text(json.dumps(asdict(last)), encoding="utf-8")
    partial.replace(cache / STAMP)
