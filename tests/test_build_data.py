import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT.parent / "shared" / "data" / "raw"


@pytest.mark.skipif(not RAW.exists(), reason="../shared/data/raw not beside the project")
def test_bundled_data_are_reproducible_from_raw():
    res = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "build_data.py"), "--check", "--raw", str(RAW)],
        capture_output=True,
        text=True,
    )
    assert res.returncode == 0, res.stderr
