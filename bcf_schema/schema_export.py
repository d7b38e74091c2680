"""Every period's plan schema, copied into a folder a plans repository can reach offline.

`bcfc schema --export schemas` writes schemas/<period>/plan.schema.json and schemas/defs.schema.json,
the layout the published site uses (a period's schema refers to ../defs.schema.json), so a plan's
modeline, `.vscode/settings.json` and the site all name the same paths. `--check` says whether the
copies are those of the installed bcfc (after an upgrade they may not be).
"""
from __future__ import annotations

from pathlib import Path

from .framework import FRAMEWORKS_DIR, available_periods, load_framework

DEFS_FILE = "defs.schema.json"
EXPORT_DIR = "schemas"


def exported_files() -> dict[str, bytes]:
    """{path under the export folder: the installed schema's bytes}."""
    files = {DEFS_FILE: (FRAMEWORKS_DIR / DEFS_FILE).read_bytes()}
    for period in available_periods():
        files[f"{period}/plan.schema.json"] = load_framework(period).schema_path.read_bytes()
    return files


def stale(folder: str | Path) -> list[str]:
    """The files under folder that are missing or differ from the installed schemas."""
    folder = Path(folder)
    return [name for name, data in exported_files().items()
            if not (folder / name).is_file() or (folder / name).read_bytes() != data]


def export(folder: str | Path) -> list[str]:
    """Write the schemas that are missing or out of date; return what was written."""
    folder = Path(folder)
    files = exported_files()
    written = stale(folder)
    for name in written:
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(files[name])
    return written


def regenerate(write: bool = False) -> list[str]:
    """The generated schemas (each period's plan.schema.json and, where it has returns,
    return.schema.json) that differ from what their framework.yaml generates; with write, rewrite
    them (`bcfc schema --write`)."""
    from . import return_schema, schema_gen
    stale = []
    for period in available_periods():
        fw = load_framework(period)
        for path, text in ((fw.schema_path, schema_gen.render(fw)),
                           (fw.return_schema_path, return_schema.render(fw))):
            if text is None:  # a period with no returns has no return schema
                continue
            current = path.read_text(encoding="utf-8") if path.exists() else ""
            if current != text:
                stale.append(f"{period}/{path.name}")
                if write:
                    path.write_text(text, encoding="utf-8")
    return stale
