"""Validation is the contract for rendering: what `bcfc validate` accepts, every writer can write.

Plans are generated from the schema: every string, number and amount the schema has, wherever a plan of
each period holds one (tests/planbuilder.rich_plan fills in every kind of optional field), gets values
from the whole of Unicode (control characters and YAML escapes included), Markdown and mathtext
punctuation, very long text, impossible dates and numbers from pence to hundreds of digits. Each plan
goes through YAML (so escapes such as "\\0" and "\\uFFFE" are what the loader reads), then validation;
a plan that validates is rendered by the cheap writers in full (Markdown narrative, the document model)
and, value by value, by the Word, Excel, site and chart writers. A smaller number of plans is
rendered whole to Word and Excel. Nothing may raise.

BCFC_FUZZ_PLANS sets how many plans (default 2,000, so the whole suite stays under ten minutes; 10,000
took 195 s of CPU on one core; BCFC_FUZZ_PLANS=10000 or more for a deeper run before a release).
"""
import copy
import io
import os

import jsonschema
import openpyxl
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bcf_schema import available_periods, load_framework, loads, validate_plan
from bcf_schema.schema_check import _defs
from planbuilder import rich_plan
from renderers import document, excel, narrative, word
from renderers.site import charts, html

pytestmark = pytest.mark.filterwarnings("ignore:Glyph .* missing from font")

