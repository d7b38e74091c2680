"""The folders bcfc replaces (build/, site/, .bcfc-cache/): only its own, swapped in together.

- `check_replaceable`: a folder bcfc may delete and write is one it made (it holds MARKER), an
  empty one, or one not there yet; never a symlink, the project, plans/, docs/ or a folder that
  holds them. Anything else is an OutputFolderError, before anything is touched.
- `Swap`: outputs are written into staging folders beside their targets (`.build.new-*`); on
  commit a journal naming every (stage, target) pair is written first, then the renames. A build
  killed during the renames leaves the journal, and the next build finishes the swap before it
  starts, so build/ and site/ always end up from the same build.
- `clean_stale`: staging folders of builds that were killed (no live process holds their lock)
  are removed by the next build.
"""
from __future__ import annotations

import fcntl
import json
import os
import shutil
import tempfile
import time
from pathlib import Path

MARKER = ".bcfc-output"
MARKER_TEXT = "bcfc writes this folder and replaces it on every build: do not keep files here.\n"
JOURNAL_PREFIX = ".bcfc-swap-"


class OutputFolderError(Exception):
    """A folder bcfc was asked to replace is not its own; nothing was deleted."""


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _show(path: Path) -> str:
    """A path as the user gave it, or relative to the working folder when it is inside it."""
    if path.is_absolute() and _inside(path.resolve(), Path.cwd().resolve()):
        return os.path.relpath(path)
    return str(path)


def check_replaceable(target: Path, protected: list[Path] = (), roots: list[Path] = (), *, legacy=None) -> None:
    """Raise OutputFolderError unless bcfc may replace target. roots (the project) an output may not
    be or hold; protected (plans/, docs/) it may not be, hold or sit inside. legacy(target) -> bool
    recognises the outputs of a bcfc from before the marker."""
    shown = _show(target)
    if target.is_symlink():
        raise OutputFolderError(f"{shown} is a symbolic link (to {os.readlink(target)}); bcfc writes its outputs "
                                "only into real folders: remove the link, or give another folder")
    resolved = target.resolve()
    for folder in [*roots, *protected]:
        folder = Path(folder).resolve()
        if _inside(folder, resolved):
            what = "the project's folder" if folder in [Path(r).resolve() for r in roots] else f"{os.path.relpath(folder)}/"
            relation = "is" if folder == resolved else "holds"
            raise OutputFolderError(f"{shown} {relation} {what}, and bcfc replaces its output folders whole: "
                                    "give an output folder of its own (the default is build/)")
    for folder in protected:
        folder = Path(folder).resolve()
        if _inside(resolved, folder):
            raise OutputFolderError(f"{shown} is inside {os.path.relpath(folder)}: give an output folder outside it")
    if not resolved.exists():
        return
    if not resolved.is_dir():
        raise OutputFolderError(f"{shown} is a file, not a folder: give a folder for the outputs")
    if (resolved / MARKER).is_file() or not any(resolved.iterdir()) or (legacy is not None and legacy(resolved)):
        return
    raise OutputFolderError(f"{shown} holds files bcfc did not write (it has no {MARKER} file), so bcfc will not "
                            "replace it: give an empty or new folder, or move those files away first")


def io_message(err: OSError) -> str:
    """An I/O error as a planning lead would read it: what failed, on which file, and what to do."""
    name = getattr(err, "filename", None)
    reason = err.strerror or str(err)
    hint = {28: " (the disk is full: free some space and build again)",
            27: " (a file is larger than this system allows)",
            13: " (check the folder's permissions)", 30: " (the disk is read-only)"}.get(err.errno or 0, "")
    return f"{name}: {reason}{hint}" if name else f"{reason}{hint}"


