"""Byte-identical outputs: fixed document timestamps and normalised zip archives.

docx and xlsx files are zip archives whose entries carry the time they were
written; rewriting them with one fixed time and order makes the same plan give
the same bytes, so a pull request diff shows only real changes.
"""
from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

FIXED_TIME = dt.datetime(2000, 1, 1, 0, 0, 0)
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip entry can hold
# openpyxl stamps the save time into docProps/core.xml whatever the workbook says.
_CORE_TIMES = re.compile(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)")
_FIXED_W3CDTF = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()


def normalise_zip(data: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():  # keep the writer's order: [Content_Types].xml must come first
            entry = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = _CORE_TIMES.sub(rb"\g<1>" + _FIXED_W3CDTF + rb"\g<3>", content)
            target.writestr(entry, content)
    return out.getvalue()
