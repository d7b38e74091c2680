"""Every field of a period's plan, with its meaning, read from the JSON Schema itself.

The schema (generated from framework.yaml, plus the shared defs.schema.json) is the
one source of truth for what a field means; the reference page only lays it out.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from bcf_schema.framework import FRAMEWORKS_DIR, Framework

DEFS_FILE = "defs.schema.json"


@dataclass(frozen=True)
class Field:
    path: str  # funding.streams.ibcf, schemes[].name
    required: bool
    kind: str  # what the value is: text, list of ..., one of ...
    title: str
    description: str


def load_defs(folder: Path = FRAMEWORKS_DIR) -> dict:
    return json.loads((folder / DEFS_FILE).read_text(encoding="utf-8"))


def fields(fw: Framework, defs: dict | None = None) -> list[Field]:
    schema = fw.schema()
    walker = _Walker(defs if defs is not None else load_defs(fw.folder.parent))
    walker.walk(schema, "", required=True)
    return walker.out


class _Walker:
    def __init__(self, defs: dict):
        self.defs = defs.get("$defs", {})
        self.out: list[Field] = []
        self.expanded: dict[str, str] = {}  # def name -> the first path that lists its fields

    def _def_name(self, ref: str) -> str | None:
        if "#/$defs/" in ref and (ref.startswith("#") or ref.split("#", 1)[0].endswith(DEFS_FILE)):
            return ref.split("#/$defs/", 1)[1]
        return None

    def resolve(self, node: dict) -> tuple[dict, str | None]:
        """The node with its $ref followed (its own title/description win), and the def's name."""
        name = self._def_name(node.get("$ref", "")) if "$ref" in node else None
        if name is None or name not in self.defs:
            return node, None
        target, _ = self.resolve(self.defs[name])
        merged = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
        return merged, name

    def kind(self, node: dict) -> str:
        node, name = self.resolve(node)
        if "const" in node:
            return f'exactly "{node["const"]}"'
        if "enum" in node:
            return "one of: " + ", ".join(str(v) for v in node["enum"])
        if "if" in node and "then" in node and "else" in node:
            return self.kind(node["else"]) + ", or {not_stated: reason}"
        if "oneOf" in node:
            return " or ".join(self.kind(option) for option in node["oneOf"])
        types = node.get("type")
        if isinstance(types, list):
            return " or ".join(_TYPE_WORDS.get(t, t) for t in types)
        if types == "array":
            return "list of " + self.kind(node.get("items") or {})
        if types == "object":
            keys = (node.get("propertyNames") or {})
            if "enum" in keys:
                return "map: " + ", ".join(keys["enum"]) + " to " + self.kind(node.get("additionalProperties") or {})
            if "$ref" in keys or "pattern" in keys:
                return f"map: {self.kind(keys)} to {self.kind(node.get('additionalProperties') or {})}"
            return name.replace("_", " ") if name else "object"
        if types == "string" and name in ("markdown", "text", "iso_date", "date_or_month", "calendar_month",
                                          "ons_code", "period_label"):
            return _DEF_WORDS[name]
        if name == "money":
            return _DEF_WORDS[name]
        return _TYPE_WORDS.get(types, types or "any value")

    def walk(self, node: dict, path: str, required: bool):
        resolved, name = self.resolve(node)
        shape = self._shape_name(node)
        # A primitive definition's own description ("A short piece of plain text.") says no more than its kind.
        own = node.get("description") or ("" if name in _SAYS_NO_MORE else resolved.get("description", ""))
        description = " ".join(str(own).split())
        first = self.expanded.get(shape) if shape else None
        if path and first is not None and first != path and self._children(resolved):
            description = (description + " " if description else "") + f"Its fields are as under {first}."
        if path:
            self.out.append(Field(path, required, self.kind(node), resolved.get("title", ""), description))
        if first is not None and first != path:
            return
        if shape:
            self.expanded[shape] = path
        for child_path, child, child_required in self._children(resolved):
            self.walk(child, _join(path, child_path), child_required)

    def _shape_name(self, node: dict) -> str | None:
        """The shared definition whose fields this node lists (itself, its items, its else branch)."""
        node, name = self.resolve(node)
        if name and name not in ("text", "markdown", "money", "not_stated"):
            return name
        if "if" in node and "else" in node:
            return self._shape_name(node["else"])
        if node.get("type") == "array" and isinstance(node.get("items"), dict):
            return self._shape_name(node["items"])
        return None

    def _children(self, node: dict) -> list[tuple[str, dict, bool]]:
        if "if" in node and "else" in node:
            node, _ = self.resolve(node["else"])
        if "oneOf" in node:
            out = []
            for option in node["oneOf"]:
                out += self._children(self.resolve(option)[0])
            return out
        if node.get("type") == "array" and isinstance(node.get("items"), dict):
            items, _ = self.resolve(node["items"])
            return [("[]" + ("." + p if not p.startswith("[") else p), c, r) for p, c, r in self._children(items)]
        properties = node.get("properties") or {}
        required = set(node.get("required") or [])
        return [(key, value, key in required) for key, value in properties.items()]


def _join(path: str, child: str) -> str:
    """schemes + [].name -> schemes[].name; narrative + nc1.pr1 -> narrative["nc1.pr1"] (a key with dots)."""
    if child.startswith("["):
        return path + child
    if "." in child:
        return f'{path}["{child}"]'
    return f"{path}.{child}" if path else child


_SAYS_NO_MORE = {"text", "markdown", "money", "iso_date", "date_or_month", "calendar_month"}
_TYPE_WORDS = {"string": "text", "integer": "whole number", "number": "number", "null": "empty",
               "boolean": "true or false", "object": "object", "array": "list"}
_DEF_WORDS = {
    "markdown": "Markdown text", "text": "text", "money": "whole pounds", "iso_date": "date (YYYY-MM-DD)",
    "date_or_month": "date (YYYY-MM-DD or YYYY-MM)", "calendar_month": "month (YYYY-MM)",
    "ons_code": "ONS code", "period_label": "period label",
}
