"""Validation of plan files: load, framework, JSON Schema, rules, house rules.

Every step reports findings; nothing stops at the first problem in a file
except a file that cannot be read or parsed at all.
"""
from __future__ import annotations

import gc
import os
from pathlib import Path

from . import house_rules, returns, rules, schema_check
from .findings import Finding, Severity, sort_key
from .framework import Framework, available_periods, load_framework
from .loader import LoadedPlan, SourceMap, load, loads, name_findings, read_bounded

PLAN_SUFFIXES = (".yaml", ".yml")
PARALLEL_FROM = 24  # below this many files, starting worker processes costs more than it saves


class PlanResult:
    """One file checked: the plan as loaded (None once dropped), its framework and its findings."""

    def __init__(self, path: str, plan: LoadedPlan | None, framework: Framework | None, findings: list[Finding],
                 unreadable: bool = False, is_return: bool = False):
        self.path, self.plan, self.framework, self.findings = path, plan, framework, findings
        self.unreadable = unreadable  # the file could not be read at all: an I/O error, exit 2
        self.is_return = is_return  # a return against a plan (plans/<hwb>/returns/...), not a plan

    def __repr__(self):
        return f"PlanResult({self.path!r}, {len(self.findings)} finding(s))"

    def without_plan(self) -> PlanResult:
        """The result without the plan's data, which costs more to keep (or send back) than to check."""
        self.plan = None
        return self

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.ERROR]


class Report:
    """Everything one check found."""

    def __init__(self):
        self.results: list[PlanResult] = []
        self.io_errors: list[Finding] = []  # unreadable paths: exit 2
        self.rule_file_findings: list[Finding] = []
        self.reviews: list[list[Finding]] = []  # each review file's findings (with_reviews)

    @property
    def findings(self) -> list[Finding]:
        every = (self.io_errors + self.rule_file_findings + [f for r in self.results for f in r.findings]
                 + [f for found in self.reviews for f in found])
        return sorted(every, key=sort_key)


def discover(paths: list[str]) -> tuple[list[str], list[Finding]]:
    """Plan files under the given files and folders, sorted; missing paths as findings."""
    files: list[str] = []
    missing: list[Finding] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            # not only regular files: a pipe or device named like a plan is refused by the loader (BCF001)
            files.extend(str(p) for p in sorted(path.rglob("*")) if p.suffix in PLAN_SUFFIXES and not p.is_dir())
        elif path.exists():
            files.append(str(path))
        else:
            missing.append(Finding("BCF001", Severity.ERROR, given, None, None, "", "no such file or folder",
                                   "give a plan file or a folder of plans (default: plans/)"))
    return list(dict.fromkeys(files)), missing


def framework_of(plan: LoadedPlan) -> tuple[Framework | None, list[Finding]]:
    period = plan.data.get("framework")
    known = available_periods()
    if period is None:
        line, col = plan.source_map.locate("")
        return None, [Finding("BCF010", Severity.ERROR, plan.path, line, col, "",
                              "the plan does not say its framework",
                              f"add a first line `framework: \"<period>\"`, the period one of: {', '.join(known)}")]
    if not isinstance(period, str) or period not in known:
        line, col = plan.source_map.locate("/framework")
        return None, [Finding("BCF010", Severity.ERROR, plan.path, line, col, "/framework",
                              f"unknown framework '{period}'",
                              f"the planning periods bcfc knows are: {', '.join(known)} (quote it: \"2023-25\")")]
    return load_framework(period), []


def validate_plan(plan: LoadedPlan, local_rules: list[house_rules.HouseRule] = ()) -> PlanResult:
    if not plan.ok:
        return PlanResult(plan.path, plan, None, list(plan.findings))
    fw, findings = framework_of(plan)
    if fw is None:
        return PlanResult(plan.path, plan, None, findings)
    findings = schema_check.check(plan, fw)
    findings += rules.check(plan, fw, schema_findings=findings)
    findings += house_rules.check(plan, list(local_rules))
    return PlanResult(plan.path, plan, fw, sorted(findings, key=sort_key))


def validate_return(ret: LoadedPlan) -> PlanResult:
    """A return against a plan: its framework, then bcf_schema.returns' checks (house rules are for plans)."""
    if not ret.ok:
        return PlanResult(ret.path, ret, None, list(ret.findings), is_return=True)
    fw, findings = framework_of(ret)
    if fw is not None and not fw.data.get("returns"):
        findings = [ret.finding_at("BCF010", Severity.ERROR, "/framework", f"the {fw.period} framework has no returns",
                                   "returns are defined for: " + ", ".join(
                                       p for p in available_periods() if load_framework(p).data.get("returns")))]
        fw = None
    if fw is None:
        return PlanResult(ret.path, ret, None, findings, is_return=True)
    return PlanResult(ret.path, ret, fw, returns.check(ret, fw), is_return=True)


def validate_file(path: str, local_rules: list[house_rules.HouseRule] = ()) -> PlanResult:
    try:
        plan = load(path)
    except OSError as err:
        finding = Finding("BCF001", Severity.ERROR, path, None, None, "", f"cannot read the file: {err.strerror}")
        return PlanResult(path, None, None, [finding], unreadable=True)
    result = validate_return(plan) if returns.is_return_path(path) else validate_plan(plan, local_rules)
    result.findings[:0] = name_findings(path)
    return result