def _lock(folder: Path, *, wait: bool = True) -> int | None:
    """An exclusive lock on a folder, held until the descriptor is closed or the process dies."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
    except BlockingIOError:
        os.close(fd)
        return None
    return fd


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _old(target: Path) -> Path:
    return target.parent / f".{target.name}.old"


def _finish(pairs: list[tuple[Path, Path]], keep: dict[Path, Path] = {}) -> None:  # noqa: B006 (never changed)
    """Rename every stage into place (each step can be repeated after a kill), then drop the old copies,
    or move them to keep[target] for the next build to start from (see Swap.stage)."""
    for stage, target in pairs:
        if stage.is_dir():
            if target.exists() or target.is_symlink():
                shutil.rmtree(_old(target), ignore_errors=True)
                target.rename(_old(target))
            stage.rename(target)
    for _, target in pairs:
        old = _old(target)
        if target in keep and old.is_dir() and not old.is_symlink():
            shutil.rmtree(keep[target], ignore_errors=True)
            try:
                old.rename(keep[target])
                continue
            except OSError:  # another disk: dropped, as without keep
                pass
        shutil.rmtree(old, ignore_errors=True)


def _journal_pairs(journal: Path, parent: Path) -> list[tuple[Path, Path]]:
    """The swaps a journal names that are still to do, and that bcfc could have written: a staging
    folder of its own beside its target, in the journal's folder, and a target that is bcfc's or gone.
    A journal cut off while being written (no rename had started) or one bcfc did not write gives none."""
    try:
        pairs = [(Path(s), Path(t)) for s, t in json.loads(journal.read_text(encoding="utf-8"))]
    except (OSError, ValueError, TypeError):
        return []
    parent = parent.resolve()
    return [(stage, target) for stage, target in pairs
            if stage.parent == parent and target.parent == parent and stage.name.startswith(f".{target.name}.new-")
            and stage.is_dir() and not stage.is_symlink() and (stage / MARKER).is_file()
            and not target.is_symlink() and (not target.exists() or (target / MARKER).is_file())]


def _abandoned_empty(folder: Path) -> bool:
    """A staging folder killed before its marker was written: empty, and older than any live one could be."""
    return not any(folder.iterdir()) and time.time() - folder.stat().st_mtime > 60


def recover(parent: Path) -> None:
    """Finish a swap a killed build left half done (its journal is in parent), and remove staging
    folders no live build holds."""
    if not parent.is_dir():
        return
    lock = _lock(parent)
    try:
        for journal in sorted(parent.glob(f"{JOURNAL_PREFIX}*.json")):
            _finish(_journal_pairs(journal, parent))
            journal.unlink(missing_ok=True)
        for stale in sorted(parent.glob(".*.new-*")):
            if stale.is_dir() and not stale.is_symlink() and ((stale / MARKER).is_file() or _abandoned_empty(stale)):
                held = _lock(stale, wait=False)
                if held is not None:  # no live build holds it: left by a killed one
                    os.close(held)
                    shutil.rmtree(stale, ignore_errors=True)
        for old in parent.glob(".*.old"):
            if old.is_dir() and not old.is_symlink() and (old / MARKER).is_file():
                shutil.rmtree(old, ignore_errors=True)
    finally:
        os.close(lock)


class Swap:
    """Staging folders that replace their targets together on commit, or are removed on abort."""

    def __init__(self, protected: list[Path] = (), roots: list[Path] = ()):
        self.protected, self.roots = [Path(p) for p in protected], [Path(p) for p in roots]
        self.pairs: list[tuple[Path, Path]] = []
        self.kept: dict[Path, Path] = {}  # target -> where its replaced copy goes (stage's reuse)
        self._locks: list[int] = []

    def stage(self, target: Path, *, legacy=None, protected: list[Path] = (), roots: list[Path] = (),
              reuse: Path | None = None) -> Path:
        """A folder to write target's new content into (checked first: see check_replaceable): a fresh one,
        or with reuse, the copy of target this replaces the last time, kept there. Whoever fills it with
        link_tree then writes only what changed since (a national site is some 7,000 files and folders)."""
        check_replaceable(Path(target), [*self.protected, *protected], [*self.roots, *roots], legacy=legacy)
        target = Path(target).resolve()
        target.parent.mkdir(parents=True, exist_ok=True)
        recover(target.parent)
        stage = Path(tempfile.mkdtemp(prefix=f".{target.name}.new-", dir=target.parent))
        lock = _reused(reuse, stage) if reuse is not None else None
        self._locks.append(lock if lock is not None else _lock(stage))
        os.chmod(stage, 0o777 & ~_umask())  # mkdtemp's 0700 would hide the site from a web server
        (stage / MARKER).unlink(missing_ok=True)  # a new file: the old one may be linked elsewhere
        (stage / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
        self.pairs.append((stage, target))
        if reuse is not None:
            self.kept[target] = Path(reuse).absolute()
        return stage

    def commit(self) -> None:
        parents = sorted({target.parent for _, target in self.pairs})
        if not parents:
            return
        locks = [_lock(parent) for parent in parents]
        try:
            journals = [parent / f"{JOURNAL_PREFIX}{os.getpid()}.json" for parent in parents]
            for journal in journals:  # one in each folder: the next build there finishes the swaps in it
                partial = journal.with_suffix(".part")
                partial.write_text(json.dumps([[str(s), str(t)] for s, t in self.pairs]), encoding="utf-8")
                os.replace(partial, journal)
                _fsync_dir(journal.parent)
            _finish(self.pairs, self.kept)
            for journal in journals:
                journal.unlink()
        finally:
            for fd in locks:
                os.close(fd)
            self._release()

    def abort(self) -> None:
        for stage, _ in self.pairs:
            shutil.rmtree(stage, ignore_errors=True)
        self._release()

    def _release(self) -> None:
        for fd in self._locks:
            os.close(fd)
        self._locks = []

    def __enter__(self) -> Swap:
        return self

    def __exit__(self, kind, value, traceback) -> None:
        if kind is None:
            self.commit()
        else:
            self.abort()


def _reused(reuse: Path, stage: Path) -> int | None:
    """reuse moved onto the (empty) stage, locked first so no other build's recover() takes it for a
    stale stage; None where there is nothing to reuse or it is on another disk."""
    if not reuse.is_dir() or reuse.is_symlink():
        return None
    lock = _lock(reuse)
    try:
        os.rename(reuse, stage)
    except OSError:
        os.close(lock)
        return None
    return lock


def link_or_copy(source: str | Path, target: str | Path) -> None:
    """target as a hard link to source: the same bytes without writing them again. Files shared this way
    are never rewritten in place: a build writes a new file (a new inode) and renames or unlinks. A copy
    where the disk cannot link (another file system, one without hard links)."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def link_tree(source: str | Path, target: str | Path, *, keep: tuple[str, ...] = (MARKER,)) -> None:
    """Make target a folder of hard links to source's files (see link_or_copy) and nothing else but the
    names in keep at its top. A file target already links is left as it is, so filling a reused staging
    folder (Swap.stage) costs what changed. Walked with os.scandir, not shutil.copytree, whose stat
    and copystat of every file and folder cost a one-word rebuild 0.2 s."""
    os.makedirs(target, exist_ok=True)
    same_disk = os.stat(source).st_dev == os.stat(target).st_dev  # else inode numbers say nothing
    _mirror(os.fspath(source), os.fspath(target), same_disk, keep)


