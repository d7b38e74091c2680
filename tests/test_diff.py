"""`bcfc diff OLD NEW`: what changed, in the plan's own terms."""
import json

import pytest

from bcf_schema import load, load_framework
from bcf_schema import plandiff
from conftest import EXAMPLE_PLANS, ROOT, run_bcfc
from planbuilder import complete_plan, dump, variant

PLAN_IDS = [p.relative_to(ROOT / "plans").as_posix() for p in EXAMPLE_PLANS]


def two_scheme_plan():
    """A 2023-25 plan whose two schemes share the minimum NHS contribution."""
    fw = load_framework("2023-25")
    plan = complete_plan(fw)
    plan["funding"]["streams"] = {"minimum_nhs_contribution": {"2023-24": 1_500_000, "2024-25": 200_000}}
    plan["schemes"] = [
        {"id": "S1", "name": "Home care", "funding_source": "minimum_nhs_contribution", "type": "home_care",
         "expenditure": {"2023-24": 1_000_000, "2024-25": 100_000}},
        {"id": "S2", "name": "Reablement", "funding_source": "minimum_nhs_contribution",
         "type": "home_based_intermediate_care", "expenditure": {"2023-24": 500_000, "2024-25": 100_000}},
    ]
    goals = {p: 180.0 for p in fw.goal_periods(fw.items("metrics")[0])}  # avoidable admissions, every quarter
    plan["metrics"]["avoidable_admissions"] = {"goals": {**goals, "2023-24 Q1": 200.0, "2023-24 Q2": 190.0}}
    plan["history"] = [{"version": "1.0", "date": "2023-06-20", "change": "Approved by the board"}]
    return plan


def test_money_moved_between_schemes_names_both_and_their_amounts():
    old = two_scheme_plan()
    new = variant(old)
    new["schemes"][0]["expenditure"]["2023-24"] = 750_000
    new["schemes"][1]["expenditure"]["2023-24"] = 750_000
    diff = plandiff.compare(old, new, "plan.yaml")
    changed = {s["id"]: s for s in diff.schemes_changed}
    assert changed["S1"]["expenditure"] == [{"year": "2023-24", "old": 1_000_000, "new": 750_000,
                                             "change": -250_000, "percent": -25.0}]
    assert changed["S2"]["expenditure"] == [{"year": "2023-24", "old": 500_000, "new": 750_000,
                                             "change": 250_000, "percent": 50.0}]
    assert not diff.funding and not diff.schemes_added and not diff.schemes_removed
    text = plandiff.as_text([diff])
    assert "S1 'Home care': expenditure 2023-24: £1,000,000 -> £750,000 (-£250,000, -25.0%)" in text
    assert "S2 'Reablement': expenditure 2023-24: £500,000 -> £750,000 (+£250,000, +50.0%)" in text


def test_funding_per_stream_and_year_with_pounds_and_percent():
    old = two_scheme_plan()
    new = variant(old)
    new["funding"]["streams"]["minimum_nhs_contribution"]["2024-25"] = 230_000
    new["funding"]["streams"]["dfg"] = {"not_stated": "in the planning template"}
    diff = plandiff.compare(old, new)
    assert {"stream": "minimum_nhs_contribution", "name": "Minimum NHS contribution", "year": "2024-25",
            "old": 200_000, "new": 230_000, "change": 30_000, "percent": 15.0} in diff.funding
    assert any(f["stream"] == "dfg" and f["new"] == "not stated (in the planning template)" for f in diff.funding)


def test_schemes_added_removed_and_fields_changed():
    old = two_scheme_plan()
    new = variant(old)
    removed = new["schemes"].pop(1)
    new["schemes"].append({"id": "S3", "name": "Carers' breaks", "funding_source": "minimum_nhs_contribution",
                           "expenditure": {"2023-24": 500_000}})
    new["schemes"][0]["provider"] = "Worcestershire County Council"
    new["schemes"][0]["type"] = "personalised_care_at_home"
    diff = plandiff.compare(old, new)
    assert [s["id"] for s in diff.schemes_added] == ["S3"]
    assert diff.schemes_removed == [{"id": "S2", "name": removed["name"], "funding_source": "minimum_nhs_contribution",
                                     "expenditure": removed["expenditure"]}]
    fields = {f["field"]: (f["old"], f["new"]) for f in diff.schemes_changed[0]["fields"]}
    assert fields == {"type": ("home_care", "personalised_care_at_home"),
                      "provider": (None, "Worcestershire County Council")}


def test_metric_goals_baselines_and_words():
    old = two_scheme_plan()
    new = variant(old)
    new["metrics"]["avoidable_admissions"]["goals"]["2023-24 Q1"] = 210.5
    new["metrics"]["avoidable_admissions"]["baseline"] = {"2022-23": 220.1}
    new["metrics"]["falls"] = {"goal_as_stated": "a 5% reduction on 2022-23"}
    diff = plandiff.compare(old, new)
    by = {(m["metric"], m["measure"], m["period"]): m for m in diff.metrics}
    assert by[("avoidable_admissions", "goal", "2023-24 Q1")]["old"] == 200.0
    assert by[("avoidable_admissions", "goal", "2023-24 Q1")]["change"] == 10.5
    assert by[("avoidable_admissions", "baseline", "2022-23")]["new"] == 220.1
    assert by[("falls", "goal as stated", None)]["new"] == "a 5% reduction on 2022-23"
    assert "Avoidable admissions goal April to June 2023: 200.0 -> 210.5 (+10.5)" in plandiff.as_text([diff])


