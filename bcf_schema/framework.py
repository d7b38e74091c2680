"""A planning period's national framework, read from its framework.yaml.

Everything period-specific (headings, metrics, funding streams, scheme types,
money rules, the Excel layout) lives in that file; code only reads it.
"""
from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from pathlib import Path

import jsonschema

from .loader import load

FRAMEWORKS_DIR = Path(__file__).parent / "frameworks"
_FRAMEWORK_SCHEMA = Path(__file__).parent / "framework.schema.json"


class FrameworkError(Exception):
    """A framework.yaml that is missing or malformed: a bug in this project, not in a plan."""


@dataclass(frozen=True)
class OutlineEntry:
    id: str
    kind: str
    title: str
    wording: str
    answer: str  # required | optional | none
    depth: int  # 1 for top-level headings
    parent: str | None
    children: tuple[str, ...] = field(default=())


@dataclass(eq=False)  # hashed by identity: load_framework() returns one cached object per period
class Framework:
    period: str
    data: dict
    folder: Path
    outline: list[OutlineEntry]

    @property
    def title(self) -> str:
        return self.data["title"]

    @property
    def financial_years(self) -> list[str]:
        return list(self.data["financial_years"])

    @property
    def nhs_partners(self) -> str:
        """The plan key naming the NHS partners: 'icbs' (2023 on) or 'ccgs' (2014-15)."""
        return self.data.get("nhs_partners", "icbs")

    @property
    def multiple_hwbs(self) -> bool:
        return bool(self.data.get("multiple_hwbs", False))

    def items(self, key: str) -> list[dict]:
        """A list section of framework.yaml: funding_streams, scheme_types, metrics ..."""
        return list(self.data.get(key) or [])

    def ids(self, key: str) -> list[str]:
        return [item["id"] for item in self.items(key)]

    def names(self, key: str) -> dict[str, str]:
        return {item["id"]: item["name"] for item in self.items(key)}

    def goal_periods(self, metric: dict) -> list[str]:
        """Every period a metric's goals are set for, as plans label them: 2023-24, 2023-24 Q1, 2023-24 M01."""
        within = {"annual": [""], "quarterly": [f" Q{q}" for q in range(1, 5)],
                  "monthly": [f" M{m:02d}" for m in range(1, 13)]}[metric.get("goal_periods", "annual")]
        return [year + part for year in self.financial_years for part in within]

    @functools.cached_property
    def outline_by_id(self) -> dict[str, OutlineEntry]:
        return {entry.id: entry for entry in self.outline}

    @property
    def schema_path(self) -> Path:
        return self.folder / "plan.schema.json"

    def schema(self) -> dict:
        return json.loads(self.schema_path.read_text(encoding="utf-8"))


def available_periods() -> list[str]:
    return sorted(p.name for p in FRAMEWORKS_DIR.iterdir() if (p / "framework.yaml").is_file())


@functools.cache
def load_framework(period: str) -> Framework:
    folder = FRAMEWORKS_DIR / period
    path = folder / "framework.yaml"
    if period not in available_periods():
        raise FrameworkError(f"no framework for period {period!r}")
    loaded = load(path)
    if not loaded.ok:
        raise FrameworkError("; ".join(f"{f.location}: {f.message}" for f in loaded.findings))
    data = loaded.data
    errors = sorted(_framework_validator().iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        details = "; ".join(
            f"{path}:{loaded.source_map.locate(_pointer(e.absolute_path))[0]}: {e.message}" for e in errors[:5]
        )
        raise FrameworkError(f"{path} does not match framework.schema.json: {details}")
    if data["period"] != period:
        raise FrameworkError(f"{path} says period {data['period']!r} but lives in folder {period!r}")
    outline = list(_flatten(data["outline"], depth=1, parent=None))
    seen: set[str] = set()
    for entry in outline:
        if entry.id in seen:
            raise FrameworkError(f"{path}: outline id {entry.id!r} is used twice")
        seen.add(entry.id)
    fw = Framework(period, data, folder, outline)
    problems = _dangling_references(fw)
    if problems:
        raise FrameworkError(f"{path}: " + "; ".join(problems))
    return fw


def _dangling_references(fw: Framework) -> list[str]:
    """Money rules must name streams, areas, commissioners and types the framework defines."""
    problems = []
    streams = set(fw.ids("funding_streams"))
    lists = {"area_of_spend": "areas_of_spend", "commissioner": "commissioner_kinds", "scheme_type": "scheme_types"}
    for key in ("minimum_spend", "ring_fenced"):
        for rule in fw.items(key):
            if rule["funding_stream"] not in streams:
                problems.append(f"{key} names unknown funding stream {rule['funding_stream']!r}")
            wanted = dict(rule.get("where") or {})
            if "scheme_types" in rule:
                wanted["scheme_type"] = rule["scheme_types"]
            for field_name, values in wanted.items():
                known = set(fw.ids(lists[field_name]))
                problems += [f"{key} names unknown {field_name} {v!r}" for v in values if v not in known]
    outline_ids = set(fw.outline_by_id)
    for kind, outline_id in (fw.data.get("narrative_tables") or {}).items():
        if outline_id not in outline_ids:
            problems.append(f"narrative_tables places {kind!r} under unknown outline id {outline_id!r}")
    ids = [e.id for e in fw.outline]
    problems += [f"outline id {i!r} is used twice" for i in sorted({i for i in ids if ids.count(i) > 1})]
    for field_name in ("funding_streams", "scheme_types", "areas_of_spend", "commissioner_kinds", "metrics"):
        ids = fw.ids(field_name)
        problems += [f"{field_name} id {i!r} is used twice" for i in sorted({i for i in ids if ids.count(i) > 1})]
    return problems


def _flatten(nodes: list[dict], depth: int, parent: str | None):
    for node in nodes:
        children = node.get("children") or []
        yield OutlineEntry(
            id=node["id"],
            kind=node["kind"],
            title=node["title"],
            wording=(node.get("wording") or "").strip(),
            answer=node.get("answer", "required"),
            depth=depth,
            parent=parent,
            children=tuple(child["id"] for child in children),
        )
        yield from _flatten(children, depth + 1, node["id"])


def _pointer(path) -> str:
    return "".join(f"/{p}" for p in path)


@functools.cache
def _framework_validator():
    schema = json.loads(_FRAMEWORK_SCHEMA.read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)
