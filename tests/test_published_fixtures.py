"""Issue 18's "done when" for both synthetic as-published plans at once: each validates clean, renders to
every registered output (Word and PDF opened by their real readers), and comes back unchanged through its
own planning template (`bcfc import --into`)."""
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from renderers import pdf, registry
from tests.conftest import run_bcfc

FIXTURES = Path(__file__).parent / "fixtures"
PLANS = {  # fixture -> (its place in a plans folder, a phrase its narrative must carry)
    FIXTURES / "unitary-spend-by-source.yaml": ("herefordshire", "Expenditure by funding source"),
    FIXTURES / "as-published" / "2023-25.yaml": ("worcestershire", "Not stated"),
}


@pytest.mark.parametrize("fixture", list(PLANS), ids=lambda p: p.relative_to(FIXTURES).as_posix())
def test_an_as_published_fixture_validates_renders_every_output_and_round_trips(fixture, tmp_path):
    folder, phrase = PLANS[fixture]
    plan = tmp_path / "plans" / folder / "2023-25.yaml"
    plan.parent.mkdir(parents=True)
    shutil.copy(fixture, plan)
    checked = run_bcfc("validate", str(plan))
    assert checked.returncode == 0 and " 0 error(s), 0 warning(s)" in checked.stdout, checked.stdout + checked.stderr

    built = run_bcfc("build", "--no-site", "--plans", "plans", "--out", "build", cwd=tmp_path, timeout=300)
    assert built.returncode == 0, built.stderr
    out = tmp_path / "build" / folder / "2023-25"
    expected = {o.file for o in registry.OUTPUTS if not (o.optional and pdf.available())}
    assert expected <= {p.name for p in out.iterdir()}, "a registered output is missing from the build"
    assert phrase in (out / "narrative.md").read_text(encoding="utf-8")
    with zipfile.ZipFile(out / "narrative.docx") as docx:
        assert phrase in docx.read("word/document.xml").decode("utf-8")
    if (out / "narrative.pdf").exists():
        text = subprocess.run(["pdftotext", str(out / "narrative.pdf"), "-"], capture_output=True, text=True,
                              check=True).stdout
        assert phrase in " ".join(text.split())

    imported = run_bcfc("import", str(out / "planning-template.xlsx"), "--into", str(plan))
    assert imported.returncode == 0, imported.stderr
    assert plan.read_bytes() == fixture.read_bytes()
