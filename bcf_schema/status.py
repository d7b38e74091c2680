"""What is left before a plan can be submitted: `bcfc status`.

The plan is checked as if it were submitted (a draft's warnings become the errors they will be),
through the same gate as every other command, and what is left is grouped into a short checklist
with counts and names, then one verdict line.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from . import escape, gate, house_rules
from .findings import Finding, Severity
from .stated import lifecycle_status
from .framework import Framework
from .validate import PlanResult, validate_plan

# The checklist, in the order a planning lead works through it: (title, the finding codes it gathers).
CHECKLIST = (
    ("headings to write", ("BCF205",)),
    ("income not fully allocated", ("BCF201",)),
    ("spend without income", ("BCF213",)),
    ("funding and schemes", ("BCF214",)),
    ("minimum spend", ("BCF203",)),
    ("metric goal periods", ("BCF207", "BCF216")),
    ("sign-off", ("BCF215",)),
    ("placeholder text to replace", ("BCF208",)),
    ("version and history", ("BCF217", "BCF401", "BCF402", "BCF403")),
)
OTHER = "other errors to fix"


@dataclass
class Item:
    title: str
    entries: list[str] = field(default_factory=list)


@dataclass
class PlanStatus:
    path: str
    status: str
    version: str
    history: int
    items: list[Item]

    @property
    def left(self) -> int:
        return sum(len(item.entries) for item in self.items)

    @property
    def verdict(self) -> str:
        if not self.left:
            return "ready to submit"
        return f"{self.left} thing{'s' if self.left != 1 else ''} left"

    def as_dict(self) -> dict:
        return {"path": self.path, "status": self.status, "version": self.version, "history_entries": self.history,
                "left": self.left, "verdict": self.verdict,
                "checklist": [{"item": i.title, "count": len(i.entries), "entries": i.entries} for i in self.items]}


def _entry(finding: Finding, fw: Framework | None) -> str:
    where = f" (line {finding.line})" if finding.line else ""
    if finding.code == "BCF205" and fw is not None:
        outline_id = finding.message.rsplit("(", 1)[-1].split(")", 1)[0]
        entry = fw.outline_by_id.get(outline_id)
        if entry is not None:
            title = entry.title if len(entry.title) <= 72 else entry.title[:71].rstrip() + "…"
            return f"{entry.id}: {title}{where}"
    return f"{finding.message}{where}"


def plan_status(result: PlanResult, rules: list[house_rules.HouseRule] = ()) -> PlanStatus:
    data = result.plan.data if result.plan is not None and isinstance(result.plan.data, dict) else {}
    status = lifecycle_status(data)
    findings = result.findings
    if result.plan is not None and result.plan.ok and status == "draft":
        submitted = result.plan.with_data({**data, "status": "submitted"})
        findings = validate_plan(submitted, rules).findings
    errors = [f for f in findings if f.severity is Severity.ERROR]
    items = []
    claimed: set[int] = set()
    for title, codes in CHECKLIST:
        matched = [f for f in errors if f.code in codes]
        claimed.update(id(f) for f in matched)
        items.append(Item(title, [_entry(f, result.framework) for f in matched]))
    items.append(Item(OTHER, [f"{f.code}: {_entry(f, result.framework)}" for f in errors if id(f) not in claimed]))
    history = data.get("history")
    return PlanStatus(result.path, status, str(data.get("version", "")),
                      len(history) if isinstance(history, list) else 0, items)


def of_paths(paths: list[str], rules_file: str | None = None) -> tuple[list[PlanStatus], gate.Gate]:
    checked = gate.check(paths, rules_file)
    rules: list[house_rules.HouseRule] = []
    found = gate.rules_file_for(rules_file)
    if found and not checked.usage_problem:
        rules, _ = house_rules.load_rules(found)
    return [plan_status(r, rules) for r in checked.report.results if not r.is_return], checked


def _overall(statuses: list[PlanStatus]) -> str:
    ready = sum(1 for s in statuses if not s.left)
    left = sum(s.left for s in statuses)
    return (f"{len(statuses)} plan(s): {ready} with nothing left"
            + (f", {len(statuses) - ready} with {left} thing(s) left in all" if ready < len(statuses) else ""))


def as_text(statuses: list[PlanStatus]) -> str:
    lines = []
    for s in statuses:
        lines.append(escape.terminal(f"{s.path}: {s.status}, version {s.version or '(none)'}, "
                                     f"{s.history} history entr{'y' if s.history == 1 else 'ies'}"))
        for item in s.items:
            if item.title == OTHER and not item.entries:
                continue
            mark = "x" if not item.entries else " "
            lines.append(f"  [{mark}] {item.title}: {len(item.entries) or 'none left'}")
            lines.extend(f"        {escape.terminal(entry)}" for entry in item.entries)
        lines.append(f"  {s.verdict}")
    if len(statuses) > 1:
        lines.append(_overall(statuses))
    return "\n".join(lines)


def _md(text: str) -> str:
    """Plan text in a pull request comment: no HTML, links, mentions, table or emphasis markup from the plan."""
    return escape.markdown(text)


def as_markdown(statuses: list[PlanStatus]) -> str:
    lines = ["## What is left before submission", ""]
    for s in statuses:
        lines.append(f"### {escape.markdown_code(s.path)}: {s.status}, version {_md(s.version or '(none)')}: **{s.verdict}**")
        lines.append("")
        for item in s.items:
            if item.title == OTHER and not item.entries:
                continue
            lines.append(f"- [{'x' if not item.entries else ' '}] {item.title}: {len(item.entries) or 'none left'}")
            lines.extend(f"  - {_md(entry)}" for entry in item.entries)
        lines.append("")
    if len(statuses) > 1:
        lines.append(_overall(statuses))
    return "\n".join(lines).rstrip() + "\n"


def as_json(statuses: list[PlanStatus]) -> str:
    return json.dumps({"plans": [s.as_dict() for s in statuses]}, indent=2, ensure_ascii=False)


FORMATS = {"text": as_text, "json": as_json, "markdown": as_markdown}
