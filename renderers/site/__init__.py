"""The published site: an MkDocs plugin that turns plans/ into pages (see plugin.py).

`build_site()` runs the MkDocs build into a staging folder and swaps it in only when it
succeeded; `serve_site()` runs the live preview. The CLI (`bcfc build`, `bcfc serve`) calls these.
"""
__all__ = ["SiteBuildError", "build_site", "serve_site"]


def __getattr__(name: str):
    # publish imports every renderer (openpyxl, python-docx, pikepdf): loaded on first use, so that
    # `bcfc validate`, which reads only siteconfig, starts without them
    if name in __all__:
        from . import publish
        return getattr(publish, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
