"""What every cache key holds beside its inputs: the versions of bcfc and of each library that shapes an output.

An upgrade of any of them can change the bytes of a document, a page or a PDF, so a cache
filled before it must not serve them: the documents cache (renderers/outputs.py), the site's
page cache and dirty-build signature (renderers/site/incremental.py) and the PDF cache
(renderers/pdf.py) all add `libraries()` to their keys.
"""
from __future__ import annotations

import functools
from importlib import metadata
from pathlib import Path

SHAPING = (
    "bcfc",  # itself: a release can change any output
    "openpyxl",  # the planning template
    "python-docx",  # the Word narrative
    "mkdocs", "mkdocs-material",  # the site's pages, theme and search index
    "markdown-it-py",  # plan Markdown, in every output
    "jinja2",  # the site's page templates
    "pikepdf",  # the PDF's metadata and /ID
)


@functools.cache
def versions() -> dict[str, str]:
    found = {}
    for name in SHAPING:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


def libraries() -> str:
    """'bcfc=0.1.0;openpyxl=3.1.5;...': add it to a cache key."""
    return ";".join(f"{name}={version}" for name, version in versions().items())


def file_bytes(path: Path) -> bytes:
    """A framework's file for a key, read once while it is unchanged: every plan's keys hold its framework's
    files, and a national build would otherwise read them a thousand times."""
    info = path.stat()
    return _read(path, info.st_mtime_ns, info.st_size)


@functools.lru_cache(maxsize=64)
def _read(path: Path, _mtime_ns: int, _size: int) -> bytes:
    return path.read_bytes()
