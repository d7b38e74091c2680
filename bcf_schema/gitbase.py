"""Plans as they were at a git ref: which changed, and their content then.

Only plain `git` commands (diff, ls-files, show) so it works in any checkout,
including a CI runner's shallow or detached one once the base is fetched.
"""
from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

PLAN_SUFFIXES = (".yaml", ".yml")


class GitError(Exception):
    """git is missing, this is not a repository, or the ref does not exist: a usage error (exit 2)."""


def _git(args: list[str], cwd: str | Path, *, check: bool = True) -> subprocess.CompletedProcess:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, timeout=120)
    except FileNotFoundError as err:
        raise GitError("git is not installed or not on PATH") from err
    if check and done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(f"git {' '.join(args)}: {message[-1] if message else 'failed'}")
    return done


def toplevel(cwd: str | Path = ".") -> Path:
    done = _git(["rev-parse", "--show-toplevel"], cwd, check=False)
    if done.returncode != 0:
        raise GitError(f"{Path(cwd).resolve()} is not inside a git repository (--base needs one)")
    return Path(done.stdout.decode().strip()).resolve()


def verify_ref(ref: str, cwd: str | Path = ".") -> str:
    """The commit a ref names; a clear error if it names none (an unfetched origin/main, a typo)."""
    done = _git(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], cwd, check=False)
    if done.returncode != 0:
        raise GitError(f"'{ref}' is not a commit in this repository "
                       "(in CI, fetch it first: actions/checkout with fetch-depth: 0)")
    return done.stdout.decode().strip()


def repo_path(path: str | Path, top: Path) -> str | None:
    """A file's path from the top of the repository, as git names it; None if outside it."""
    try:
        return Path(os.path.abspath(path)).resolve().relative_to(top).as_posix()
    except ValueError:
        return None


def show(ref: str, path_in_repo: str, cwd: str | Path = ".") -> bytes | None:
    """The file's bytes at ref (`git show REF:path`), or None where it did not exist then."""
    done = _git(["show", f"{ref}:{path_in_repo}"], cwd, check=False)
    return done.stdout if done.returncode == 0 else None


@dataclass(frozen=True)
class ChangedPlan:
    path: str  # as shown to the user: relative to the current folder where possible
    old: bytes | None  # None: added since the ref
    new: bytes | None  # None: deleted since the ref


def changed_plans(ref: str, plans_dir: str | Path = "plans", cwd: str | Path = ".") -> list[ChangedPlan]:
    """Every plan file under plans_dir that differs between ref and the working tree (untracked ones too)."""
    top = toplevel(cwd)
    verify_ref(ref, cwd)
    spec = str(plans_dir)
    names = _git(["diff", "--name-only", "--no-renames", ref, "--", spec], cwd).stdout.decode().splitlines()
    names += _git(["ls-files", "--others", "--exclude-standard", "--full-name", "--", spec],
                  cwd).stdout.decode().splitlines()
    plans = []
    for name in sorted(set(n for n in names if n.endswith(PLAN_SUFFIXES))):
        file = top / name
        new = file.read_bytes() if file.is_file() else None
        old = show(ref, name, top)
        if old == new:
            continue
        shown = os.path.relpath(file, Path(cwd).resolve())
        plans.append(ChangedPlan(shown if not shown.startswith("..") else name, old, new))
    return plans


def check_versions(report, ref: str, cwd: str | Path = ".") -> int:
    """Add version-discipline findings (BCF401-BCF403) to every validated plan that existed at ref.

    `report` is bcf_schema.validate.Report; each plan is compared with `git show ref:path`.
    Returns how many plans were compared.
    """
    from bcf_schema import versions
    from bcf_schema.loader import load, loads

    top = toplevel(cwd)
    verify_ref(ref, cwd)
    compared = 0
    for result in report.results:
        plan = result.plan if result.plan is not None else load(result.path)  # validate may drop the plans
        if not plan.ok:
            continue
        name = repo_path(result.path, top)
        old_raw = show(ref, name, top) if name else None
        if old_raw is None:
            continue  # a new plan: nothing to compare with
        old = loads(old_raw, f"{ref}:{name}")
        if not old.ok:
            continue  # the old file did not load; its version cannot be read
        compared += 1
        result.findings.extend(versions.check(old.data, plan, ref))
    return compared
