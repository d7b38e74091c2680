"""A planning period's national framework, read from its framework.yaml.

Everything period-specific (headings, metrics, funding streams, scheme types,
money rules, the Excel layout) lives in that file; code only reads it.
"""
from __future__ import annotations

import functools
import json
from collections import namedtuple
from pathlib import Path

import jsonschema_rs

from . import messages
from .loader import load, pointer_join, pointer_of

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing on every `bcfc validate`
if TYPE_CHECKING:
    import jsonschema

FRAMEWORKS_DIR = Path(__file__).parent / "frameworks"
_FRAMEWORK_SCHEMA = Path(__file__).parent / "framework.schema.json"
_LISTED = "in bcf_schema/framework.schema.json"
# How each kind of goal period divides a financial year, as plans label the parts.
GOAL_PERIODS = {"annual": [""], "quarterly": [f" Q{q}" for q in range(1, 5)],
                "monthly": [f" M{m:02d}" for m in range(1, 13)]}


class FrameworkError(Exception):
    """A framework.yaml that is missing or malformed: a bug in this project, not in a plan."""


class OutlineEntry(namedtuple("OutlineEntry", "id kind title wording answer depth parent children",
                               defaults=((),))):
    """A heading or question of the outline: answer is required | optional | none; depth 1 for top-level
    headings; parent and children are ids."""
    __slots__ = ()


class _Declared:
    """An entry of framework.yaml as attributes; `entry["key"]` and `entry.get` still read its mapping."""

    def __init__(self, raw: dict):
        self.raw = raw

    def __getitem__(self, key: str):
        return self.raw[key]

    def get(self, key: str, default=None):
        return self.raw.get(key, default)

    def __repr__(self):
        return f"{type(self).__name__}({self.raw!r})"


class FundingStream(_Declared):
    def __init__(self, raw: dict):
        super().__init__(raw)
        self.id, self.name = raw["id"], raw["name"]
        self.contributor = raw.get("contributor", "")  # nhs | local_authority | ...
        self.succeeds = tuple(raw.get("succeeds") or ())  # ids of earlier periods' streams it takes over


class Metric(_Declared):
    def __init__(self, raw: dict):
        super().__init__(raw)
        self.id, self.name, self.unit = raw["id"], raw["name"], raw.get("unit", "")
        self.goal_periods = raw.get("goal_periods", "annual")  # annual | quarterly | monthly


class MinimumSpend(_Declared):
    def __init__(self, raw: dict):
        super().__init__(raw)
        self.id, self.name, self.funding_stream = raw["id"], raw["name"], raw["funding_stream"]
        self.where = dict(raw.get("where") or {})  # {scheme field: [values that count]}


class RingFence(_Declared):
    def __init__(self, raw: dict):
        super().__init__(raw)
        self.funding_stream = raw["funding_stream"]
        self.scheme_types = tuple(raw["scheme_types"])  # the only scheme types the stream may fund


class Framework:
    """A period's framework; hashed by identity: load_framework() returns one cached object per period."""

    def __init__(self, period: str, data: dict, folder: Path, outline: list[OutlineEntry]):
        self.period, self.data, self.folder, self.outline = period, data, folder, outline

    def __repr__(self):
        return f"Framework({self.period!r})"

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
        """A list section of framework.yaml: funding_streams, scheme_types, metrics ...

        A key framework.schema.json does not define is a bug in the calling code, not an empty list:
        a misspelt section name would otherwise switch a rule off without a word."""
        if key not in _framework_schema()["properties"]:
            raise FrameworkError(f"framework.yaml has no section {key!r}; "
                                 + messages.closest(key, _framework_schema()["properties"], _LISTED))
        return list(self.data.get(key) or [])

    @property
    def change_model(self) -> dict | None:
        """The change model plans assess themselves against (changes and maturity levels), if the period has one."""
        return self.data.get("change_model")

    @functools.cached_property
    def funding_streams(self) -> list[FundingStream]:
        return [FundingStream(d) for d in self.items("funding_streams")]

    @functools.cached_property
    def metrics(self) -> list[Metric]:
        return [Metric(d) for d in self.items("metrics")]

    @functools.cached_property
    def minimum_spend(self) -> list[MinimumSpend]:
        return [MinimumSpend(d) for d in self.items("minimum_spend")]

    @functools.cached_property
    def ring_fenced(self) -> list[RingFence]:
        return [RingFence(d) for d in self.items("ring_fenced")]

    def ids(self, key: str) -> list[str]:
        return [item["id"] for item in self.items(key)]

    def names(self, key: str) -> dict[str, str]:
        return {item["id"]: item["name"] for item in self.items(key)}

    def goal_periods(self, metric: Metric | dict) -> list[str]:
        """Every period a metric's goals are set for, as plans label them: 2023-24, 2023-24 Q1, 2023-24 M01."""
        within = GOAL_PERIODS[metric.get("goal_periods", "annual")]
        return [year + part for year in self.financial_years for part in within]

    @functools.cached_property
    def outline_by_id(self) -> dict[str, OutlineEntry]:
        return {entry.id: entry for entry in self.outline}

    @property
    def schema_path(self) -> Path:
        return self.folder / "plan.schema.json"

    def schema(self) -> dict:
        return json.loads(self.schema_path.read_text(encoding="utf-8"))

    @property
    def return_schema_path(self) -> Path:
        return self.folder / "return.schema.json"


