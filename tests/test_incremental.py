"""A rebuild after an edit renders only what changed, and gives the bytes a clean build gives.

Built without PDFs (LibreOffice would double each build's time): a PDF is made from its Word file, so it is
as up to date as the Word file, and tests/test_pdf.py checks the PDFs a rebuild gives."""
import json
import re
import shutil

import pytest

from conftest import ROOT, run_bcfc

pytestmark = pytest.mark.skipif(not (ROOT / "mkdocs.yml").is_file(), reason="the site needs mkdocs.yml")


def project(folder):
    """A plans repository as a user has it: plans, hand-written pages and the site configuration."""
    for name in ("plans", "docs"):
        shutil.copytree(ROOT / name, folder / name)
    shutil.copy(ROOT / "mkdocs.yml", folder / "mkdocs.yml")
    return folder


def tree(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def build(folder):
    result = run_bcfc("build", "--no-pdf", cwd=folder, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def clean_build_of(folder, tmp_path):
    """The same plans built from nothing, in a fresh copy of the project."""
    fresh = tmp_path / "fresh"
    shutil.copytree(folder, fresh, ignore=shutil.ignore_patterns(".bcfc-cache", "site", "build"))
    build(fresh)
    return fresh


def rendered_count(stdout):
    return int(re.search(r"\((\d+) rendered", stdout).group(1))


def test_an_edit_renders_one_plan_and_gives_the_clean_builds_bytes(tmp_path):
    folder = project(tmp_path / "repo")
    first = build(folder)
    assert rendered_count(first) == len([p for p in (folder / "plans").rglob("*.yaml") if p.parent.name != "returns"])

    # Files that are no build's, in the site a later build starts from (a rebuild links only what changed
    # into the copy of the site it replaced): gone from what the third build publishes.
    (folder / "site" / "planted.html").write_text("<p>not bcfc's</p>", encoding="utf-8")
    (folder / "site" / "plans" / "planted").mkdir()
    (folder / "site" / "plans" / "planted" / "index.html").write_text("<p>nor this</p>", encoding="utf-8")
    plan = folder / "plans" / "warwickshire" / "2023-25.yaml"
    # A word of a narrative answer (the pages across plans, which show none, come from the cache) ...
    plan.write_text(plan.read_text(encoding="utf-8").replace("helped develop and review", "helped draft and review", 1),
                    encoding="utf-8")
    assert rendered_count(build(folder)) == 1
    # ... then its version, which the reviewers' page of submissions shows: that page is made again.
    text = plan.read_text(encoding="utf-8").replace('version: "V0.4"', 'version: "V0.5"', 1)
    text = text.replace("history:\n", 'history:\n  - {version: "V0.5", date: 2023-07-01, change: A new version}\n', 1)
    plan.write_text(text, encoding="utf-8")
    second = build(folder)
    assert rendered_count(second) == 1

    fresh = clean_build_of(folder, tmp_path)
    for output in ("site", "build"):
        assert tree(folder / output) == tree(fresh / output), output
    assert b"V0.5" in (folder / "site" / "plans" / "warwickshire" / "2023-25" / "index.html").read_bytes()
    assert b"helped draft and review" in (folder / "site" / "plans" / "warwickshire" / "2023-25" / "narrative"
                                          / "index.html").read_bytes()
    assert b"V0.5" in (folder / "site" / "compare" / "2023-25-conditions" / "index.html").read_bytes()


def test_a_removed_plan_leaves_no_pages_behind(tmp_path):
    folder = project(tmp_path / "repo")
    build(folder)
    (folder / "plans" / "leicestershire" / "2025-26.yaml").unlink()
    build(folder)
    assert not (folder / "site" / "plans" / "leicestershire").exists()
    assert not (folder / "build" / "leicestershire").exists()
    fresh = clean_build_of(folder, tmp_path)
    assert tree(folder / "site") == tree(fresh / "site")


def test_a_failed_rebuild_leaves_site_and_documents_as_they_were(tmp_path):
    folder = project(tmp_path / "repo")
    build(folder)
    before = {name: tree(folder / name) for name in ("site", "build")}
    plan = folder / "plans" / "worcestershire" / "2023-25.yaml"
    plan.write_text(plan.read_text(encoding="utf-8").replace("framework:", "framework: 2023-25\nframework:", 1),
                    encoding="utf-8")
    result = run_bcfc("build", "--no-pdf", cwd=folder, timeout=600)
    assert result.returncode == 1 and "BCF005" in result.stderr
    assert {name: tree(folder / name) for name in ("site", "build")} == before


def test_a_site_that_fails_after_writing_pages_leaves_site_and_documents_as_they_were(tmp_path):
    """The site is linked from the build's work folder, not copied: a rebuild that writes changed pages and
    then fails (a warning in strict mode) must not have changed a byte of the published site or documents."""
    folder = project(tmp_path / "repo")
    build(folder)
    before = {name: tree(folder / name) for name in ("site", "build")}
    plan = folder / "plans" / "warwickshire" / "2023-25.yaml"
    text = plan.read_text(encoding="utf-8")
    assert "helped develop and review" in text
    plan.write_text(text.replace("helped develop and review", "helped draft and review", 1), encoding="utf-8")
    (folder / "docs" / "broken.md").write_text("# Broken\n\nSee [the missing page](missing.md).\n", encoding="utf-8")
    result = run_bcfc("build", "--no-pdf", cwd=folder, timeout=600)
    assert result.returncode == 1 and "missing.md" in result.stderr, result.stderr
    assert {name: tree(folder / name) for name in ("site", "build")} == before
    (folder / "docs" / "broken.md").unlink()
    build(folder)  # and the next good build gives what a clean one does
    fresh = clean_build_of(folder, tmp_path)
    for output in ("site", "build"):
        assert tree(folder / output) == tree(fresh / output), output


def test_a_dirty_builds_search_index_is_the_clean_builds_with_or_without_the_list_of_where_pages_are(tmp_path):
    from renderers.site.incremental import write_search_index

    def index(pages):  # the theme's index: its configuration, then each page's entries
        docs = [{"location": f"{page}#{n}" if n else page, "title": f"{page} {n} {words}", "text": "<p>£ é</p>"}
                for page, words in pages for n in range(3)]
        return {"config": {"lang": ["en"], "separator": "[\\s]+"}, "docs": docs}

    def theme(value):  # as the theme writes it
        return json.dumps(value, separators=(",", ":"), default=str)

    order = ["", "plans/a/", "plans/b/", "plans/c/"]
    clean = tmp_path / "clean.json"
    clean.write_text(theme(index([(p, "one") for p in order])), encoding="utf-8")
    written = clean.read_bytes()
    write_search_index(clean, order, tmp_path / "clean-pages.json", None)
    assert clean.read_bytes() == written  # a clean build's index is the theme's
    expected = index([(p, "two" if p == "plans/b/" else "one") for p in order])

    for described in (True, False):
        site = tmp_path / f"site-{described}.json"
        last, pages = tmp_path / "last.json", tmp_path / "pages.json"
        last.write_bytes(clean.read_bytes())
        pages.write_bytes((tmp_path / "clean-pages.json").read_bytes())
        if not described:
            pages.unlink()
        site.write_text(theme(index([("plans/b/", "two")])), encoding="utf-8")  # only the page built again
        write_search_index(site, order, pages, last)
        assert site.read_bytes() == theme(expected).encode()
        assert not last.exists()


def test_a_search_index_spooled_as_pages_are_built_is_the_theme_index_in_page_order(tmp_path):
    """bcfc takes each page's search entries from the theme as the page is built (so a national index is
    never held in memory) and writes the index at the end: the bytes must be the theme's own, in the
    navigation's order whatever order the pages were built in, and a dirty build's the clean build's."""
    from renderers.site.incremental import SearchSpool, write_search_index

    def entries(page, words):
        return [{"location": f"{page}#{n}" if n else page, "title": f"{page} {n} {words}", "text": "<p>£ é \"q\"</p>"}
                for n in range(3)]

    def theme(docs):
        return json.dumps({"config": {"lang": ["en"]}, "docs": docs}, separators=(",", ":"), default=str).encode()

    order = ["", "plans/a/", "plans/b/", "plans/c/"]
    head = theme([]).rsplit(b'"docs":[]', 1)[0] + b'"docs":['
    expected = theme([e for page in order for e in entries(page, "one")])
    for built in (order, ["plans/b/", "", "plans/c/", "plans/a/"]):  # in the navigation's order, or not
        clean, spool = tmp_path / "index.json", SearchSpool(tmp_path / "spool", head)
        for page in built:
            made = entries(page, "one")
            spool.add(made)
            assert made == []  # let go: the theme's list is emptied as each page is spooled
        spooled = spool.path.stat().st_ino
        clean.write_bytes(theme([]))  # what the theme writes once its entries are spooled
        write_search_index(clean, order, tmp_path / "pages.json", None, spool)
        assert clean.read_bytes() == expected
        assert not spool.path.exists()
        # pages in order: the spool is the index, written once, not copied
        assert (clean.stat().st_ino == spooled) == (built == order)

    dirty, last = tmp_path / "dirty.json", tmp_path / "last.json"
    last.write_bytes(clean.read_bytes())
    spool = SearchSpool(tmp_path / "spool", head)
    spool.add(entries("plans/b/", "two"))  # only the page built again
    dirty.write_bytes(theme([]))
    write_search_index(dirty, order, tmp_path / "pages.json", last, spool)
    assert dirty.read_bytes() == theme([e for page in order for e in entries(page, "two" if page == "plans/b/" else "one")])
    assert not last.exists()
