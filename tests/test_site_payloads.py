"""Script payloads in every free-text field the schemas have, on every page type, in Chromium.

The fields come from the JSON Schemas, not from a list kept here: every string a schema
accepts as free text (no enum, const, pattern or format) is a place a plan author can type
markup, so a test plants a family of payloads in each and builds the site. A new field in a
schema is covered as soon as any fixture plan holds it; the coverage test fails until then.

The payloads are what broke the site before (issue 21): fenced code with an attribute list
(backticks, tildes, indented, after one newline), which Python-Markdown's fenced-code
extension turned into an element with an event handler; attribute break-outs; HTML entities
that decode to markup; raw tags; script links.
"""
from __future__ import annotations

import copy
import html.parser
import json
import os
import re
import shutil
import subprocess
import sys
from functools import cache
from pathlib import Path
from urllib.parse import urljoin

import pytest
import yaml

from bcf_schema import load, load_framework
from bcf_schema.framework import FRAMEWORKS_DIR, available_periods
from bcf_schema.validate import validate_file
from browser import helpers

ROOT = Path(__file__).resolve().parents[1]
REQUIRED = os.environ.get("BCFC_REQUIRE_BROWSER") == "1"

# Each payload calls xss(), which the browser test defines before any page script runs.
PAYLOADS = [
    'A"><img src=x onerror=xss()>\n```{ .x onfocus=xss() autofocus tabindex=0 }\ncode\n```',
    "B\n~~~ {: onclick=xss() onmouseover=xss() }\ncode\n~~~\n\n    ```{onfocus=xss() autofocus}",
    "C &#60;img src=x onerror=xss()&#62; &lt;script&gt;xss()&lt;/script&gt; <script>xss()</script>",
    "D [link](javascript:xss()) [q](\" onmouseover=\"xss()) {: onclick=xss() } `{onclick=xss()}`",
    "E\n```{onfocus=xss() autofocus}\n```\n!!! note \"x\" onclick=\"xss()\"\n--8<-- \"bcfc-secret.txt\"",
]
MARKER = "xss()"


# -- the free-text fields, from the schemas ------------------------------------------------------------

@cache
def _documents() -> dict[str, dict]:
    docs = {"defs": json.loads((FRAMEWORKS_DIR / "defs.schema.json").read_text(encoding="utf-8"))}
    for period in available_periods():
        docs[period] = json.loads((FRAMEWORKS_DIR / period / "plan.schema.json").read_text(encoding="utf-8"))
    return docs


def _resolve(doc: str, node: dict) -> tuple[str, str, dict]:
    """Follow a node's $ref (within a period's schema or into defs.schema.json)."""
    ref = node["$ref"]
    target, _, pointer = ref.partition("#")
    doc = "defs" if target.endswith("defs.schema.json") else doc
    found = _documents()[doc]
    for part in pointer.strip("/").split("/"):
        found = found[part]
    return doc, pointer, found


def _free_text(node: dict) -> bool:
    """A string an author types anything into: no list of values, no format, and no pattern beyond the one
    that keeps control characters out (which every payload passes)."""
    if node.get("type") != "string" or {"enum", "const", "format"} & set(node):
        return False
    return "pattern" not in node or all(re.search(node["pattern"], payload) for payload in PAYLOADS)


_LEAVES = ("/$defs/text", "/$defs/markdown")  # a field that refers to these is the field, not the definition


def _branches(doc: str, pointer: str, node: dict):
    """(doc, pointer, node) for the node itself, what it refers to, and every combinator branch."""
    yield doc, pointer, node
    if "$ref" in node:
        target_doc, target_pointer, target = _resolve(doc, node)
        if target_pointer.endswith(_LEAVES):
            yield doc, pointer, target
        else:
            yield from _branches(target_doc, target_pointer, target)
    for key in ("allOf", "anyOf", "oneOf"):
        for index, branch in enumerate(node.get(key, [])):
            yield from _branches(doc, f"{pointer}/{key}/{index}", branch)
    for key in ("then", "else"):
        if key in node:
            yield from _branches(doc, f"{pointer}/{key}", node[key])


