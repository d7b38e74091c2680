"""Writing every plan's documents into an output folder, all or nothing.

Outputs are written into a fresh sibling folder and swapped in only when all
of them are done, so a failed build leaves the previous outputs as they were.
"""
from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bcf_schema.framework import Framework

from . import excel, narrative, word

NARRATIVE_MD = "narrative.md"
NARRATIVE_DOCX = "narrative.docx"
TEMPLATE_XLSX = "planning-template.xlsx"


@dataclass(frozen=True)
class PlanSource:
    path: Path  # plans/<hwb>/<period>.yaml
    data: dict
    framework: Framework

    @property
    def slug(self) -> str:
        """Where the plan's outputs go: <hwb folder>/<period>."""
        return f"{self.path.parent.name}/{self.path.stem}"


def render_plan(source: PlanSource, folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    files = {
        NARRATIVE_MD: narrative.render(source.data, source.framework).encode("utf-8"),
        NARRATIVE_DOCX: word.render(source.data, source.framework),
        TEMPLATE_XLSX: excel.render(source.data, source.framework, source.path.as_posix()),
    }
    for name, content in files.items():
        (folder / name).write_bytes(content)
    shutil.copyfile(source.path, folder / "plan.yaml")
    return [folder / name for name in [*files, "plan.yaml"]]


@contextmanager
def staged(target: Path):
    """Yield a staging folder; on success it replaces target, on failure it is removed."""
    target = target.resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f".{target.name}.new-", dir=target.parent))
    try:
        yield stage
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    old = target.parent / f".{target.name}.old"
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        target.rename(old)
    stage.rename(target)
    shutil.rmtree(old, ignore_errors=True)


def render_all(sources: Iterable[PlanSource], out: Path, progress: Callable[[PlanSource], None] = lambda s: None):
    """Render every plan into out/<hwb>/<period>/, replacing out only if all succeed."""
    with staged(out) as stage:
        for source in sources:
            render_plan(source, stage / source.slug)
            progress(source)
