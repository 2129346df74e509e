"""``python -m bench.persistence`` (issue 16's figures) is not a timed test; here it only has
to run, on a small shop."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.bench

ROOT = Path(__file__).resolve().parent.parent


def test_the_persistence_figures_are_all_printed() -> None:
    finished = subprocess.run(
        [sys.executable, "-m", "bench.persistence", "--reviews", "300"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    )
    for figure in (
        "create_review median, in memory",
        "create_review median, --data",
        "reopen with --data",
        "one compaction, under read load",
        "get_reviews p50/p99 while compacting",
    ):
        assert figure in finished.stdout
