"""Each schema check and rule fires on a plan that breaks it, at the line to fix.

The plans are built from each framework.yaml, so every rule is proven for every period.
"""
import pytest

from bcf_schema import available_periods, load_framework, loads, validate_plan
from bcf_schema.house_rules import load_rules
from planbuilder import complete_plan, dump, line_of, variant

PERIODS = available_periods()


def findings_of(text, rules=()):
    return validate_plan(loads(text, "plan.yaml"), rules).findings


def only(findings, code):
    found = [f for f in findings if f.code == code]
    assert found, f"no {code} in {[(f.code, f.message) for f in findings]}"
    return found


@pytest.fixture(params=PERIODS)
def fw(request):
    return load_framework(request.param)


def test_the_complete_test_plan_is_clean(fw):
    findings = findings_of(dump(complete_plan(fw)))
    assert [f for f in findings if f.severity.value == "error"] == []


def test_income_not_matching_expenditure(fw):
    plan = complete_plan(fw)
    stream = fw.ids("funding_streams")[0]
    year = fw.financial_years[0]
    plan["funding"]["streams"][stream][year] = 123456
    text = dump(plan)
    (finding,) = only(findings_of(text), "BCF201")
    assert finding.line == line_of(text, "123456")
    assert "£123,456" in finding.message and "£100,000" in finding.message and year in finding.message


def test_a_scheme_funded_outside_the_streams_is_shown_not_counted(fw):
    """A document that pays for a scheme from a local fund (Warwickshire's Development Fund) says so in
    its own words; the plan does not guess a national stream for it."""
    plan = complete_plan(fw)
    scheme = plan["schemes"][0]
    stream = scheme.pop("funding_source")
    scheme["funding_source_as_stated"] = "Development Fund"
    plan["funding"]["streams"][stream] = {y: amount - scheme["expenditure"].get(y, 0)
                                          for y, amount in plan["funding"]["streams"][stream].items()}
    text = dump(plan)
    findings = findings_of(text)
    assert [f for f in findings if f.severity.value == "error"] == []
    (note,) = [f for f in findings if f.code == "BCF206" and "Development Fund" in f.message]
    assert note.line == line_of(text, "Development Fund")
    assert f"scheme {scheme['id']}" in note.message


def test_a_scheme_with_no_funding_source_at_all_is_an_error(fw):
    plan = complete_plan(fw)
    del plan["schemes"][0]["funding_source"]
    text = dump(plan)
    (finding,) = only(findings_of(text), "BCF101")
    assert "'funding_source'" in finding.message
    assert finding.pointer == "/schemes/0"
    assert finding.line == line_of(text, f"- id: {plan['schemes'][0]['id']}")
    assert "funding_source_as_stated" in finding.hint  # the way out when the document names another fund


def test_stated_total_not_the_sum_of_streams(fw):
    plan = complete_plan(fw)
    year = fw.financial_years[0]
    plan["funding"]["stated_total"] = {year: 250_001}
    text = dump(plan)
    (finding,) = only(findings_of(text), "BCF202")
    assert finding.line == line_of(text, "250001")
    assert "£250,001" in finding.message and "£200,000" in finding.message


def test_income_the_plan_declares_unallocated_is_a_warning_not_an_error(fw):
    plan = complete_plan(fw)
    stream, year = plan["schemes"][0]["funding_source"], fw.financial_years[0]
    plan["funding"]["streams"][stream][year] += 121_000
    plan["funding"]["unallocated"] = {stream: {year: 121_000, "reason": "a draft budget"}}
    text = dump(plan)
    (finding,) = only(findings_of(text), "BCF201")
    assert finding.severity.value == "warning" and "£121,000" in finding.message and "a draft budget" in finding.message
    assert finding.line == line_of(text, f"{year}: 121000", after="unallocated:")

    del plan["funding"]["unallocated"][stream]["reason"]  # from submitted, declared income needs its reason
    text = dump(plan)
    (finding,) = only(findings_of(text), "BCF201")
    assert finding.severity.value == "error" and "without a reason" in finding.message
    assert finding.line == line_of(text, f"{year}: 121000", after="unallocated:")

    plan["funding"]["unallocated"][stream][year] = 100_000  # declared, but not what the figures leave
    (finding,) = only(findings_of(dump(plan)), "BCF201")
    assert finding.severity.value == "error" and "declares £100,000 unallocated" in finding.message


