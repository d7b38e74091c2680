"""The PDF narrative a public reader downloads: made by `bcfc build` with LibreOffice, read back with poppler
(pdftotext, pdfinfo) as a reader's tools would."""
import hashlib
import os
import re
import shutil
import subprocess
from pathlib import Path

import pikepdf
import pytest

from bcf_schema import load, load_framework
from conftest import EXAMPLE_PLANS, ROOT, run_bcfc
from renderers import document, pdf

PDFTOTEXT, PDFINFO = shutil.which("pdftotext"), shutil.which("pdfinfo")
pytestmark = [pytest.mark.skipif(pdf.available() is not None, reason="LibreOffice and python3-uno: .ci/run"),
              pytest.mark.skipif(PDFTOTEXT is None, reason="poppler-utils is installed by .ci/run")]
SLUGS = [f"{p.parent.name}/{p.stem}" for p in EXAMPLE_PLANS]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    work = tmp_path_factory.mktemp("pdf")
    shutil.copytree(ROOT / "plans", work / "plans")
    shutil.copytree(ROOT / "docs", work / "docs")
    shutil.copy(ROOT / "mkdocs.yml", work)
    result = run_bcfc("build", cwd=work, timeout=600)
    assert result.returncode == 0, result.stderr
    return work


def pages(path: Path) -> list[str]:
    """The PDF's text, page by page, as laid out."""
    text = subprocess.run([PDFTOTEXT, "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return text.split("\f")[:-1]


def flat(text: str) -> str:
    return " ".join(text.split())


def info(path: Path) -> dict[str, str]:
    out = subprocess.run([PDFINFO, str(path)], capture_output=True, text=True, check=True).stdout
    return {k.strip(): v.strip() for k, v in (line.split(":", 1) for line in out.splitlines() if ":" in line)}


def example(slug):
    plan = load(ROOT / "plans" / f"{slug}.yaml").data
    return plan, load_framework(plan["framework"])


@pytest.mark.parametrize("slug", SLUGS)
def test_the_first_page_is_the_title_block(built, slug):
    plan, fw = example(slug)
    first = flat(pages(built / "build" / slug / "narrative.pdf")[0])
    expected = [document.document_title(plan, fw), fw.title, str(plan["version"]), str(plan["status"]).capitalize()]
    expected += [h["name"] for h in plan["hwbs"]] + list(plan.get(fw.nhs_partners) or [])
    if plan.get("date"):
        expected.append(document.long_date(plan["date"]))
    for text in expected:
        assert flat(text) in first, text
    assert "Page 1 of" not in first  # the title page has no number


@pytest.mark.parametrize("slug", SLUGS)
def test_the_contents_lists_every_level_one_and_two_heading_with_its_page(built, slug):
    import docx
    every = pages(built / "build" / slug / "narrative.pdf")
    contents = []
    for page in every[1:]:
        if not re.search(r"\.{5,}\s*\d+\s*$", page, re.M):
            break
        contents.append(page)
    assert contents and "Contents" in contents[0]
    listed = flat(" ".join(contents))
    headings = [p.text for p in docx.Document(built / "build" / slug / "narrative.docx").paragraphs
                if p.style.name in ("Heading 1", "Heading 2")]
    assert headings
    for heading in headings:
        assert " ".join(heading.split()[:5]) in listed, heading
    # each entry's page is where the heading is
    body = every[len(contents) + 1:]
    for heading in headings[:5]:
        entry = re.search(re.escape(" ".join(heading.split())) + r"\s*\.+\s*(\d+)", listed)
        if entry:
            page = int(entry[1])
            assert " ".join(heading.split()[:4]) in flat(every[page - 1]), (heading, page)
    assert body


@pytest.mark.parametrize("slug", SLUGS)
def test_every_page_after_the_first_is_numbered(built, slug):
    every = pages(built / "build" / slug / "narrative.pdf")
    for number, page in enumerate(every[1:], 2):
        assert f"Page {number} of {len(every)}" in page, number


@pytest.mark.parametrize("slug", SLUGS)
def test_no_outline_id_reaches_the_reader(built, slug):
    plan, fw = example(slug)
    ids = [e.id for e in fw.outline if "." in e.id] + [x["id"] for x in plan.get("extra_sections") or []
                                                         if "_" in x["id"] or "." in x["id"]]
    text = "\n".join(pages(built / "build" / slug / "narrative.pdf"))
    found = sorted({i for i in ids if re.search(r"(?<![\w.])" + re.escape(i) + r"(?!\w)", text)})
    assert not found


@pytest.mark.parametrize("slug", SLUGS)
def test_a_drafts_pages_say_draft(built, slug):
    plan, _ = example(slug)
    every = pages(built / "build" / slug / "narrative.pdf")
    marked = [("DRAFT" in page) for page in every]
    assert all(marked) if document.is_draft(plan) else not any(marked)


def test_the_examples_include_a_draft():
    assert any(document.is_draft(example(slug)[0]) for slug in SLUGS)


@pytest.mark.parametrize("slug", SLUGS)
def test_the_pdf_is_tagged_with_title_language_and_bookmarks(built, slug):
    plan, fw = example(slug)
    path = built / "build" / slug / "narrative.pdf"
    details = info(path)
    assert details["Tagged"] == "yes"
    assert details["Title"] == flat(document.document_title(plan, fw))
    assert details["Author"] == document.hwb_names(plan)
    assert details["Page size"].startswith("595") or "A4" in details["Page size"]
    with pikepdf.open(path) as opened:
        assert str(opened.Root.Lang) == "en-GB"
        with opened.open_outline() as outline:
            titles = [flat(item.title) for item in outline.root]
    national = [flat(e.title) for e in fw.outline if e.depth == 1]
    assert [t for t in titles if t in national] == [t for t in national if t in titles]
    assert len(set(titles) & set(national)) >= len(national) - 1  # scaffolding (2025-26's cover) is not printed


def test_the_site_links_every_pdf(built):
    for slug in SLUGS:
        hwb, period = slug.split("/")
        page = (built / "site" / "plans" / hwb / period / "index.html").read_text(encoding="utf-8")
        name = f"{hwb}-{period}-narrative.pdf"
        assert f'href="{name}"' in page, slug
        linked = built / "site" / "plans" / hwb / period / name
        assert linked.read_bytes() == (built / "build" / slug / "narrative.pdf").read_bytes()


def test_a_rebuild_without_the_cache_gives_the_same_pdfs(built, tmp_path):
    """LibreOffice stamps the time and a random /ID into each file; both are pinned."""
    shutil.copytree(built / "plans", tmp_path / "plans")
    result = run_bcfc("build", "--no-site", cwd=tmp_path, timeout=600)
    assert result.returncode == 0, result.stderr
    for slug in SLUGS:
        first, second = (built / "build" / slug / "narrative.pdf"), (tmp_path / "build" / slug / "narrative.pdf")
        assert hashlib.sha256(first.read_bytes()).digest() == hashlib.sha256(second.read_bytes()).digest(), slug


def test_without_libreoffice_the_build_says_so_once_and_links_no_pdf(tmp_path):
    shutil.copytree(ROOT / "plans", tmp_path / "plans")
    shutil.copytree(ROOT / "docs", tmp_path / "docs")
    shutil.copy(ROOT / "mkdocs.yml", tmp_path)
    exe = shutil.which("bcfc") or str(Path(os.sys.executable).with_name("bcfc"))
    env = dict(os.environ, PATH=str(Path(exe).parent))  # no soffice on the PATH
    result = subprocess.run([exe, "build"], cwd=tmp_path, capture_output=True, text=True, timeout=600, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stderr.count("LibreOffice is not installed") == 1
    assert not list((tmp_path / "build").rglob("*.pdf"))
    assert list((tmp_path / "build").rglob("narrative.docx"))
    for page in (tmp_path / "site").rglob("*.html"):
        assert ".pdf" not in page.read_text(encoding="utf-8"), page


def test_a_quick_build_without_pdfs_links_none_and_the_next_full_build_links_them_again(built, tmp_path):
    """--no-pdf after a build with PDFs: no stale PDF from the build folder or the site's page cache."""
    work = tmp_path / "repo"
    shutil.copytree(built, work, symlinks=True)
    quick = run_bcfc("build", "--no-pdf", cwd=work, timeout=600)
    assert quick.returncode == 0, quick.stderr
    assert "no PDF narratives (--no-pdf)" in quick.stderr and "LibreOffice ..." not in quick.stderr
    assert not list((work / "build").rglob("*.pdf")) and not list((work / "site").rglob("*.pdf"))
    for page in (work / "site").rglob("*.html"):
        assert ".pdf" not in page.read_text(encoding="utf-8"), page
    full = run_bcfc("build", cwd=work, timeout=600)
    assert full.returncode == 0, full.stderr
    for slug in SLUGS:
        hwb, period = slug.split("/")
        page = (work / "site" / "plans" / hwb / period / "index.html").read_text(encoding="utf-8")
        assert f'href="{hwb}-{period}-narrative.pdf"' in page, slug