def _is_text(doc, pointer, node) -> bool:
    return bool(_text_locations(doc, pointer, node))


def _text_locations(doc, pointer, node) -> set[str]:
    return {_location(d, p) for d, p, n in _branches(doc, pointer, node) if _free_text(n)}


def _children(doc: str, pointer: str, node: dict, key=None):
    """The subschemas for a mapping key (key given) or an array item (key None), with their pointers."""
    for d, p, n in _branches(doc, pointer, node):
        if key is None:
            if isinstance(n.get("items"), dict):
                yield d, f"{p}/items", n["items"]
            continue
        if key in n.get("properties", {}):
            yield d, f"{p}/properties/{key}", n["properties"][key]
        else:
            for pattern, sub in n.get("patternProperties", {}).items():
                if re.search(pattern, key):
                    yield d, f"{p}/patternProperties/{pattern}", sub
            if isinstance(n.get("additionalProperties"), dict):
                yield d, f"{p}/additionalProperties", n["additionalProperties"]


def _location(doc: str, pointer: str) -> str:
    return f"{doc}#{pointer}"


@cache
def schema_text_fields(period: str) -> frozenset[str]:
    """Every place the period's schema accepts free text, as the pointer of the schema node."""
    found, seen = set(), set()

    def walk(doc, pointer, node):
        if (doc, pointer) in seen:
            return
        seen.add((doc, pointer))
        found.update(_text_locations(doc, pointer, node))
        for d, p, n in _branches(doc, pointer, node):
            for name, sub in n.get("properties", {}).items():
                walk(d, f"{p}/properties/{name}", sub)
            for pattern, sub in n.get("patternProperties", {}).items():
                walk(d, f"{p}/patternProperties/{pattern}", sub)
            for key in ("additionalProperties", "items"):
                if isinstance(n.get(key), dict):
                    walk(d, f"{p}/{key}", n[key])

    walk(period, "", _documents()[period])
    return frozenset(found)


_EXAMPLES = {  # a valid value for the patterned strings an added object may need
    "iso_date": "2023-06-01", "date_or_month": "2023-06", "calendar_month": "2023-06",
}


def _synth(doc: str, pointer: str, node: dict, depth: int = 0):
    """A minimal instance of a schema node with a payload in its free-text strings; None if there is none."""
    if depth > 6:
        return None
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        if name in _EXAMPLES:
            return _EXAMPLES[name]
        return _synth(*_resolve(doc, node), depth + 1)
    if "else" in node:  # if not_stated then ... else the real shape
        return _synth(doc, f"{pointer}/else", node["else"], depth + 1)
    if "oneOf" in node or "anyOf" in node:
        for index, branch in enumerate(node.get("oneOf") or node.get("anyOf")):
            value = _synth(doc, f"{pointer}/oneOf/{index}", branch, depth + 1)
            if value is not None:
                return value
        return None
    if "const" in node:
        return node["const"]
    if "enum" in node:
        return node["enum"][0]
    kind = node.get("type")
    kind = kind[0] if isinstance(kind, list) else kind
    if kind == "string":
        if _free_text(node):
            return PAYLOADS[0]
        return next((v for v in ("x1", "2023-06-01", "2023-06") if re.search(node.get("pattern", "^$"), v)), None)
    if kind in ("integer", "number"):
        return 1
    if kind == "array":
        item = _synth(doc, f"{pointer}/items", node.get("items", {}), depth + 1)
        return None if item is None else [item]
    if kind == "object":
        out = {}
        for name, sub in node.get("properties", {}).items():
            value = _synth(doc, f"{pointer}/properties/{name}", sub, depth + 1)
            if value is None and name in node.get("required", []):
                return None
            if value is not None:
                out[name] = value
        names, values = node.get("propertyNames", {}), node.get("additionalProperties")
        if not out and isinstance(values, dict) and names.get("enum"):  # amounts by year
            out[names["enum"][0]] = _synth(doc, f"{pointer}/additionalProperties", values, depth + 1)
        return out
    return None


