"""Property-based: mutated plans and random bytes never crash the validator."""
import copy

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bcf_schema import available_periods, load, load_framework, loads, schema_check, validate_plan
from conftest import EXAMPLE_PLANS
from planbuilder import dump

BASES = [load(p).data for p in EXAMPLE_PLANS]
STATUSES = st.sampled_from(["draft", "submitted", "approved"])

scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**12, 10**12), st.floats(allow_nan=False),
                    st.text(max_size=30))
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                       st.dictionaries(st.text(max_size=10), inner, max_size=3)),
                      max_leaves=8)


def paths(data, prefix=()):
    yield prefix
    if isinstance(data, dict):
        for key, value in data.items():
            yield from paths(value, prefix + (key,))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from paths(value, prefix + (index,))


@st.composite
def mutated_plans(draw):
    plan = copy.deepcopy(draw(st.sampled_from(BASES)))
    plan["status"] = draw(STATUSES)
    for _ in range(draw(st.integers(1, 4))):
        targets = list(paths(plan))[1:]
        target = draw(st.sampled_from(targets))
        parent = plan
        for part in target[:-1]:
            parent = parent[part]
        action = draw(st.sampled_from(["replace", "delete", "add"]))
        if action == "delete":
            del parent[target[-1]]
        elif action == "replace":
            parent[target[-1]] = draw(values)
        elif isinstance(parent, dict):
            parent[draw(st.text(min_size=1, max_size=12))] = draw(values)
        else:
            parent.append(draw(values))
    return plan


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(mutated_plans())
def test_mutated_plans_give_findings_not_tracebacks(plan):
    result = validate_plan(loads(dump(plan), "mutated.yaml"))
    for finding in result.findings:
        assert finding.line is None or finding.line >= 1
        assert finding.message


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_random_bytes_give_findings_not_tracebacks(raw):
    result = validate_plan(loads(raw, "random.yaml"))
    assert all(f.message for f in result.findings)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab:-[]{}&*!|>'\"#\n\t 12.%@`,?")), max_size=120))
def test_yaml_punctuation_soup_gives_findings_not_tracebacks(text):
    result = validate_plan(loads(text, "soup.yaml"))
    assert all(f.message for f in result.findings)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(mutated_plans())
def test_the_fast_schema_check_agrees_with_jsonschema(plan):
    """jsonschema-rs answers 'valid?' for speed; python-jsonschema explains why not. They must agree,
    or a plan could pass the fast check with a problem the full check would have reported."""
    loaded = loads(dump(plan), "mutated.yaml")
    if not loaded.ok or loaded.data.get("framework") not in available_periods():
        return
    fw = load_framework(loaded.data["framework"])
    fast = schema_check.fast_validator_for(fw).is_valid(loaded.data)
    full = schema_check.validator_for(fw).is_valid(loaded.data)
    assert fast == full


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(mutated_plans(), STATUSES)
def test_a_draft_is_never_held_to_more_than_a_submitted_plan(plan, later):
    """The status only relaxes what is left to write: every error of a plan as a draft is an error of
    the same plan submitted or approved, at the same place."""
    def errors(status):
        text = dump({**plan, "status": status})
        return {(f.code, f.pointer) for f in validate_plan(loads(text, "p.yaml")).findings if f.severity.value == "error"}
    assert errors("draft") <= errors(later)
