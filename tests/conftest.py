import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PLANS = ROOT / "plans"
EXAMPLE_PLANS = sorted(p for p in PLANS.rglob("*.yaml") if p.parent.name != "returns")
EXAMPLE_RETURNS = sorted(PLANS.rglob("returns/*.yaml"))  # returns against the plans (bcf_schema/returns.py)


def run_bcfc(*args, cwd=None, timeout=120):
    """Run the installed command as a user would, capturing what they would see."""
    exe = shutil.which("bcfc") or str(Path(sys.executable).with_name("bcfc"))
    return subprocess.run([exe, *map(str, args)], cwd=cwd or ROOT, capture_output=True, text=True, timeout=timeout)


@pytest.fixture
def bcfc():
    return run_bcfc
