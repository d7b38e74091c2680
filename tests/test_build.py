"""`bcfc build`: every plan's documents, byte-identical run to run, all or nothing."""
import hashlib
import shutil

from conftest import EXAMPLE_PLANS, ROOT, run_bcfc


def snapshot(folder):
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def copy_plans(tmp_path):
    shutil.copytree(ROOT / "plans", tmp_path / "plans")
    return tmp_path


def test_build_writes_each_plans_documents(tmp_path):
    work = copy_plans(tmp_path)
    result = run_bcfc("build", "--plans", work / "plans", "--out", work / "build", cwd=work)
    assert result.returncode == 0, result.stderr
    built = snapshot(work / "build")
    for plan in EXAMPLE_PLANS:
        slug = f"{plan.parent.name}/{plan.stem}"
        for name in ("narrative.md", "narrative.docx", "planning-template.xlsx", "plan.yaml"):
            assert f"{slug}/{name}" in built
    assert f"[{len(EXAMPLE_PLANS)}/{len(EXAMPLE_PLANS)}]" in result.stderr


def test_two_builds_are_byte_identical(tmp_path):
    work = copy_plans(tmp_path)
    run_bcfc("build", "--plans", work / "plans", "--out", work / "first", cwd=work)
    run_bcfc("build", "--plans", work / "plans", "--out", work / "second", cwd=work)
    first, second = snapshot(work / "first"), snapshot(work / "second")
    assert first and first == second


def test_a_failed_build_leaves_the_previous_outputs(tmp_path):
    work = copy_plans(tmp_path)
    assert run_bcfc("build", "--plans", work / "plans", "--out", work / "build", cwd=work).returncode == 0
    before = snapshot(work / "build")
    broken = sorted((work / "plans").rglob("*.yaml"))[0]
    broken.write_text(broken.read_text(encoding="utf-8").replace("version:", "verison:", 1), encoding="utf-8")

    result = run_bcfc("build", "--plans", work / "plans", "--out", work / "build", cwd=work)

    assert result.returncode == 1
    assert "BCF103" in result.stderr and "left as it was" in result.stderr
    assert snapshot(work / "build") == before
    assert not [p for p in work.iterdir() if p.name.startswith(".build.")]
