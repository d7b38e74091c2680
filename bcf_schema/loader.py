"""Safe YAML loading that remembers where every value came from.

The plan is built straight from libyaml's event stream (no Python object tags
can run, there is no recursion to blow the stack) and every value's JSON
pointer is mapped to its line and column, so a schema error's path leads back
to the source. Problems come back as findings, not exceptions.

Two builders read the same events. The fast one (_build_fast) takes the plain
YAML every plan is written in: no tags, anchors or aliases, no problem of any
kind; it records each value's position in document order and works out a
pointer's line only when a finding asks for it. Anything else it hands, untouched,
to the careful one (_build), which maps every pointer as it goes and says what
is wrong; so every message comes from one place.
"""
from __future__ import annotations

import errno
import math
import os
import stat
from pathlib import Path
from sys import intern

import yaml
from yaml.resolver import Resolver

from . import messages
from .findings import Finding, Severity

try:  # libyaml's C parser when available; the pure-Python one otherwise
    from yaml import CSafeLoader as _Parser
except ImportError:  # pragma: no cover - exercised only without libyaml
    from yaml import SafeLoader as _Parser

MAX_BYTES = 5 * 1024 * 1024  # the largest real plans are ~150 KB
MAX_DEPTH = 64  # plans nest to ~8 levels
MAX_NODES = 200_000  # values after alias expansion; stops "billion laughs"

_STR = "tag:yaml.org,2002:str"
_ALLOWED_SCALAR_TAGS = {
    _STR,
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
}
_ALLOWED_COLLECTION_TAGS = {None, "!", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}

_TAG_NAMES = {"tag:yaml.org,2002:int": "a whole number", "tag:yaml.org,2002:float": "a number",
              "tag:yaml.org,2002:bool": "true or false", "tag:yaml.org,2002:null": "nothing"}
MAX_NUMBER_CHARS = 100  # far beyond any figure in a plan, far below Python's 4,300-digit limit

_resolver = Resolver()
_constructor = yaml.constructor.SafeConstructor()


