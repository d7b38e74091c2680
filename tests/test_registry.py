"""One output registry (renderers/registry.py): an output declared there reaches the build folder, the
build's cache, the site's downloads and `bcfc render output`, with no other list to keep."""
import shutil

import pytest

from conftest import ROOT, run_bcfc
from renderers import build, pdf, registry

PLAN = ROOT / "plans" / "worcestershire" / "2023-25.yaml"
SLUG = "worcestershire/2023-25"


@pytest.fixture
def repo(tmp_path, monkeypatch):
    (tmp_path / "plans" / "worcestershire").mkdir(parents=True)
    shutil.copy(PLAN, tmp_path / "plans" / "worcestershire")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(pdf, "available", lambda: "LibreOffice is left out of this test")
    return tmp_path


def fake_csv(source):
    return f"hwb,framework\n{source.data['hwbs'][0]['name']},{source.data['framework']}\n".encode()


def test_an_output_added_to_the_registry_is_built_cached_and_offered_on_the_site(repo, monkeypatch):
    fake = registry.Output("fake-csv", "fake.csv", fake_csv, "Fake extract (CSV)", "-fake.csv", "CSV")
    monkeypatch.setattr(registry, "OUTPUTS", [*registry.OUTPUTS, fake])

    built = build.build("plans", "build", say=lambda text: None)

    assert built.plans == 1 and built.rendered == 1
    assert (repo / "build" / SLUG / "fake.csv").read_bytes() == b"hwb,framework\nWorcestershire,2023-25\n"
    cached = [p.relative_to(repo / build.CACHE_DIR / "documents").parts[1:]
              for p in (repo / build.CACHE_DIR / "documents").rglob("*") if p.is_file()]
    assert ("fake.csv",) in cached
    overview = (built.site_dir / "plans" / SLUG / "index.html").read_text(encoding="utf-8")
    assert 'download="worcestershire-2023-25-fake.csv"' in overview and "Fake extract (CSV)" in overview
    (published,) = built.site_dir.rglob("worcestershire-2023-25-fake.csv")
    assert published.read_bytes() == (repo / "build" / SLUG / "fake.csv").read_bytes()


def test_every_registered_output_is_in_the_build_its_cache_and_the_sites_downloads(repo):
    built = build.build("plans", "build", say=lambda text: None)

    folder = repo / "build" / SLUG
    (entry,) = (repo / build.CACHE_DIR / "documents").iterdir()
    overview = (built.site_dir / "plans" / SLUG / "index.html").read_text(encoding="utf-8")
    for output in registry.rendered():
        assert (folder / output.file).read_bytes() == (entry / output.file).read_bytes(), output.name
    for output in registry.on_site():
        if not output.optional:  # the PDF needs LibreOffice: tests/test_pdf.py follows it to the site
            name = f"worcestershire-2023-25{output.suffix}"
            assert f'download="{name}"' in overview and output.label in overview, output.name
            assert f">{output.icon}</span>" in overview
            (published,) = built.site_dir.rglob(name)
            assert published.read_bytes() == (folder / output.file).read_bytes()
    assert {p.name for p in folder.iterdir()} == {o.file for o in registry.rendered()}


def test_render_output_writes_any_registered_output_and_names_them_on_a_typo(tmp_path):
    result = run_bcfc("render", "output", PLAN, "planning-templat", cwd=tmp_path)
    assert result.returncode == 2
    assert "choose one of: narrative-markdown, narrative-word, planning-template, plan-yaml" in result.stderr

    result = run_bcfc("render", "output", PLAN, "plan-yaml", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "plan.yaml").read_bytes() == PLAN.read_bytes()


def test_a_stop_is_a_build_stopped_that_names_what_to_fix_and_leaves_nothing(repo):
    plan = repo / "plans" / "worcestershire" / "2023-25.yaml"
    plan.write_text(plan.read_text(encoding="utf-8").replace("version:", "verison:", 1), encoding="utf-8")
    said = []

    with pytest.raises(build.BuildStopped) as stop:
        build.build("plans", "build", say=said.append)

    assert stop.value.status == 1 and "fix the errors above" in str(stop.value)
    assert "BCF103" in "\n".join(said)
    assert not (repo / "build").exists() and not (repo / "site").exists()


def test_an_output_registered_after_a_build_is_not_left_out_by_its_caches(repo, monkeypatch):
    build.build("plans", "build", say=lambda text: None)
    fake = registry.Output("fake-csv", "fake.csv", fake_csv, "Fake extract (CSV)", "-fake.csv", "CSV")
    monkeypatch.setattr(registry, "OUTPUTS", [*registry.OUTPUTS, fake])

    built = build.build("plans", "build", say=lambda text: None)

    assert built.rendered == 1  # the documents cache's entry lacked the new output: rendered again
    assert (repo / "build" / SLUG / "fake.csv").is_file()
    overview = (built.site_dir / "plans" / SLUG / "index.html").read_text(encoding="utf-8")
    assert 'download="worcestershire-2023-25-fake.csv"' in overview  # the page cache did not serve the old page
