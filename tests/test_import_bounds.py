"""`bcfc import` on hostile workbooks: bounded before anything is unzipped, XML parsed by defusedxml;
each a clean error naming the file, exit 2, no traceback, in seconds."""
import io
import time
import zipfile

import pytest

from bcf_schema import load
from renderers.workbook import reader
from conftest import ROOT, run_bcfc
from renderers import excel

PLAN = ROOT / "plans" / "leicestershire" / "2025-26.yaml"

XXE = b'<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
LAUGHS = (b'<!DOCTYPE worksheet [<!ENTITY a "lollollollollollollollollollol">'
          + b"".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">'.encode() for i in range(8))
          + b"]>")


def template_bytes() -> bytes:
    loaded = load(PLAN)
    from bcf_schema import load_framework
    return excel.render(loaded.data, load_framework(loaded.data["framework"]), str(PLAN))


def with_doctype(part: str, doctype: bytes) -> bytes:
    """The rendered template with a document type declaration put before one part's XML."""
    source = zipfile.ZipFile(io.BytesIO(template_bytes()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            content = source.read(entry)
            target.writestr(entry, doctype + content if entry.filename == part else content)
    return out.getvalue()


def zip_of(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name, content in entries.items():
            target.writestr(name, content)
    return out.getvalue()


CASES = {
    # name: (workbook bytes, words the message must contain)
    "zip_bomb": (lambda: zip_of({"xl/worksheets/sheet1.xml": b"\0" * 300_000_000}), "unzips to 300,000,000 bytes"),
    "many_parts": (lambda: zip_of({f"xl/part{i}.xml": b"<a/>" for i in range(2_000)}), "holds 2,000 parts"),
    "too_large": (lambda: b"PK" + b"\0" * (reader.MAX_FILE_BYTES + 10), "a planning template may be at most"),
    "not_a_zip": (lambda: b"<html>not a workbook</html>", "not an .xlsx workbook"),
    "xxe": (lambda: with_doctype("xl/worksheets/sheet1.xml", XXE), "xl/worksheets/sheet1.xml declares a document type"),
    "billion_laughs": (lambda: with_doctype("xl/workbook.xml", LAUGHS), "xl/workbook.xml declares a document type"),
    "xxe_utf16": (lambda: with_doctype("xl/styles.xml", XXE.decode().encode("utf-16-le")), "declares a document type"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_hostile_workbook_is_a_clean_error(tmp_path, name):
    make, words = CASES[name]
    path = tmp_path / f"{name}.xlsx"
    path.write_bytes(make())

    started = time.monotonic()
    result = run_bcfc("import", path, "-o", tmp_path / "plan.yaml", cwd=tmp_path, timeout=60)

    assert time.monotonic() - started < 20
    assert result.returncode == 2, result.stdout + result.stderr
    out = result.stdout + result.stderr
    assert "Traceback" not in out and "internal error" not in out, out
    assert result.stderr.startswith(f"bcfc import: {path}: ") and words in result.stderr, result.stderr
    assert "root:" not in out  # nothing of /etc/passwd
    assert not (tmp_path / "plan.yaml").exists()


def test_defusedxml_is_what_openpyxl_parses_with():
    import openpyxl.xml
    assert openpyxl.xml.DEFUSEDXML


def test_an_entity_that_gets_past_the_scan_is_refused_by_the_parser(monkeypatch):
    """Defence in depth: were the scan for declarations to miss one, defusedxml still refuses it."""
    monkeypatch.setattr(reader, "_DECLARATION", __import__("re").compile(rb"(?!)"))
    with pytest.raises(reader.TemplateError) as refused:
        reader.read(with_doctype("xl/worksheets/sheet1.xml", XXE))
    assert "XML is refused (EntitiesForbidden" in str(refused.value) and "root:" not in str(refused.value)


def test_a_fifo_is_refused_without_waiting(tmp_path):
    import os
    fifo = tmp_path / "template.xlsx"
    os.mkfifo(fifo)
    started = time.monotonic()
    with pytest.raises(reader.TemplateError, match="not a regular file"):
        reader.read(fifo)
    assert time.monotonic() - started < 5
