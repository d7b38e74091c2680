"""`bcfc new`: a plan for any HWB and period, every heading there and marked to write."""
import datetime as dt
import re
from pathlib import Path

import pytest

from bcf_schema import available_periods, hwbs, load, load_framework, loads, validate_plan
from bcf_schema.findings import Severity
from bcf_schema import scaffold
from conftest import PLANS, ROOT, run_bcfc
from planbuilder import dump

TODAY = dt.date(2025, 3, 1)
MODELINE = "# yaml-language-server: $schema="


def scaffold_text(hwb, fw, **kwargs):
    built = scaffold.new_plan([hwb], fw, today=TODAY, **kwargs)
    path = PLANS / hwb.slug / f"{fw.period}.yaml"
    return built, scaffold.render(built, path, TODAY)


# headings, goals, income and schemes, minimums, sign-off, values marked "to be written" (2014-15's CCGs)
TO_WRITE = {"BCF205", "BCF207", "BCF214", "BCF203", "BCF215", "BCF208"}


def only_sections_to_write(result, fw, other_notes=(), also=()):
    """The findings a fresh draft should have: no errors, only warnings for what is left to write (a BCF205
    for each required heading), and no notes but those at other_notes' pointers."""
    required = {e.id for e in fw.outline if e.answer == "required"}
    assert not result.errors, [(f.code, f.message) for f in result.errors]
    warnings = [f for f in result.findings if f.severity is Severity.WARNING]
    notes = [f for f in result.findings if f.severity is Severity.INFO and f.pointer not in other_notes]
    assert {f.code for f in warnings} <= TO_WRITE | set(also), [(f.code, f.message) for f in warnings]
    assert {f.pointer.split("/")[-1] for f in warnings if f.code == "BCF205"} == required
    assert not notes, notes


@pytest.mark.parametrize("period", available_periods())
def test_every_hwb_gets_a_plan_with_only_the_sections_to_write(period):
    fw = load_framework(period)
    for hwb in hwbs.all_hwbs():
        built, text = scaffold_text(hwb, fw)
        assert text.startswith(f"{MODELINE}../../bcf_schema/frameworks/{period}/plan.schema.json\n")
        plan = loads(text, f"plans/{hwb.slug}/{period}.yaml")
        assert plan.ok, plan.findings
        assert plan.data["hwbs"] == [{"name": hwb.short_name, "code": scaffold.code_for_period(hwb, fw)}]
        if fw.nhs_partners == "icbs":
            assert plan.data["icbs"] == list(hwb.icbs)
        # every heading of the outline is in the file, as a key or (headings only) as a comment
        for entry in fw.outline:
            as_key = re.search(rf"^  {re.escape(entry.id)}:", text, re.MULTILINE) is not None
            assert as_key == (entry.answer != "none"), entry.id
            assert entry.title.split()[0] in text
        only_sections_to_write(validate_plan(plan), fw)


def test_the_schema_modeline_points_at_the_periods_schema():
    fw = load_framework("2025-26")
    _, text = scaffold_text(hwbs.find("Leicestershire"), fw)
    relative = text.splitlines()[0].removeprefix(MODELINE)
    assert (PLANS / "leicestershire" / relative).resolve() == fw.schema_path.resolve()


def test_a_recoded_hwb_carries_the_code_of_the_period():
    barnsley = scaffold.resolve_hwb("Barnsley")
    assert scaffold.code_for_period(barnsley, load_framework("2023-25")) == "E08000016"
    assert scaffold.code_for_period(barnsley, load_framework("2025-26")) == "E08000038"
    assert scaffold.resolve_hwb("E08000016") is barnsley  # the old code finds it too


