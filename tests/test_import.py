"""`bcfc import`: a planning template rendered by bcfc comes back as the same data."""
import dataclasses
import io

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bcf_schema import available_periods, load, load_framework, loads, validate_plan
from renderers.workbook import xlsx_import
from renderers.workbook import reader
from conftest import EXAMPLE_PLANS, ROOT, run_bcfc
from planbuilder import complete_plan, dump, variant
from renderers import excel
from renderers.workbook import layout as L

PLAN_IDS = [p.relative_to(ROOT / "plans").as_posix() for p in EXAMPLE_PLANS]


# -- what a planning template holds of a plan --------------------------------------------------------

def _metric_view(value: dict) -> dict:
    if "not_stated" in value:
        return {"not_stated": value["not_stated"]}
    return {k: value[k] for k in ("baseline", "goals", "goal_as_stated", "goals_not_stated", "rationale")
            if value.get(k)}


def scheme_fields(fw) -> list[str]:
    """The scheme fields the expenditure sheet carries (its source column also holds a source in the
    document's words)."""
    sheet = L.layout(fw).sheet("expenditure")
    return [c.field for c in sheet.columns if not c.input_only and c.field != "expenditure"] + [
        "funding_source_as_stated"]


def template_view(plan: dict, fw) -> dict:
    """The parts of a plan the template carries, in the form it carries them: funding, the scheme
    columns (ids as text), metrics (the goal in words and the rationale share a cell), capacity and
    demand, and the cover."""
    funding = plan.get("funding") or {}
    schemes = plan.get("schemes")
    if isinstance(schemes, list):
        schemes = [{**{k: s[k] if k == "new" else str(s[k]) for k in scheme_fields(fw) if s.get(k) not in (None, "")},
                    "expenditure": dict(s.get("expenditure") or {})} for s in schemes]
    metrics = {k: _metric_view(v) for k, v in (plan.get("metrics") or {}).items()}
    local = [{**{k: m[k] for k in ("name", "unit") if m.get(k)}, **_metric_view(m)}
             for m in plan.get("local_metrics") or []]
    rows = plan.get("capacity_demand")
    if isinstance(rows, list):
        rows = [{**{k: r[k] for k in ("service", "kind", "source", "unit") if r.get(k)}, "months": dict(r["months"])}
                for r in rows] or None
    cover = {k: plan.get(k) for k in ("hwbs", fw.nhs_partners, "version", "status", "date")}
    sign_off = [{k: s[k] for k in ("body", "organisation", "date", "decision") if s.get(k)}
                for s in plan.get("sign_off") or []]
    view = {"income": {"streams": funding.get("streams") or {}, "stated_total": funding.get("stated_total")},
            "expenditure": schemes, "metrics": ({k: v for k, v in metrics.items() if v}, local),
            "capacity_demand": rows, "cover": (cover, sign_off)}
    sheets = {sheet.id for sheet in L.layout(fw).sheets}
    return {key: value for key, value in view.items() if key in sheets}  # a period without the sheet: not there


def imported_view(plan: dict, fw) -> dict:
    """The imported plan in the same form."""
    return template_view(plan, fw)


def round_trip(plan: dict):
    fw = load_framework(plan["framework"])
    imported = reader.read(excel.render(plan, fw, "plan.yaml"))
    assert not imported.problems, imported.problems
    return fw, imported


# -- the example plans ----------------------------------------------------------------------------------

@pytest.mark.parametrize("path", EXAMPLE_PLANS, ids=PLAN_IDS)
def test_an_example_plans_template_imports_back_to_the_same_data(path):
    plan = load(path).data
    fw, imported = round_trip(plan)
    assert imported.fw is fw
    assert imported_view(imported.plan, fw) == template_view(plan, fw)
    # and what comes back is a plan: it loads, and only the narrative is left to write
    text = xlsx_import.render(imported, ROOT / "plans" / "x" / f"{fw.period}.yaml", "template.xlsx")
    reloaded = loads(text, "imported.yaml")
    assert reloaded.ok and reloaded.data == {**imported.plan, "narrative": reloaded.data["narrative"]}
    result = validate_plan(reloaded)
    assert "BCF205" in {f.code for f in result.findings}
    assert not {f.code for f in result.findings} & {"BCF101", "BCF102", "BCF103", "BCF104", "BCF105", "BCF106"}