def test_narrative_sections_count_words_added_and_removed():
    old = two_scheme_plan()
    old["narrative"]["nc1.pr1.organisations"] = "The plan was written with the ICB in May."
    new = variant(old)
    new["narrative"]["nc1.pr1.organisations"] = "The plan was written with the district councils and the ICB in June."
    new["narrative"]["nc2.pr4.carers"] = {"text": old["narrative"]["nc2.pr4.carers"],
                                          "subsections": [{"title": "Respite", "text": "Two new respite beds."}]}
    diff = plandiff.compare(old, new)
    by = {n["id"]: n for n in diff.narrative}
    assert by["nc1.pr1.organisations"]["status"] == "changed"
    assert (by["nc1.pr1.organisations"]["words_added"], by["nc1.pr1.organisations"]["words_removed"]) == (5, 1)
    assert (by["nc2.pr4.carers"]["words_added"], by["nc2.pr4.carers"]["words_removed"]) == (5, 0)
    assert plandiff.word_changes("a b c", "a x c") == (1, 1)


def test_metadata_version_status_and_history():
    old = two_scheme_plan()
    new = variant(old)
    new["version"], new["status"] = "1.1", "approved"
    new["history"].append({"version": "1.1", "date": "2023-09-01", "change": "Moved £250,000 to reablement"})
    diff = plandiff.compare(old, new)
    assert {"field": "version", "old": "1.0", "new": "1.1"} in diff.metadata
    assert {"field": "status", "old": "submitted", "new": "approved"} in diff.metadata
    assert diff.history_added == [new["history"][-1]]


@pytest.mark.parametrize("path", EXAMPLE_PLANS, ids=PLAN_IDS)
def test_a_plan_against_itself_is_unchanged(path):
    raw = path.read_bytes()
    diff = plandiff.compare_sources(raw, raw, str(path))
    assert diff.status == "unchanged" and not plandiff.lines(diff)


def test_the_command_compares_two_files_in_three_formats(tmp_path):
    old = two_scheme_plan()
    new = variant(old)
    new["schemes"][0]["expenditure"]["2023-24"] = 750_000
    new["schemes"][1]["expenditure"]["2023-24"] = 750_000
    (tmp_path / "old.yaml").write_text(dump(old), encoding="utf-8")
    (tmp_path / "new.yaml").write_text(dump(new), encoding="utf-8")
    text = run_bcfc("diff", "old.yaml", "new.yaml", cwd=tmp_path)
    assert text.returncode == 0, text.stderr
    assert "£1,000,000 -> £750,000" in text.stdout and "1 plan file(s) compared: 1 changed" in text.stdout
    markdown = run_bcfc("diff", "old.yaml", "new.yaml", "--format", "markdown", cwd=tmp_path)
    assert markdown.returncode == 0
    assert "| S1 Home care | expenditure | 2023-24 | £1,000,000 | £750,000 | -£250,000, -25.0% |" in markdown.stdout
    data = json.loads(run_bcfc("diff", "old.yaml", "new.yaml", "--format", "json", cwd=tmp_path).stdout)
    assert data["changed"] == 1 and data["plans"][0]["schemes_changed"][0]["id"] == "S1"
    same = run_bcfc("diff", "old.yaml", "old.yaml", cwd=tmp_path)
    assert same.returncode == 0 and "0 changed" in same.stdout


def test_the_command_reports_unreadable_files_and_bad_usage(tmp_path):
    (tmp_path / "old.yaml").write_text(dump(two_scheme_plan()), encoding="utf-8")
    (tmp_path / "broken.yaml").write_text("framework: [\n", encoding="utf-8")
    broken = run_bcfc("diff", "old.yaml", "broken.yaml", cwd=tmp_path)
    assert broken.returncode == 0 and "cannot be read" in broken.stdout and "unreadable" not in broken.stderr
    assert run_bcfc("diff", "old.yaml", cwd=tmp_path).returncode == 2
    assert run_bcfc("diff", "old.yaml", "missing.yaml", cwd=tmp_path).returncode == 2


def test_the_example_plans_differ_in_their_terms():
    worcs, leics = (load(ROOT / "plans" / p).data
                    for p in ("worcestershire/2023-25.yaml", "leicestershire/2025-26.yaml"))
    diff = plandiff.compare(worcs, leics)
    fields = {m["field"] for m in diff.metadata}
    assert {"framework", "hwbs", "icbs"} <= fields
    assert any(n["status"] == "removed" for n in diff.narrative) and any(n["status"] == "added" for n in diff.narrative)
