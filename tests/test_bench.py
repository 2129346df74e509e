"""`make bench` is not a timed test; here it only has to run, on a tiny budget."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.bench

ROOT = Path(__file__).resolve().parent.parent


def test_the_harness_runs_and_reports_every_figure(tmp_path: Path) -> None:
    output = tmp_path / "results.json"
    subprocess.run(
        [sys.executable, "-m", "bench.run", "--quick", "--output", str(output)],
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=300,
    )
    report = json.loads(output.read_text())
    cases = {(row["case"].split(" (")[0], row["connections"]) for row in report["live"]}
    assert {case for case, _ in cases} == {
        "signed get_reviews",
        "signed create_review",
        "bearer get_rating",
    }
    for row in report["live"]:
        assert row["fake"]["rps"] > 0 and row["floor"]["rps"] > 0
        assert row["non_2xx"] == 0, row
    for figure in (
        "import_ms",
        "cold_start_to_first_200_ms",
        "inprocess_signed_call_median_ms",
        "get_reviews_growth_ratio",
        "fresh_app_with_demo_seed_ms",
        "reset_ms",
        "webhook_deliveries_per_second",
        "ten_attempt_schedule_wall_ms",
        "rss_mib_loaded",
        "rss_mib_after_requests",
        "fault_check_no_fault_us",
        "fault_check_one_other_fault_us",
    ):
        assert figure in report["figures"], figure
