"""`bcfc serve` while a plan is broken: every request is answered, from the last good build, and
each page carries a banner with the findings (file:line), in Chromium as well as over HTTP."""
import os
import re
import signal
import socket
import subprocess
import time
import urllib.request

import pytest

from test_output_folders import BCFC, project

PAGE = "plans/leicestershire/2025-26/"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url: str) -> str:
    started = time.monotonic()
    with urllib.request.urlopen(url, timeout=10) as response:  # a hung server fails here
        body = response.read().decode("utf-8")
    assert time.monotonic() - started < 10
    return body


def wait_for(url: str, condition, timeout: float = 120) -> str:
    deadline = time.monotonic() + timeout
    while True:
        try:
            body = get(url)
            if condition(body):
                return body
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"{url} never showed what was expected")
        time.sleep(0.5)


@pytest.fixture
def served(tmp_path):
    work = project(tmp_path)
    port = free_port()
    process = subprocess.Popen([BCFC, "serve", "-a", f"127.0.0.1:{port}"], cwd=work, start_new_session=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_for(url + PAGE, lambda body: "Leicestershire" in body)
        yield work, url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def test_a_broken_plan_keeps_the_last_good_build_under_a_banner(served):
    work, url = served
    plan = work / "plans" / "leicestershire" / "2025-26.yaml"
    good = plan.read_text(encoding="utf-8")
    line = good[:good.index("\nversion:")].count("\n") + 2
    plan.write_text(good.replace("\nversion:", "\nverison:", 1), encoding="utf-8")

    page = wait_for(url + PAGE, lambda body: "bcfc-serve-errors" in body)
    assert f"plans/leicestershire/2025-26.yaml:{line}:1</code>: BCF103 unknown field &#39;verison&#39;" in page
    assert "Leicestershire: Better Care Fund 2025-26 plan" in page  # the last good version, still served
    assert "bcfc-serve-errors" in get(url)  # on every page, not only the broken plan's
    assert "Traceback" not in page

    plan.write_text(good, encoding="utf-8")
    wait_for(url + PAGE, lambda body: "bcfc-serve-errors" not in body)


def test_a_plan_broken_from_the_start_is_left_out_and_named(tmp_path):
    work = project(tmp_path)
    plan = work / "plans" / "leicestershire" / "2025-26.yaml"
    plan.write_text(plan.read_text(encoding="utf-8").replace("\nversion:", "\nverison:", 1), encoding="utf-8")
    port = free_port()
    process = subprocess.Popen([BCFC, "serve", "-a", f"127.0.0.1:{port}"], cwd=work, start_new_session=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        home = wait_for(f"http://127.0.0.1:{port}/", lambda body: "bcfc-serve-errors" in body)
        assert "Not in the preview: plans/leicestershire/2025-26.yaml" in home
        assert re.search(r"2025-26\.yaml:\d+:1</code>: BCF103", home)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def test_the_banner_in_a_browser_is_an_accessible_alert(served):
    from test_site_browser import _missing, REQUIRED
    from browser import helpers
    missing = _missing() or ("" if helpers.AXE_JS.is_file() else "no axe-core: run npm ci --prefix tests/browser")
    if missing:
        if REQUIRED:
            pytest.fail(missing)
        pytest.skip(missing)
    work, url = served
    plan = work / "plans" / "leicestershire" / "2025-26.yaml"
    plan.write_text(plan.read_text(encoding="utf-8").replace("\nversion:", "\nverison:", 1), encoding="utf-8")
    wait_for(url + PAGE, lambda body: "bcfc-serve-errors" in body)

    driver = helpers.chrome(work / "chromium-profile")
    try:
        driver.get(url + PAGE)
        alert = driver.find_element("css selector", "[role=alert].bcfc-serve-errors")
        assert alert.is_displayed() and "BCF103" in alert.text and "2025-26.yaml:" in alert.text
        driver.execute_script(helpers.AXE_JS.read_text(encoding="utf-8"))
        violations = driver.execute_async_script("""
            const done = arguments[arguments.length - 1];
            axe.run(document.querySelector('.bcfc-serve-errors'), {runOnly: {type: 'tag', values:
                ['wcag2a', 'wcag2aa', 'wcag21aa', 'wcag22aa']}})
              .then(r => done(r.violations.map(v => v.id + ': ' + v.help)));
        """)
        assert violations == []
    finally:
        driver.quit()