def available_periods() -> list[str]:
    return sorted(p.name for p in FRAMEWORKS_DIR.iterdir() if (p / "framework.yaml").is_file())


@functools.cache
def load_framework(period: str) -> Framework:
    if period not in available_periods():
        raise FrameworkError(f"no framework for period {period!r}")
    return read_framework(FRAMEWORKS_DIR / period)


def read_framework(folder: Path) -> Framework:
    """The framework in `folder`/framework.yaml, checked against framework.schema.json (not cached)."""
    period = folder.name
    path = folder / "framework.yaml"
    loaded = load(path)
    if not loaded.ok:
        raise FrameworkError("; ".join(f"{f.location}: {f.message}" for f in loaded.findings))
    data = loaded.data
    errors = [] if _framework_fast_validator().is_valid(data) else sorted(
        _framework_validator().iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path])
    if errors:
        problems = [problem for error in errors for problem in _schema_problems(error, loaded.source_map)]
        raise FrameworkError(f"{path} does not match framework.schema.json:\n" + "\n".join(
            f"{path}:{line}: {message}" for line, message in sorted(problems)[:10]))
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
    for key, rules in (("minimum_spend", fw.minimum_spend), ("ring_fenced", fw.ring_fenced)):
        for rule in rules:
            if rule.funding_stream not in streams:
                problems.append(f"{key} names unknown funding stream {rule.funding_stream!r}")
            wanted = dict(rule.where) if isinstance(rule, MinimumSpend) else {}
            if "scheme_types" in rule.raw:
                wanted["scheme_type"] = rule["scheme_types"]
            for field_name, values in wanted.items():
                known = set(fw.ids(lists[field_name]))
                problems += [f"{key} names unknown {field_name} {v!r}" for v in values if v not in known]
    for group in fw.items("stream_groups"):
        problems += [f"stream_groups {group['id']!r} names unknown funding stream {s!r}"
                     for s in group["streams"] if s not in streams]

    problems += [f"metric {m.id!r} sets goals {m.goal_periods!r}: bcfc knows {', '.join(GOAL_PERIODS)}"
                 for m in fw.metrics if m.goal_periods not in GOAL_PERIODS]
    outline_ids = set(fw.outline_by_id)
    for kind, outline_id in (fw.data.get("narrative_tables") or {}).items():
        if outline_id not in outline_ids:
            problems.append(f"narrative_tables places {kind!r} under unknown outline id {outline_id!r}")
    model = fw.change_model
    if model and model["section"] not in outline_ids:
        problems.append(f"change_model is placed under unknown outline id {model['section']!r}")
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


def _schema_problems(error: jsonschema.ValidationError, source_map) -> list[tuple[int, str]]:
    """(line, message) for one framework schema error; an unknown key is named at its own line with the closest key."""
    pointer = pointer_of(error.absolute_path)
    where = f"in {pointer}" if pointer else "at the top level"
    if error.validator == "additionalProperties" and error.validator_value is False:
        allowed = list((error.schema.get("properties") or {}))
        return [(source_map.locate(pointer_join(pointer, key), key=True)[0],
                 f"unknown key {key!r} {where}: {messages.closest(key, allowed, _LISTED)}")
                for key in error.instance if key not in allowed]
    if "propertyNames" in error.schema_path:
        key = error.instance
        allowed = (error.schema.get("enum") or [])
        return [(source_map.locate(pointer_join(pointer, key), key=True)[0],
                 f"unknown key {key!r} {where}: {messages.closest(key, allowed, _LISTED)}")]
    if error.validator == "required":
        return [(source_map.locate(pointer)[0], f"{where}: the required key {name!r} is missing")
                for name in error.validator_value if name not in error.instance]
    return [(source_map.locate(pointer)[0], f"{where}: {error.message}")]


@functools.cache
def _framework_schema() -> dict:
    return json.loads(_FRAMEWORK_SCHEMA.read_text(encoding="utf-8"))


@functools.cache
def _framework_fast_validator():
    """jsonschema-rs' yes for the bundled frameworks, which are valid: python-jsonschema (slower to import
    than a plan is to check) only to say what is wrong with one that is not."""
    return jsonschema_rs.validator_for(_framework_schema())


@functools.cache
def _framework_validator():
    import jsonschema

    return jsonschema.Draft202012Validator(_framework_schema())
