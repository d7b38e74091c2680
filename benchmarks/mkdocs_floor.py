"""The MkDocs floor: the pages bcfc generates for a plans repository, written out as Markdown files, and a
mkdocs.yml that builds them with the same theme, search plugin, Markdown extensions, navigation and assets,
but without bcfc's plugin. `mkdocs build` over it is what publishing costs when bcfc itself costs nothing.

    python benchmarks/mkdocs_floor.py OUT      # run in a plans repository (mkdocs.yml, docs/, plans/)

Generated pages carry plan text as tokens that bcfc turns back into HTML after Markdown (renderers.site.html);
the floor's hook does the same, so both builds put the same text in every page and in the search index.
"""
from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import yaml
from mkdocs.config import load_config
from mkdocs.structure.files import InclusionLevel, get_files

HOOKS = '''\
import json
from pathlib import Path

from mkdocs.structure.files import InclusionLevel
from renderers.site.html import restore

HIDDEN = set(json.loads((Path(__file__).parent / "not_in_nav.json").read_text(encoding="utf-8")))


def on_files(files, config):
    for file in files.documentation_pages():
        if file.src_uri in HIDDEN:
            file.inclusion = InclusionLevel.NOT_IN_NAV
    return files


def on_page_content(html, page, config, files):
    return restore(html)
'''


def write_floor(out: Path) -> int:
    """Write OUT/docs (every page and file the bcfc plugin makes, and docs/) and OUT/mkdocs.yml; return pages."""
    config = load_config("mkdocs.yml")
    config = config.plugins.on_config(config)
    config.plugins.on_pre_build(config=config)
    files = config.plugins.on_files(get_files(config), config=config)
    if out.exists():
        shutil.rmtree(out)
    docs = out / "docs"
    hidden, pages = [], 0
    for file in files:
        target = docs / file.src_uri
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(file.content_bytes)
        if file.is_documentation_page():
            pages += 1
            if file.inclusion is InclusionLevel.NOT_IN_NAV:
                hidden.append(file.src_uri)
    (out / "not_in_nav.json").write_text(json.dumps(sorted(hidden)), encoding="utf-8")
    (out / "floor_hooks.py").write_text(HOOKS, encoding="utf-8")
    settings = yaml.safe_load(Path("mkdocs.yml").read_text(encoding="utf-8"))
    settings.update(docs_dir="docs", site_dir="site", plugins=["search"], hooks=["floor_hooks.py"], nav=config.nav,
                    extra_css=list(config.extra_css), extra_javascript=[str(s) for s in config.extra_javascript],
                    copyright=config.copyright)
    (out / "mkdocs.yml").write_text(yaml.safe_dump(settings, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return pages


if __name__ == "__main__":
    print(f"{write_floor(Path(sys.argv[1]))} pages written into {sys.argv[1]}")
