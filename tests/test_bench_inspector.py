"""``python -m bench.inspector`` (issue 15's page times) is not a timed test; here it only has
to run, on a small shop, and print a line per page."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bench.inspector import PAGES

pytestmark = pytest.mark.bench

ROOT = Path(__file__).resolve().parent.parent


def test_the_inspector_figures_are_all_printed() -> None:
    finished = subprocess.run(
        [sys.executable, "-m", "bench.inspector", "--reviews", "300"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    )
    for name in PAGES:
        assert name in finished.stdout
    assert "slowest median" in finished.stdout
