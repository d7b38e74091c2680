"""The loader's two builders agree: what the fast one reads, the careful one reads the same, to every
value, flag and line; what the fast one does not take, the careful one reads (or refuses) as before."""
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bcf_schema import loader
from conftest import EXAMPLE_PLANS, EXAMPLE_RETURNS

ROOT = Path(__file__).parent.parent
YAML_FILES = sorted({*EXAMPLE_PLANS, *EXAMPLE_RETURNS, *ROOT.glob("bcf_schema/frameworks/*/framework.yaml"),
                     *(ROOT / "tests" / "fixtures").rglob("*.yaml")})


def careful(text: str):
    """The careful builder's reading: (data, whole_floats, source map) or the problem's (code, message, mark)."""
    source_map = loader.SourceMap("x.yaml")
    try:
        data, whole_floats = loader._build(text, source_map)
    except loader._Problem as problem:
        return ("problem", problem.code, problem.message, problem.mark)
    return data, whole_floats, source_map


def fast(text: str):
    try:
        return loader._build_fast(text, "x.yaml")
    except loader._Unusual:
        return None


def assert_same_reading(text: str) -> bool:
    """True if the fast builder took the text (and then read it exactly as the careful one does)."""
    expected = careful(text)
    got = fast(text)
    if got is None:
        return False
    assert expected[0] != "problem", f"the fast builder took what the careful one refuses: {expected}"
    data, whole_floats, source_map = expected
    assert got[0] == data and type(got[0]) is type(data)
    assert _typed(got[0]) == _typed(data)  # 1 and 1.0 and True are equal in Python, not in a plan
    assert got[1] == whole_floats
    pointers = set(source_map.values) | set(source_map.keys)
    for pointer in pointers | {p + suffix for p in pointers for suffix in ("/nope", "/0", "/99", "/01", "/-1")}:
        for key in (False, True):
            assert got[2].locate(pointer, key=key) == source_map.locate(pointer, key=key), (pointer, key)
    return True


def _typed(value):
    if isinstance(value, dict):
        return {k: _typed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_typed(v) for v in value]
    return (type(value).__name__, value)


@pytest.mark.parametrize("path", YAML_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_bundled_and_example_file_is_read_the_same_by_both_builders(path):
    assert assert_same_reading(path.read_text(encoding="utf-8")), "plain YAML should take the fast way"


PLAIN = [
    "a: 1\nb: [x, 'y', {c: 2.0}]\n'd/e~f': 0x10\n",
    "a: {b: {c: [1, [2, [3, {d: e}]]]}}\n",
    "x: -0\ny: +12\nz: 0o17\nw: 017\nv: 1_000\nu: 1:30\nt: 1e3\ns: .5\nr: -.5e+2\nq: 1_0.5\n",
    "a: yes\nz: -.NaN\nb: No\nc: ~\nd: null\ne:\nf: ''\ng: 2023-04-01\nh: 2023-04-01T10:00:00Z\ni: 2023-24\n",
    "'1': a\n\"2\": b\n? c\n: d\n2023: e\n1.5: f\ntrue: g\n~: h\n",
    "text: |\n  line *one*\n  & two\n  - three\nfolded: >\n  a\n  b\n",
    "empty_map: {}\nempty_list: []\nnested: [[], {}, [{}]]\n",
    "list:\n- a\n- b:\n    c: 1\n- - x\n  - y\n",
    "a: 1.0\nb: 2.50\n",
    "---\na: 1\n...\n",
    "'': root\nnull_key: {'': 1}\n",
    "a: '<<'\n'<<': quoted\n",
]

UNUSUAL = [
    "a: &x 1\nb: *x\n",
    "a: !!str 1\n",
    "a: !!int '12'\n",
    "a: ! 12\n",
    "! a: 1\n",
    "a: !!map {b: 1}\n",
    "a: !custom x\n",
    "<<: {a: 1}\n",
    "a: 1\na: 2\n",
    "[a, b]: 1\n",
    "{a: 1}: 2\n",
    "a: .inf\n",
    "a: .NaN\n",
    "a: -.Inf\n",
    "a: 0b_\n",
    "a: " + "9" * 101 + "\n",
    "a: <<\n",
    "a: =\n",
    "a: 1\n---\nb: 2\n",
    "- a\n- b\n",
    "just text\n",
    "# only a comment\n",
    "a: [1, 2\n",
    "a: b: c\n",
    "a:\n\tb: 1\n",
    "a: " + "[" * 70 + "]" * 70 + "\n",
    "a: *nowhere\n",
]


@pytest.mark.parametrize("text", PLAIN)
def test_plain_yaml_takes_the_fast_way_and_reads_the_same(text):
    assert assert_same_reading(text)


@pytest.mark.parametrize("text", UNUSUAL)
def test_anything_unusual_is_left_to_the_careful_builder(text):
    assert fast(text) is None
    plan = loader.loads(text, "x.yaml")  # and the plan is what the careful builder made of it
    expected = careful(text)
    if expected[0] == "problem":
        assert [(f.code, f.message, (f.line, f.col)) for f in plan.findings] == [
            (expected[1], expected[2], expected[3] or (None, None))]
    else:
        assert plan.ok and plan.data == expected[0] and isinstance(plan.source_map, loader.SourceMap)


def test_too_many_values_are_left_to_the_careful_builder():
    text = "a: [" + "1, " * loader.MAX_NODES + "1]\n"
    assert fast(text) is None
    assert [f.code for f in loader.loads(text, "x.yaml").findings] == ["BCF007"]


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab1:-[]{}&*!|>'\"#\n ~/.0,?<=")), max_size=80))
def test_both_builders_agree_on_punctuation_soup(text):
    assert_same_reading(text)


scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**20, 10**20), st.floats(), st.text(max_size=12),
                    st.sampled_from(["2023-24", "2024-04-01", "0x1F", "0o17", "017", "1_000", "1:30", ".5", "~",
                                     "yes", "Off", "<<", "=", "a/b~c", "", "-", "1e5", "+.inf", "12.0"]))
documents = st.dictionaries(st.text(max_size=8), st.recursive(
    scalars, lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner,
                                                                                  max_size=4)), max_leaves=12),
    min_size=1, max_size=5)


@settings(max_examples=300, deadline=None)
@given(documents, st.sampled_from([None, True, False]), st.sampled_from([None, "'", '"', "|"]))
def test_both_builders_agree_on_any_document_yaml_can_write(data, flow, style):
    import yaml

    assert_same_reading(yaml.safe_dump(data, default_flow_style=flow, default_style=style, allow_unicode=True,
                                       sort_keys=False))
