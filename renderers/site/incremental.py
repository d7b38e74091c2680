"""Incremental site builds: after one plan changes, only its pages are generated and rendered again.

MkDocs can skip a page whose source file is older than its output (`build --dirty`); what it
cannot do alone is keep the parts of a build that are not pages. This module supplies them:

- `WorkDir` keeps the last build's output and the generated page sources between builds, and
  says when a dirty build is safe (same configuration and code, no plan removed);
- `SourceTree` writes a generated file only when its bytes changed, so its time stays older
  than its output and MkDocs skips it;
- `PageCache` keeps each plan's generated pages by content hash, so an unchanged plan costs a
  file read, not a render;
- `merge_search_index` puts the search entries of the pages MkDocs skipped back into the index,
  from the last build's index, in the order a full build writes them.

A dirty build must give the same bytes as a clean one: tests compare the two trees.
"""
from __future__ import annotations

import base64
import functools
import hashlib
import json
import shutil
from pathlib import Path

from .. import cache_keys, folders

SITE_CODE = Path(__file__).parent


def code_digest() -> str:
    """The site code, its templates and assets, the renderers, and the versions of bcfc and the
    libraries that shape the site (MkDocs, its theme, Jinja2 ...)."""
    return hashlib.sha256(f"{_code_only()}\0{cache_keys.libraries()}".encode()).hexdigest()


