"""Plan YAML as people write it: block scalars for prose, short mappings on one line.

Used by `bcfc new` and `bcfc import`. What it writes reads back through
bcf_schema's loader as the same data (a test checks it); comments and the
order of keys are the caller's.
"""
from __future__ import annotations

import os
import textwrap
from pathlib import Path

import yaml

WIDTH = 100
FLOW_LIMIT = 90  # a mapping or list of plain values shorter than this goes on one line


class _Dumper(yaml.SafeDumper):
    pass


def _is_flat(value) -> bool:
    items = value.values() if isinstance(value, dict) else value
    return all(not isinstance(v, (dict, list)) and not (isinstance(v, str) and "\n" in v) for v in items)


_STR = "tag:yaml.org,2002:str"


def _represent_str(dumper: yaml.SafeDumper, text: str):
    if "\n" in text.rstrip("\n") or text.endswith("\n"):
        return dumper.represent_scalar(_STR, text, style="|")
    if not text or dumper.resolve(yaml.ScalarNode, text, (True, False)) != _STR:
        return dumper.represent_scalar(_STR, text, style='"')  # "1.0", "2023-06-20", "": text, not a number
    return dumper.represent_scalar(_STR, text)


def _represent_dict(dumper: yaml.SafeDumper, data: dict):
    node = dumper.represent_mapping("tag:yaml.org,2002:map", data.items())
    node.flow_style = bool(data) and inline_collection(data)
    return node


def _represent_list(dumper: yaml.SafeDumper, data: list):
    node = dumper.represent_sequence("tag:yaml.org,2002:seq", data)
    node.flow_style = bool(data) and inline_collection(data)
    return node


def _flow(value) -> str:
    return yaml.safe_dump(value, default_flow_style=True, width=10_000, allow_unicode=True).strip()


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(dict, _represent_dict)
_Dumper.add_representer(list, _represent_list)


def dump(value, indent: int = 0) -> str:
    """A value as YAML text, every line indented by `indent` spaces, ending in a newline."""
    text = yaml.dump(value, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=WIDTH)
    if text.endswith("...\n"):  # a lone scalar: safe_dump adds an end-of-document marker
        text = text[: -len("...\n")]
    return textwrap.indent(text, " " * indent) if indent else text


def key_value(key: str, value, indent: int = 0, comment: str = "") -> str:
    """`key: value` (one line where it fits, else a block under the key)."""
    pad = " " * indent
    key_text = dump(key).strip()
    suffix = f"  # {comment}" if comment else ""
    if isinstance(value, (dict, list)) and value and not inline_collection(value):
        return f"{pad}{key_text}:{suffix}\n" + dump(value, indent + 2)
    inline = dump(value).rstrip("\n")
    if "\n" in inline:  # a block scalar: its indicator stays on the key's line
        head, _, body = inline.partition("\n")
        return f"{pad}{key_text}: {head}{suffix}\n" + textwrap.indent(body + "\n", pad + "  ")
    return f"{pad}{key_text}: {inline}{suffix}\n"


def inline_collection(value) -> bool:
    """Whether a mapping or list is written on one line ({...} or [...])."""
    return _is_flat(value) and len(_flow(value)) <= FLOW_LIMIT


def comment(text: str, indent: int = 0, width: int = WIDTH) -> str:
    """Text as YAML comment lines, wrapped; blank lines kept as bare '#'."""
    pad = " " * indent
    lines = []
    for paragraph in text.strip("\n").split("\n"):
        wrapped = textwrap.wrap(paragraph, width=max(width - indent - 2, 40)) or [""]
        lines += [f"{pad}# {line}".rstrip() for line in wrapped]
    return "\n".join(lines) + "\n"


def schema_modeline(schema_path: Path, output: Path) -> str:
    """The yaml-language-server first line, the schema given relative to the plan file.

    The nearest ancestor folder holding the schemas is preferred to the installed package, so the
    line is the one committed plans carry: a plans repository's exported schemas/<period>/ (`bcfc
    schema --export schemas`, written by `bcfc init`) or a bcfc checkout's bcf_schema/frameworks/.
    """
    period = schema_path.parent.name
    folder = output.resolve().parent
    target = schema_path.resolve()
    for ancestor in (folder, *folder.parents):
        candidates = [ancestor / "schemas" / period / "plan.schema.json",
                      ancestor / "bcf_schema" / "frameworks" / period / "plan.schema.json"]
        found = next((c for c in candidates if c.is_file()), None)
        if found is not None:
            target = found
            break
    relative = os.path.relpath(target, folder).replace(os.sep, "/")
    return f"# yaml-language-server: $schema={relative}\n"