def _enrich(value, places, additions: list[str], pointer: str = ""):
    """Every optional field a plan leaves out that can hold text, added (so a payload can be planted)."""
    if isinstance(value, dict):
        for d, p, n in [b for place in places for b in _branches(*place)]:
            if "not_stated" in value or n.get("required") == ["not_stated"] or pointer.count("/") > 6:
                continue  # a fact left elsewhere stays so; sub-sections of sub-sections are not added forever
            for name, sub in n.get("properties", {}).items():
                if name not in value:
                    made = _synth(d, f"{p}/properties/{name}", sub)
                    if made is not None:
                        value[name] = made
                        additions.append(f"{pointer}/{name}")
        for key, item in value.items():
            _enrich(item, [c for d, p, n in places for c in _children(d, p, n, key)], additions, f"{pointer}/{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _enrich(item, [c for d, p, n in places for c in _children(d, p, n, None)], additions, f"{pointer}/{index}")


def plant(data, period: str, counter: list[int], keep: frozenset[str] = frozenset()):
    """A copy of a plan with a payload in every free-text string; the fields it touched by schema node."""
    touched: set[str] = set()
    payloads: dict[str, str] = {}

    def walk(value, places, pointer):
        if isinstance(value, dict):
            return {k: walk(v, list(_kids(places, k)), f"{pointer}/{k}") for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v, list(_kids(places, None)), f"{pointer}/{i}") for i, v in enumerate(value)]
        if isinstance(value, str):
            text_places = set().union(*(_text_locations(d, p, n) for d, p, n in places))
            touched.update(text_places)
            if text_places and pointer not in keep:
                # The same text gets the same payload, so what must match still matches (a plan's version
                # and its history's last entry).
                if value not in payloads:
                    counter[0] += 1
                    payloads[value] = PAYLOADS[counter[0] % len(PAYLOADS)] + f" [{counter[0]}]"
                return payloads[value]
        return value

    def _kids(places, key):
        for d, p, n in places:
            yield from _children(d, p, n, key)

    return walk(data, [(period, "", _documents()[period])], ""), touched


# -- the fixture plans, planted --------------------------------------------------------------------------

def _fixture_plans() -> list[tuple[str, dict]]:
    """(relative path, plan) for every example plan and the rich fixture plans of each period."""
    plans = []
    for path in sorted(p for p in (ROOT / "plans").rglob("*.yaml") if p.parent.name != "returns"):
        plans.append((str(path.relative_to(ROOT / "plans")), load(path).data))
    sys.path.insert(0, str(ROOT / "tests"))
    from planbuilder import complete_plan

    for period in available_periods():
        rich = helpers._rich_plan(period) if period == "2023-25" else complete_plan(load_framework(period), "E06000017")
        rich.setdefault("risks", [{"risk": "Demand", "mitigation": "Plan", "owner": "Lead", "timescale": "2024",
                                   "likelihood": "High", "impact": "High"}])
        rich.setdefault("related_documents", [{"title": "Strategy", "number": "1", "link": "https://example.org/x",
                                               "description": "About it"}])
        plans.append((f"rutland/{period}.yaml", rich))
    return plans


def _remove(data, pointer: str) -> None:
    *parents, last = pointer.strip("/").split("/")
    for part in parents:
        data = data[int(part)] if isinstance(data, list) else data[part]
    if isinstance(data, list):
        del data[int(last)]
    else:
        data.pop(last, None)


def _plain(value):
    """Dates as the loader gives them are strings already; make sure the dump is plain YAML."""
    return json.loads(json.dumps(value, default=str))


