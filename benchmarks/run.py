"""Benchmarks: bcfc against its floors, with issue 19's targets.

Prints one table: CPU time (user + system, the command and every process it waited for) beside wall
time, and peak memory. Each figure is the median of --runs runs; the things compared are run side by
side in the same session, alternating (A B A B ...), so a busy machine slows both alike. Peak memory is
the largest sum of proportional set size (PSS: resident memory, shared pages divided among the
processes sharing them) over the command's process tree, sampled every 50 ms. Bytes written are the
characters the build's processes passed to write() (Linux's wchar), against the size of what it made.

The floors:
- checking: parsing the same files with PyYAML's C loader, one process;
- one plan: a minimal pipeline (import yaml and jsonschema_rs, load the schema, load and check the plan);
- publishing: `mkdocs build` with the same theme, plugins and navigation over the same pages, already
  written as Markdown (benchmarks/mkdocs_floor.py writes them).

The PDF narratives are LibreOffice's work, not bcfc's: the build rows are measured with PDFs off
(`bcfc build --no-pdf`), and one row gives what LibreOffice adds.

    .venv/bin/pip install psutil          # the memory sampler; not a bcfc dependency
    .venv/bin/python benchmarks/run.py [--runs 3] [--sizes 153,459,1000] [--work /tmp/bcfc-bench]

Nothing here is timed by the tests; the figures go in the README and the issue notes.
"""
from __future__ import annotations

import argparse
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from make_corpus import write_corpus  # noqa: E402

FLOOR = """
import sys, pathlib, yaml
for path in sorted(pathlib.Path(sys.argv[1]).rglob("*.yaml")):
    yaml.load(path.read_bytes(), Loader=yaml.CSafeLoader)
"""

MINIMAL = """
import json, sys, pathlib, yaml, jsonschema_rs
schema_path = pathlib.Path(sys.argv[2])
defs = json.loads((schema_path.parent.parent / "defs.schema.json").read_text(encoding="utf-8"))
check = jsonschema_rs.validator_for(json.loads(schema_path.read_text(encoding="utf-8")),
                                    base_uri=schema_path.as_uri(), retriever=lambda uri: defs)
sys.exit(0 if check.is_valid(yaml.load(pathlib.Path(sys.argv[1]).read_bytes(), Loader=yaml.CSafeLoader)) else 1)
"""

# Runs a command and prints the characters it and its children wrote: a reaped child's I/O counts
# are added to its parent's, so this process's own counters hold the whole tree's.
WRITTEN = """
import subprocess, sys
status = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode
io = dict(line.split(": ") for line in open("/proc/self/io").read().splitlines())
print(io["wchar"], file=sys.stderr)
sys.exit(status)
"""


@dataclass
class Sample:
    wall: float
    cpu: float
    peak: int


