"""Every finding code is catalogued once; README's table is the catalogue's; an uncatalogued code cannot be reported."""
import re
from pathlib import Path

import pytest

from bcf_schema import validate_paths
from bcf_schema.catalogue import BY_CODE, CODES, with_table
from bcf_schema.findings import Finding, Severity

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [p for folder in ("bcf_schema", "bcfc", "renderers") for p in (ROOT / folder).rglob("*.py")
           if p.name != "catalogue.py"]


def test_readme_findings_table_is_the_catalogue():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert with_table(readme) == readme, "README's findings table differs: run python -m bcf_schema.catalogue --write README.md"


def test_each_code_is_catalogued_once():
    codes = [c.code for c in CODES]
    assert len(codes) == len(set(codes))
    assert codes == sorted(codes)
    for code in CODES:
        assert code.severities and code.title and code.explanation and code.hint, code.code


def test_a_finding_with_an_uncatalogued_code_is_refused():
    with pytest.raises(ValueError, match="BCF999.*catalogue"):
        Finding("BCF999", Severity.ERROR, "plan.yaml", 1, 1, "", "something new")
    assert Finding("BCF101", Severity.ERROR, "plan.yaml", 1, 1, "", "missing").code == "BCF101"


def test_every_code_the_code_names_is_catalogued():
    named = {(path.relative_to(ROOT), code) for path in SOURCES
             for code in re.findall(r"\bBCF\d{3}\b", path.read_text(encoding="utf-8"))}
    assert named, "the scan found no codes"
    assert [(str(path), code) for path, code in sorted(named) if code not in BY_CODE] == []


def test_example_plans_findings_have_their_catalogued_severity():
    report = validate_paths([str(ROOT / "plans")])
    findings = [f for result in report.results for f in result.findings]
    assert findings
    for finding in findings:
        assert finding.severity.value in BY_CODE[finding.code].severities, finding
