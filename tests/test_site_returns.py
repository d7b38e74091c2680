"""Returns on the public site: the plan-against-outturn page and the returns open data.

Built once (tests/browser/helpers.built_site), whose workspace copies plans/ with the example returns.
The expected figures are summed here from the return and plan YAML, not written in.
"""
from __future__ import annotations

import csv
import html
import io
import re

import pytest
import yaml

from browser import helpers
from renderers.site.model import period_words

RETURNS = ["warwickshire/2023-25/returns/2023-25-y1-q2.yaml", "worcestershire/2023-25/returns/2023-25-y1-year-end.yaml"]


@pytest.fixture(scope="module")
def site():
    return helpers.built_site()


def example(site, hwb: str):
    """(slug, return data, plan data, financial year) of an HWB's example return."""
    path = next((site.work / "plans" / hwb / "returns").glob("2023-25-*.yaml"))
    ret = yaml.safe_load(path.read_text(encoding="utf-8"))
    plan = yaml.safe_load((path.parent / ret["plan"]).read_text(encoding="utf-8"))
    year = "2023-24"  # both examples report on the first year of 2023-25
    return f"{hwb}/2023-25", path, ret, plan, year


def text_of(page: str) -> str:
    article = page[page.find("<article"):page.find("</article>")]
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", article)).split())


def money(amount: int) -> str:
    return f"£{amount:,}"


@pytest.mark.parametrize("hwb", ["warwickshire", "worcestershire"])
def test_outturn_page_shows_spend_to_date_against_the_plan(site, hwb):
    slug, path, ret, plan, year = example(site, hwb)
    page = (site.site / "plans" / slug / "outturn" / "index.html").read_text(encoding="utf-8")
    text = text_of(page)
    if not ret["expenditure"]:  # Worcestershire's plan leaves its money to the template: so does its return
        assert "Spend to date None reported in this return" in text and "£0" not in text
    spend: dict[str, int] = {}
    for entry in ret["expenditure"]:
        spend[entry["stream"]] = spend.get(entry["stream"], 0) + entry["amount"]
    schemes = plan["schemes"] if isinstance(plan["schemes"], list) else []
    planned = sum(s["expenditure"][year] for s in schemes
                  if s.get("funding_source") in spend and isinstance((s.get("expenditure") or {}).get(year), int))
    total = sum(spend.values())
    if spend:
        assert f"Spend to date {money(total)} of {money(planned)} planned for {year}, {round(100 * total / planned)}%" in text
    for stream, amount in ret["income"].items():
        assert money(amount) in text and money(plan["funding"]["streams"][stream][year]) in text
    for by_period in ret["metrics"].values():
        for label, entry in by_period.items():
            assert period_words(label) in text and entry["verdict"].replace("_", " ").capitalize() in text
            if "actual" in entry:
                assert f"{entry['actual']:g}" in text
    for metric in ret["metrics"]:  # no goal figure in these plans: the goal in the plan's words instead
        if plan["metrics"].get(metric, {}).get("goal_as_stated"):
            assert f"{' '.join(plan['metrics'][metric]['goal_as_stated'].split())}" in text
    for stream, why in (ret.get("variance") or {}).items():
        assert " ".join(why.split()) in text
    assert "National Condition 1: A jointly agreed plan" in text and " nc1 " not in f" {text} "  # names, not ids
    # downloads: the return's Word narrative and workbook, as the build made them
    for suffix in (".docx", ".xlsx"):
        assert f'download="{path.stem}{suffix}"' in page
        assert (site.site / "plans" / slug / "returns" / f"{path.stem}{suffix}").is_file()
    overview = text_of((site.site / "plans" / slug / "index.html").read_text(encoding="utf-8"))
    assert (f"spend to date {money(total)} of {money(planned)} planned" if spend
            else "no income or spend reported") in overview
    assert "See the plan against outturn" in overview


def test_a_plan_without_returns_has_no_outturn_page(site):
    assert not (site.site / "plans" / "rutland" / "2023-25" / "outturn").exists()
    assert "Plan against outturn" not in (site.site / "plans" / "rutland" / "2023-25" / "index.html").read_text()