def measure(command: list[str], cwd: Path, env: dict | None = None) -> Sample:
    """Wall time, CPU time and peak memory of one run of a command and its children."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    # What the command says goes to a file, not a pipe: a build's progress (a line a plan) would fill a
    # pipe nobody reads until the end, and the build would wait on it for ever.
    said = tempfile.TemporaryFile()
    process = psutil.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=said,
                           env={**os.environ, **(env or {})})
    peak = 0
    while process.poll() is None:
        try:
            tree = [process, *process.children(recursive=True)]
            # PSS: pages that forked workers share with their parent are counted once, not per process.
            peak = max(peak, sum(p.memory_full_info().pss for p in tree if p.is_running()))
        except psutil.Error:
            pass
        time.sleep(0.05)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if process.returncode != 0:
        said.seek(0)
        raise SystemExit(f"{' '.join(command)} failed ({process.returncode}): {said.read().decode()[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Sample(elapsed, cpu, peak)


def side_by_side(commands: dict[str, tuple[list[str], Path]], runs: int, before_each: dict | None = None,
                 env: dict | None = None) -> dict[str, Sample]:
    """Median wall and CPU time and the largest peak memory of each command, the commands run in turn."""
    samples: dict[str, list[Sample]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, (command, cwd) in commands.items():
            if before_each and name in before_each:
                before_each[name]()
            samples[name].append(measure(command, cwd, env))
    return {name: Sample(statistics.median(s.wall for s in got), statistics.median(s.cpu for s in got),
                         max(s.peak for s in got)) for name, got in samples.items()}


def project(work: Path, name: str, plans: int | None) -> Path:
    """A plans repository like a user's: mkdocs.yml, docs and a corpus of plans under plans/."""
    folder = work / name
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    for item in ("mkdocs.yml", "docs"):
        source = ROOT / item
        if source.is_dir():
            shutil.copytree(source, folder / item)
        elif source.is_file():
            shutil.copy(source, folder / item)
    copies = 1 if plans is None else -(-plans // 459)
    written = write_corpus(folder / "plans", ROOT / "plans", None, None, seed=1, copies=copies)
    if plans is not None:  # keep the first N, in a stable order
        for extra in sorted(written)[plans:]:
            extra.unlink()
            if not any(extra.parent.iterdir()):
                extra.parent.rmdir()
    return folder


def edit_one_word(folder: Path):
    """Change one plan the way an author would: the first letter of its first narrative answer, lower case
    then upper case again, so every run is a real one-word change."""
    def change():
        path = sorted((folder / "plans").rglob("*.yaml"))[0]
        text = path.read_text(encoding="utf-8")
        found = re.compile(r"^narrative:\n(?:.*\n)*?\s+text: [\"']?([A-Za-z])", re.M).search(text)
        if found is None:
            raise SystemExit(f"{path}: no narrative answer to edit")
        at = found.start(1)
        path.write_text(text[:at] + text[at].swapcase() + text[at + 1:], encoding="utf-8")
    return change


def clean(folder: Path) -> None:
    for name in ("build", "site", ".bcfc-cache"):
        shutil.rmtree(folder / name, ignore_errors=True)


def bytes_written(command: list[str], cwd: Path, env: dict) -> int:
    run = subprocess.run([sys.executable, "-c", WRITTEN, *command], cwd=cwd, capture_output=True, text=True,
                         env={**os.environ, **env})
    if run.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed: {run.stderr[-2000:]}")
    return int(run.stderr.strip().splitlines()[-1])


def tree_size(*folders: Path) -> int:
    """Bytes of the files under the folders, a file with several names (hard links) counted once."""
    seen, size = set(), 0
    for folder in folders:
        for path in folder.rglob("*"):
            info = path.lstat()
            if path.is_file() and (info.st_dev, info.st_ino) not in seen:
                seen.add((info.st_dev, info.st_ino))
                size += info.st_size
    return size


class Table:
    def __init__(self):
        print("| what | CPU | wall | peak memory | target | |")
        print("| --- | ---: | ---: | ---: | --- | --- |")

    def row(self, name: str, sample: Sample | None, target: str = "", met: bool | None = None, note: str = ""):
        figures = (f"{sample.cpu:.2f} s | {sample.wall:.2f} s | {sample.peak / 2**20:.0f} MiB" if sample
                   else " | | ")
        mark = "" if met is None else ("met" if met else "**not met**")
        print(f"| {name} | {figures} | {target} {mark}".rstrip() + f" | {note} |", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sizes", default="153,459,1000", help="corpus sizes for the clean builds (459: national)")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "bcfc-bench")
    parser.add_argument("--skip-build", action="store_true")
    parser.add_argument("--skip-pdf", action="store_true", help="leave out the row of what LibreOffice adds")
    args = parser.parse_args()
    bcfc, python, mkdocs = str(BIN / "bcfc"), sys.executable, str(BIN / "mkdocs")
    runs = max(3, args.runs)
    # As on a planning lead's machine, Python keeps compiled modules (.pyc) between runs: a setting that
    # stops it (some containers set it) would charge bcfc for compiling its own code on every start,
    # and the floors, libraries compiled at install time, nothing.
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    sys.dont_write_bytecode = False

    national = project(args.work, "national", None)
    plans = national / "plans"
    files = sorted(plans.rglob("*.yaml"))
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, "
          f"{psutil.virtual_memory().total / 2**30:.0f} GiB, Python {platform.python_version()}, "
          f"{platform.platform()}")
    print(f"national corpus: {len(files)} plans ({sum(p.stat().st_size for p in files) / 2**20:.1f} MiB), "
          f"median of {runs} runs, CPU = user + system of the whole process tree\n")
    table = Table()

    subprocess.run([bcfc, "validate", str(files[0])], cwd=national, capture_output=True)  # compiles bcfc's modules
    checked = side_by_side({"floor": ([python, "-c", FLOOR, str(plans)], national),
                            "validate": ([bcfc, "validate", str(plans)], national),
                            "validate-1": (["taskset", "-c", "0", bcfc, "validate", str(plans)], national)}, runs)
    floor = checked["floor"]
    table.row("parse only: PyYAML CSafeLoader, national corpus (the floor)", floor)
    for name, label in (("validate", "`bcfc validate`, national corpus"),
                        ("validate-1", "`bcfc validate`, national corpus, pinned to one core")):
        ratio = checked[name].cpu / floor.cpu
        table.row(label, checked[name], "CPU within 1.15x the floor", ratio <= 1.15,
                  f"{ratio:.2f}x the floor's CPU, {checked[name].wall / floor.wall:.2f}x its wall time")

    one = files[0]
    schema = ROOT / "bcf_schema" / "frameworks" / one.stem / "plan.schema.json"
    single = side_by_side({"minimal": ([python, "-c", MINIMAL, str(one), str(schema)], national),
                           "validate": ([bcfc, "validate", str(one)], national)}, max(runs, 9))
    minimal, validate_one = single["minimal"], single["validate"]
    table.row("one plan: minimal pipeline (yaml + jsonschema_rs)", minimal)
    ratio = validate_one.cpu / minimal.cpu
    table.row("one plan: `bcfc validate PLAN`", validate_one, "CPU within 1.5x the minimal pipeline",
              ratio <= 1.5, f"{ratio:.2f}x, {validate_one.wall * 1000:.0f} ms wall")
    if args.skip_build:
        return 0

    no_pdf = [bcfc, "build", "--no-pdf"]
    per_plan: dict[int, Sample] = {}
    sizes = sorted({int(s) for s in args.sizes.split(",")})
    # the rebuilds and the bytes written: on the national corpus, or the largest one measured without it
    rebuilt = len(files) if len(files) in sizes else sizes[-1]
    folders = {}
    for size in sizes:
        folder = folders[size] = national if size == len(files) else project(args.work, f"build-{size}", size)
        floor_dir = args.work / f"floor-{size}"
        subprocess.run([python, str(ROOT / "benchmarks" / "mkdocs_floor.py"), str(floor_dir)], cwd=folder,
                       check=True, stdout=subprocess.DEVNULL, env={**os.environ, "PYTHONPATH": str(ROOT)})
        quiet = {"NO_MKDOCS_2_WARNING": "1", "PYTHONPATH": str(ROOT)}
        got = side_by_side({"build": (no_pdf, folder), "floor": ([mkdocs, "build", "-q"], floor_dir)}, runs,
                           before_each={"build": lambda f=folder: clean(f),
                                        "floor": lambda d=floor_dir: shutil.rmtree(d / "site", ignore_errors=True)},
                           env=quiet)
        build, mk = got["build"], got["floor"]
        per_plan[size] = build
        table.row(f"MkDocs floor, {size} plans' pages", mk)
        ratio = build.cpu / mk.cpu
        table.row(f"`bcfc build --no-pdf`, {size} plans, from clean", build, "within 1.5x the MkDocs floor",
                  ratio <= 1.5, f"{ratio:.2f}x its CPU, {build.wall / mk.wall:.2f}x its wall; "
                                f"{build.cpu / size * 1000:.0f} CPU-ms a plan")
        if size == rebuilt:
            clean(folder)
            written = bytes_written(no_pdf, folder, quiet)
            made = tree_size(folder / "build", folder / "site", folder / ".bcfc-cache")
            outputs = tree_size(folder / "build", folder / "site")
            # Once each: every byte written is a byte the build, the site or the cache still holds, so
            # nothing was written twice (a copy, a rewrite). The cache's share is the pages' Markdown
            # (MkDocs reads pages from files) and the checked plans: written once, and read by rebuilds.
            table.row(f"bytes written by a clean build, {size} plans", None, "each output written once",
                      written <= made * 1.05,
                      f"{written / 2**20:.0f} MiB written, {written / made:.2f}x what build, site and cache "
                      f"hold ({made / 2**20:.0f} MiB, a file with several names counted once): the outputs "
                      f"{outputs / 2**20:.0f} MiB, the cache {(made - outputs) / 2**20:.0f} MiB more")
    small, large = sizes[0], sizes[-1]
    if small != large:
        growth = per_plan[large].cpu / large / (per_plan[small].cpu / small) - 1
        table.row(f"CPU per plan, {small} to {large} plans", None, "within 10%", abs(growth) <= 0.10,
                  f"{per_plan[small].cpu / small * 1000:.0f} to {per_plan[large].cpu / large * 1000:.0f} CPU-ms "
                  f"({growth:+.0%})")
        memory = (per_plan[large].peak - per_plan[small].peak) / (large - small) / 2**20
        table.row(f"peak memory growth, {small} to {large} plans", None, "under 0.5 MiB a plan", memory < 0.5,
                  f"{memory:.2f} MiB a plan")
        table.row(f"peak memory, {large} plans", per_plan[large], "under 768 MiB",
                  per_plan[large].peak < 768 * 2**20)

    # Rebuilds, each after a clean build that leaves its cache.
    folder = folders[rebuilt]
    clean(folder)
    measure(no_pdf, folder)
    again = side_by_side({"validate": ([bcfc, "validate", "plans"], folder),
                          "unchanged": (no_pdf, folder)}, runs)
    ratio = again["unchanged"].wall / again["validate"].wall
    table.row(f"`bcfc build --no-pdf` again, {rebuilt} plans, nothing changed", again["unchanged"], "within 2x `bcfc validate`",
              ratio <= 2, f"{ratio:.2f}x validate's wall ({again['validate'].wall:.2f} s), "
                          f"{again['unchanged'].cpu / again['validate'].cpu:.2f}x its CPU")
    edited = side_by_side({"edit": (no_pdf, folder)}, runs, before_each={"edit": edit_one_word(folder)})["edit"]
    full = per_plan[rebuilt]
    if full:
        ratio = edited.wall / full.wall
        table.row(f"`bcfc build --no-pdf` again, {rebuilt} plans, after a one-word edit", edited, "within 3% of a clean build",
                  ratio <= 0.03, f"{ratio:.1%} of a clean build's wall, {edited.cpu / full.cpu:.1%} of its CPU")
    if args.skip_pdf or not shutil.which("soffice"):
        return 0
    small_folder = project(args.work, "pdf-51", 51)
    pdf = side_by_side({"pdf": ([bcfc, "build"], small_folder), "no-pdf": (no_pdf, small_folder)}, runs,
                       before_each={"pdf": lambda: clean(small_folder), "no-pdf": lambda: clean(small_folder)})
    extra = pdf["pdf"].cpu - pdf["no-pdf"].cpu
    table.row("`bcfc build` with PDFs, 51 plans, from clean", pdf["pdf"], "",
              note=f"LibreOffice adds {extra / 51 * 1000:.0f} CPU-ms a plan")
    return 0


if __name__ == "__main__":
    sys.exit(main())
