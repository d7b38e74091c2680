"""framework.yaml is a strict contract: a misspelt key anywhere is an error at its line, never a silent gap."""
import re
import shutil

import pytest

from bcf_schema.framework import FRAMEWORKS_DIR, FrameworkError, available_periods, load_framework, read_framework

LATEST = available_periods()[-1]


def _misspell(tmp_path, pattern: str, replacement: str):
    """A copy of the latest framework with the first line matching `pattern` rewritten; (path, line number)."""
    folder = tmp_path / LATEST
    shutil.copytree(FRAMEWORKS_DIR / LATEST, folder)
    path = folder / "framework.yaml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    number = next(i for i, line in enumerate(lines) if re.search(pattern, line))
    lines[number] = re.sub(pattern, replacement, lines[number], count=1)
    path.write_text("".join(lines), encoding="utf-8")
    return folder, number + 1


def _error(folder) -> str:
    with pytest.raises(FrameworkError) as caught:
        read_framework(folder)
    return str(caught.value)


def test_the_packaged_frameworks_meet_the_strict_contract():
    for period in available_periods():
        assert read_framework(FRAMEWORKS_DIR / period).period == period


def test_an_unchanged_copy_loads(tmp_path):
    folder = tmp_path / LATEST
    shutil.copytree(FRAMEWORKS_DIR / LATEST, folder)
    assert read_framework(folder).ids("metrics") == load_framework(LATEST).ids("metrics")


@pytest.mark.parametrize("pattern, typo, meant", [
    (r"^financial_years:", "financial_yeras:", "financial_years"),  # top-level key
    (r"^ring_fenced:", "ring_fencd:", "ring_fenced"),  # top level: the DFG rule would stop running
    (r"^    where:", "    wher:", "where"),  # a minimum-spend rule key
    (r"^  - funding_stream: dfg", "  - funding_streams: dfg", "funding_stream"),  # a ring-fenced rule key
    (r"^    better:", "    beter:", "better"),  # a metric key
    (r"^      columns:", "      colums:", "columns"),  # a planning-template sheet key
])
def test_a_misspelt_key_is_named_at_its_line_with_the_key_meant(tmp_path, pattern, typo, meant):
    folder, line = _misspell(tmp_path, pattern, typo)
    message = _error(folder)
    wrong = typo.strip(" -:").split(":")[0]
    assert f"{folder / 'framework.yaml'}:{line}: unknown key '{wrong}'" in message
    assert f"did you mean '{meant}'" in message


def test_a_misspelt_narrative_table_kind_is_named_at_its_line(tmp_path):
    folder, line = _misspell(tmp_path, r"^  metrics: ", "  metric: ")
    message = _error(folder)
    assert f"framework.yaml:{line}: unknown key 'metric' in /narrative_tables" in message
    assert "did you mean 'metrics'" in message


def test_asking_for_a_section_the_contract_does_not_define_is_an_error_not_an_empty_list():
    fw = load_framework(LATEST)
    assert fw.items("ring_fenced")  # a defined section
    with pytest.raises(FrameworkError, match="did you mean 'ring_fenced'"):
        fw.items("ring_fence")


@pytest.mark.parametrize("pattern, typo, where", [
    (r"goal_periods: quarterly", "goal_periods: quartely", "goal_periods"),  # a goal period no code divides a year by
    (r"^    kind: section", "    kind: sectoin", "/outline/0/kind"),  # an outline kind no renderer knows
    (r"^    - id: income", "    - id: incomes", "/id"),  # a planning-template sheet with no writer
    (r"\{field: amounts,", "{field: amount,", "field"),  # a column the income sheet's writer has no place for
])
def test_a_value_no_renderer_knows_is_named_at_its_line(tmp_path, pattern, typo, where):
    folder, line = _misspell(tmp_path, pattern, typo)
    message = _error(folder)
    value = typo.split(":")[-1].strip(" {,") if "field" not in typo else "amount"
    assert f"framework.yaml:{line}: " in message and where in message and repr(value) in message


def test_every_kind_the_contract_allows_has_a_renderer():
    from bcf_schema.framework import GOAL_PERIODS, _framework_schema
    from renderers.document import SUMMARY_TABLES
    from renderers.workbook import layout
    schema = _framework_schema()
    tables = schema["properties"]["narrative_tables"]["propertyNames"]["enum"]
    assert set(tables) == set(SUMMARY_TABLES)  # a table kind framework.yaml may place has a builder
    metric = schema["properties"]["metrics"]["items"]["properties"]
    assert metric["goal_periods"]["enum"] == list(GOAL_PERIODS)
    for period in available_periods():  # the planning template has a column for every goal period of a metric
        fw = load_framework(period)
        for metric in fw.metrics:
            assert layout.metric_periods(fw, metric) == fw.goal_periods(metric), (period, metric.id)


def test_the_sections_code_reads_most_are_typed_and_agree_with_the_file():
    for period in available_periods():
        fw = load_framework(period)
        assert [m.id for m in fw.metrics] == fw.ids("metrics")
        assert [(s.id, s.name) for s in fw.funding_streams] == list(fw.names("funding_streams").items())
        for rule in fw.minimum_spend:
            assert rule.funding_stream in fw.ids("funding_streams") and rule["id"] == rule.id
        for fence in fw.ring_fenced:
            assert fence.scheme_types and set(fence.scheme_types) <= set(fw.ids("scheme_types"))
        assert all(m.goal_periods in ("annual", "quarterly", "monthly") and m.unit for m in fw.metrics)
