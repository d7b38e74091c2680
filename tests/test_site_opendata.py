"""Open data: the site's CSV and JSON tables, read back as a reader's program would (the csv module).

Built once with the example plans and the fixture plans (tests/browser/helpers.built_site): the hostile
plan holds provider names and a capacity row that a spreadsheet would run as formulas.
"""
from __future__ import annotations

import csv
import io
import json
import re
from collections import defaultdict

import pytest
import yaml

from bcf_schema import hwbs, load_framework
from browser import helpers
from renderers.site import opendata


@pytest.fixture(scope="module")
def site():
    return helpers.built_site()


def read_csv(site, name: str) -> list[dict]:
    raw = (site.site / "data" / f"{name}.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with its byte-order mark, for Excel
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def plans_of(site) -> dict[str, dict]:
    out = {}
    for path in site.plans:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        out[f"{path.parent.name}/{path.stem}"] = data
    return out


def test_every_published_plan_is_in_the_plans_table_with_its_codes(site):
    rows = {r["plan"]: r for r in read_csv(site, "plans")}
    plans = plans_of(site)
    assert sorted(rows) == sorted(plans)
    for slug, data in plans.items():
        row = rows[slug]
        code = data["hwbs"][0]["code"]
        assert row["hwb_ons_code"] == code and row["period"] == data["framework"]
        assert row["region"] == hwbs.by_code()[code].region
        assert row["icb_ods_codes"] == ";".join(sorted(hwbs.by_code()[code].icb_ods_codes))
        assert row["status"] == data["status"]


def test_funding_sums_to_each_plans_stated_streams_and_keeps_what_is_not_stated(site):
    rows = read_csv(site, "funding")
    sums: dict[tuple, int] = defaultdict(int)
    not_stated = set()
    for row in rows:
        if row["amount_gbp"]:
            sums[(row["plan"], row["financial_year"])] += int(float(row["amount_gbp"]))
        else:
            assert row["not_stated"], row  # a figure left elsewhere says where, and is never a 0
            not_stated.add((row["plan"], row["stream_id"]))
    expected: dict[tuple, int] = defaultdict(int)
    for slug, data in plans_of(site).items():
        for stream, value in data["funding"]["streams"].items():
            if "not_stated" in value:
                assert (slug, stream) in not_stated
            for year, amount in value.items():
                if isinstance(amount, int):
                    expected[(slug, year)] += amount
    assert dict(sums) == dict(expected)
    assert sums[("warwickshire/2023-25", "2023-24")] == 25_178_448


def test_schemes_and_metrics_hold_every_figure_of_every_plan(site):
    schemes = read_csv(site, "schemes")
    metrics = read_csv(site, "metrics")
    for slug, data in plans_of(site).items():
        fw = load_framework(data["framework"])
        listed = data["schemes"] if isinstance(data["schemes"], list) else []
        for year in fw.financial_years:
            want = sum(s["expenditure"][year] for s in listed if isinstance(s.get("expenditure", {}).get(year), int))
            got = sum(int(float(r["expenditure_gbp"])) for r in schemes if r["plan"] == slug and r["financial_year"] == year)
            assert got == want, (slug, year)
        want = sorted((m, kind, str(p), float(v)) for m, value in data["metrics"].items() if "not_stated" not in value
                      for kind in ("baseline", "goals") for p, v in (value.get(kind) or {}).items())
        got = sorted((r["metric_id"], r["measure"] + ("s" if r["measure"] == "goal" else ""), r["period_label"],
                      float(r["value"])) for r in metrics if r["plan"] == slug and not r["metric_id"].startswith("local-"))
        assert got == want, slug
    rutland = [r for r in metrics if r["plan"] == "rutland/2023-25"]
    assert {(r["measure"], r["period_label"], r["value"]) for r in rutland} >= {("baseline", "2022-23", "812.5"),
                                                                            ("goal", "2023-24 Q2", "190.5")}


def test_text_a_spreadsheet_would_run_as_a_formula_is_neutralised(site):
    cells = [v for name in opendata.TABLES for row in read_csv(site, name) for v in row.values()]
    assert not [v for v in cells if v.startswith(("=", "+", "-", "@", "\t", "\r"))]
    schemes = read_csv(site, "schemes")
    providers = {r["provider"] for r in schemes if r["plan"] == "bracknell-forest/2023-25"}
    assert {"'" + helpers.CSV_FORMULAS[0], "'" + helpers.CSV_FORMULAS[1]} <= providers
    capacity = [r for r in read_csv(site, "capacity_demand") if r["plan"] == "bracknell-forest/2023-25"]
    assert [(r["service"], r["source"], r["month"], r["value"]) for r in capacity] == [
        ("'" + helpers.CSV_FORMULAS[2], "'" + helpers.CSV_FORMULAS[3], "2023-04", "12"),
        ("'" + helpers.CSV_FORMULAS[2], "'" + helpers.CSV_FORMULAS[3], "2023-05", "14.5")]
    # Every text cell is quoted; the JSON keeps the plan's text as it is.
    raw = (site.site / "data" / "schemes.csv").read_text(encoding="utf-8-sig")
    assert f'"\'{helpers.CSV_FORMULAS[1]}"' in raw
    records = json.loads((site.site / "data" / "schemes.json").read_text(encoding="utf-8"))["rows"]
    assert helpers.CSV_FORMULAS[0] in {r["provider"] for r in records}


def test_the_json_holds_the_same_rows_as_the_csv(site):
    for name in opendata.TABLES:
        document = json.loads((site.site / "data" / f"{name}.json").read_text(encoding="utf-8"))
        rows = read_csv(site, name)
        assert document["columns"] == list(rows[0]) if rows else True
        assert len(document["rows"]) == len(rows), name


def test_the_data_page_links_every_file_and_describes_every_column(site):
    page = (site.site / "data" / "index.html").read_text(encoding="utf-8")
    for name in opendata.TABLES:
        assert f'href="{name}.csv"' in page and f'href="{name}.json"' in page
        for column in opendata.columns(name):
            assert f"<code>{column.name}</code>" in page, column.name
    # A column that holds a plan field is described from the schema, so the dictionary says what it may be.
    assert re.search(r"<code>status</code></th><td>[^<]*</td><td><code>status</code></td><td>one of", page)
    assert re.search(r"<code>scheme_id</code></th><td>The document&#x27;s own scheme reference.</td>"
                     r"<td><code>schemes\[\].id</code></td><td>text or whole number</td>", page)
