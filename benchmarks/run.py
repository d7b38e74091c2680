"""Benchmarks: bcfc against the parse-only floor and a peer, and the build at national scale.

Prints one table. Each figure is the median of --runs runs; the things compared are measured
side by side in the same run, alternating, so a busy machine slows both alike. Peak memory is the
largest sum of proportional set size (PSS: resident memory, shared pages divided among the processes
sharing them) over the command's whole process tree, sampled every 100 ms.

    .venv/bin/pip install psutil          # the memory sampler; not a bcfc dependency
    .venv/bin/python benchmarks/run.py [--runs 5] [--sizes 50,150,300] [--work /tmp/bcfc-bench]

Nothing here is timed by the tests; the figures go in the README and the issue notes.
"""
from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
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


def measure(command: list[str], cwd: Path) -> tuple[float, int]:
    """Wall time in seconds and peak memory in bytes of one run of a command and its children."""
    start = time.perf_counter()
    process = psutil.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    while process.poll() is None:
        try:
            tree = [process, *process.children(recursive=True)]
            # PSS: pages that forked workers share with their parent are counted once, not per process.
            peak = max(peak, sum(p.memory_full_info().pss for p in tree if p.is_running()))
        except psutil.Error:
            pass
        time.sleep(0.1)
    elapsed = time.perf_counter() - start
    if process.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command)} failed ({process.returncode}): {process.stderr.read().decode()[-2000:]}")
    return elapsed, peak


def side_by_side(commands: dict[str, tuple[list[str], Path]], runs: int,
                 before_each: dict | None = None) -> dict[str, tuple[float, int]]:
    """Median time and the largest peak memory of each command, the commands run in turn."""
    times: dict[str, list[float]] = {name: [] for name in commands}
    peaks: dict[str, int] = {name: 0 for name in commands}
    for _ in range(runs):
        for name, (command, cwd) in commands.items():
            if before_each and name in before_each:
                before_each[name]()
            elapsed, peak = measure(command, cwd)
            times[name].append(elapsed)
            peaks[name] = max(peaks[name], peak)
    return {name: (statistics.median(times[name]), peaks[name]) for name in commands}


def project(work: Path, name: str, plans: int | None, periods: list[str] | None) -> Path:
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
    written = write_corpus(folder / "plans", ROOT / "plans", periods, None, seed=1)
    if plans is not None:  # keep the first N, in a stable order
        for extra in sorted(written)[plans:]:
            extra.unlink()
    return folder


def schema_groups(plans: Path) -> dict[str, list[str]]:
    groups: dict[str, list[str]] = {}
    for path in sorted(plans.rglob("*.yaml")):
        groups.setdefault(path.stem, []).append(str(path))
    return groups


def touch_one_plan(folder: Path):
    """Change one plan's content the way an editor would: a word in one narrative answer."""
    def change():
        path = sorted((folder / "plans").rglob("*.yaml"))[0]
        text = path.read_text(encoding="utf-8")
        marker = "# benchmark edit "
        count = text.count(marker)
        path.write_text(text + f"{marker}{count + 1}\n", encoding="utf-8")
    return change


def row(name: str, seconds: float, peak: int, note: str = "") -> str:
    return f"| {name} | {seconds:.2f} s | {peak / 2**20:.0f} MiB | {note} |"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sizes", default="50,150,300", help="corpus sizes for the build's growth")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "bcfc-bench")
    parser.add_argument("--skip-build", action="store_true")
    args = parser.parse_args()
    bcfc, python = str(BIN / "bcfc"), sys.executable

    national = project(args.work, "national", None, None)
    plans = national / "plans"
    count = len(list(plans.rglob("*.yaml")))
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, "
          f"{psutil.virtual_memory().total / 2**30:.0f} GiB, Python {platform.python_version()}, "
          f"{platform.platform()}")
    print(f"national corpus: {count} plans ({sum(p.stat().st_size for p in plans.rglob('*.yaml')) / 2**20:.1f} MiB), "
          f"median of {args.runs} runs\n")
    print("| what | time | peak memory | |")
    print("| --- | ---: | ---: | --- |")

    # check-jsonschema takes one schema per run, so it gets one run per period, summed.
    groups = schema_groups(plans)
    peer = {f"check-jsonschema {period}": ([str(BIN / "check-jsonschema"), "--schemafile",
                                            str(ROOT / "bcf_schema/frameworks" / period / "plan.schema.json"), *files],
                                           national)
            for period, files in groups.items()}
    results = side_by_side({"floor": ([python, "-c", FLOOR, str(plans)], national),
                            "validate": ([bcfc, "validate", str(plans)], national),
                            # pinned to one core: the floor is one process, so this is the like-for-like cost
                            "validate-1": (["taskset", "-c", "0", bcfc, "validate", str(plans)], national),
                            **peer}, args.runs)
    floor, validate = results["floor"], results["validate"]
    peer_time = sum(t for name, (t, _) in results.items() if name.startswith("check-jsonschema"))
    peer_peak = max(p for name, (_, p) in results.items() if name.startswith("check-jsonschema"))
    print(row("parse only: PyYAML CSafeLoader (the floor)", *floor))
    print(row("`bcfc validate` (schema, rules)", *validate, f"{validate[0] / floor[0]:.2f}x the floor"))
    one_core = results["validate-1"]
    print(row("`bcfc validate` pinned to one core", *one_core, f"{one_core[0] / floor[0]:.2f}x the floor"))
    print(row("check-jsonschema, schema only (the peer)", peer_time, peer_peak,
              f"{peer_time / validate[0]:.1f}x slower than bcfc validate"))

    if not args.skip_build:
        sizes = [int(s) for s in args.sizes.split(",")]
        for size in sizes:
            folder = project(args.work, f"build-{size}", size, None)
            build = [bcfc, "build"]
            full = side_by_side({"full": (build, folder)}, args.runs,
                                before_each={"full": lambda f=folder: _clean(f)})["full"]
            print(row(f"`bcfc build`, {size} plans, from clean", *full, f"{full[0] / size * 1000:.0f} ms per plan"))
        folder = national
        _clean(folder)
        measure([bcfc, "build"], folder)
        full = side_by_side({"full": ([bcfc, "build"], folder)}, args.runs,
                            before_each={"full": lambda: _clean(folder)})["full"]
        rebuild = side_by_side({"one": ([bcfc, "build"], folder)}, args.runs,
                               before_each={"one": touch_one_plan(folder)})["one"]
        print(row(f"`bcfc build`, national ({count} plans), from clean", *full))
        print(row("`bcfc build` again after one plan changed", *rebuild, f"{rebuild[0] / full[0]:.0%} of a full build"))
    return 0


def _clean(folder: Path) -> None:
    for name in ("build", "site", ".bcfc-cache"):
        shutil.rmtree(folder / name, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
