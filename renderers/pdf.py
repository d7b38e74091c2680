"""The narrative as a tagged PDF: LibreOffice lays out the Word file and exports it.

LibreOffice (an operating-system package, `libreoffice-writer-nogui` with `python3-uno` on Debian)
is the converter because it lays out exactly the Word file a council tables, contents and page
numbers included, and writes a tagged PDF (headings, tables, lists, language, title) with bookmarks.
Where it is missing, `available()` says why and no PDF is made.

One LibreOffice start converts a whole batch (each start costs seconds), with its own profile in a
temporary folder. LibreOffice stamps the conversion time and a random file /ID into the PDF: both
are rewritten (pikepdf), the times to the plan's date and the /ID from the content, so the same Word
file gives the same PDF bytes. PDFs are cached by the hash of the Word file and the converter.
"""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from . import cache_keys, folders
from .deterministic import FIXED_TIME

_UNO_SCRIPT = Path(__file__).with_name("pdf_uno.py")
TIMEOUT = 60 * 60  # seconds for one batch: a national build converts hundreds of files


class ConversionError(Exception):
    """LibreOffice ran but did not write a PDF (a crash, a time-out)."""


@dataclass(frozen=True)
class Job:
    docx: Path
    pdf: Path
    time: dt.datetime = FIXED_TIME  # the created and modified time the PDF states


@functools.cache
def _converter() -> tuple[str, str] | str:
    """(soffice, a Python with LibreOffice's UNO bridge), or why there is none."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        return "LibreOffice is not installed (Debian: apt-get install libreoffice-writer-nogui python3-uno)"
    program = Path(soffice).resolve().parent
    for python in (program / "python", Path("/usr/bin/python3"), Path(sys.executable)):
        try:
            found = subprocess.run([str(python), "-c", "import uno"], capture_output=True, timeout=60).returncode == 0
        except OSError:
            continue
        if found:
            return soffice, str(python)
    return "LibreOffice's Python bridge is not installed (Debian: apt-get install python3-uno)"


def available() -> str | None:
    """None when PDFs can be made, else a sentence saying what to install."""
    found = _converter()
    return found if isinstance(found, str) else None


@functools.cache
def _converter_digest() -> str:
    soffice, python = _converter()
    version = subprocess.run([soffice, "--version"], capture_output=True, text=True, timeout=120).stdout
    digest = hashlib.sha256(version.encode() + b"\0" + python.encode())
    for path in (_UNO_SCRIPT, Path(__file__)):
        digest.update(path.read_bytes())
    digest.update(cache_keys.versions()["pikepdf"].encode())
    return digest.hexdigest()


def cache_name(job: Job) -> str:
    """The job's PDF in the cache: by the Word file, the time and the converter."""
    digest = hashlib.sha256(_converter_digest().encode())
    digest.update(cache_keys.libraries().encode())
    digest.update(job.docx.read_bytes())
    digest.update(job.time.isoformat().encode())
    return digest.hexdigest()[:32] + ".pdf"


def convert(jobs: list[Job], cache: Path | None = None) -> int:
    """Write each job's PDF; return how many LibreOffice converted (not taken from the cache)."""
    soffice, python = _converter()
    todo = []
    for job in jobs:
        cached = cache / cache_name(job) if cache else None
        if cached is not None and cached.is_file():
            folders.link_or_copy(cached, job.pdf)
        else:
            todo.append((job, cached))
    if not todo:
        return 0
    with tempfile.TemporaryDirectory(prefix="bcfc-pdf-") as tmp:
        folder = Path(tmp)
        args = []
        for index, (job, _) in enumerate(todo):
            args += [str(job.docx.resolve()), str(folder / f"{index}.pdf")]
        try:
            run = subprocess.run([python, str(_UNO_SCRIPT), soffice, (folder / "profile").as_uri(), *args],
                                 capture_output=True, text=True, timeout=TIMEOUT)
            error = run.stderr.strip()[-2000:]
        except subprocess.TimeoutExpired:
            error = f"it took more than {TIMEOUT} seconds"
        for index, (job, cached) in enumerate(todo):
            raw = folder / f"{index}.pdf"
            if not raw.is_file():
                raise ConversionError(f"LibreOffice did not make the PDF of the narrative of "
                                      f"{job.docx.parent.parent.name}/{job.docx.parent.name}"
                                      f" ({error or 'no message'})")
            pin(raw, job.pdf, job.time)
            if cached is not None:
                cached.parent.mkdir(parents=True, exist_ok=True)
                partial = cached.with_suffix(".partial")
                partial.unlink(missing_ok=True)
                folders.link_or_copy(job.pdf, partial)  # the same file, linked: written once
                partial.replace(cached)
    return len(todo)


def pin(source: Path, target: Path, time: dt.datetime) -> None:
    """The PDF with LibreOffice's conversion time replaced by the document's time and its /ID derived from
    its content: the same document, the same bytes."""
    import pikepdf  # here: a build without PDFs never needs it

    stamp = time.strftime("D:%Y%m%d%H%M%SZ")
    with pikepdf.open(source) as pdf:
        pdf.docinfo["/CreationDate"] = stamp
        pdf.docinfo["/ModDate"] = stamp
        for key in ("/ID", "/DocChecksum"):  # a random id, and a checksum of the stamped time
            if key in pdf.trailer:
                del pdf.trailer[key]
        if "/Metadata" in pdf.Root:  # LibreOffice writes XMP only for PDF/A; drop any, the Info dictionary is it
            del pdf.Root["/Metadata"]
        pdf.save(target, deterministic_id=True)
