"""The published site in a real browser: headless Chromium driven by Selenium, over HTTP.

The site is built once per session (tests/browser/helpers.built_site) and served by a local
http.server on a free port. axe-core (npm ci --prefix tests/browser) checks accessibility.
Without Chromium, chromedriver or axe-core the tests are skipped, unless BCFC_REQUIRE_BROWSER=1
(as in CI), where they fail.
"""
from __future__ import annotations

import os
import urllib.request
from decimal import Decimal
from urllib.parse import urljoin

import pytest

from bcf_schema import load, load_framework
from browser import helpers
from renderers import document, pdf
from renderers.document import money
from renderers.site.public_pages import AXE_TAGS  # the statement names the checks this test runs

REQUIRED = os.environ.get("BCFC_REQUIRE_BROWSER") == "1"


def _missing() -> str:
    if helpers.find(helpers.CHROMIUM) is None:
        return "no Chromium (apt-get install chromium)"
    if helpers.find(helpers.CHROMEDRIVER) is None:
        return "no chromedriver (apt-get install chromium-driver)"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "no selenium (pip install -e '.[test]')"
    return ""


@pytest.fixture(scope="module")
def site():
    missing = _missing()
    if missing:
        if REQUIRED:
            pytest.fail(missing)
        pytest.skip(missing)
    return helpers.built_site()


@pytest.fixture(scope="module")
def server(site):
    server = helpers.SiteServer(site.site)
    yield server
    server.close()


@pytest.fixture(scope="module")
def browser(site, tmp_path_factory):
    driver = helpers.chrome(tmp_path_factory.mktemp("chromium-profile"))
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


@pytest.fixture
def visit(browser, server):
    """Open a site path; the browser log is cleared first, so each test sees only its own entries."""
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get_log("browser")

    def go(path: str):
        browser.get(urljoin(server.url, path))
        WebDriverWait(browser, 10).until(lambda d: d.execute_script("return document.readyState") == "complete")
        return browser
    return go


def by_css(driver, selector):
    from selenium.webdriver.common.by import By
    return driver.find_elements(By.CSS_SELECTOR, selector)


def plan_data(path):
    data = load(path).data
    return data, load_framework(data["framework"])


def slug(path) -> str:
    return f"{path.parent.name}/{path.stem}"


# -- the pages ----------------------------------------------------------------------------------------

def test_the_home_page_lists_every_plan(site, visit):
    driver = visit("")
    rows = {row.get_attribute("data-plan"): row for row in by_css(driver, "#plans tbody tr")}
    assert sorted(rows) == sorted(slug(p) for p in site.plans)
    for path in site.plans:
        data, fw = plan_data(path)
        row = rows[slug(path)]
        cells = [c.text for c in row.find_elements("css selector", "th, td")]
        assert cells[0] == " and ".join(h["name"] for h in data["hwbs"])
        assert cells[1] == "; ".join(data[fw.nhs_partners])
        # A version is shown where the document gives one; "not stated in the document" reads as none given.
        version = data["version"] if any(c.isdigit() for c in data["version"]) else "None given"
        assert cells[2:5] == [fw.period, version, data["status"].capitalize()]
        link = row.find_element("css selector", "th a").get_attribute("href")
        assert link.endswith(f"/plans/{slug(path)}/")


