"""Every output a plan has, declared once: the build, its cache, the site's downloads and the CLI read this.

An output is a file in build/<hwb>/<period>/ (`file`), made by `render` from the validated plan, or
by a later step of the build where `render` is None (the PDF: LibreOffice converts the Word file,
all plans in one run, where it is installed). The site offers those with a `label` for download as
<plan file stem><suffix>, with `icon` (a short file-type mark) beside the label. Adding an output is
its renderer module, one entry here and its tests.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from . import excel, narrative, word

if TYPE_CHECKING:
    from .outputs import PlanSource


@dataclass(frozen=True)
class Output:
    name: str  # what the CLI and messages call it
    file: str  # its file in build/<hwb>/<period>/
    render: Callable[[PlanSource], bytes] | None  # None: made by a later step of the build (see `optional`)
    label: str = ""  # on the site's downloads; "" for an output the site does not offer
    suffix: str = ""  # the site's file is <plan file stem><suffix>
    icon: str = ""  # a short file-type mark shown beside the label
    optional: bool = False  # made only where its tool is installed: the site offers it where the build made it

    def __post_init__(self):
        if self.label and not self.suffix:
            raise ValueError(f"output {self.name}: a site label needs a suffix for the site's file name")


def _narrative_md(source: PlanSource) -> bytes:
    return narrative.render(source.data, source.framework).encode("utf-8")


def _narrative_docx(source: PlanSource) -> bytes:
    return word.render(source.data, source.framework)


def _template_xlsx(source: PlanSource) -> bytes:
    return excel.render(source.data, source.framework, source.path.as_posix())


def _plan_yaml(source: PlanSource) -> bytes:
    return source.content  # the bytes that were validated, not the file as it is now


OUTPUTS: list[Output] = [
    Output("narrative-markdown", "narrative.md", _narrative_md),
    Output("narrative-word", "narrative.docx", _narrative_docx, "Narrative (Word)", "-narrative.docx", "DOCX"),
    Output("narrative-pdf", "narrative.pdf", None, "Narrative (PDF)", "-narrative.pdf", "PDF", optional=True),
    Output("planning-template", "planning-template.xlsx", _template_xlsx, "Planning template (Excel)",
           "-planning-template.xlsx", "XLSX"),
    Output("plan-yaml", "plan.yaml", _plan_yaml, "Plan source (YAML)", ".yaml", "YAML"),
]


def get(name: str) -> Output:
    for output in OUTPUTS:
        if output.name == name:
            return output
    raise KeyError(f"no output {name!r}; the outputs are {', '.join(o.name for o in OUTPUTS)}")


def rendered() -> list[Output]:
    """The outputs rendered from each plan, in order."""
    return [o for o in OUTPUTS if o.render is not None]


def files() -> set[str]:
    """Every file an output folder of a plan may hold."""
    return {o.file for o in OUTPUTS}


def on_site() -> list[Output]:
    """What the site offers to download, in the order the list shows them."""
    return [o for o in OUTPUTS if o.label]