@functools.cache
def _code_only() -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in SITE_CODE.parent.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(path.relative_to(SITE_CODE.parent).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


class SourceTree:
    """A folder of generated files, each rewritten only when its content changed."""

    def __init__(self, root: Path):
        self.root = root

    def write(self, src_uri: str, content: str | bytes) -> Path:
        path = self.root / src_uri
        data = content.encode("utf-8") if isinstance(content, str) else content
        try:
            if path.read_bytes() == data:
                return path  # unchanged: its old time tells MkDocs the output is up to date
        except OSError:
            path.parent.mkdir(parents=True, exist_ok=True)
        # A new file, never the old one rewritten: the old one may be linked into the published site.
        partial = path.with_name(f".{path.name}.partial")
        partial.write_bytes(data)
        partial.replace(path)
        return path

    def link(self, src_uri: str, existing: Path) -> Path:
        """src_uri as a hard link to a file bcfc already wrote (a plan's document in the build): the
        same bytes, not written again."""
        path = self.root / src_uri
        try:
            if path.samefile(existing):
                return path
            path.unlink()
        except FileNotFoundError:
            path.parent.mkdir(parents=True, exist_ok=True)
        folders.link_or_copy(existing, path)
        return path

    def prune(self, keep: set[str]) -> None:
        for path in sorted(self.root.rglob("*"), reverse=True):
            if path.is_file() and path.relative_to(self.root).as_posix() not in keep:
                path.unlink()


class PageCache:
    """Each plan's generated files (pages, charts, downloads) by the hash of everything they come from.

    An entry names the files; their bytes are the generated sources the last build left (`sources`).
    A key found here was used by the last build (prune keeps only those), and that build wrote those
    files, so a hit costs no render, no read and no write. Without sources, entries hold the content."""

    def __init__(self, root: Path, sources: SourceTree | None = None):
        self.root = root
        self.sources = sources
        self.used: set[str] = set()

    def get(self, key: str) -> dict[str, str | bytes | Path] | None:
        self.used.add(key)
        try:
            stored = json.loads((self.root / f"{key}.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if isinstance(stored, list):  # names only: the files are in sources
            files = {name: self.sources.root / name for name in stored} if self.sources else {}
            return files if files and all(path.is_file() for path in files.values()) else None
        return {name: base64.b64decode(value["bytes"]) if "bytes" in value else value["text"]
                for name, value in stored.items()}

    def put(self, key: str, files: dict[str, str | bytes | Path]) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        if self.sources is not None:
            stored = list(files)  # in the order they were made: the order of the pages and the search index
        else:
            stored = {name: {"bytes": base64.b64encode(value).decode()} if isinstance(value, bytes)
                      else {"text": value} for name, value in files.items()}
        (self.root / f"{key}.json").write_text(json.dumps(stored), encoding="utf-8")

    def drawn(self, draw, *args, **options) -> bytes:
        """draw(*args, **options) (a chart's SVG), kept by its arguments: a comparison chart is drawn
        again only when its figures change. The chart code is in the work folder's signature."""
        key = hashlib.sha256(repr((draw.__module__, draw.__qualname__, args, sorted(options.items()))).encode())
        name = f"{key.hexdigest()[:32]}.svg"
        self.used.add(name)
        try:
            return (self.root / name).read_bytes()
        except OSError:
            pass
        svg = draw(*args, **options)
        self.root.mkdir(parents=True, exist_ok=True)
        partial = self.root / f"{name}.partial"
        partial.write_bytes(svg)
        partial.replace(self.root / name)  # a cut-off build leaves no half chart
        return svg

    def prune(self) -> None:
        for path in self.root.glob("*.json"):
            if path.stem not in self.used:
                path.unlink()
        for path in self.root.glob("*.svg"):
            if path.name not in self.used:
                path.unlink()


class WorkDir:
    """.bcfc-cache/site: the last build's output (`site/`), generated sources, caches and state."""

    def __init__(self, root: Path):
        self.root = root
        self.site = root / "site"
        self.sources = SourceTree(root / "sources")
        self.pages = PageCache(root / "pages", self.sources)
        self.last_index = root / "last-search-index.json"  # the last build's search index, moved aside
        self.state_file = root / "state.json"
        self.compiled = root / "templates"

    def template_cache(self, environment: str):
        """Compiled page templates, kept by the hash of their source: compiling the theme's and bcfc's
        templates cost 0.6 s of a one-word rebuild. Speed only: a template's output is the same either way.
        One folder per Jinja environment: the compiled code holds its environment's options (finalize ...)."""
        import jinja2

        folder = self.compiled / environment
        folder.mkdir(parents=True, exist_ok=True)
        return jinja2.FileSystemBytecodeCache(str(folder))

    def state(self) -> dict:
        try:
            return json.loads(self.state_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}

    def can_build_dirty(self, signature: str, plans: set[str]) -> bool:
        """Same configuration and code, and every plan of the last build still here (a removed
        plan's pages would otherwise linger)."""
        state = self.state()
        return (self.site.is_dir() and state.get("signature") == signature
                and set(state.get("plans", [])) <= plans)

    def reset(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)

    def save(self, signature: str, plans: set[str]) -> None:
        self.state_file.write_text(json.dumps({"signature": signature, "plans": sorted(plans)}), encoding="utf-8")


def signature(config_file: Path, *extra: str | bytes) -> str:
    """What every page depends on: the code, the MkDocs configuration and anything else given
    (the repository's bcfc.yaml, the built-in configuration's settings, whether drafts are shown)."""
    digest = hashlib.sha256(code_digest().encode())
    digest.update(config_file.read_bytes())
    for item in extra:
        digest.update(b"\0" + (item if isinstance(item, bytes) else item.encode()))
    return digest.hexdigest()


def remove_stale_outputs(site: Path, expected: set[Path], since: float) -> None:
    """Files of the site that this build neither expects nor wrote: what a clean build would not have."""
    for path in sorted(site.rglob("*"), reverse=True):
        if path.is_file() and path not in expected and path.stat().st_mtime < since:
            path.unlink()
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()


def _page_of(location: str) -> str:
    return location.split("#", 1)[0]


def _by_page(entries: list[dict]) -> dict[str, list]:
    pages: dict[str, list] = {}
    for entry in entries:
        pages.setdefault(_page_of(entry["location"]), []).append(entry)
    return pages


def merge_search_index(index_file: Path, last_index: Path, page_order: list[str]) -> None:
    """After a dirty build the theme's search index holds only the pages built this time: add the
    other pages' entries from the last build's index (last_index, moved aside before the build), in page order."""
    index = json.loads(index_file.read_text(encoding="utf-8"))
    fresh = _by_page(index["docs"])
    try:
        kept = _by_page(json.loads(last_index.read_text(encoding="utf-8"))["docs"])
    except (OSError, ValueError, KeyError, TypeError):
        kept = {}
    last_index.unlink(missing_ok=True)
    index["docs"] = [entry for page in page_order for entry in fresh.get(page, kept.get(page, []))]
    # The theme's own serialisation, so a dirty build writes the bytes a clean one does.
    index_file.write_text(json.dumps(index, separators=(",", ":"), default=str), encoding="utf-8")