def test_the_command_writes_a_plan_and_refuses_to_overwrite(tmp_path):
    source = ROOT / "plans" / "worcestershire" / "2023-25.yaml"
    assert run_bcfc("render", "excel", source, "-o", tmp_path / "t.xlsx").returncode == 0
    first = run_bcfc("import", tmp_path / "t.xlsx", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    written = tmp_path / "plans" / "worcestershire" / "2023-25.yaml"
    assert written.read_text(encoding="utf-8").startswith("# yaml-language-server: $schema=")
    assert load(written).data["metrics"] == load(source).data["metrics"]
    again = run_bcfc("import", tmp_path / "t.xlsx", cwd=tmp_path)
    assert again.returncode == 2 and "already exists" in again.stderr
    to_stdout = run_bcfc("import", tmp_path / "t.xlsx", "-o", "-", cwd=tmp_path)
    assert to_stdout.returncode == 0 and to_stdout.stdout.count('framework: "2023-25"') == 1


def test_a_workbook_that_is_not_a_template_is_refused(tmp_path):
    book = openpyxl.Workbook()
    book.active["A1"] = "hello"
    book.save(tmp_path / "other.xlsx")
    (tmp_path / "junk.xlsx").write_bytes(b"not a zip")
    for name in ("other.xlsx", "junk.xlsx"):
        result = run_bcfc("import", name, cwd=tmp_path)
        assert result.returncode == 2 and "bcfc import" in result.stderr


def test_plan_text_comes_back_as_text_and_formulas_are_not_imported():
    fw = load_framework("2023-25")
    plan = complete_plan(fw)
    plan["schemes"][0].update(id="007", name='=HYPERLINK("http://example.org")', provider="TRUE",
                              description="1.5e3\nsecond line  ", sub_type="+44 1234", new=True)
    plan["version"] = "2.10"
    imported = reader.read(excel.render(plan, fw))
    first = imported.plan["schemes"][0]
    assert (first["id"], first["name"], first["provider"], first["description"], first["sub_type"]) == (
        "007", '=HYPERLINK("http://example.org")', "TRUE", "1.5e3\nsecond line  ", "+44 1234")
    assert first["new"] is True and imported.plan["version"] == "2.10"
    # the template's own totals (formulas) never become data
    assert "Total" not in {s["name"] for s in imported.plan["schemes"]}
    assert set(imported.plan["funding"]["streams"]) == set(plan["funding"]["streams"])


def test_a_formula_typed_into_an_input_cell_is_a_problem_at_its_cell():
    fw = load_framework("2023-25")
    sheet = L.layout(fw).sheet("expenditure")
    book = openpyxl.load_workbook(io.BytesIO(excel.render(complete_plan(fw), fw)))
    cell = book[sheet.title].cell(row=5, column=sheet.index("expenditure", "2023-24"))
    cell.value = "=1+1"  # someone typed a formula over scheme S2's 2023-24 amount
    buffer = io.BytesIO()
    book.save(buffer)
    problems = [str(p) for p in reader.read(buffer.getvalue()).problems]
    assert problems == [f"'5. Expenditure'!{cell.coordinate}: holds a formula (=1+1); formulas are never "
                        "imported as values\n    hint: type the figure itself"]


# -- mutated plans --------------------------------------------------------------------------------------

BASES = {period: complete_plan(load_framework(period)) for period in available_periods()}
text = st.text(st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\r") | st.just("\n"),
               min_size=1, max_size=30).filter(lambda t: t.strip() and t != "Total"
                                               and not t.startswith("Not stated: "))
amounts = st.integers(0, 10**11)
values = st.one_of(st.integers(-10**6, 10**6), st.floats(-1e6, 1e6, allow_nan=False).map(lambda x: round(x, 3)))


@st.composite
def mutated_plans(draw):
    period = draw(st.sampled_from(sorted(BASES)))
    fw = load_framework(period)
    plan = variant(BASES[period])
    years = fw.financial_years
    streams = fw.ids("funding_streams")
    money_by_year = st.dictionaries(st.sampled_from(years), amounts, min_size=1)
    plan["funding"]["streams"] = draw(st.dictionaries(
        st.sampled_from(streams), money_by_year | st.builds(lambda r: {"not_stated": r}, text), max_size=len(streams)))
    if draw(st.booleans()):
        plan["funding"]["stated_total"] = draw(money_by_year)
    optional = {"type": fw.ids("scheme_types"), "area_of_spend": fw.ids("areas_of_spend"),
                "commissioner": fw.ids("commissioner_kinds")}
    scheme_list = []
    for _ in range(draw(st.integers(0, 4))):
        scheme = {"id": draw(text | st.integers(1, 999).map(str)), "name": draw(text), "expenditure": draw(money_by_year)}
        if draw(st.integers(0, 4)):
            scheme["funding_source"] = draw(st.sampled_from(streams))
        else:  # a local fund, in the document's words
            stream_words = set(streams) | set(fw.names("funding_streams").values())
            scheme["funding_source_as_stated"] = draw(text.filter(lambda t: t.strip() not in stream_words))
        for key, ids in optional.items():
            if ids and draw(st.booleans()):
                scheme[key] = draw(st.sampled_from(ids))
        for key in ("provider", "description"):
            if draw(st.booleans()):
                scheme[key] = draw(text)
        scheme_list.append(scheme)
    plan["schemes"] = draw(st.just(scheme_list) | st.builds(lambda r: {"not_stated": r}, text))
    labels = st.sampled_from([years[0], f"{years[0]} Q1", f"{years[-1]} Q4", f"{years[0]} M01", "2022-23"])
    for metric in fw.ids("metrics"):
        plan["metrics"][metric] = draw(st.one_of(
            st.fixed_dictionaries({"goals": st.dictionaries(labels, values, min_size=1)},
                                  optional={"baseline": st.dictionaries(labels, values, min_size=1),
                                            "rationale": text}),
            st.builds(lambda r: {"not_stated": r}, text),
            st.builds(lambda g, r: {"goal_as_stated": g, "rationale": r}, text, text),
            st.builds(lambda g: {"goals_not_stated": g}, text),
        ))
    if draw(st.booleans()):
        plan["local_metrics"] = [{"id": f"local{i}", "name": f"L{i} {draw(text)}", "unit": draw(text),
                                  "goals": draw(st.dictionaries(labels, values, min_size=1))}
                                 for i in range(draw(st.integers(1, 2)))]
    months = st.sampled_from([f"{years[0][:4]}-{m:02d}" for m in range(4, 13)])
    rows = st.lists(st.fixed_dictionaries(
        {"service": text, "kind": st.sampled_from(["demand", "capacity"]),
         "months": st.dictionaries(months, st.integers(0, 5000) | st.floats(0, 5000).map(lambda x: round(x, 2)))},
        optional={"source": text, "unit": text}), max_size=3)
    plan["capacity_demand"] = draw(rows | st.builds(lambda r: {"not_stated": r}, text))
    plan["version"] = draw(st.sampled_from(["1.0", "V0.4", "0.10", "not stated in the document"]))
    plan["status"] = draw(st.sampled_from(["draft", "submitted", "approved"]))
    if draw(st.booleans()):
        plan["sign_off"] = [{"body": draw(text), "date": "2024-03-01", "decision": draw(text)}]
    return plan


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(mutated_plans())
def test_mutated_plans_survive_render_then_import(plan):
    fw, imported = round_trip(plan)
    assert imported_view(imported.plan, fw) == template_view(plan, fw)
    # the import is itself a plan the loader reads back unchanged
    text_out = xlsx_import.render(imported, ROOT / "plans" / "x" / f"{fw.period}.yaml", "t.xlsx")
    assert loads(text_out, "imported.yaml").data == {**imported.plan, "narrative": {
        e.id: "" for e in fw.outline if e.answer != "none"}}


def test_the_yaml_of_a_planbuilder_plan_round_trips_through_the_template():
    fw = load_framework("2023-25")
    plan = complete_plan(fw)
    _, imported = round_trip(plan)
    assert dump(imported.plan["schemes"]) == dump([{k: s[k] for k in ("id", "name", "funding_source", "type")
                                                     if k in s} | {"expenditure": s["expenditure"]}
                                                    for s in plan["schemes"]])