def test_new_writes_the_default_path_and_never_overwrites(tmp_path):
    result = run_bcfc("new", "Worcestershire", "--period", "2025-26", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    written = tmp_path / "plans" / "worcestershire" / "2025-26.yaml"
    text = written.read_text(encoding="utf-8")
    first = text.splitlines()[0]
    assert first.startswith(MODELINE) and (written.parent / first.removeprefix(MODELINE)).resolve().is_file()
    assert "12 required heading(s) to write" in result.stdout

    again = run_bcfc("new", "E10000034", "--period", "2025-26", cwd=tmp_path)
    assert again.returncode == 2 and "already exists" in again.stderr
    assert written.read_text(encoding="utf-8") == text

    check = run_bcfc("validate", written, cwd=tmp_path)  # a draft: what is left to write is a warning
    assert check.returncode == 0 and "warning BCF205" in check.stdout and " 0 error(s)" in check.stdout


def test_an_unknown_hwb_is_refused_with_suggestions(tmp_path):
    result = run_bcfc("new", "Worcs", "--period", "2025-26", cwd=tmp_path)
    assert result.returncode == 2
    assert "'Worcs' is not a Health and Wellbeing Board" in result.stderr
    assert "Worcestershire (E10000034)" in result.stderr
    swapped = run_bcfc("new", "E10000043", "--period", "2023-25", cwd=tmp_path)
    assert swapped.returncode == 2 and "did you mean Worcestershire (E10000034)" in swapped.stderr
    assert not (tmp_path / "plans").exists()


def test_an_unknown_period_is_refused(tmp_path):
    result = run_bcfc("new", "Worcestershire", "--period", "2031-32", cwd=tmp_path)
    assert result.returncode == 2 and "2023-25" in result.stderr


def test_from_an_earlier_plan_carries_what_still_applies(tmp_path):
    out = tmp_path / "2025-26.yaml"
    result = run_bcfc("new", "--period", "2025-26", "--from", PLANS / "worcestershire" / "2023-25.yaml", "-o", out)
    assert result.returncode == 0, result.stderr
    old = load(PLANS / "worcestershire" / "2023-25.yaml").data
    new = load(out).data
    assert new["hwbs"] == [{"name": "Worcestershire", "code": "E10000034"}]
    assert new["priorities"] == old["priorities"]
    assert [s["body"] for s in new["sign_off"]] == list(dict.fromkeys(s["body"] for s in old["sign_off"]))
    assert all("date" not in s and "decision" not in s for s in new["sign_off"])
    # what could not come across is said, not dropped silently
    assert "narrative nc1.pr1.organisations ('Organisations involved in preparing the plan'): " \
           "2025-26 has no heading with this id" in result.stderr
    assert "funding stream ibcf: not a funding stream of 2025-26" in result.stderr
    assert "schemes: the earlier plan does not list them" in result.stderr
    only_sections_to_write(validate_plan(load(out)), load_framework("2025-26"))


def test_from_carries_the_schemes_whose_stream_and_type_exist_in_the_new_framework(tmp_path):
    old = load(PLANS / "worcestershire" / "2023-25.yaml").data
    old["schemes"] = [
        {"id": "W1", "name": "Reablement", "type": "home_based_intermediate_care",
         "funding_source": "minimum_nhs_contribution", "area_of_spend": "social_care",
         "commissioner": "local_authority", "provider": "Worcestershire County Council",
         "expenditure": {"2023-24": 1_200_000, "2024-25": 1_260_000}},
        {"id": "W2", "name": "Home adaptations", "type": "dfg_related", "funding_source": "dfg",
         "expenditure": {"2023-24": 5_000_000}},
        {"id": "W3", "name": "Discharge beds", "type": "residential_placements", "funding_source": "la_discharge_fund",
         "expenditure": {"2023-24": 700_000}},
        {"id": "W4", "name": "Step-down flats", "type": "housing_related", "funding_source": "ibcf",
         "expenditure": {"2023-24": 90_000}},
    ]
    earlier = tmp_path / "2023-25.yaml"
    earlier.write_text(dump(old), encoding="utf-8")
    out = tmp_path / "2025-26.yaml"
    result = run_bcfc("new", "Worcestershire", "--period", "2025-26", "--from", earlier, "-o", out)
    assert result.returncode == 0, result.stderr
    schemes = load(out).data["schemes"]
    assert [s["id"] for s in schemes] == ["W1", "W2", "W3", "W4"]
    # 2025-26's Better Care Grant succeeds the LA discharge fund and the iBCF (framework.yaml: succeeds)
    assert schemes[2]["funding_source"] == "better_care_grant" and schemes[3]["funding_source"] == "better_care_grant"
    assert schemes[0]["type"] == "home_based_intermediate_care"
    assert schemes[0]["provider"] == "Worcestershire County Council"
    assert schemes[0]["expenditure"] == {"2025-26": 0}
    assert "2023-24: £1,200,000" in schemes[0]["notes"] and "2024-25: £1,260,000" in schemes[0]["notes"]
    only_sections_to_write(validate_plan(load(out)), load_framework("2025-26"))


@pytest.mark.skipif(not (PLANS / "warwickshire" / "2023-25.yaml").is_file(), reason="Warwickshire plan not present")
def test_from_warwickshire_carries_every_scheme_into_the_streams_that_succeed_its_own():
    old = load(PLANS / "warwickshire" / "2023-25.yaml").data
    fw = load_framework("2025-26")
    built = scaffold.new_plan([scaffold.resolve_hwb("Warwickshire")], fw, today=TODAY, earlier=old,
                              earlier_path="plans/warwickshire/2023-25.yaml")
    assert [s["id"] for s in built.plan["schemes"]] == [s["id"] for s in old["schemes"]]
    sources = {s["id"]: s.get("funding_source") or s["funding_source_as_stated"] for s in built.plan["schemes"]}
    assert sources["W-IBCF 1"] == "better_care_grant"  # the iBCF is part of the Better Care Grant in 2025-26
    assert sources["DF-2"] == "minimum_nhs_contribution"  # and the ICB discharge fund of the NHS contribution
    assert sources["W-IBCF 24"] == "Development Fund"  # a source in the document's words stays in its words
    assert not [line for line in built.not_carried if line.startswith("scheme ")]
    text = scaffold.render(built, ROOT / "plans" / "warwickshire" / "2025-26.yaml", TODAY)
    development_fund = next(i for i, s in enumerate(built.plan["schemes"]) if s["id"] == "W-IBCF 24")
    only_sections_to_write(validate_plan(loads(text, "warwickshire-2025-26.yaml")), fw,
                           other_notes={f"/schemes/{development_fund}/funding_source_as_stated"})


def test_new_plan_yaml_reads_back_as_the_same_data():
    fw = load_framework("2023-25")
    old = load(PLANS / "worcestershire" / "2023-25.yaml").data
    built = scaffold.new_plan([scaffold.resolve_hwb("Worcestershire")], fw, today=TODAY, earlier=old,
                              earlier_path="plans/worcestershire/2023-25.yaml")
    text = scaffold.render(built, Path("plans/worcestershire/2023-25-new.yaml"), TODAY)
    assert loads(text).data == built.plan
    # the same framework: the narrative answers carry over under their own headings
    assert built.plan["narrative"]["nc1.pr1.organisations"] == old["narrative"]["nc1.pr1.organisations"]


@pytest.mark.skipif(not (PLANS / "warwickshire" / "2023-25.yaml").is_file(), reason="Warwickshire plan not present")
def test_from_a_plan_of_the_same_period_keeps_everything_but_its_identity():
    old = load(PLANS / "warwickshire" / "2023-25.yaml").data
    built = scaffold.new_plan([scaffold.resolve_hwb("Warwickshire")], load_framework("2023-25"), today=TODAY,
                              earlier=old, earlier_path="plans/warwickshire/2023-25.yaml")
    identity = {"title", "date", "version", "status", "history", "sign_off"}
    assert {k: v for k, v in built.plan.items() if k not in identity} == \
           {k: v for k, v in old.items() if k not in identity}
    assert built.plan["version"] == "0.1" and built.plan["status"] == "draft"
