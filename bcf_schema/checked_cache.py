"""Plans checked before, kept by content: `bcfc build` reads an unchanged plan's findings and data back
instead of loading and checking it again, so after a one-word edit it checks one plan, not all of them.

An entry is named by the hash of everything a plan's findings depend on: its path and bytes, bcfc's
checking code and data (bcf_schema/), the versions of the libraries that check, and the house rules'
bytes. Any change to one of them is a miss, and the plan is checked as `bcfc validate` checks it.
An entry is JSON (the findings, the data, the framework), read with the json module: a cache folder
from elsewhere cannot run code. A plan whose data JSON would not give back exactly (a key that is not
text, a NaN) is not kept. Returns are not kept either: their findings depend on their plan's file too.

`bcfc validate` never reads it: it is the check itself, and the pre-commit hook's answer must not
depend on what a build left behind.
"""
from __future__ import annotations

import functools
import hashlib
import json
import os
from importlib import metadata
from pathlib import Path

from .findings import Finding, Severity
from .framework import Framework, load_framework

CHECKING = ("bcfc", "pyyaml", "jsonschema", "jsonschema-rs", "referencing", "cerberus", "google-re2")
CODE = Path(__file__).parent


@functools.cache
def _code_digest() -> str:
    """bcf_schema's files by path, size and time (rewritten on any install or edit), and the libraries."""
    digest = hashlib.sha256()
    for name in CHECKING:
        try:
            digest.update(f"{name}={metadata.version(name)};".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{name}=none;".encode())
    for root, dirs, files in os.walk(CODE):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            info = os.stat(os.path.join(root, name))
            digest.update(f"{root}/{name}\0{info.st_size}\0{info.st_mtime_ns}\n".encode())
    return digest.hexdigest()


class CheckedCache:
    """folder: where the entries are (.bcfc-cache/checked). Reading it writes nothing: `save` keeps what
    was checked afresh, once the build has claimed the cache folder (a build stopped by errors leaves no
    cache behind), and removes the entries this build did not ask for, so the folder holds one a plan."""

    def __init__(self, folder: Path, rules_file: str | None):
        self.folder = folder
        self.used: set[str] = set()
        self.missed: dict[str, bytes] = {}  # path -> bytes of the plans checked afresh
        salt = hashlib.sha256(_code_digest().encode())
        if rules_file:
            try:
                salt.update(Path(rules_file).read_bytes())
            except OSError:
                salt.update(b"unreadable")  # validation says so; nothing is kept against it
        self._salt = salt.digest()

    def _name(self, path: str, raw: bytes) -> str:
        digest = hashlib.sha256(self._salt)
        digest.update(path.encode("utf-8", "surrogateescape") + b"\0" + raw)
        name = digest.hexdigest()[:40]
        self.used.add(name)
        return name

    def get(self, path: str, raw: bytes) -> tuple[dict, bool, Framework | None, list[Finding]] | None:
        """(data, whole_floats, framework, findings) as the last check of these bytes found them, or None."""
        try:
            entry = json.loads((self.folder / f"{self._name(path, raw)}.json").read_bytes())
            framework = load_framework(entry["framework"]) if entry["framework"] else None
            findings = [Finding(f["code"], Severity(f["severity"]), f["file"], f["line"], f["col"], f["pointer"],
                                f["message"], f["hint"]) for f in entry["findings"]]
            return entry["data"], entry["whole_floats"], framework, findings
        except (OSError, ValueError, KeyError, TypeError):
            self.missed[path] = raw
            return None  # none yet, or from another bcfc: checked again

    def fresh(self, results) -> list[tuple]:
        """What to keep of the plans checked afresh among results (validate.PlanResult): no source maps."""
        return [(r.path, self.missed[r.path], r.plan.data, r.plan.whole_floats, r.framework, r.findings)
                for r in results
                if r.path in self.missed and r.plan is not None and r.plan.ok and not r.is_return]

    def save(self, fresh: list[tuple]) -> None:
        """Keep what fresh() gave, then remove the entries this build did not ask for."""
        for entry in fresh:
            self.put(*entry)
        self.prune()

    def put(self, path: str, raw: bytes, data, whole_floats: bool, framework: Framework | None,
            findings: list[Finding]) -> None:
        try:
            text = json.dumps({"data": data, "whole_floats": whole_floats,
                               "framework": framework.period if framework else None,
                               "findings": [f.as_dict() for f in findings]}, ensure_ascii=False)
            if json.loads(text)["data"] != data:
                return  # JSON would not give these data back exactly
        except (TypeError, ValueError):
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        name = self._name(path, raw)
        partial = self.folder / f".{name}.partial"
        partial.write_text(text, encoding="utf-8")
        partial.replace(self.folder / f"{name}.json")  # a build cut off leaves no half entry

    def prune(self) -> None:
        if self.folder.is_dir():
            for entry in self.folder.iterdir():
                if entry.stem not in self.used:
                    entry.unlink()
