"""Word to tagged PDF inside LibreOffice, run by the Python that has LibreOffice's UNO bridge (python3-uno).

Run as a script, not imported by bcfc: `python3 pdf_uno.py SOFFICE PROFILE_URL DOCX PDF [DOCX PDF ...]`.
One LibreOffice start converts every file. Unlike `soffice --convert-to pdf`, it updates the
document's indexes (the contents list) after the layout, so the contents show every heading with its
page, then writes a tagged PDF (headings, tables, language, title) with bookmarks from the headings.
"""
import subprocess
import sys
import time
import uuid

import uno
from com.sun.star.beans import PropertyValue


def _props(**values):
    out = []
    for name, value in values.items():
        prop = PropertyValue()
        prop.Name, prop.Value = name, value
        out.append(prop)
    return tuple(out)


PDF_OPTIONS = dict(
    UseTaggedPDF=True,  # structure tags: headings, paragraphs, tables, lists; a screen reader's reading order
    ExportBookmarks=True,  # the outline pane, from the headings
    ExportNotes=False,
    UseLosslessCompression=True,
    ExportFormFields=False,
    DisplayPDFDocumentTitle=True,  # the window shows the title, not the file name
)


def main(soffice: str, profile: str, pairs: list[str]) -> None:
    pipe = f"bcfc-{uuid.uuid4().hex}"
    office = subprocess.Popen([soffice, f"-env:UserInstallation={profile}", "--headless", "--invisible",
                               "--norestore", "--nologo", "--nodefault", f"--accept=pipe,name={pipe};urp;"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        resolver = uno.getComponentContext().ServiceManager.createInstanceWithContext(
            "com.sun.star.bridge.UnoUrlResolver", uno.getComponentContext())
        for _ in range(600):  # a first start (a fresh profile) takes some seconds
            try:
                context = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
                break
            except Exception:  # noqa: BLE001 - NoConnectException until it listens
                if office.poll() is not None:
                    raise SystemExit("LibreOffice stopped before it could convert anything")
                time.sleep(0.1)
        else:
            raise SystemExit("LibreOffice did not start")
        desktop = context.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", context)
        filter_data = uno.Any("[]com.sun.star.beans.PropertyValue", _props(**PDF_OPTIONS))
        for source, target in zip(pairs[::2], pairs[1::2]):
            document = desktop.loadComponentFromURL(uno.systemPathToFileUrl(source), "_blank", 0,
                                                    _props(Hidden=True, ReadOnly=True))
            try:
                indexes = document.getDocumentIndexes()
                for index in range(indexes.getCount()):
                    indexes.getByIndex(index).update()
                document.refresh()
                uno.invoke(document, "storeToURL", (uno.systemPathToFileUrl(target),
                                                    _props(FilterName="writer_pdf_Export", FilterData=filter_data)))
            finally:
                document.close(True)
        try:
            desktop.terminate()
        except Exception:  # noqa: BLE001 - the bridge goes as the office quits
            pass
        office.wait(timeout=60)
    finally:
        if office.poll() is None:
            office.kill()
            office.wait()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3:])
