"""Run by LibreOffice's own Python (python3-uno): open a workbook headless, do what a finance officer
does, recompute and save it as xlsx.

    /usr/bin/python3 edit_workbook.py IN.xlsx OUT.xlsx PROFILE_DIR 'JSON list of edits'

An edit is {"sheet": title, "insert_row": n} (insert a row above row n, 1-based, as Insert Rows Above
does) or {"sheet": title, "cell": "B5", "value": text or number}.
"""
import json
import subprocess
import sys
import time
from pathlib import Path

import uno
from com.sun.star.beans import PropertyValue


def prop(name, value):
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def main(source, target, profile, edits):
    pipe = f"bcfc{abs(hash(target)) % 10**8}"
    office = subprocess.Popen(["soffice", f"-env:UserInstallation={Path(profile).as_uri()}", "--headless",
                               "--norestore", "--nologo", f"--accept=pipe,name={pipe};urp;"])
    try:
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
        for _ in range(120):
            try:
                context = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
                break
            except Exception:
                time.sleep(0.5)
        else:
            raise SystemExit("LibreOffice did not start")
        desktop = context.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", context)
        document = desktop.loadComponentFromURL(Path(source).resolve().as_uri(), "_blank", 0, (prop("Hidden", True),))
        for edit in json.loads(edits):
            sheet = document.Sheets.getByName(edit["sheet"])
            if "insert_row" in edit:
                sheet.Rows.insertByIndex(edit["insert_row"] - 1, 1)  # protection allows inserting rows
            else:
                cell = sheet.getCellRangeByName(edit["cell"])
                if isinstance(edit["value"], str):
                    cell.setString(edit["value"])
                else:
                    cell.setValue(edit["value"])
        document.calculateAll()
        document.storeToURL(Path(target).resolve().as_uri(), (prop("FilterName", "Calc MS Excel 2007 XML"),))
        document.close(True)
    finally:
        try:
            desktop.terminate()
        except Exception:
            pass
        office.wait(timeout=60)


if __name__ == "__main__":
    main(*sys.argv[1:5])
