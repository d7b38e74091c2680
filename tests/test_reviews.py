"""A plan's regional assurance as data: reviews/<hwb>/<period>.yaml, checked against a schema generated from
the plan's framework and shown beside the plan's answers and as a summary on its overview."""
from __future__ import annotations

import re
import subprocess

import pytest
import yaml

from bcf_schema import load_framework
from bcf_schema.reviews import load_review, review_schema
from browser import helpers

FW = load_framework("2023-25")
ANSWERED = [e for e in FW.outline if e.answer == "required"]


def review(**changes) -> dict:
    data = {"reviewer": {"role": "NHS England regional BCF manager", "date": "2023-08-14"},
            "recommendation": "approve_with_conditions",
            "conditions": ["Confirm the DFG split with the district councils"],
            "summary": "A clear plan; <script>alert(1)</script> the carers offer is strong.",
            "entries": {ANSWERED[0].id: {"assessment": "met", "comment": "Every partner is named."},
                        ANSWERED[1].id: {"assessment": "partly_met", "comment": "Zebra-check: housing is thin."}}}
    data.update(changes)
    return data


def write(path, data) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, sort_keys=False, width=1000), encoding="utf-8")


def test_the_review_schema_comes_from_the_framework():
    schema = review_schema(FW)
    assert schema["properties"]["entries"]["propertyNames"]["enum"] == [e.id for e in FW.outline]
    assert review_schema(load_framework("2025-26"))["properties"]["entries"]["propertyNames"]["enum"] == [
        e.id for e in load_framework("2025-26").outline]


def test_an_unknown_id_is_an_error_at_its_line_with_the_closest_id(tmp_path):
    typo = ANSWERED[0].id[:-2]
    data = review()
    data["entries"][typo] = {"assessment": "met"}
    path = tmp_path / "r.yaml"
    write(path, data)
    line = next(i for i, row in enumerate(path.read_text().splitlines(), 1) if row.strip().startswith(typo + ":"))
    got, findings = load_review(path, FW)
    assert got is None
    assert [(f.line, f.code) for f in findings] == [(line, "BCF104")]
    assert f"'{typo}' is not allowed as a key of 'entries'" in findings[0].message
    assert f"did you mean '{ANSWERED[0].id}'" in findings[0].hint


@pytest.mark.parametrize("change, message", [
    ({"recommendation": "approved"}, "'approved' is not an allowed value for 'recommendation'"),
    ({"conditions": []}, "an approval with conditions lists no conditions"),
    ({"reviewer": {"role": "Regional manager"}}, "'reviewer' is missing the required field 'date'"),
])
def test_a_review_that_is_wrong_says_what_to_fix(tmp_path, change, message):
    write(tmp_path / "r.yaml", review(**change))
    got, findings = load_review(tmp_path / "r.yaml", FW)
    assert got is None and any(message in f.message for f in findings), [f.message for f in findings]
    assert all(f.line for f in findings)