def test_a_plan_page_shows_its_headings_and_totals(site, visit):
    for path in site.plans:
        data, fw = plan_data(path)
        driver = visit(f"plans/{slug(path)}/")
        assert by_css(driver, "h1")[0].text.startswith(" and ".join(h["name"] for h in data["hwbs"]))
        # The pooled fund per year: the sum of the streams the plan states, to the pound.
        streams = data["funding"]["streams"]
        expected = {}
        for year in fw.financial_years:
            amounts = [v[year] for v in streams.values() if isinstance(v, dict) and isinstance(v.get(year), int)]
            if amounts:
                expected[year] = money(sum(amounts))
        shown = {dd.get_attribute("data-total-year"): dd.text for dd in by_css(driver, "dd[data-total-year]")}
        assert shown == expected, path
        headings = [h.text for h in by_css(driver, "article h2")]
        reviewed = (site.work / "reviews" / f"{slug(path)}.yaml").is_file()  # its assurance review comes first
        assert headings[:1] == (["Assurance review"] if reviewed else headings[:1])
        headings = headings[1:] if reviewed else headings
        assert headings[:3] == ["Plan details", "Pooled fund", *(["Priorities"] if data.get("priorities") else
                                                                  ["Sign-off"])][:3]
        assert "Downloads" in headings and "Version history" in headings

        driver = visit(f"plans/{slug(path)}/narrative/")
        # Every national heading with something of the plan under it (2025-26's cover guidance has none).
        printed = {b.anchor for b in document.build(data, fw).blocks if isinstance(b, document.Heading)}
        national = [e.title for e in fw.outline if e.depth == 1 and e.id in printed]
        assert len(national) >= len([e for e in fw.outline if e.depth == 1]) - 1
        h2 = [" ".join(h.text.split()) for h in by_css(driver, "article h2")]
        assert [h for h in h2 if h in national] == national, path


def test_the_scheme_table_sorts_and_filters(site, visit):
    driver = visit("plans/rutland/2023-25/funding/")
    table = by_css(driver, "table[data-bcfc-sortable]")[0]
    names = lambda: [r.find_elements("css selector", "th, td")[1].text  # noqa: E731
                     for r in table.find_elements("css selector", "tbody tr") if r.is_displayed()]
    assert names() == [helpers.SEARCHABLE_SCHEME, "Carers' breaks", "Adaptations advice"]
    header = table.find_elements("css selector", "thead th")[1]
    header.find_element("css selector", "button").click()
    assert header.get_attribute("aria-sort") == "ascending"
    assert names() == ["Adaptations advice", "Carers' breaks", helpers.SEARCHABLE_SCHEME]
    year = table.find_elements("css selector", "thead th")[-1]
    year.find_element("css selector", "button").click()
    year.find_element("css selector", "button").click()
    assert year.get_attribute("aria-sort") == "descending"
    assert names()[0] == helpers.SEARCHABLE_SCHEME  # £2,100,000: sorted as a number, not as text
    box = by_css(driver, "input[data-bcfc-filter]")[0]
    box.send_keys("zebra")
    assert names() == [helpers.SEARCHABLE_SCHEME]
    assert "1 of 3 rows shown" in by_css(driver, ".bcfc-filter-status")[0].text
    assert table.find_element("css selector", "tfoot").is_displayed()  # the total stays


def test_search_finds_a_scheme_by_name(site, visit):
    from selenium.webdriver.support.ui import WebDriverWait

    driver = visit("")
    query = by_css(driver, "input.md-search__input")[0]
    query.click()
    query.send_keys("Zebrafinch")

    def results(d):
        items = [i.text for i in by_css(d, ".md-search-result__item")]
        return items if any(helpers.SEARCHABLE_SCHEME in i for i in items) else False

    found = WebDriverWait(driver, 15).until(results)
    assert any(helpers.SEARCHABLE_SCHEME in text for text in found)
    links = [a.get_attribute("href") for a in by_css(driver, ".md-search-result__item a")]
    assert any("/plans/rutland/2023-25/funding/" in link for link in links), links