def test_dfg_districts_not_adding_up(fw):
    plan = complete_plan(fw)
    year = fw.financial_years[0]
    plan["dfg"] = {"allocation": {year: 500_000},
                   "districts": [{"name": "North", "allocation": {year: 300_000}},
                                 {"name": "South", "allocation": {year: 150_000}}]}
    text = dump(plan)
    (finding,) = only(findings_of(text), "BCF202")
    assert finding.line == line_of(text, "500000")
    assert "£450,000" in finding.message


def test_minimum_spend_not_met(fw):
    if not fw.items("minimum_spend"):
        pytest.skip(f"{fw.period} has no minimum spend rules")
    rule = fw.items("minimum_spend")[0]
    plan = complete_plan(fw)
    stream, year = rule["funding_stream"], fw.financial_years[0]
    plan["funding"]["streams"][stream] = {y: 100_000 for y in fw.financial_years}
    plan["schemes"] = [{"id": "S1", "name": "Qualifying", "funding_source": stream,
                        "expenditure": {y: 100_000 for y in fw.financial_years}}]
    # Make the one scheme explicitly not qualify on every condition the rule has.
    for key, allowed in rule["where"].items():
        field = "type" if key == "scheme_type" else key
        choices = {"area_of_spend": fw.ids("areas_of_spend"), "commissioner": fw.ids("commissioner_kinds"),
                   "scheme_type": fw.ids("scheme_types")}[key]
        plan["schemes"][0][field] = next(c for c in choices if c not in allowed)
    plan["minimum_spend"][rule["id"]] = {year: 90_000}
    text = dump(plan)
    (finding,) = only(findings_of(text), "BCF203")
    assert finding.severity.value == "error"
    assert finding.line == line_of(text, "90000")
    assert "£0" in finding.message and "£90,000" in finding.message


def test_ring_fenced_stream_funding_another_scheme_type(fw):
    if not fw.items("ring_fenced"):
        pytest.skip(f"{fw.period} has no ring-fenced streams")
    rule = fw.items("ring_fenced")[0]
    other_type = next(t for t in fw.ids("scheme_types") if t not in rule["scheme_types"])
    plan = complete_plan(fw)
    plan["funding"]["streams"][rule["funding_stream"]] = {y: 100_000 for y in fw.financial_years}
    plan["schemes"].append({"id": "R1", "name": "Ring-fenced test", "type": other_type,
                            "funding_source": rule["funding_stream"],
                            "expenditure": {y: 100_000 for y in fw.financial_years}})
    text = dump(plan)
    (finding,) = only(findings_of(text), "BCF204")
    assert finding.line == line_of(text, f"type: {other_type}", after="Ring-fenced test")