def test_a_review_is_shown_beside_the_answers_and_summarised_on_the_overview(tmp_path):
    helpers.make_workspace(tmp_path)
    write(tmp_path / "reviews" / "rutland" / "2023-25.yaml", review())
    result = subprocess.run([helpers.bcfc_exe(), "build", "--no-pdf"], cwd=tmp_path,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    narrative = (tmp_path / "site" / "plans" / "rutland" / "2023-25" / "narrative" / "index.html").read_text()
    first = narrative.index(f'id="{ANSWERED[0].id}"')
    aside = narrative.index('<aside class="bcfc-review bcfc-review-met">', first)
    assert "Assurance: Met" in narrative[aside:aside + 300] and "Every partner is named." in narrative[aside:aside + 400]
    # Beside its own heading: after that heading, before the next heading of the outline.
    following = [m.start() for m in re.finditer(r"<h[2-6] id=", narrative) if m.start() > first]
    assert aside < following[0]
    assert "Assurance: Partly met" in narrative
    overview = (tmp_path / "site" / "plans" / "rutland" / "2023-25" / "index.html").read_text()
    assert "Assurance review" in overview and "Approve with conditions" in overview
    assert "NHS England regional BCF manager, 14 August 2023" in overview
    assert "1 met; 1 partly met; 0 not met" in overview
    assert "Confirm the DFG split with the district councils" in overview
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in overview and "<script>alert(1)" not in overview
    assert f'href="narrative/#{ANSWERED[1].id}"' in overview


def test_a_review_with_an_unknown_id_stops_the_build_naming_its_line(tmp_path):
    helpers.make_workspace(tmp_path)
    data = review()
    data["entries"]["nc9.pr99.nothing"] = {"assessment": "met"}
    path = tmp_path / "reviews" / "rutland" / "2023-25.yaml"
    write(path, data)
    line = next(i for i, row in enumerate(path.read_text().splitlines(), 1) if "nc9.pr99.nothing" in row)
    result = subprocess.run([helpers.bcfc_exe(), "build"], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert result.returncode != 0
    assert f"reviews/rutland/2023-25.yaml:{line}:3: error BCF104: 'nc9.pr99.nothing' is not allowed" in \
        result.stdout + result.stderr, result.stdout + result.stderr
    assert not (tmp_path / "site").exists()


def test_bcfc_diff_reports_what_changed_in_a_review(tmp_path, bcfc):
    old, new = review(), review(recommendation="approve", conditions=None)
    new["entries"][ANSWERED[1].id] = {"assessment": "met", "comment": "Housing now covered."}
    new["reviewer"] = {"role": "NHS England regional BCF manager", "date": "2023-09-01"}
    del new["conditions"]
    write(tmp_path / "old.yaml", old)
    write(tmp_path / "new.yaml", new)
    result = bcfc("diff", str(tmp_path / "old.yaml"), str(tmp_path / "new.yaml"))
    assert result.returncode == 0, result.stderr
    assert "recommendation: approve_with_conditions -> approve" in result.stdout
    assert "reviewer date: 2023-08-14 -> 2023-09-01" in result.stdout
    assert f"  Assurance:\n    {ANSWERED[1].id}: partly_met -> met, comment changed\n" in result.stdout
    assert ANSWERED[0].id not in result.stdout  # unchanged headings are not listed


def test_bcfc_validate_checks_the_reviews_beside_the_plans(tmp_path, bcfc):
    helpers.make_workspace(tmp_path)
    data = review()
    data["entries"]["nc2.pr4.carerz"] = {"assessment": "met"}
    data["entries"][ANSWERED[0].id] = {"assessment": "good"}
    path = tmp_path / "reviews" / "rutland" / "2023-25.yaml"
    write(path, data)
    lines = path.read_text().splitlines()
    unknown = next(i for i, row in enumerate(lines, 1) if "nc2.pr4.carerz" in row)
    bad = next(i for i, row in enumerate(lines, 1) if "assessment: good" in row)
    found = list((tmp_path / "plans").rglob("*.yaml"))
    returns = sum(1 for p in found if p.parent.name == "returns")
    result = bcfc("validate", cwd=tmp_path)  # default: plans/, and reviews/ beside it
    assert result.returncode == 1, result.stdout
    assert f"reviews/rutland/2023-25.yaml:{unknown}:3: error BCF104: 'nc2.pr4.carerz' is not allowed" in result.stdout
    assert "did you mean 'nc2.pr4.carers'" in result.stdout
    assert f"reviews/rutland/2023-25.yaml:{bad}:" in result.stdout
    assert (f"{len(found) - returns} plan file(s), {returns} return file(s) and 1 review file(s) checked: 2 error(s)"
            in result.stdout)
    assert "Traceback" not in result.stdout + result.stderr


def test_bcfc_validate_given_only_a_review_counts_it_as_a_review(tmp_path, bcfc):
    helpers.make_workspace(tmp_path)
    result = bcfc("validate", "reviews/rutland/2023-25.yaml", cwd=tmp_path)
    assert result.returncode == 0, result.stdout
    assert result.stdout.strip().endswith("1 review file(s) checked: 0 error(s), 0 warning(s), 0 note(s)")


def test_a_review_of_a_plan_that_does_not_exist_is_reported(tmp_path, bcfc):
    helpers.make_workspace(tmp_path)
    write(tmp_path / "reviews" / "rutlnad" / "2023-25.yaml", review())
    result = bcfc("validate", cwd=tmp_path)
    assert result.returncode == 1, result.stdout
    assert ("reviews/rutlnad/2023-25.yaml: error BCF219: a review of plans/rutlnad/2023-25.yaml, "
            "a plan that does not exist") in result.stdout