def read_csv(site, name: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO((site.site / "data" / f"{name}.csv").read_text("utf-8-sig"), newline="")))


@pytest.mark.parametrize("hwb", ["warwickshire", "worcestershire"])
def test_open_data_holds_each_returns_money_and_metrics(site, hwb):
    slug, path, ret, plan, year = example(site, hwb)
    rows = [r for r in read_csv(site, "returns") if r["plan"] == slug]
    assert {r["stream_id"]: int(float(r["income_gbp"])) for r in rows} == ret["income"]
    assert sum(int(float(r["spend_gbp"])) for r in rows) == sum(e["amount"] for e in ret["expenditure"])
    assert all(r["return_id"] == ret["return"] and r["financial_year"] == year for r in rows)
    metrics = [r for r in read_csv(site, "return_metrics") if r["plan"] == slug]
    expected = [(m, str(label), e["verdict"], e.get("actual")) for m, by in ret["metrics"].items()
                for label, e in by.items()]
    assert [(r["metric_id"], r["period_label"], r["verdict"], float(r["actual"]) if r["actual"] else None)
            for r in metrics] == expected


def test_comparison_and_icb_pages_give_the_latest_returns_spend_to_date(site):
    slug, path, ret, plan, year = example(site, "warwickshire")
    spent = sum(e["amount"] for e in ret["expenditure"])
    compare = text_of((site.site / "compare" / "2023-25" / "index.html").read_text(encoding="utf-8"))
    section = compare[compare.index("Spend to date in the latest returns"):]
    assert f"Warwickshire 2023-25 2023-24 Q2 return {money(spent)}" in section
    assert "Worcestershire 2023-25 2023-24 year-end return None reported" in section
    icb_pages = [p for p in (site.site / "icbs").rglob("index.html")
                 if "Spend to date in the latest returns" in p.read_text(encoding="utf-8")]
    assert icb_pages and any(f"Warwickshire 2023-25 2023-24 Q2 return {money(spent)}" in text_of(p.read_text())
                             for p in icb_pages)


@pytest.mark.parametrize("hwb", ["warwickshire", "worcestershire"])
def test_the_compliance_table_gives_the_national_conditions_as_the_latest_return_answers_them(site, hwb):
    from bcf_schema.framework import load_framework
    slug, path, ret, plan, year = example(site, hwb)
    page = (site.site / "compare" / "2023-25-conditions" / "index.html").read_text(encoding="utf-8")
    name = plan["hwbs"][0]["name"]
    rows = [" ".join(html.unescape(re.sub(r"<[^>]+>", " ", r)).split())
            for r in re.findall(r"<tr>(.*?)</tr>", page, re.S) if "latest return" in r and f">{name}<" in r]
    conditions = load_framework("2023-25").data["returns"]["national_conditions"]
    assert len(rows) == len(conditions)
    for condition, row in zip(conditions, rows):
        answer = ret["national_conditions"][condition["id"]]
        assert condition["name"] in row and year in row
        assert ("Met" if answer["met"] else "Not met") in row
        assert " ".join(answer.get("comment", "").split()) in row
    assert f'href="../../plans/{slug}/outturn/"' in page  # each result links to the return's evidence
    assert "The latest returns" in text_of(page)


