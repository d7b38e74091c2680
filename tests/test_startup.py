"""`bcfc validate` runs on every commit (the pre-commit hook) and in editors: for a valid plan it imports
only what checking needs, not click (the command line of `bcfc validate PATH ...` is read without it), the
renderers (openpyxl, python-docx, numpy), python-jsonschema (for a plan jsonschema-rs rejects) or Cerberus
(for house rules)."""
import json
import subprocess
import sys

from bcfc.commands import DIFF_FORMATS
from bcf_schema import plandiff
from conftest import EXAMPLE_PLANS, ROOT

NOT_FOR_A_VALID_PLAN = ("click", "openpyxl", "docx", "numpy", "matplotlib", "mkdocs", "markdown_it", "jsonschema",
                        "referencing", "cerberus", "re2", "renderers.site.publish", "renderers.registry",
                        "bcf_schema.plandiff", "bcf_schema.scaffold", "multiprocessing")

PROBE = """
import json, sys
from bcfc.entry import main
sys.argv = ["bcfc", "validate", *sys.argv[1:]]
try:
    main()
except SystemExit:
    pass
print(json.dumps(sorted(sys.modules)))
"""


def imported_by_validate(*paths) -> set[str]:
    run = subprocess.run([sys.executable, "-c", PROBE, *map(str, paths)], cwd=ROOT, capture_output=True,
                         text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    return set(json.loads(run.stdout.splitlines()[-1]))


def test_validating_a_valid_plan_imports_no_renderer_and_no_slow_checker():
    modules = imported_by_validate(EXAMPLE_PLANS[0])
    assert not {m for m in modules if m.split(".")[0] in NOT_FOR_A_VALID_PLAN or m in NOT_FOR_A_VALID_PLAN}


def test_a_plan_the_fast_check_rejects_is_still_explained(tmp_path):
    plan = tmp_path / "plans" / "leeds" / "2025-26.yaml"
    plan.parent.mkdir(parents=True)
    plan.write_text(EXAMPLE_PLANS[0].read_text(encoding="utf-8") + "\nnot_a_field: 1\n", encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "bcfc", "validate", str(plan)], capture_output=True, text=True,
                         timeout=60)
    assert run.returncode == 1 and "BCF103" in run.stdout and "not_a_field" in run.stdout


def test_diff_offers_every_format_plandiff_writes():
    assert list(DIFF_FORMATS) == sorted(plandiff.FORMATS)


def test_validate_without_options_says_and_exits_as_the_full_command_line_does(tmp_path):
    """`bcfc validate PATH` skips click; with an option (here the default one) click reads the command line.
    Both give the same report, messages and exit status, for a valid plan, a plan with errors, a path that
    is not there, and no path at all (plans/ of the folder bcfc runs in)."""
    broken = tmp_path / "plans" / "leeds" / "2025-26.yaml"
    broken.parent.mkdir(parents=True)
    broken.write_text(EXAMPLE_PLANS[0].read_text(encoding="utf-8") + "\nnot_a_field: 1\n", encoding="utf-8")
    cases = [[str(EXAMPLE_PLANS[0])], [str(broken)], [str(tmp_path / "missing.yaml")], [],
             [str(broken), str(EXAMPLE_PLANS[0])]]
    exits = set()
    for paths in cases:
        fast, full = (subprocess.run([sys.executable, "-m", "bcfc", "validate", *extra, *paths], cwd=tmp_path,
                                     capture_output=True, text=True, timeout=60) for extra in ([], ["--format", "text"]))
        assert (fast.returncode, fast.stdout, fast.stderr) == (full.returncode, full.stdout, full.stderr), paths
        exits.add(fast.returncode)
    assert exits == {0, 1, 2}  # the cases cover a pass, a failure and a usage problem
