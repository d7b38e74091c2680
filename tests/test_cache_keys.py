"""An upgrade of bcfc or of a library that shapes an output is a cache miss: no stale document, page or PDF."""
import shutil
from pathlib import Path

import pytest

from bcf_schema import load, load_framework
from conftest import ROOT
from renderers import cache_keys, outputs, pdf
from renderers.site import incremental

PLAN = ROOT / "plans" / "worcestershire" / "2023-25.yaml"


def _source(path: Path = PLAN) -> outputs.PlanSource:
    data = load(path).data
    return outputs.PlanSource(path, data, load_framework(data["framework"]))


def _upgrade(monkeypatch, name: str) -> None:
    installed = cache_keys.versions()
    monkeypatch.setattr(cache_keys, "versions", lambda: {**installed, name: installed[name] + ".post1"})


def test_every_library_that_shapes_an_output_is_installed_and_keyed():
    versions = cache_keys.versions()
    assert list(versions) == list(cache_keys.SHAPING)
    assert "not installed" not in versions.values()
    for name in ("bcfc", "openpyxl", "python-docx", "mkdocs", "mkdocs-material", "markdown-it-py",
                 "jinja2"):
        assert f"{name}={versions[name]}" in cache_keys.libraries()


@pytest.mark.parametrize("name", cache_keys.SHAPING)
def test_an_upgrade_changes_every_cache_key(monkeypatch, tmp_path, name):
    config = tmp_path / "mkdocs.yml"
    shutil.copy(ROOT / "mkdocs.yml", config)
    docx = tmp_path / "narrative.docx"
    docx.write_bytes(b"a Word file")
    before = (outputs.document_key(_source()), incremental.signature(config), incremental.code_digest(),
              pdf.cache_name(pdf.Job(docx, tmp_path / "narrative.pdf")) if pdf.available() is None else None)
    _upgrade(monkeypatch, name)
    after = (outputs.document_key(_source()), incremental.signature(config), incremental.code_digest(),
             pdf.cache_name(pdf.Job(docx, tmp_path / "narrative.pdf")) if pdf.available() is None else None)
    for kind, old, new in zip(("documents", "site signature", "site pages", "pdf"), before, after):
        if old is not None:
            assert old != new, f"{kind} cache key ignores {name}'s version"


def test_documents_are_rendered_again_after_an_upgrade_and_not_before(monkeypatch, tmp_path):
    cache = tmp_path / "cache"
    source = _source()
    assert outputs.render_into([source], tmp_path / "first", cache=cache, jobs=1) == 1
    assert outputs.render_into([source], tmp_path / "second", cache=cache, jobs=1) == 0  # from the cache
    _upgrade(monkeypatch, "openpyxl")
    assert outputs.render_into([source], tmp_path / "third", cache=cache, jobs=1) == 1
    assert [p.name for p in cache.iterdir()] == [outputs.document_key(source)]  # the stale entry is gone