def _mirror(source: str, target: str, same_disk: bool, keep: tuple[str, ...]) -> None:
    with os.scandir(target) as entries:
        there = {entry.name: entry for entry in entries}
    with os.scandir(source) as entries:
        for entry in entries:
            have = there.pop(entry.name, None)
            path = os.path.join(target, entry.name)
            if entry.is_dir():
                if have is not None and not have.is_dir(follow_symlinks=False):
                    _remove(have)
                    have = None
                if have is None:
                    os.mkdir(path)
                _mirror(entry.path, path, same_disk, ())
                continue
            if have is not None:
                if same_disk and have.is_file(follow_symlinks=False) and have.inode() == entry.inode():
                    continue  # already this file
                _remove(have)
            link_or_copy(entry.path, path)
    for name, have in there.items():
        if name not in keep:
            _remove(have)


def _remove(entry: os.DirEntry) -> None:
    if entry.is_dir(follow_symlinks=False):
        shutil.rmtree(entry.path)
    else:
        os.unlink(entry.path)


def claim_cache(cache: Path, protected: list[Path] = (), roots: list[Path] = (),
                subfolders: tuple[str, ...] = ()) -> None:
    """Make cache (kept between builds, updated in place) bcfc's own, or raise OutputFolderError."""
    known = {MARKER, *subfolders}
    check_replaceable(cache, protected, roots, legacy=lambda folder: {p.name for p in folder.iterdir()} <= known)
    for name in subfolders:
        if (cache / name).is_symlink():
            check_replaceable(cache / name)  # raises: a symbolic link
    cache.mkdir(parents=True, exist_ok=True)
    if not (cache / MARKER).is_file():
        (cache / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