def test_a_draft_return_is_left_off_the_public_site_and_shown_in_a_drafts_build(tmp_path):
    import subprocess
    helpers.make_workspace(tmp_path)
    config = tmp_path / "mkdocs.yml"  # as a plans repository has it: bcfc's own demonstration site shows drafts
    config.write_text(config.read_text(encoding="utf-8").replace("      drafts: true\n", ""), encoding="utf-8")
    path = tmp_path / "plans" / "warwickshire" / "returns" / "2023-25-y1-q2.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("status: submitted", "status: draft"), encoding="utf-8")
    for args, shown in ((["build", "--no-pdf"], False), (["build", "--no-pdf", "--drafts"], True)):
        result = subprocess.run([helpers.bcfc_exe(), *args], cwd=tmp_path, capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stdout + result.stderr
        site = tmp_path / "site"
        assert (site / "plans" / "warwickshire" / "2023-25" / "outturn" / "index.html").exists() is shown
        assert ("2023-24 Q2 return" in (site / "data" / "returns.csv").read_text("utf-8-sig")) is shown
        if shown:
            page = (site / "plans" / "warwickshire" / "2023-25" / "outturn" / "index.html").read_text(encoding="utf-8")
            assert "DRAFT return" in page


def test_a_changed_return_reaches_its_page_on_the_next_build(tmp_path):
    import subprocess
    helpers.make_workspace(tmp_path)
    path = tmp_path / "plans" / "warwickshire" / "returns" / "2023-25-y1-q2.yaml"
    page = tmp_path / "site" / "plans" / "warwickshire" / "2023-25" / "outturn" / "index.html"
    totals = []
    for _ in range(2):
        result = subprocess.run([helpers.bcfc_exe(), "build", "--no-pdf"], cwd=tmp_path,
                                capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stdout + result.stderr
        ret = yaml.safe_load(path.read_text(encoding="utf-8"))
        totals.append(sum(e["amount"] for e in ret["expenditure"]))
        assert f"{money(totals[-1])} of" in text_of(page.read_text(encoding="utf-8"))
        # the plan is unchanged (its pages come from the cache); only the return's spend moves
        path.write_text(path.read_text(encoding="utf-8").replace("amount: 500000}", "amount: 500100}"), encoding="utf-8")
    assert totals[1] == totals[0] + 100


def test_a_2025_26_return_scaffolded_from_a_submitted_plan_validates_renders_and_is_published(tmp_path):
    """The 2025-26 example plan is a draft (its document says so), so a return against it is refused; a
    submitted 2025-26 plan takes one from `bcfc new --return` to the public site."""
    import sys
    from pathlib import Path
    sys.path.insert(0, str(Path(__file__).parent))
    from planbuilder import complete_plan, dump
    from bcf_schema.framework import load_framework
    from conftest import run_bcfc
    plan = tmp_path / "plans" / "worcestershire" / "2025-26.yaml"
    plan.parent.mkdir(parents=True)
    plan.write_text(dump(complete_plan(load_framework("2025-26"))), encoding="utf-8")
    assert run_bcfc("new", "--return", "q2", str(plan), cwd=tmp_path).returncode == 0
    ret = plan.parent / "returns" / "2025-26-q2.yaml"
    # the team fills it in: every 'to be written' and every 0, then submits it with its sign-off
    text = ret.read_text(encoding="utf-8").replace("to be written", "Reported to the HWB in October 2025")
    text = text.replace("met: false", "met: true").replace(": 0  #", ": 45000  #").replace("amount: 0}", "amount: 45000}")
    text = text.replace("status: draft", "status: submitted\nsign_off:\n"
                        "  - {body: Health and Wellbeing Board, date: 2025-10-20, decision: approved}")
    ret.write_text(text, encoding="utf-8")
    checked = run_bcfc("validate", "plans", cwd=tmp_path)
    assert checked.returncode == 0 and "1 plan file(s) and 1 return file(s) checked: 0 error(s)" in checked.stdout, \
        checked.stdout
    built = run_bcfc("build", "--no-pdf", cwd=tmp_path, timeout=300)
    assert built.returncode == 0, built.stderr
    for suffix in (".md", ".docx", ".xlsx"):
        assert (tmp_path / "build" / "worcestershire" / "2025-26" / "returns" / f"2025-26-q2{suffix}").stat().st_size
    page = text_of((tmp_path / "site" / "plans" / "worcestershire" / "2025-26" / "outturn" / "index.html")
                   .read_text(encoding="utf-8"))
    streams = len(yaml.safe_load(text)["income"])
    planned = sum(v["2025-26"] for v in yaml.safe_load(plan.read_text())["funding"]["streams"].values())
    assert f"Spend to date {money(45000 * streams)} of {money(planned)} planned for 2025-26" in page
