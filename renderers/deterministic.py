"""Byte-identical outputs: document times from the plan and normalised zip archives.

docx and xlsx files are zip archives whose entries carry the time they were
written; rewriting them with one fixed time and order makes the same plan give
the same bytes, so a pull request diff shows only real changes. The documents'
own created and modified times are the plan's date (FIXED_TIME where it has none).
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


def document_time(date: dt.date | None) -> dt.datetime:
    """The time a document records as created and modified: midday of the plan's date."""
    return dt.datetime(date.year, date.month, date.day, 12, 0, 0) if date else FIXED_TIME


def normalise_zip(data: bytes, time: dt.datetime = FIXED_TIME) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():  # keep the writer's order: [Content_Types].xml must come first
            entry = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
                content = _CORE_TIMES.sub(rb"\g<1>" + stamp + rb"\g<3>", content)
            target.writestr(entry, content)
    return out.getvalue()