@cache
def planted_workspace() -> tuple[Path, dict[str, set[str]]]:
    """A project with every fixture plan planted (fields validation refuses a payload in keep theirs)."""
    work = Path(helpers.tempfile.mkdtemp(prefix="bcfc-payloads-"))
    helpers.atexit.register(shutil.rmtree, work, True)
    shutil.copy(ROOT / "mkdocs.yml", work / "mkdocs.yml")
    shutil.copytree(ROOT / "docs", work / "docs")
    touched: dict[str, set[str]] = {p: set() for p in available_periods()}
    counter = [0]
    for relative, data in _fixture_plans():
        data = _plain(data)
        period = data["framework"]
        target = work / "plans" / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        additions: list[str] = []
        _enrich(data, [(period, "", _documents()[period])], additions)
        keep: set[str] = set()
        for _ in range(10):  # a field validation refuses the payload in (an HWB's name) keeps its value
            planted, fields = plant(data, period, counter, frozenset(keep))
            target.write_text(yaml.safe_dump(planted, sort_keys=False, allow_unicode=True, width=1000),
                              encoding="utf-8")
            errors = [f for f in validate_file(str(target)).findings if f.severity.value == "error"]
            if not errors:
                break
            for finding in errors:
                # An optional field added here that validation refuses in this plan is taken out again
                # (one whose rule reports elsewhere, such as unallocated income, by the part it is in).
                top = "/" + finding.pointer.strip("/").split("/")[0]
                added = [a for a in additions if finding.pointer.startswith(a)] or \
                    [a for a in additions if a.startswith(top + "/")]
                for addition in sorted(added, reverse=True):
                    _remove(data, addition)
                    additions.remove(addition)
                if not added:
                    keep.add(finding.pointer)
        else:
            raise AssertionError(f"{relative}: planted plan does not validate: {errors}")
        touched[period] |= fields
    # no PDFs: what is checked here is the site and what plan text can do there
    result = subprocess.run([helpers.bcfc_exe(), "build", "--no-pdf"], cwd=work, capture_output=True, text=True,
                            timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    return work, touched


# -- the tests --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("period", available_periods())
def test_every_free_text_field_of_the_schema_holds_a_payload(period):
    _, touched = planted_workspace()
    shared = {field for fields in touched.values() for field in fields if field.startswith("defs#")}
    assert len(schema_text_fields(period)) > 50  # the schemas' free text is found (a test that looks at nothing fails)
    missing = sorted(schema_text_fields(period) - touched[period] - shared)
    assert missing == [], ("free-text fields no fixture plan holds, so no payload was planted in them: "
                           "add them to the rich fixture plan in tests/browser/helpers.py")


class _Elements(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.problems: list[str] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}={value!r}>")
            if name in ("href", "src", "action", "formaction") and value and \
                    re.sub(r"[\x00-\x20]", "", value).lower().startswith(("javascript:", "data:", "vbscript:")):
                self.problems.append(f"<{tag} {name}={value!r}>")
        if tag in ("iframe", "object", "embed", "base"):
            self.problems.append(f"<{tag}>")
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts.append(data)


def _assert_no_page_can_run_a_payload(site: Path) -> dict[Path, str]:
    """Every HTML page of a built site, checked for handlers, script links and payload scripts; {page: text}."""
    pages = {page: page.read_text(encoding="utf-8") for page in sorted(site.rglob("*.html"))}
    assert len(pages) > 40
    for page, text in pages.items():
        parser = _Elements()
        parser.feed(text)
        assert parser.problems == [], page
        assert not [s for s in parser.scripts if MARKER in s], page
    return pages


def test_no_built_page_holds_a_handler_a_script_or_a_script_link():
    work, _ = planted_workspace()
    _assert_no_page_can_run_a_payload(work / "site")
    narrative = (work / "site" / "plans" / "warwickshire" / "2023-25" / "narrative" / "index.html").read_text()
    assert "onerror=xss()" in narrative  # the payloads are there, as text
    assert "bcfc-secret.txt" in narrative


def _page_types(site: Path) -> list[str]:
    """One URL path of every page the site has: every plan page, comparison, reference and home."""
    return sorted(str(p.parent.relative_to(site)).replace("\\", "/") + "/" if p.parent != site else ""
                  for p in site.rglob("index.html") if "search" not in p.parts and "assets" not in p.parts)


def test_no_payload_runs_in_chromium_on_any_page(tmp_path):
    missing = [name for name, found in (("chromium", helpers.find(helpers.CHROMIUM)),
                                         ("chromedriver", helpers.find(helpers.CHROMEDRIVER))) if found is None]
    if missing:
        if REQUIRED:
            pytest.fail(f"no {', '.join(missing)}")
        pytest.skip(f"no {', '.join(missing)}")
    from selenium.webdriver.support.ui import WebDriverWait

    work, _ = planted_workspace()
    server = helpers.SiteServer(work / "site")
    driver = helpers.chrome(tmp_path / "profile")
    try:
        driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {
            "source": "window.__ran = []; window.xss = () => window.__ran.push(location.pathname);"})
        paths = _page_types(work / "site")
        assert len(paths) > 30
        for path in paths:
            driver.get(urljoin(server.url, path))
            WebDriverWait(driver, 10).until(lambda d: d.execute_script("return document.readyState") == "complete")
            # a reader's pointer and keyboard over the first 30 links and code blocks (in one call: one
            # WebDriver round trip an element made this the slowest test of the suite)
            driver.execute_script("""
                for (const element of [...document.querySelectorAll('article a, article pre, article code')].slice(0, 30)) {
                    element.dispatchEvent(new MouseEvent('mouseover', {bubbles: true}));
                    element.dispatchEvent(new FocusEvent('focus'));
                }""")
            assert driver.execute_script("return window.__ran") == [], path
            assert driver.execute_script("return document.querySelectorAll('[onfocus],[onclick],[onerror],"
                                         "[onmouseover],a[href^=\"javascript\"]').length") == 0, path
    finally:
        driver.quit()
        server.close()