def validate_file_cached(path: str, local_rules: list[house_rules.HouseRule], cache) -> PlanResult:
    """validate_file, or what it found for these bytes before (cache: a checked_cache.CheckedCache)."""
    if returns.is_return_path(path):
        return validate_file(path, local_rules)
    try:
        raw = read_bounded(path)
    except OSError:
        return validate_file(path, local_rules)  # says why (too large, unreadable)
    kept = cache.get(path, raw)
    if kept is not None:
        data, whole_floats, fw, findings = kept
        return PlanResult(path, LoadedPlan(path, data, SourceMap(path), [], raw, whole_floats), fw, findings)
    result = validate_plan(loads(raw, path), local_rules)
    result.findings[:0] = name_findings(path)
    if result.plan is not None:
        # Its findings have their lines: the source map (a mark for every value) goes now, while the next
        # plan's data can take its memory. Let go after all plans, it left 70 MiB of holes at 459 plans.
        result.plan.source_map = SourceMap(path)
    return result


def is_review(path: str | Path) -> bool:
    """A review file: reviews/<hwb>/<period>.yaml (bcf_schema.reviews), not a plan."""
    return Path(path).resolve().parent.parent.name == "reviews"


def with_their_reviews(paths: list[str]) -> list[str]:
    """The paths, and for a plans folder given (plans/, the default) the reviews/ folder beside it."""
    out = list(paths)
    for given in paths:
        beside = Path(given).parent / "reviews"
        if Path(given).is_dir() and Path(given).resolve().name == "plans" and beside.is_dir():
            out.append(str(beside))
    return list(dict.fromkeys(out))


def validate_review(path: str) -> list[Finding]:
    """A review's findings: its own (schema from its plan's framework), or BCF219 if it has no plan to assure."""
    from .reviews import load_review  # reviews import the schema checks, which validate does not need first

    review = Path(path)
    plan_path = review.parent.parent.parent / "plans" / review.parent.name / review.name
    fw = None
    if plan_path.is_file():
        try:
            plan = load(plan_path)
            fw = framework_of(plan)[0] if plan.ok else None
        except OSError:
            pass
    if fw is None:
        if not plan_path.is_file():
            return [Finding("BCF219", Severity.ERROR, path, None, None, "",
                            f"a review of {plan_path.as_posix()}, a plan that does not exist",
                            "name the review as its plan is: reviews/<hwb>/<period>.yaml for plans/<hwb>/<period>.yaml")]
        return [Finding("BCF219", Severity.ERROR, path, None, None, "",
                        f"a review of {plan_path.as_posix()}, a plan that cannot be read or names no framework",
                        "correct the plan first (bcfc validate names what is wrong)")]
    try:
        return load_review(path, fw)[1]
    except OSError as err:
        return [Finding("BCF001", Severity.ERROR, path, None, None, "", f"cannot read the file: {err.strerror}")]


def validate_paths(paths: list[str], rules_file: str | None = None, *, keep_plans: bool = True,
                   jobs: int | None = None, with_reviews: bool = False, cache=None) -> Report:
    """Validate every plan under paths. keep_plans=False drops the loaded plans (validate needs only
    the findings), which lets many files be checked in worker processes, one per core. with_reviews: the
    review files among them (and reviews/ beside a plans/ folder given) are checked as reviews. cache (a
    checked_cache.CheckedCache, with keep_plans): unchanged plans are read back from it, not checked again;
    the caller saves it (cache.save(report.results))."""
    report = Report()
    files, report.io_errors = discover(with_their_reviews(paths) if with_reviews else paths)
    if with_reviews:
        report.reviews = [validate_review(path) for path in files if is_review(path)]
        files = [path for path in files if not is_review(path)]
    local_rules: list[house_rules.HouseRule] = []
    if rules_file:
        try:
            local_rules, report.rule_file_findings = house_rules.load_rules(rules_file)
        except OSError as err:
            report.io_errors.append(Finding("BCF001", Severity.ERROR, rules_file, None, None, "",
                                            f"cannot read the house rules file: {err.strerror}"))
    jobs = jobs or _cores()
    if keep_plans and cache is not None and not report.rule_file_findings:
        results = [validate_file_cached(path, local_rules, cache) for path in files]
    elif keep_plans:
        results = [validate_file(path, local_rules) for path in files]
    elif jobs == 1 or len(files) < PARALLEL_FROM or not _can_fork():
        # each plan dropped once checked, as the workers do: kept, 459 plans' data made every garbage
        # collection slower (0.55 s more CPU over the national corpus, 1.4 s in all)
        results = [validate_file(path, local_rules).without_plan() for path in files]
    else:
        results = _validate_in_workers(files, local_rules, jobs)
    for result in results:
        if result.unreadable:
            report.io_errors.extend(result.findings)
        else:
            report.results.append(result)
    return report


def _cores() -> int:
    """The cores this process may run on (taskset, a container's limit), not the machine's: workers on
    one core only share it, at the cost of starting them."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # pragma: no cover - macOS and Windows have no affinity call
        return os.cpu_count() or 1


def _can_fork() -> bool:
    import multiprocessing  # here: one plan, the pre-commit case, needs no workers

    return "fork" in multiprocessing.get_all_start_methods()


_worker_rules: list[house_rules.HouseRule] = []  # inherited by forked workers, so never pickled


def _findings_only(path: str) -> PlanResult:
    return validate_file(path, _worker_rules).without_plan()


def _validate_in_workers(files: list[str], local_rules, jobs: int) -> list[PlanResult]:
    import multiprocessing

    global _worker_rules
    _worker_rules = list(local_rules)
    for period in available_periods():  # compiled once here, inherited by every worker
        schema_check.fast_validator_for(load_framework(period))
    first = _findings_only(files[0])  # what every check reads once (the HWB lists...), read here for all
    gc.freeze()  # what the workers inherit is never collected there, so its pages are not copied to each
    try:
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            # two chunks a worker: each more cost 2-3 ms of CPU in passing tasks and results (measured)
            return [first, *pool.map(_findings_only, files[1:], chunksize=-(-len(files) // (jobs * 2)))]
    finally:
        gc.unfreeze()
