"""The public site's policy and the repository's bcfc.yaml, through `bcfc build` with no mkdocs.yml."""
import shutil

import pytest

from conftest import ROOT, run_bcfc


@pytest.fixture
def repo(tmp_path):
    """A plans repository with one submitted plan and one draft, and no mkdocs.yml."""
    for plan in ("worcestershire/2023-25.yaml", "leicestershire/2025-26.yaml"):  # submitted; draft
        (tmp_path / "plans" / plan).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / "plans" / plan, tmp_path / "plans" / plan)
    return tmp_path


def test_without_bcfc_yaml_the_site_builds_says_who_is_missing_and_has_no_sitemap(repo):
    result = run_bcfc("build", "--no-pdf", cwd=repo)
    assert result.returncode == 0, result.stderr
    assert "1 draft(s) left off the site" in result.stdout
    site = repo / "site"
    assert (site / "plans/worcestershire/2023-25/index.html").is_file()
    assert not (site / "plans/leicestershire").exists()
    assert not (site / "sitemap.xml").exists() and not (site / "sitemap.xml.gz").exists()
    about = (site / "about/index.html").read_text(encoding="utf-8")
    assert "has not given its name and contact yet" in about
    home = (site / "index.html").read_text(encoding="utf-8")
    for status in ("Draft", "Submitted", "Approved"):
        assert f"<dt>{status}</dt>" in home
    assert "Last updated: <time datetime=\"2023-09-01\">1 September 2023</time>" in home
    statement = (site / "accessibility/index.html").read_text(encoding="utf-8")
    assert "WCAG" in statement and "<code>wcag22aa</code>" in statement


def test_a_mistake_in_bcfc_yaml_is_named_by_line_and_nothing_is_built(repo):
    (repo / "bcfc.yaml").write_text("site:\n  name: Plans\n  publisher: Leicestershire County Council\n"
                                    "  contact: not an address\n  adress: https://x.example/\n", encoding="utf-8")
    result = run_bcfc("build", "--no-pdf", cwd=repo)
    assert result.returncode == 2
    assert "bcfc.yaml:4:12: site.contact should be an email address or a web page" in result.stderr
    assert "bcfc.yaml:5:3: unknown setting 'site.adress'" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (repo / "build").exists() and not (repo / "site").exists()


def test_drafts_are_previewed_under_a_banner_and_the_footer_names_the_publisher(repo):
    (repo / "bcfc.yaml").write_text("site:\n  name: Plans\n  publisher: Leicestershire & Rutland\n"
                                    "  contact: https://example.org/contact\n", encoding="utf-8")
    result = run_bcfc("build", "--no-pdf", "--drafts", cwd=repo)
    assert result.returncode == 0, result.stderr
    site = repo / "site"
    for page in ("", "narrative/", "funding/", "metrics/", "risks/"):
        text = (site / f"plans/leicestershire/2025-26/{page}index.html").read_text(encoding="utf-8")
        assert "<strong>DRAFT</strong>: Leicestershire 2025-26 is a draft" in text, page
    assert "DRAFT</strong>" not in (site / "plans/worcestershire/2023-25/index.html").read_text(encoding="utf-8")
    assert "this preview includes 1 draft plan" in (site / "index.html").read_text(encoding="utf-8")
    assert "Published by Leicestershire &amp; Rutland. Last updated" in (site / "index.html").read_text(encoding="utf-8")


def test_bcfc_serve_without_mkdocs_yml_previews_the_drafts(repo):
    import socket
    import subprocess
    import time
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    exe = shutil.which("bcfc") or str(ROOT / ".venv" / "bin" / "bcfc")
    server = subprocess.Popen([exe, "serve", "-a", f"127.0.0.1:{port}"], cwd=repo, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True)
    try:
        page = ""
        for _ in range(120):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/plans/leicestershire/2025-26/", timeout=5) as r:
                    page = r.read().decode("utf-8")
                break
            except OSError:
                assert server.poll() is None, server.stderr.read()
                time.sleep(1)
        assert "<strong>DRAFT</strong>: Leicestershire 2025-26 is a draft" in page
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert not (repo / "site").exists()  # the preview writes no site/