def test_extensions_a_repository_adds_see_no_plan_text(tmp_path):
    """A plans repository may enable more of Python-Markdown and pymdown-extensions in its mkdocs.yml:
    fenced blocks, HTML with Markdown inside, snippets (which read files), admonitions. None sees plan text."""
    work, _ = planted_workspace()
    secret = "Zq7SecretFileContents"
    (tmp_path / "bcfc-secret.txt").write_text(secret, encoding="utf-8")
    shutil.copytree(work / "docs", tmp_path / "docs")
    # The extension is live: a hand-written page that asks for the file gets it.
    (tmp_path / "docs" / "snippet-check.md").write_text('# Check\n\n--8<-- "bcfc-secret.txt"\n', encoding="utf-8")
    config = yaml.safe_load((work / "mkdocs.yml").read_text(encoding="utf-8"))
    config["markdown_extensions"] = config["markdown_extensions"] + [
        "md_in_html", "admonition", "def_list", "footnotes", "abbr", "pymdownx.superfences", "pymdownx.details",
        "pymdownx.tilde", {"pymdownx.snippets": {"base_path": [str(tmp_path)]}}]
    config.update(site_dir=str(tmp_path / "site"), docs_dir=str(tmp_path / "docs"))
    (work / "mkdocs-extended.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", "mkdocs-extended.yml"], cwd=work,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    assert secret in (tmp_path / "site" / "snippet-check" / "index.html").read_text(encoding="utf-8")
    for page, text in _assert_no_page_can_run_a_payload(tmp_path / "site").items():
        assert secret not in text or page.parent.name == "snippet-check", page
    narrative = (tmp_path / "site" / "plans" / "warwickshire" / "2023-25" / "narrative" / "index.html").read_text()
    assert "onerror=xss()" in narrative and "bcfc-secret.txt" in narrative  # the payloads are there, as text
