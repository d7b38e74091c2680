"""Careless commands and interrupted builds: bcfc replaces only folders it made, swaps documents
and site in together, publishes the bytes it validated, and reports I/O errors plainly.

Each test: the exit code, a message naming the file or folder, no traceback, nothing deleted,
within a time bound."""
import hashlib
import os
import resource
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from conftest import ROOT, run_bcfc
from renderers import folders

BCFC = shutil.which("bcfc") or str(Path(sys.executable).with_name("bcfc"))

PLAN = ROOT / "plans" / "leicestershire" / "2025-26.yaml"  # the smallest example plan
SLUG = "leicestershire/2025-26"
SITE_YAML = f"site/plans/{SLUG}/leicestershire-2025-26.yaml"


def project(folder, *, site=True):
    """A plans repository with one plan, hand-written pages and (with site) the site configuration."""
    (folder / "plans" / "leicestershire").mkdir(parents=True)
    shutil.copy(PLAN, folder / "plans" / "leicestershire")
    shutil.copytree(ROOT / "docs", folder / "docs")
    if site:
        shutil.copy(ROOT / "mkdocs.yml", folder / "mkdocs.yml")
    return folder


def tree(folder):
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def clean(result):
    out = result.stdout + result.stderr
    assert "Traceback" not in out and "internal error" not in out, out
    return out


def leftovers(folder):
    return sorted(p.name for p in folder.iterdir() if ".new-" in p.name or p.name.endswith(".old")
                  or p.name.startswith(".bcfc-swap-"))


# -- finding 2: --out never replaces the project, plans/, docs/ or a folder of someone else's files --

@pytest.mark.parametrize("out", [".", "sub/..", "..", "plans", "docs", "plans/leicestershire", "mine"])
def test_build_refuses_an_output_folder_that_is_not_its_own(tmp_path, out):
    work = project(tmp_path / "project", site=False)
    (work / "sub").mkdir()
    (work / "mine").mkdir()
    (work / "mine" / "notes.txt").write_text("a user's own notes\n")
    before = tree(tmp_path)

    started = time.monotonic()
    result = run_bcfc("build", "--out", out, "--no-site", cwd=work, timeout=60)

    assert result.returncode == 2, result.stdout + result.stderr
    out_text = clean(result)
    assert f"bcfc build: {out} " in out_text and "Nothing was deleted" in out_text, out_text
    assert tree(tmp_path) == before
    assert time.monotonic() - started < 30


def test_a_folder_bcfc_made_or_an_empty_one_is_rebuilt(tmp_path):
    work = project(tmp_path, site=False)
    (work / "empty").mkdir()
    for _ in range(2):  # the second time the folder is bcfc's (it holds the marker)
        result = run_bcfc("build", "--out", "empty", "--no-site", cwd=work, timeout=120)
        assert result.returncode == 0, clean(result)
    assert (work / "empty" / ".bcfc-output").is_file()
    assert (work / "empty" / SLUG / "narrative.docx").is_file()


# -- finding 3: a symlinked build/, site/ or .bcfc-cache/ (a pull request can commit one) ----------

@pytest.mark.parametrize("link", ["build", "site", ".bcfc-cache", ".bcfc-cache/site"])
def test_a_symlinked_output_folder_is_refused(tmp_path, link):
    work = project(tmp_path / "project")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "precious.txt").write_text("not bcfc's\n")
    (work / link).parent.mkdir(parents=True, exist_ok=True)
    (work / link).symlink_to(elsewhere)

    result = run_bcfc("build", cwd=work, timeout=300)

    assert result.returncode == 2, result.stdout + result.stderr
    assert f"{link} is a symbolic link" in clean(result)
    assert sorted(p.name for p in elsewhere.iterdir()) == ["precious.txt"]
    assert not (work / "build").is_dir() or link == "build"
    assert leftovers(work) == []


# -- finding 4: two plans that would be published in one place --------------------------------------

@pytest.mark.parametrize("second", ["plans/leicestershire/2025-26.yml", "plans/east/leicestershire/2025-26.yaml"])
def test_two_plans_with_one_output_folder_are_an_error_naming_both(tmp_path, second):
    work = project(tmp_path, site=False)
    (work / second).parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(PLAN, work / second)

    result = run_bcfc("build", "--no-site", cwd=work, timeout=120)

    assert result.returncode == 1
    out = clean(result)
    first, then = sorted(["plans/leicestershire/2025-26.yaml", second])
    assert f"error: {first} and {then} would both be published" in out, out
    assert f"published as {SLUG}/" in out
    assert not (work / "build").exists()


