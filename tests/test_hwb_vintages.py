"""The HWB and ICB list says which dates it holds for; a plan is checked against the list of its period."""
import datetime as dt
import shutil

import pytest

from bcf_schema import available_periods, hwbs, load_framework, loads, rules
from bcf_schema.framework import FRAMEWORKS_DIR, read_framework
from planbuilder import complete_plan, dump, line_of

LATEST = available_periods()[-1]


def _codes(text: str, fw) -> list:
    plan = loads(text, "plan.yaml")
    return rules.check(plan, fw)


@pytest.fixture
def next_period(tmp_path):
    """The latest framework copied to the period after the list's ICB boundaries end (no Python change)."""
    start = int(load_framework(LATEST).financial_years[0][:4])
    while dt.date(start, 4, 1) <= hwbs.vintage_for(dt.date(start, 4, 1)).valid_to:
        start += 1
    period = f"{start}-{(start + 1) % 100:02d}"
    folder = tmp_path / period
    shutil.copytree(FRAMEWORKS_DIR / LATEST, folder)
    path = folder / "framework.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(f'period: "{LATEST}"', f'period: "{period}"')
                    .replace(f'financial_years: ["{LATEST}"]', f'financial_years: ["{period}"]'), encoding="utf-8")
    return read_framework(folder)


def test_the_bundled_list_states_the_dates_it_is_valid_for():
    (vintage,) = hwbs.vintages(hwbs.VINTAGES)
    assert (vintage.valid_from, vintage.valid_to) == (dt.date(2022, 7, 1), dt.date(2026, 3, 31))
    assert vintage.path == hwbs.DATA and len(hwbs.all_hwbs(vintage.path)) == 153


@pytest.mark.parametrize("period", available_periods())
def test_no_warning_for_the_periods_the_list_covers(period):
    fw = load_framework(period)
    assert [f for f in _codes(dump(complete_plan(fw)), fw) if f.code == "BCF218"] == []


def test_a_plan_for_a_period_after_the_list_is_warned_that_icb_names_may_have_changed(next_period):
    plan = complete_plan(next_period)
    plan["icbs"] = ["NHS Some Merged ICB"]  # a name the list cannot know
    text = dump(plan)
    found = _codes(text, next_period)
    (warning,) = [f for f in found if f.code == "BCF218"]
    assert warning.severity.value == "warning"
    assert warning.line == line_of(text, "icbs:", starts=True)
    assert "31 March 2026" in warning.message and "ICB names may have changed" in warning.message
    assert "BCF212" not in {f.code for f in found}  # the ICBs named are not matched against a stale list
    assert [f for f in found if f.severity.value == "error"] == []


def test_the_list_can_hold_more_than_one_vintage(tmp_path, monkeypatch):
    """An older list for 2022-24 with another ICB name for Worcestershire, the bundled list from 2024:
    a 2023-25 plan is checked against the ICBs of its time, a 2025-26 plan against today's."""
    current = hwbs.by_code()["E10000034"].icbs[0]
    old = tmp_path / "hwbs-2022.csv"
    old.write_text(hwbs.DATA.read_text(encoding="utf-8").replace(current, "NHS Old Worcestershire ICB"),
                   encoding="utf-8")
    shutil.copy(hwbs.DATA, tmp_path / "hwbs.csv")
    table = tmp_path / "vintages.csv"
    table.write_text("file,valid_from,valid_to,describes\n"
                     "hwbs.csv,2024-04-01,2026-03-31,today's ICBs\n"
                     "hwbs-2022.csv,2022-07-01,2024-03-31,the ICBs before a change\n", encoding="utf-8")
    assert [v.path.name for v in hwbs.vintages(table)] == ["hwbs-2022.csv", "hwbs.csv"]
    assert hwbs.vintage_for(dt.date(2023, 4, 1), table).path == old
    monkeypatch.setattr(hwbs, "VINTAGES", table)
    for period, warned in (("2023-25", True), ("2025-26", False)):
        fw = load_framework(period)
        found = {f.code for f in _codes(dump(complete_plan(fw)), fw)}  # names today's ICB
        assert ("BCF212" in found) is warned, period