def test_download_links_and_schemas_resolve(site, visit, server):
    urls = []
    for path in site.plans:
        driver = visit(f"plans/{slug(path)}/")
        links = [a.get_attribute("href") for a in by_css(driver, ".bcfc-downloads a")]
        # Word, PDF (where LibreOffice could make it), Excel, YAML
        assert len(links) == (4 if pdf.available() is None else 3), path
        assert any(link.endswith("-narrative.pdf") for link in links) == (pdf.available() is None), path
        urls += links
    driver = visit("reference/")
    urls += [a.get_attribute("href") for a in by_css(driver, "article a[href$='.json']")]
    for url in urls:
        with urllib.request.urlopen(url, timeout=10) as response:
            assert response.status == 200, url
            assert len(response.read()) > 100, url
    # A period's schema refers to the shared definitions by a relative $ref that resolves on the site.
    with urllib.request.urlopen(urljoin(server.url, "schemas/2023-25/plan.schema.json"), timeout=10) as response:
        text = response.read().decode("utf-8")
    ref = text.split('"$ref": "', 1)[1].split("#", 1)[0]
    with urllib.request.urlopen(urljoin(server.url + "schemas/2023-25/", ref), timeout=10) as response:
        assert response.status == 200 and b'"$defs"' in response.read()


PAGES = ["", "plans/rutland/2023-25/", "plans/rutland/2023-25/narrative/", "plans/rutland/2023-25/funding/",
         "plans/rutland/2023-25/metrics/", "plans/rutland/2023-25/risks/", "plans/warwickshire/2023-25/funding/",
         "compare/2023-25/", "reference/", "reference/2023-25/", "reference/2023-25/fields/", "plan-format/",
         "compare/2023-25/region-west-midlands/", "compare/2023-25/icb-coventry-and-warwickshire/"]


def test_no_page_logs_a_console_error(site, visit, browser):
    for path in PAGES + [f"plans/{slug(p)}/narrative/" for p in site.plans]:
        visit(path)
        errors = [e for e in browser.get_log("browser") if e["level"] in ("SEVERE", "ERROR")]
        assert errors == [], path


# -- untrusted plan text ----------------------------------------------------------------------------------

def test_a_plan_whose_text_holds_script_runs_nothing(site, visit, browser):
    from selenium.common.exceptions import NoAlertPresentException

    for page in ("", "narrative/", "funding/", "metrics/", "risks/"):
        driver = visit(f"plans/bracknell-forest/2023-25/{page}")
        for element in by_css(driver, "article a, article button, article summary")[:40]:
            if element.is_displayed():  # hovering or clicking what a reader might
                driver.execute_script("arguments[0].dispatchEvent(new MouseEvent('mouseover', {bubbles: true}))",
                                      element)
        assert driver.execute_script(f"return typeof window.{helpers.PWNED_FLAG}") == "undefined", page
        with pytest.raises(NoAlertPresentException):
            driver.switch_to.alert.text  # noqa: B018
        assert driver.execute_script(
            "return document.querySelectorAll('article [onerror], article [onload], article [onclick], "
            "article [onmouseover], article iframe, article a[href^=\"javascript\"]').length") == 0
    driver = visit("plans/bracknell-forest/2023-25/narrative/")
    text = by_css(driver, "article")[0].text
    assert f'<script>window.{helpers.PWNED_FLAG} = "script"; alert("script")</script>' in text  # shown, not run
    assert "<img src=x onerror=" in text
    # The search shows the same text in its results without running it either.
    query = by_css(driver, "input.md-search__input")[0]
    query.click()
    query.send_keys("hostile")
    from selenium.webdriver.support.ui import WebDriverWait
    WebDriverWait(driver, 15).until(lambda d: by_css(d, ".md-search-result__item"))
    assert driver.execute_script(f"return typeof window.{helpers.PWNED_FLAG}") == "undefined"
    assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []


# -- accessibility -------------------------------------------------------------------------------------------

