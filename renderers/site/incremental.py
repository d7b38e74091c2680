"""Incremental site builds: after one plan changes, only its pages are generated and rendered again.

MkDocs can skip a page whose source file is older than its output (`build --dirty`); what it
cannot do alone is keep the parts of a build that are not pages. This module supplies them:

- `WorkDir` keeps the last build's output and the generated page sources between builds, and
  says when a dirty build is safe (same configuration and code, no plan removed);
- `SourceTree` writes a generated file only when its bytes changed, so its time stays older
  than its output and MkDocs skips it;
- `PageCache` keeps each plan's generated pages by content hash, so an unchanged plan costs a
  file read, not a render;
- `write_search_index` puts the search entries of the pages MkDocs skipped back into the index,
  from the last build's index, in the order a full build writes them.

A dirty build must give the same bytes as a clean one: tests compare the two trees.
"""
from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
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
        """Remove the files not in keep (site paths)."""
        root = os.path.abspath(self.root)
        for folder, _dirs, names in os.walk(root):
            at = os.path.relpath(folder, root).replace(os.sep, "/")
            for name in names:
                if (name if at == "." else f"{at}/{name}") not in keep:
                    os.unlink(os.path.join(folder, name))


class PageCache:
    """Each plan's generated files (pages, charts, downloads), and the pages across plans, by the hash of
    everything they come from.

    An entry names the files; their bytes are the generated sources the last build left (`sources`).
    A key found here was used by the last build (prune keeps only those), and that build wrote those
    files, so a hit costs no render, no read and no write. An entry also names the comparison charts
    its pages drew (`drawn`), so they stay while it is used."""

    def __init__(self, root: Path, sources: SourceTree):
        self.root = root
        self.sources = sources
        self.used: set[str] = set()

    def get(self, key: str) -> dict[str, Path] | None:
        self.used.add(key)
        try:
            stored = json.loads((self.root / f"{key}.json").read_text(encoding="utf-8"))
            names, charts = stored["files"], stored["charts"]
        except (OSError, ValueError, TypeError, KeyError):
            return None
        root = os.fspath(self.sources.root)
        if not names or not all(os.path.isfile(os.path.join(root, name)) for name in names):
            return None
        files = {name: self.sources.root / name for name in names}
        self.used.update(charts)
        return files

    def put(self, key: str, files: dict[str, str | bytes | Path], charts: list[str] = ()) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        # in the order they were made: the order of the pages and the search index
        stored = {"files": list(files), "charts": list(charts)}
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
        self.published = root / "published"  # the site this build's replaces: the next build's staging folder
        self.sources = SourceTree(root / "sources")
        self.pages = PageCache(root / "pages", self.sources)
        self.last_index = root / "last-search-index.json"  # the last build's search index, moved aside
        self.search_pages = root / "search-pages.json"  # where each page's entries are in the site's search index
        self.search_spool = root / "search-spool"  # this build's search entries, as its pages are built
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
    """Files of the site that this build neither expects nor wrote, and folders left empty: what a clean
    build would not have. Only the files not expected are looked at (a national site has 7,000 others)."""
    expected_names = {os.path.abspath(path) for path in expected}
    for root, dirs, names in os.walk(os.path.abspath(site), topdown=False):
        for name in names:
            path = os.path.join(root, name)
            if path not in expected_names and os.stat(path).st_mtime < since:
                os.unlink(path)
        if not os.listdir(root) and root != os.path.abspath(site):
            os.rmdir(root)


def _page_of(location: str) -> str:
    return location.split("#", 1)[0]


def _by_page(entries: list[dict]) -> dict[str, list]:
    pages: dict[str, list] = {}
    for entry in entries:
        pages.setdefault(_page_of(entry["location"]), []).append(entry)
    return pages


def _dumps(value) -> str:
    """The theme's own serialisation of its search index, so a dirty build writes the bytes a clean one does."""
    return json.dumps(value, separators=(",", ":"), default=str)


class SearchSpool:
    """Each page's search entries, as the theme would write them, kept on disk as the pages are built.

    The theme holds every section's text as Python objects to the end of the build and then writes the
    index as one string, and that string again as bytes: for 1,000 plans 240 MiB at the build's peak.
    Spooled, each page's entries are let go once indexed. The spool is written as the index itself, after
    the theme's own beginning of it (`head`): when a clean build's pages came in page order, the spool,
    finished, becomes the index, and the index is written once."""

    def __init__(self, path: Path, head: bytes):
        self.path = path
        self.head = head
        self.file = open(path, "wb")
        self.file.write(head)
        self.places: dict[str, list[tuple[int, int]]] = {}  # page -> where its entries are, in the order written

    def add(self, entries: list[dict]) -> None:
        """Take the entries the theme has just made (emptying its list)."""
        for page, group in _by_page(entries).items():
            part = ",".join(_dumps(entry) for entry in group).encode()
            if self.places:
                self.file.write(b",")
            begin = self.file.tell()
            self.file.write(part)
            self.places.setdefault(page, []).append((begin, begin + len(part)))
        entries.clear()

    def finish_as(self, index_file: Path, head: bytes, tail: bytes, page_order: list[str]) -> dict | None:
        """The spool made the index, if it is one: the theme's beginning, and each page's entries together
        and in page order. Where each page is, or None (and the spool is left to be copied from)."""
        if head != self.head or any(len(at) > 1 for at in self.places.values()) \
                or not _in_page_order(self.places, page_order):
            return None
        self.file.write(b"]" + tail)
        self.file.close()
        os.replace(self.path, index_file)
        return {page: list(at[0]) for page, at in self.places.items()}

    def parts(self) -> dict[str, list[tuple[int, int]]]:
        self.file.close()
        return self.places