# -- finding 10: interrupted builds ------------------------------------------------------------------

KILL_AT_RENAME = textwrap.dedent("""
    import os, pathlib, sys
    from bcfc.cli import main
    calls = 0
    rename = pathlib.Path.rename
    def dying_rename(self, target):
        global calls
        result = rename(self, target)
        if ".new-" in self.name:  # a staging folder renamed into place
            calls += 1
            if calls == int(os.environ["KILL_AFTER"]):
                os.kill(os.getpid(), 9)
        return result
    pathlib.Path.rename = dying_rename
    sys.argv = ["bcfc", "build"]
    main()
""")


def _consistent(work):
    """The documents and the site come from the same build: the same plan bytes in both."""
    return (work / "build" / SLUG / "plan.yaml").read_bytes() == (work / SITE_YAML).read_bytes()


def test_a_build_killed_between_the_two_swaps_is_finished_by_the_next(tmp_path):
    work = project(tmp_path)
    assert run_bcfc("build", cwd=work, timeout=300).returncode == 0
    plan = work / "plans" / "leicestershire" / "2025-26.yaml"
    plan.write_bytes(plan.read_bytes().replace(b"\nversion:", b"\n# edited\nversion:", 1))

    killed = subprocess.run([sys.executable, "-c", KILL_AT_RENAME], cwd=work, capture_output=True, text=True,
                            timeout=300, env={**os.environ, "KILL_AFTER": "1"})
    assert killed.returncode == -9, killed.stderr
    assert not _consistent(work)  # killed after build/ was swapped and before site/ was
    assert [p.name for p in work.iterdir() if p.name.startswith(".bcfc-swap-")]

    # The next build finishes the swap before anything else, even one stopped by a plan's errors.
    plan.write_text(plan.read_text().replace("version:", "verison:", 1))
    result = run_bcfc("build", cwd=work, timeout=300)
    assert result.returncode == 1 and "BCF103" in clean(result)
    assert _consistent(work)
    assert b"# edited" in (work / SITE_YAML).read_bytes()
    assert leftovers(work) == []