def test_unanswered_section(fw):
    plan = complete_plan(fw)
    required = [e for e in fw.outline if e.answer == "required"]
    missing = required[len(required) // 2]
    del plan["narrative"][missing.id]
    text = dump(plan)
    (finding,) = only(findings_of(text), "BCF205")
    assert finding.line == line_of(text, "narrative:")
    assert missing.id in finding.message and missing.title in finding.message


def test_empty_answer_is_not_an_answer(fw):
    plan = complete_plan(fw)
    first = next(e for e in fw.outline if e.answer == "required")
    plan["narrative"][first.id] = "   "
    text = dump(plan)
    (finding,) = only(findings_of(text), "BCF205")
    assert finding.line == line_of(text, f"{first.id}:")


def test_not_stated_answer_is_accepted_with_its_reason(fw):
    plan = complete_plan(fw)
    first = next(e for e in fw.outline if e.answer == "required")
    plan["narrative"][first.id] = {"not_stated": "answered in the appendix"}
    findings = findings_of(dump(plan))
    assert not [f for f in findings if f.severity.value == "error"]
    (note,) = only(findings, "BCF206")
    assert "answered in the appendix" in note.message


def test_metric_without_goals(fw):
    plan = complete_plan(fw)
    metric = fw.items("metrics")[-1]
    del plan["metrics"][metric["id"]]
    text = dump(plan)
    (finding,) = only(findings_of(text), "BCF207")
    assert finding.line == line_of(text, "metrics:", starts=True)
    assert metric["name"] in finding.message


def test_metric_with_a_baseline_but_no_goal_needs_a_reason(fw):
    plan = complete_plan(fw)
    metric = fw.items("metrics")[0]
    plan["metrics"][metric["id"]] = {"baseline": {fw.financial_years[0]: 95.5}}
    text = dump(plan)
    (finding,) = only(findings_of(text), "BCF207")
    assert finding.line == line_of(text, f"{metric['id']}:")

    plan["metrics"][metric["id"]]["goal_as_stated"] = "15% fewer than last year"
    findings = findings_of(dump(plan))
    assert not [f for f in findings if f.code == "BCF207"]
    assert any("15% fewer than last year" in f.message for f in only(findings, "BCF206"))


def test_placeholder_text_left_in(fw):
    if not fw.data.get("placeholders"):
        pytest.skip(f"{fw.period} lists no placeholders")
    placeholder = fw.data["placeholders"][0]
    plan = complete_plan(fw)
    first = next(e for e in fw.outline if e.answer == "required")
    plan["narrative"][first.id] = f"Our plan. {placeholder.upper()}"
    text = dump(plan)
    (finding,) = only(findings_of(text), "BCF208")
    assert finding.line == line_of(text, f"{first.id}:")


def test_unknown_hwb_code(fw):
    plan = complete_plan(fw)
    plan["hwbs"][0]["code"] = "E10000099"
    text = dump(plan)
    (finding,) = only(findings_of(text), "BCF210")
    assert finding.line == line_of(text, "E10000099")
    assert "did you mean E10000034" in finding.hint


def test_hwb_name_not_matching_code(fw):
    plan = complete_plan(fw)
    plan["hwbs"][0]["name"] = "Warwickshire"
    text = dump(plan)
    (finding,) = only(findings_of(text), "BCF210")
    assert finding.line == line_of(text, "name: Warwickshire")


def test_recoded_hwb_must_use_the_current_code(fw):
    plan = complete_plan(fw, hwb_code="E08000038")  # Barnsley, recoded 1 April 2025 from E08000016
    plan["hwbs"][0]["code"] = "E08000016"
    findings = findings_of(dump(plan))
    starts = int(fw.financial_years[0][:4])
    if starts >= 2025:
        (finding,) = only(findings, "BCF211")
        assert "E08000038" in finding.message
    else:
        assert not [f for f in findings if f.code == "BCF211"]


def test_icb_that_does_not_cover_the_hwb(fw):
    if fw.nhs_partners != "icbs":
        pytest.skip("no ICBs in this period")
    plan = complete_plan(fw)
    plan["icbs"] = ["NHS Cornwall and the Isles of Scilly ICB"]
    (finding,) = only(findings_of(dump(plan)), "BCF212")
    assert "Herefordshire and Worcestershire" in finding.hint


@pytest.mark.parametrize("change, code, needle, words", [
    (lambda p, fw: p.pop("version"), "BCF101", "framework:", "'version'"),
    (lambda p, fw: p["schemes"][0].update(expenditure={fw.financial_years[0]: "£1,000"}), "BCF102", "£1,000",
     "whole number"),
    (lambda p, fw: p.update(verison="1.1"), "BCF103", "verison", "did you mean 'version'"),
    (lambda p, fw: p["schemes"][0].update(funding_source=fw.ids("funding_streams")[0] + "x"), "BCF104",
     "funding_source:", "did you mean"),
    (lambda p, fw: p.update(history=[{"version": "0.1", "date": "20/06/2023", "change": "first"}]), "BCF105",
     "20/06/2023", "YYYY-MM-DD"),
    (lambda p, fw: p["funding"]["streams"].update({fw.ids("funding_streams")[0]: {"2099-00": 5}}), "BCF104",
     "2099-00", "allowed"),
])
def test_schema_findings_point_at_the_line(fw, change, code, needle, words):
    plan = complete_plan(fw)
    change(plan, fw)
    text = dump(plan)
    found = only(findings_of(text), code)
    assert any(f.line == line_of(text, needle) for f in found), [(f.line, f.message) for f in found]
    assert any(words in f.message + " " + f.hint for f in found), [(f.message, f.hint) for f in found]


def test_house_rules_fire_at_the_line(tmp_path, fw):
    rules_file = tmp_path / "bcfc-rules.yaml"
    rules_file.write_text(
        "rules:\n"
        "  - id: scheme-lead\n    description: Every scheme names a lead\n    schema:\n"
        "      schemes: {type: list, schema: {type: dict, schema: {lead: {required: true, empty: false}}}}\n"
        "  - id: section-length\n    description: A section stays under 50 words\n    severity: warning\n"
        "    schema:\n      narrative: {type: dict, valuesrules: {max_words: 50}}\n"
    )
    rules, problems = load_rules(str(rules_file))
    assert problems == []
    plan = complete_plan(fw)
    plan["schemes"][0]["lead"] = "A. Lead"
    first = next(e for e in fw.outline if e.answer == "required")
    plan["narrative"][first.id] = "word " * 60
    text = dump(plan)
    found = only(findings_of(text, rules), "BCF300")
    lead = [f for f in found if "scheme-lead" in f.message]
    assert [f.line for f in lead] == [line_of(text, "- id: S2")]
    words = [f for f in found if "section-length" in f.message]
    assert [f.line for f in words] == [line_of(text, f"{first.id}:")]
    assert words[0].severity.value == "warning" and "60 words" in words[0].message


def test_broken_house_rules_file_is_reported(tmp_path):
    rules_file = tmp_path / "bcfc-rules.yaml"
    rules_file.write_text("rules:\n  - id: bad\n    schema:\n      schemes: {type: lisst}\n")
    rules, problems = load_rules(str(rules_file))
    assert rules == [] and problems[0].code == "BCF301" and problems[0].line == 3


def _placeholders_one_string_at_a_time(data, fw):
    """BCF208 as it reads: each string lowered and searched by itself (the rule searches all at once first)."""
    from bcf_schema.loader import pointer_join

    found = []

    def walk(value, pointer):
        if isinstance(value, str):
            lowered = value.lower()
            if lowered.startswith("to be written"):
                found.append((pointer, "marked"))
                return
            found.extend((pointer, p) for p in fw.data.get("placeholders") or [] if p.lower() in lowered)
        elif isinstance(value, dict):
            for key, item in value.items():
                walk(item, pointer_join(pointer, key))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                walk(item, pointer_join(pointer, index))

    walk(data, "")
    return found


def _placeholder_findings(text, fw):
    from bcf_schema import rules

    plan = loads(text, "plan.yaml")
    return [(f.pointer, "marked" if "still marked" in f.message else f.message.split("'")[1])
            for f in rules.no_placeholder_text(rules.Context(plan, fw))], plan.data


@pytest.mark.parametrize("written", [
    "{p}", "{P}", "Our plan. {P} and more", "to be written: {p}", "To Be Written", "x to be written",
    "{k}", "{i}", "İ {p}", "\u212a {p}", "£ {p} ’", "{half1}", "ΣΑΣ {p}",
])
def test_placeholders_are_found_as_each_string_is_searched_alone(fw, written):
    """However the plan's text is searched at once, a placeholder is found in the strings that hold it, and
    only there: not across two strings, and as lowering each string finds it (İ, the Kelvin sign K...)."""
    placeholders = fw.data.get("placeholders") or []
    if not placeholders:
        pytest.skip(f"{fw.period} lists no placeholders")
    p = next((x for x in placeholders if "k" in x.lower()), placeholders[0])
    with_kelvin = p.replace("k", "\u212a").replace("K", "\u212a")  # lowers to 'k': the same placeholder
    with_dotted = p.replace("i", "İ").replace("I", "İ")  # lowers to 'i̇': not the same
    half = len(p) // 2
    plan = complete_plan(fw)
    first = next(e for e in fw.outline if e.answer == "required")
    plan["narrative"][first.id] = written.format(p=p, P=p.upper(), k=with_kelvin, i=with_dotted, half1=p[:half])
    plan["schemes"] = [*(plan.get("schemes") or []), {"notes": [p[half:], written.format(
        p=p, P=p.upper(), k=with_kelvin, i=with_dotted, half1=p[:half])]}]
    found, data = _placeholder_findings(dump(plan), fw)
    assert found == _placeholders_one_string_at_a_time(data, fw)