def write_search_index(index_file: Path, page_order: list[str], pages_file: Path, last_index: Path | None,
                       spool: SearchSpool | None = None) -> None:
    """The theme's search index in page order, and where each page's entries are in it (pages_file).

    The entries of the pages built this time are the theme's index's and the spool's (written as the pages
    were built: the theme's index then has none). After a dirty build (last_index: the last build's index,
    moved aside before it) the other pages' entries are copied from the last index as bytes, from the
    places pages_file gives. Without a spool or a last index the theme's index is already in page order:
    only where its pages are is found, by scanning, not parsing. JSON escapes every character beyond
    ASCII: a character is a byte. Written in pieces: the index is never held whole in memory."""
    text = index_file.read_bytes()
    if last_index is None and spool is None:
        found = _places(text)
        if found is not None and _in_page_order(found, page_order):
            _describe(pages_file, len(text), found)
            return
    index = json.loads(text)
    fresh = {page: ",".join(_dumps(entry) for entry in entries).encode()
             for page, entries in _by_page(index["docs"]).items()}
    del text
    last, kept_at = _last_entries(last_index, pages_file) if last_index is not None else (None, {})
    head, tail = _dumps({**index, "docs": []}).encode().rsplit(b'"docs":[]', 1)
    head += b'"docs":['
    if spool is not None and last_index is None and not fresh:
        found = spool.finish_as(index_file, head, tail, page_order)
        if found is not None:
            _describe(pages_file, index_file.stat().st_size, found)
            return
    spooled = spool.parts() if spool is not None else {}
    places, at = {}, len(head)
    with open(index_file, "wb") as out, \
            open(spool.path, "rb") if spooled else contextlib.nullcontext() as spooled_file, \
            open(last, "rb") if kept_at else contextlib.nullcontext() as last_file:
        out.write(head)
        for page in page_order:
            if page in fresh:
                pieces = [fresh[page]]
            elif page in spooled:
                pieces = [os.pread(spooled_file.fileno(), end - begin, begin) for begin, end in spooled[page]]
            elif page in kept_at:
                begin, end = kept_at[page]
                pieces = [os.pread(last_file.fileno(), end - begin, begin)]
            else:
                continue
            part = b",".join(pieces)
            if places:
                out.write(b",")
                at += 1
            places[page] = [at, at + len(part)]
            out.write(part)
            at += len(part)
        out.write(b"]" + tail)
    if spool is not None:
        spool.path.unlink(missing_ok=True)
    if last_index is not None:
        last_index.unlink(missing_ok=True)
    _describe(pages_file, at + 1 + len(tail), places)


def _in_page_order(pages: dict, page_order: list[str]) -> bool:
    return list(pages) == [page for page in page_order if page in pages]


def _describe(pages_file: Path, length: int, places: dict[str, list[int]]) -> None:
    pages_file.write_text(json.dumps({"length": length, "pages": places}), encoding="utf-8")


ENTRY = b'{"location":"'  # how the theme writes each entry's start: never inside a JSON string, whose quotes are escaped


def _places(text: bytes) -> dict[str, list[int]] | None:
    """Page -> [start, end] of its entries in a search index as the theme writes it, in the index's order;
    None if the text is not such an index or a page's entries are not together."""
    docs = text.find(b',"docs":[')
    if docs == -1 or not text.endswith(b"]}"):
        return None
    last = len(text) - 2
    places: dict[str, list[int]] = {}
    at = text.find(ENTRY, docs)
    try:
        while at != -1:
            close = text.index(b'"', at + len(ENTRY))
            page = _page_of(json.loads(text[at + len(ENTRY) - 1:close + 1]))
            following = text.find(b"," + ENTRY, close)
            end = following if following != -1 else last
            if page in places:
                if next(reversed(places)) != page:
                    return None  # this page's entries are apart
                places[page][1] = end
            else:
                places[page] = [at, end]
            at = following + 1 if following != -1 else -1
    except ValueError:
        return None
    return places


def _last_entries(last_index: Path, pages_file: Path) -> tuple[Path | None, dict[str, list[int]]]:
    """The last index and where each page's entries are in it, as pages_file says, or found again where it
    does not describe them (the last build was cut off, or made by an older bcfc)."""
    try:
        length = last_index.stat().st_size
    except OSError:
        return None, {}
    try:
        described = json.loads(pages_file.read_bytes())
        if described["length"] == length:
            return last_index, described["pages"]
    except (OSError, ValueError, KeyError, TypeError):
        pass
    try:
        return last_index, _places(last_index.read_bytes()) or {}
    except OSError:
        return None, {}