AXE_PAGES = ["", "plans/rutland/2023-25/", "plans/warwickshire/2023-25/narrative/", "plans/rutland/2023-25/funding/",
             "plans/rutland/2023-25/metrics/", "compare/2023-25/", "reference/2023-25/fields/", "reference/",
             "data/", "plans/warwickshire/2023-25/", "plans/warwickshire/2023-25/funding/", "icbs/",
             "icbs/coventry-and-warwickshire/", "compare/2023-25-conditions/", "plans/rutland/2023-25/narrative/",
             "plans/leicestershire/2025-26/", "about/", "accessibility/", "compare/2023-25/region-west-midlands/",
             "compare/2023-25/icb-coventry-and-warwickshire/", "plans/warwickshire/2023-25/outturn/",
             "plans/worcestershire/2023-25/outturn/"]
WIDTHS = [1280, 390]  # a desktop and a phone


@pytest.mark.parametrize("width", WIDTHS, ids=lambda w: f"{w}px")
@pytest.mark.parametrize("path", AXE_PAGES, ids=lambda p: p.strip("/").replace("/", "-") or "home")
def test_axe_finds_no_serious_accessibility_problem(site, visit, browser, path, width):
    if not helpers.AXE_JS.is_file():
        message = "no axe-core: run npm ci --prefix tests/browser"
        if REQUIRED:
            pytest.fail(message)
        pytest.skip(message)
    browser.set_window_size(width, 900)
    driver = visit(path)
    driver.execute_script(helpers.AXE_JS.read_text(encoding="utf-8"))
    violations = driver.execute_async_script("""
        const done = arguments[arguments.length - 1];
        axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}})
          .then(result => done(result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))))
          .catch(error => done([{id: 'axe-error', impact: 'critical', help: String(error), nodes: []}]));
    """, AXE_TAGS)
    browser.set_window_size(1280, 900)
    serious = [v for v in violations if v["impact"] in ("serious", "critical") or v["id"] == "heading-order"]
    assert serious == [], path


def test_every_chart_has_a_text_alternative_in_the_browser(site, visit):
    driver = visit("plans/rutland/2023-25/funding/")
    images = by_css(driver, "article figure img")
    assert len(images) >= 2
    for image in images:
        assert image.get_attribute("alt").startswith("Bar chart of")
        assert driver.execute_script("return arguments[0].complete && arguments[0].naturalWidth > 0", image)


def test_spend_per_head_is_the_pooled_fund_over_the_population(site, visit):
    driver = visit("compare/2023-25/")
    row = next(r for r in by_css(driver, "table tbody tr") if r.text.startswith("Rutland") and "41,049" in r.text)
    expected = (Decimal(4_200_000) / Decimal(41_049)).quantize(Decimal("0.01"))
    assert f"£{expected}" in row.text


# -- readers see the plan, not the machinery --------------------------------------------------------------

def reader_pages(site) -> list[str]:
    """Every page of the site for readers: all but the section for plan authors (reference/, the plan format,
    editor setup), where the ids are the point."""
    authored = {"reference", "plan-format", "editor-setup"}
    pages = []
    for page in sorted(site.site.rglob("index.html")):
        path = page.parent.relative_to(site.site).as_posix()
        path = "" if path == "." else path + "/"
        if path.split("/", 1)[0] not in authored:
            pages.append(path)
    return pages


def outline_ids() -> list[str]:
    """Every outline id that could not be a plain word (it holds a dot or an underscore), of every framework."""
    from bcf_schema.framework import available_periods
    ids = {e.id for period in available_periods() for e in load_framework(period).outline}
    return sorted((i for i in ids if "." in i or "_" in i), key=len, reverse=True)


def test_no_page_shows_a_reader_an_outline_id(site, visit):
    import re
    pattern = re.compile(r"(?<![\w.])(" + "|".join(map(re.escape, outline_ids())) + r")(?![\w.])")
    pages = reader_pages(site)
    assert len(pages) >= 5 * len(site.plans)  # every plan's five pages, the home, comparisons ...
    found = {}
    for path in pages:
        driver = visit(path)
        text = driver.execute_script("return document.body.innerText")
        hits = sorted(set(pattern.findall(text)))
        if hits:
            found[path] = hits
    assert found == {}