def test_staging_folders_of_a_killed_build_are_removed_by_the_next(tmp_path):
    work = project(tmp_path, site=False)
    build = subprocess.Popen([BCFC, "build", "--no-site"], cwd=work, start_new_session=True,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not list(work.glob(f".build.new-*/{folders.MARKER}")) and time.monotonic() < deadline:
        time.sleep(0.01)
    os.killpg(build.pid, signal.SIGKILL)
    build.wait()
    assert [p for p in work.iterdir() if p.name.startswith(".build.new-")], "the build ended before it was killed"

    # A staging folder a live build holds is left alone.
    live = work / ".build.new-live"
    live.mkdir()
    (live / folders.MARKER).write_text(folders.MARKER_TEXT)
    held = folders._lock(live)
    try:
        result = run_bcfc("build", "--no-site", cwd=work, timeout=120)
    finally:
        os.close(held)
    assert result.returncode == 0, clean(result)
    assert leftovers(work) == [".build.new-live"]


def test_git_ignores_what_a_build_leaves(tmp_path):
    names = ["build/x", "site/x", ".bcfc-cache/x", ".build.new-k2j4/x", ".site.new-abc/x", ".build.old/x",
             ".bcfc-swap-123.json", ".bcfc-swap-123.part"]
    result = subprocess.run(["git", "check-ignore", "--no-index", *names], cwd=ROOT, capture_output=True, text=True)
    assert sorted(result.stdout.split()) == sorted(names)


# -- finding 14: the bytes validated are the bytes published ----------------------------------------

EDIT_DURING_BUILD = textwrap.dedent("""
    import pathlib, sys
    import renderers.outputs as outputs
    from bcfc.cli import main
    plan = pathlib.Path("plans/leicestershire/2025-26.yaml")
    change = sys.argv[1]
    render_into = outputs.render_into
    def edited_meanwhile(*args, **kwargs):
        if change == "edit":
            plan.write_text("framework: '2025-26'\\ntitle: <script>never validated</script>\\n")
        else:
            plan.unlink()
        return render_into(*args, **kwargs)
    outputs.render_into = edited_meanwhile
    sys.argv = ["bcfc", "build"]
    main()
""")


@pytest.mark.parametrize("change", ["edit", "delete"])
def test_a_plan_changed_during_a_build_is_published_as_it_was_validated(tmp_path, change):
    work = project(tmp_path)
    validated = PLAN.read_bytes()
    result = subprocess.run([sys.executable, "-c", EDIT_DURING_BUILD, change], cwd=work, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, clean(result)
    assert (work / "build" / SLUG / "plan.yaml").read_bytes() == validated
    assert (work / SITE_YAML).read_bytes() == validated


DELETE_BEFORE_READ = textwrap.dedent("""
    import os, sys
    import bcf_schema.validate as validate
    from bcfc.cli import main
    discover = validate.discover
    def deleted_meanwhile(paths):
        files, missing = discover(paths)
        os.unlink(files[0])
        return files, missing
    validate.discover = deleted_meanwhile
    sys.argv = ["bcfc", "build"]
    main()
""")


def test_a_plan_deleted_before_it_is_read_is_a_clean_error(tmp_path):
    work = project(tmp_path, site=False)
    result = subprocess.run([sys.executable, "-c", DELETE_BEFORE_READ], cwd=work, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 2
    assert "plans/leicestershire/2025-26.yaml: error BCF001: cannot read the file: No such file" in clean(result)
    assert not (work / "build").exists()


# -- finding 18: a full disk and other I/O errors ----------------------------------------------------

def _small_files_only(limit):
    def preexec():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write over the limit fails with EFBIG
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return preexec


def test_a_write_that_fails_is_a_clean_error_and_the_outputs_stay(tmp_path):
    work = project(tmp_path, site=False)
    assert run_bcfc("build", "--no-site", cwd=work).returncode == 0
    plan = work / "plans" / "leicestershire" / "2025-26.yaml"
    plan.write_bytes(plan.read_bytes().replace(b"\nversion:", b"\n# edited\nversion:", 1))
    before = tree(work / "build")

    result = subprocess.run([BCFC, "build", "--no-site"], cwd=work, capture_output=True, text=True, timeout=120,
                            preexec_fn=_small_files_only(20_000))

    assert result.returncode == 2
    out = clean(result)
    assert "bcfc build: cannot write the outputs: " in out and "File too large" in out, out
    assert "build/ and the site were left as they were" in out
    assert tree(work / "build") == before
    assert leftovers(work) == []


@pytest.fixture
def tiny_disk(tmp_path):
    disk = tmp_path / "disk"
    disk.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(disk)],
                      capture_output=True).returncode != 0:
        pytest.skip("mounting a small tmpfs needs root; the RLIMIT_FSIZE test covers the message")
    yield disk
    subprocess.run(["umount", str(disk)], check=True)


def test_a_full_disk_is_a_clean_error_and_the_outputs_stay(tmp_path, tiny_disk):
    work = project(tmp_path, site=False)
    out = tiny_disk / "build"
    assert run_bcfc("build", "--no-site", "--out", out, cwd=work).returncode == 0
    before = tree(out)
    free = shutil.disk_usage(tiny_disk).free
    (tiny_disk / "filler").write_bytes(b"\0" * max(0, free - 60_000))  # room for less than one build

    plan = work / "plans" / "leicestershire" / "2025-26.yaml"
    plan.write_bytes(plan.read_bytes().replace(b"\nversion:", b"\n# edited\nversion:", 1))
    result = run_bcfc("build", "--no-site", "--out", out, cwd=work)

    assert result.returncode == 2
    text = clean(result)
    assert "No space left on device" in text and "the disk is full" in text, text
    assert tree(out) == before
    assert leftovers(tiny_disk) == []


def test_a_journal_bcfc_did_not_write_moves_nothing(tmp_path):
    """A pull request can commit a `.bcfc-swap-*.json`: it must not make a build replace plans/ or
    anything outside the folder it is in."""
    import json
    work = project(tmp_path / "project", site=False)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.txt").write_text("keep\n")
    forged = work / ".plans.new-forged"
    forged.mkdir()
    (forged / folders.MARKER).write_text(folders.MARKER_TEXT)
    (forged / "evil.yaml").write_text("framework: '2025-26'\n")
    journal = [[str(forged), str(work / "plans")], [str(forged), str(outside)],
               [str(outside), str(work / "build")]]
    (work / ".bcfc-swap-1.json").write_text(json.dumps(journal))
    before = tree(work / "plans"), tree(outside)

    result = run_bcfc("build", "--no-site", cwd=work, timeout=120)

    assert result.returncode == 0, clean(result)
    assert (tree(work / "plans"), tree(outside)) == before
    assert not (work / "build" / "evil.yaml").exists()
    assert not (work / ".bcfc-swap-1.json").exists()
