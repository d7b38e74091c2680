"""The published site: an MkDocs plugin that turns plans/ into pages (see plugin.py).

`build_site()` runs the MkDocs build into a staging folder and swaps it in only when it
succeeded; `serve_site()` runs the live preview. The CLI (`bcfc build`, `bcfc serve`) calls these.
"""
from .publish import SiteBuildError, build_site, serve_site

__all__ = ["SiteBuildError", "build_site", "serve_site"]