def escape_pointer_token(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def pointer_join(pointer: str, token: str | int) -> str:
    return f"{pointer}/{escape_pointer_token(str(token))}"


def pointer_of(path) -> str:
    """The JSON pointer of a path of keys and indexes (a jsonschema error's absolute_path), escaped."""
    pointer = ""
    for part in path:
        pointer = pointer_join(pointer, part)
    return pointer


class SourceMap:
    """JSON pointer -> (line, column), both 1-based, for every value and key."""

    def __init__(self, path: str, values: dict[str, tuple[int, int]] | None = None,
                 keys: dict[str, tuple[int, int]] | None = None):
        self.path, self.values, self.keys = path, {} if values is None else values, {} if keys is None else keys

    def locate(self, pointer: str, *, key: bool = False) -> tuple[int, int]:
        """Where a pointer's value (or key) starts; its nearest mapped ancestor if it has none."""
        table = self.keys if key else self.values
        while True:
            if pointer in table:
                return table[pointer]
            if pointer in self.values:
                return self.values[pointer]
            if not pointer:
                return (1, 1)
            pointer = pointer.rsplit("/", 1)[0]


class LoadedPlan:
    """A file as read: its data (None if it could not be read), where each value was, and the problems."""

    def __init__(self, path: str, data: dict | None, source_map: SourceMap, findings: list[Finding],
                 raw: bytes = b"", whole_floats: bool = False):
        self.path, self.data, self.source_map, self.findings = path, data, source_map, findings
        self.raw = raw  # the file's bytes as read: what is published is what was checked
        # a number written with a decimal point but a whole value (1000.0): JSON Schema counts it as an
        # integer, so the schema check must look at such a plan with its strict validator
        self.whole_floats = whole_floats

    def __repr__(self):
        return f"LoadedPlan({self.path!r}, {len(self.findings)} finding(s))"

    def with_data(self, data: dict) -> LoadedPlan:
        """The same file read as holding other data (a draft checked as if submitted)."""
        return LoadedPlan(self.path, data, self.source_map, self.findings, self.raw, self.whole_floats)

    @property
    def ok(self) -> bool:
        return not self.findings

    def finding_at(self, code: str, severity: Severity, pointer: str, message: str, hint: str = "", *,
                   key: bool = False) -> Finding:
        """A finding at a JSON pointer into this file, at its value's line (or its key's, with key=True)."""
        line, col = self.source_map.locate(pointer, key=key)
        return Finding(code, severity, self.path, line, col, pointer, message, hint)


class _Problem(Exception):
    def __init__(self, code: str, message: str, mark=None, hint: str = "", pointer: str = ""):
        super().__init__(message)
        self.code, self.message, self.mark, self.hint, self.pointer = code, message, mark, hint, pointer


class FileTooLarge(OSError):
    """A file over MAX_BYTES, found out before reading it."""

    def __init__(self, size: int):
        super().__init__(errno.EFBIG, f"the file is {size:,} bytes; a plan may be at most {MAX_BYTES:,} bytes")
        self.size = size


def read_bounded(path: str | Path) -> bytes:
    """A plan file's bytes, refusing what is not a regular file (a pipe, a device such as /dev/zero, a socket)
    and checking the size before reading: neither can hang or fill the memory. Raises OSError."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))  # opening a pipe does not wait for a writer
    with os.fdopen(fd, "rb") as file:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise OSError(errno.EINVAL, "it is not a regular file (a pipe, a device or a socket)")
        if info.st_size > MAX_BYTES:
            raise FileTooLarge(info.st_size)
        raw = file.read(MAX_BYTES + 1)  # the file may have grown since
    if len(raw) > MAX_BYTES:
        raise FileTooLarge(len(raw))
    return raw


MAX_NAME_BYTES = 100  # a plan's documents are named <folder>-<file>-planning-template.xlsx: under 255 bytes


def name_findings(path: str) -> list[Finding]:
    """BCF011 for a plan file or folder name too long to name its documents after."""
    found = []
    for name in (Path(path).parent.name, Path(path).stem):
        size = len(name.encode("utf-8"))
        if size > MAX_NAME_BYTES:
            # File systems limit names in bytes, not letters: an accented letter takes two, so say bytes.
            found.append(Finding("BCF011", Severity.ERROR, path, None, None, "",
                                 f"the name '{name[:40]}...' takes {size:,} bytes; a plan's file and folder names "
                                 f"may take at most {MAX_NAME_BYTES} (about as many plain letters; an accented "
                                 "letter counts as two) because its documents are named after them",
                                 "name the folder after the HWB and the file after the period: "
                                 "plans/worcestershire/2023-25.yaml"))
    return found


def load(path: str | Path) -> LoadedPlan:
    """Load one plan file. Never raises for bad content; I/O errors (and special files) raise OSError."""
    path = str(path)
    try:
        raw = read_bounded(path)
    except FileTooLarge as err:
        return LoadedPlan(path, None, SourceMap(path), [Finding(
            "BCF002", Severity.ERROR, path, None, None, "", err.strerror,
            "split appendices into their own documents and link them")])
    return loads(raw, path)


def loads(raw: bytes | str, path: str = "<string>") -> LoadedPlan:
    source_map = SourceMap(path)
    try:
        text = _decode(raw)
        try:
            data, whole_floats, source_map = _build_fast(text, path)
        except _Unusual:  # the careful builder reads it again, and says what is wrong if anything is
            data, whole_floats = _build(text, source_map)
    except _Problem as problem:
        line = col = None
        if problem.mark is not None:
            line, col = problem.mark
        finding = Finding(problem.code, Severity.ERROR, path, line, col, problem.pointer, problem.message, problem.hint)
        return LoadedPlan(path, None, source_map, [finding])
    raw = raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else raw
    return LoadedPlan(path, data, source_map, [], raw, whole_floats)


def _decode(raw: bytes | str) -> str:
    if isinstance(raw, str):
        raw = raw.encode("utf-8", "surrogatepass")
    if len(raw) > MAX_BYTES:
        raise _Problem("BCF002", f"file is {len(raw):,} bytes; a plan may be at most {MAX_BYTES:,} bytes",
                       hint="split appendices into their own documents and link them")
    if b"\x00" in raw:
        line = raw.count(b"\n", 0, raw.index(b"\x00")) + 1
        raise _Problem("BCF003", "this is a binary file, not a YAML text file", (line, 1),
                       hint="save the plan as plain UTF-8 text")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw.count(b"\n", 0, err.start) + 1
        col = err.start - (raw.rfind(b"\n", 0, err.start) + 1) + 1
        raise _Problem("BCF003", f"the file is not UTF-8 (byte 0x{raw[err.start]:02x} cannot be decoded)", (line, col),
                       hint="re-save the file as UTF-8 (in Word-copied text, look for curly quotes or £ signs)")
    if not text.strip():
        raise _Problem("BCF009", "the file is empty", (1, 1), hint="a plan starts with `framework:`; try `bcfc new`")
    return text


def _mark(event_or_mark) -> tuple[int, int]:
    mark = getattr(event_or_mark, "start_mark", event_or_mark)
    return (mark.line + 1, mark.column + 1)


class _Collection:
    __slots__ = ("value", "pointer", "anchor", "first_node", "key", "key_mark", "is_map")

    def __init__(self, value, pointer, anchor, first_node, is_map):
        self.value, self.pointer, self.anchor, self.first_node = value, pointer, anchor, first_node
        self.is_map = is_map
        self.key = None  # the pending key of a mapping, awaiting its value
        self.key_mark = None


def _build(text: str, source_map: SourceMap):
    stack: list[_Collection] = []
    anchors: dict[str, tuple[object, int]] = {}  # anchor -> (value, node count)
    in_progress: set[str] = set()
    nodes = 0
    documents = 0
    whole_floats = False
    root = None

    def child_pointer(mark) -> str:
        """The pointer of the value about to be added to the innermost collection."""
        top = stack[-1]
        if top.is_map:
            return pointer_join(top.pointer, top.key)
        return pointer_join(top.pointer, len(top.value))

    def add(value, mark, node_count):
        nonlocal root, nodes
        nodes += node_count
        if nodes > MAX_NODES:
            raise _Problem("BCF007", f"the document expands to more than {MAX_NODES:,} values (alias expansion?)", mark,
                           hint="remove the repeated aliases (*name); plans do not need them")
        if not stack:
            root = value
            return
        top = stack[-1]
        if not top.is_map:
            top.value.append(value)
            return
        if top.key is None:  # this scalar is a key
            if not isinstance(value, str):
                raise _Problem("BCF004", "a mapping key must be plain text, not a list or mapping", mark,
                               pointer=top.pointer)
            if value in top.value:
                first = source_map.keys.get(pointer_join(top.pointer, value))
                where = f" (first at line {first[0]})" if first else ""
                raise _Problem("BCF005", f"duplicate key '{value}'{where}", mark,
                               hint="each key may appear once in a mapping: merge the two entries",
                               pointer=pointer_join(top.pointer, value))
            top.key = value
            top.key_mark = mark
            source_map.keys[pointer_join(top.pointer, value)] = mark
            return
        top.value[top.key] = value
        top.key = None

    try:
        for event in yaml.parse(text, Loader=_Parser):
            kind = type(event)
            if kind is yaml.ScalarEvent:
                mark = _mark(event)
                is_key = bool(stack) and stack[-1].is_map and stack[-1].key is None
                if is_key:
                    # Keys are text as written: `2023-24:` and `2023:` both stay strings.
                    if event.tag not in (None, "!", _STR):
                        raise _Problem("BCF006", f"tag {event.tag} is not allowed on a key", mark)
                    value = event.value
                    if value == "<<" and not event.style:  # plain, not quoted
                        raise _Problem("BCF006", "merge keys (<<) are not supported", mark,
                                       hint="write the keys out in full; plans should read the same in every tool")
                else:
                    pointer = child_pointer(mark) if stack else ""
                    value = _scalar(event, mark, pointer)
                    if type(value) is float and value.is_integer():
                        whole_floats = True
                    source_map.values[pointer] = mark
                if event.anchor:
                    anchors[event.anchor] = (value, 1)
                add(value, mark, 1)
            elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
                mark = _mark(event)
                is_map = kind is yaml.MappingStartEvent
                if stack and stack[-1].is_map and stack[-1].key is None:
                    raise _Problem("BCF004", "a mapping key must be plain text, not a list or mapping", mark,
                                   pointer=stack[-1].pointer)
                if event.tag not in _ALLOWED_COLLECTION_TAGS:
                    raise _Problem("BCF006", f"tag {event.tag} is not allowed", mark,
                                   hint="plans hold plain mappings, lists and text; remove the tag")
                pointer = child_pointer(mark) if stack else ""
                if len(stack) >= MAX_DEPTH:
                    raise _Problem("BCF008", f"nesting is deeper than {MAX_DEPTH} levels", mark, pointer=pointer,
                                   hint="a plan nests a few levels; check the indentation")
                source_map.values[pointer] = mark
                if event.anchor:
                    in_progress.add(event.anchor)
                stack.append(_Collection({} if is_map else [], pointer, event.anchor, nodes, is_map))
            elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
                done = stack.pop()
                size = nodes - done.first_node + 1
                if done.anchor:
                    in_progress.discard(done.anchor)
                    anchors[done.anchor] = (done.value, size)
                add(done.value, _mark(event), 1)
            elif kind is yaml.AliasEvent:
                mark = _mark(event)
                if event.anchor in in_progress:
                    raise _Problem("BCF007", f"alias *{event.anchor} refers to itself", mark,
                                   hint="a recursive alias cannot be turned into a plan")
                if event.anchor not in anchors:
                    raise _Problem("BCF004", f"alias *{event.anchor} is used before its anchor &{event.anchor}", mark,
                                   hint="define the anchor (&name) before using the alias (*name)")
                value, size = anchors[event.anchor]
                if stack and not (stack[-1].is_map and stack[-1].key is None):
                    source_map.values[child_pointer(mark)] = mark
                add(value, mark, size)
            elif kind is yaml.DocumentStartEvent:
                documents += 1
                if documents > 1:
                    raise _Problem("BCF004", "the file holds more than one YAML document (a second '---')",
                                   _mark(event), hint="keep one plan per file")
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line_col = (mark.line + 1, mark.column + 1) if mark else None
        message = " ".join(filter(None, [err.context, err.problem])) or str(err)
        hint = "check the indentation and quoting on this line"
        if line_col and "\t" in _line(text, line_col[0]):
            hint = "this line has a tab character: indent YAML with spaces only"
        if err.problem and "maximum nesting depth" in err.problem:  # libyaml's own limit on [[[...]]]
            raise _Problem("BCF008", f"nesting is deeper than libyaml allows ({err.problem})", line_col,
                           hint="a plan nests a few levels; check the brackets and indentation")
        if err.problem and "found undefined alias" in err.problem:
            hint = "define the anchor (&name) before using the alias (*name)"
        explained = messages.explain_yaml_error(text, line_col and line_col[0], line_col and line_col[1],
                                                err.problem or "")
        if explained and "\t" not in _line(text, line_col[0]):
            raise _Problem("BCF004", f"YAML syntax error: {explained[0]}", line_col, hint=explained[1])
        raise _Problem("BCF004", f"YAML syntax error: {message}", line_col, hint=hint)
    except yaml.YAMLError as err:
        raise _Problem("BCF004", f"YAML error: {err}", None)

    if root is None:
        raise _Problem("BCF009", "the file holds no data (only comments or '---')", (1, 1),
                       hint="a plan starts with `framework:`; try `bcfc new`")
    if not isinstance(root, dict):
        kind = "a list" if isinstance(root, list) else "a single value"
        raise _Problem("BCF009", f"a plan must be a mapping of keys to values, but this file holds {kind}", (1, 1),
                       hint="start the file with `framework: \"2023-25\"` and the other top-level keys")
    return root, whole_floats


class _Unusual(Exception):
    """What the fast builder leaves to the careful one: a tag, an anchor, an alias, or any problem."""


class _OrderedSourceMap(SourceMap):
    """The source map of a plan the fast builder read: the start of every value and key in document
    order (marks), and where each mapping and list ends in that order (ends, with a mapping's keys as
    they were written), so a pointer's line is found by walking to it when a finding asks. It answers as
    SourceMap would with every pointer mapped."""

    def __init__(self, path: str, marks: list, ends: dict):
        super().__init__(path)
        self._marks, self._ends = marks, ends

    def _end(self, index: int) -> int:
        """The index after the value starting at index and everything in it."""
        end = self._ends.get(index)
        if end is None:
            return index + 1
        return end[0] if type(end) is tuple else end

    def locate(self, pointer: str, *, key: bool = False) -> tuple[int, int]:
        index, key_index = 0, None  # the root mapping, which has no key
        for token in pointer.split("/")[1:]:
            within = self._ends.get(index)
            if type(within) is tuple:  # a mapping: (end, keys); each key is followed by its value
                end, keys = within
                position = index + 1
                for name in keys:
                    if escape_pointer_token(name) == token:
                        key_index, index = position, position + 1
                        break
                    position = self._end(position + 1)
                else:
                    break
            elif within is not None and token.isascii() and token.isdigit() and (token == "0" or token[0] != "0"):
                position, end = index + 1, within
                for _ in range(int(token)):
                    if position >= end:
                        break
                    position = self._end(position)
                if position >= end:
                    break
                key_index, index = None, position
            else:  # a scalar has nothing under it; a list has only indexes
                break
        mark = self._marks[key_index if key and key_index is not None else index]
        return (mark.line + 1, mark.column + 1)


def _plain_resolvers() -> dict:
    """For each first character, the implicit tags a plain scalar starting with it may take (PyYAML's order)."""
    table = _resolver.yaml_implicit_resolvers
    wildcard = table.get(None, [])
    return {first: tuple(table[first] + wildcard) for first in table if first is not None}


_PLAIN = _plain_resolvers()
_PLAIN_ANY = tuple(_resolver.yaml_implicit_resolvers.get(None, []))
_INT, _FLOAT = "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"
_BOOL, _NULL = "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"


def _plain_value(value: str):
    """An untagged plain scalar as _scalar makes it, or _Unusual wherever _scalar might object."""
    for tag, pattern in _PLAIN.get(value[:1], _PLAIN_ANY):
        if pattern.match(value):
            break
    else:
        return value
    if tag == _TIMESTAMP:
        return value
    if len(value) > MAX_NUMBER_CHARS:
        raise _Unusual
    if tag == _INT:
        if value.isdigit() and (value[0] != "0" or value == "0"):  # the common amount: 1234567
            return int(value)
        construct = _constructor.construct_yaml_int
    elif tag == _FLOAT:
        construct = _constructor.construct_yaml_float
    elif tag == _BOOL:
        return _constructor.bool_values[value.lower()]
    elif tag == _NULL:
        return None
    else:  # a merge (<<) or value (=) tag as a value
        raise _Unusual
    try:  # the constructor's own method, without construct_object's memo of every node it has built
        number = construct(yaml.ScalarNode(tag, value))
    except (ValueError, KeyError, IndexError, OverflowError):
        raise _Unusual from None
    if type(number) is float and not math.isfinite(number):
        raise _Unusual
    return number


def _build_fast(text: str, path: str):
    """(data, whole_floats, source map) of a plan in plain YAML; _Unusual for anything else."""
    Scalar, MappingStart, SequenceStart = yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent
    MappingEnd, SequenceEnd, DocumentStart = yaml.MappingEndEvent, yaml.SequenceEndEvent, yaml.DocumentStartEvent
    no_key = _Unusual  # a marker no key can be: the mapping awaits its next key
    marks: list = []  # the start of every value and key, in document order
    ends: dict = {}  # index of a mapping's or list's start in marks -> where it ends (and a mapping's keys)
    stack: list = []
    root = container = None
    is_map = False
    key = no_key
    start = 0
    documents = 0
    whole_floats = False
    parser = _Parser(text)
    try:
        for event in iter(parser.get_event, None):
            kind = event.__class__
            if kind is Scalar:
                if event.tag is not None or event.anchor is not None or container is None:
                    raise _Unusual
                marks.append(event.start_mark)
                if len(marks) > MAX_NODES:
                    raise _Unusual
                value = event.value
                if is_map and key is no_key:
                    if value in container or (value == "<<" and not event.style):
                        raise _Unusual
                    key = intern(value)  # one string for each key name, not one for each use of it
                    continue
                if event.implicit[0]:
                    value = _plain_value(value)
                    if type(value) is float and value.is_integer():
                        whole_floats = True
                if is_map:
                    container[key] = value
                    key = no_key
                else:
                    container.append(value)
            elif kind is MappingStart or kind is SequenceStart:
                if (event.tag is not None or event.anchor is not None or (is_map and key is no_key)
                        or len(stack) >= MAX_DEPTH or len(marks) >= MAX_NODES):
                    raise _Unusual
                marks.append(event.start_mark)
                value = {} if kind is MappingStart else []
                if container is None:
                    if kind is not MappingStart or root is not None:
                        raise _Unusual  # a list or a second root: the careful builder says so
                    root = value
                elif is_map:
                    container[key] = value
                else:
                    container.append(value)
                stack.append((container, is_map, start))
                container, is_map, key, start = value, kind is MappingStart, no_key, len(marks) - 1
            elif kind is MappingEnd:
                ends[start] = (len(marks), tuple(container))
                container, is_map, start = stack.pop()
                key = no_key
            elif kind is SequenceEnd:
                ends[start] = len(marks)
                container, is_map, start = stack.pop()
                key = no_key
            elif kind is DocumentStart:
                documents += 1
                if documents > 1:
                    raise _Unusual
            elif kind is yaml.AliasEvent:
                raise _Unusual
    except yaml.YAMLError:
        raise _Unusual from None
    finally:
        parser.dispose()
    if root is None:
        raise _Unusual
    return root, whole_floats, _OrderedSourceMap(path, marks, ends)


def _line(text: str, number: int) -> str:
    lines = text.splitlines()
    return lines[number - 1] if 0 < number <= len(lines) else ""


def _scalar(event, mark, pointer):
    if event.tag in (None, "!"):
        tag = _resolver.resolve(yaml.ScalarNode, event.value, event.implicit)
    elif event.tag == _STR:  # `!!str 1.0` only says what quotes would
        return event.value
    else:  # only plain, untagged YAML: `!!int "abc"` cannot crash what reads it
        raise _Problem("BCF006", f"tag {_short_tag(event.tag)} is not allowed", mark, pointer=pointer,
                       hint="plans hold plain text, numbers, true/false and dates; remove the tag")
    if tag not in _ALLOWED_SCALAR_TAGS:
        raise _Problem("BCF006", f"tag {tag} is not allowed", mark, pointer=pointer,
                       hint="plans hold plain text, numbers, true/false and dates; remove the tag")
    if tag == _STR or tag == "tag:yaml.org,2002:timestamp":
        return event.value  # dates stay ISO text: JSON Schema and the renderers want strings
    if len(event.value) > MAX_NUMBER_CHARS:
        raise _Problem("BCF004", f"a number of {len(event.value):,} characters is too large for a plan", mark,
                       pointer=pointer, hint="amounts are whole pounds (1234567); quote the value if it is text")
    try:
        # the tag's constructor itself: construct_object would memoise every node it builds, for ever
        value = _constructor.yaml_constructors[tag](_constructor, yaml.ScalarNode(tag, event.value))
    except (ValueError, KeyError, IndexError, OverflowError):  # a form the resolver takes for a number: `0b_`, `._`
        raise _Problem("BCF004", f"'{event.value}' cannot be read as {_TAG_NAMES.get(tag, 'a value')}", mark,
                       pointer=pointer, hint="write the number plainly, or quote the value if it is text") from None
    if isinstance(value, float) and not math.isfinite(value):
        raise _Problem("BCF004", f"'{event.value}' is not a finite number", mark, pointer=pointer,
                       hint="write the number, or quote it if it is text")
    return value


def _short_tag(tag: str) -> str:
    return "!!" + tag[len("tag:yaml.org,2002:"):] if tag.startswith("tag:yaml.org,2002:") else tag