PLANS = int(os.environ.get("BCFC_FUZZ_PLANS", "2000"))
WHOLE_PLANS = max(20, PLANS // 100)
FRAMEWORKS = [load_framework(p) for p in available_periods()]
BASES = {fw.period: rich_plan(fw) for fw in FRAMEWORKS}
DEFS = _defs()["$defs"]
TEXT = jsonschema.Draft202012Validator(DEFS["text"])  # what a category (a chart label) must be


def _resolve(node: dict) -> dict:
    while "$ref" in node:
        target = DEFS[node["$ref"].rsplit("/", 1)[1]]
        node = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
    return node


def _schema_at(node: dict, value) -> dict:
    """The branch of if/then/else or oneOf that describes this value."""
    node = _resolve(node)
    if "if" in node and "else" in node:
        branch = node["then"] if isinstance(value, dict) and "not_stated" in value else node["else"]
        return _schema_at({**{k: v for k, v in node.items() if k not in ("if", "then", "else")}, **branch}, value)
    if "oneOf" in node:
        for option in node["oneOf"]:
            option = _resolve(option)
            if (option.get("type") == "object") == isinstance(value, dict):
                return option
    return node


def leaves(schema: dict, value, path=()):
    """(path, kind) of every string, number and amount in the plan, its kind read from the schema."""
    node = _schema_at(schema, value)
    if isinstance(value, dict):
        for key, child in value.items():
            sub = (node.get("properties") or {}).get(key) or node.get("additionalProperties") or {}
            yield from leaves(sub, child, path + (key,))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from leaves(node.get("items") or {}, child, path + (index,))
    elif "enum" not in node and "const" not in node and not isinstance(value, bool):
        types = node.get("type") if isinstance(node.get("type"), list) else [node.get("type")]
        if "pattern" in node and "date" in node.get("description", ""):
            yield path, "date"
        elif "string" in types:
            yield path, "text"
        elif "integer" in types or "number" in types:
            yield path, "money" if "pounds" in node.get("description", "") else "number"


LEAVES = {fw.period: sorted(set(leaves(fw.schema(), BASES[fw.period])), key=str) for fw in FRAMEWORKS}

SPECIAL = ["$\\frac{1}{$", "$x^$", "\\", "`", "```{onfocus=x}\n", "~~~", "| a | b |", "<script>", "&lt;b&gt;",
           "=HYPERLINK(\"x\")", "\x00", "\x01", "\x1f", "\x7f", "\x85", "\u2028", "\ufeff", "\ufffe", "\uffff",
           "\U0001F600", "\t", "\r", "\n", " ", "", "null", "2023-02-30", "1e309", "0b_", "._", "%s", "{x}", "*", "#"]
texts = st.one_of(
    st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=40),
    st.lists(st.sampled_from(SPECIAL), min_size=1, max_size=6).map("".join),
    st.builds(lambda a, b: a + b, st.text(max_size=10), st.sampled_from(SPECIAL)),
    st.integers(0, 2000).map(lambda n: "x" * n + " word" * (n // 50)),
    st.sampled_from([250, 999, 1000, 1001, 30000, 30001]).map(lambda n: "y" * n),
)
numbers = st.one_of(
    st.integers(-10, 10**6), st.integers(0, 10**13), st.integers(10**15, 10**120).filter(lambda n: n % 7 == 0),
    st.floats(allow_nan=False, allow_infinity=False), st.floats(0, 10**9).map(round).map(float),
    st.sampled_from([100_000_000_000, 100_000_000_001, 10**400]),
)
dates = st.one_of(st.dates().map(lambda d: d.isoformat()),
                  st.builds("{}-{:02d}-{:02d}".format, st.integers(1890, 2110), st.integers(0, 13), st.integers(0, 32)),
                  st.builds("{}-{:02d}".format, st.integers(1890, 2110), st.integers(0, 13)))
KINDS = {"text": texts, "number": numbers, "money": numbers, "date": dates}


def dump(plan: dict) -> str:
    """As planbuilder.dump, with libyaml's emitter (the pure-Python one would take most of the time)."""
    return yaml.dump(plan, Dumper=yaml.CSafeDumper, sort_keys=False, allow_unicode=True, width=1000)


def _set(plan, path, value):
    target = plan
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value


@st.composite
def generated_plans(draw):
    fw = draw(st.sampled_from(FRAMEWORKS))
    plan = copy.deepcopy(BASES[fw.period])
    values = {}  # path -> the value it holds at the end
    for _ in range(draw(st.integers(1, 3))):
        path, kind = draw(st.sampled_from(LEAVES[fw.period]))
        value = draw(KINDS[kind])
        if kind == "money" and path[0] == "schemes":  # the stream's income moves with its scheme: BCF201 holds
            scheme = plan["schemes"][path[1]]
            plan["funding"]["streams"][scheme["funding_source"]][path[-1]] = value
        _set(plan, path, value)
        values[path] = value
    return fw.period, plan, list(values.values())


WORD = word.new_word(document.Document(title="values"))
SHEET = openpyxl.Workbook().active
ROW = [0]


def _contains(block, texts_in) -> bool:
    found = " ".join(str(v) for v in vars(block).values() if isinstance(v, str))
    if isinstance(block, document.Table):
        found += " ".join(map(str, block.columns + [c for row in block.rows for c in row]))
    return any(t and t in found for t in texts_in)


def write_values(fw, data, values):
    """Render a validated plan with the cheap writers, and each generated value with every writer."""
    narrative.render(data, fw)
    model = document.build(data, fw)
    strings = [v for v in values if isinstance(v, str)]
    if any(s and s in f"{model.title} {model.author} {model.subject}" for s in strings):
        word.new_word(model)  # the document's properties, header and footer carry them
    for block in model.blocks:
        if _contains(block, strings):
            word.add_block(WORD, model, block)
            if isinstance(block, document.Table):
                html.table(block.columns, block.rows, caption=block.title, money_columns=block.money_columns)
    for value in values:
        ROW[0] += 1
        excel.put(SHEET, ROW[0], 1, value, excel.POUNDS if isinstance(value, int) else None)
        if isinstance(value, str):
            html.prose(value), html.text(value)
        else:
            document.money(value), charts.pounds_axis(value), charts.plain_axis(value)


@settings(max_examples=PLANS, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(generated_plans())
def test_what_validates_renders(case):
    period, plan, values = case
    fw = load_framework(period)
    loaded = loads(dump(plan), "generated.yaml")
    result = validate_plan(loaded)
    assert all(f.message and (f.line is None or f.line >= 1) for f in result.findings)
    if not result.errors:
        write_values(fw, loaded.data, values)


@settings(max_examples=WHOLE_PLANS, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(generated_plans())
def test_what_validates_renders_to_word_and_excel_whole(case):
    period, plan, _values = case
    fw = load_framework(period)
    loaded = loads(dump(plan), "generated.yaml")
    if not validate_plan(loaded).errors:
        data = loaded.data
        assert word.render(data, fw)[:2] == b"PK"
        openpyxl.load_workbook(io.BytesIO(excel.render(data, fw, "generated.yaml")))


@settings(max_examples=max(20, PLANS // 50), deadline=None, database=None)
@given(st.lists(texts, min_size=1, max_size=8), st.data())
def test_chart_labels_that_validate_draw(labels, data):
    """Plan text labels the charts (spend by category): any text that validates as text draws."""
    labels = [label for label in labels if TEXT.is_valid(label)]
    if labels:
        amounts = data.draw(st.lists(st.integers(0, 100_000_000_000), min_size=len(labels), max_size=len(labels)))
        assert charts.stacked_bars(labels, [charts.Series("2023-24", amounts)]).startswith(b"<?xml")


def test_the_generated_fields_cover_the_schema():
    """Every kind of text field of every period is generated: title, history, tables, risks ..."""
    for fw in FRAMEWORKS:
        tops = {path[0] for path, _ in LEAVES[fw.period]}
        # (narrative_order holds outline ids only: no free text to generate)
        optional = set(fw.schema()["properties"]) - {"framework", "status", "minimum_spend", "spend_by_category", "dfg",
                                                     "narrative_order"}
        assert optional <= tops, optional - tops
        kinds = {kind for _, kind in LEAVES[fw.period]}
        assert kinds == {"text", "number", "money", "date"}
