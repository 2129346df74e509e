"""``python -m bench.inspector`` (issue 15's page times) is not a timed test; here it only has
to run, on a small shop, and print a line per page."""

from __future__ import annotations

import pytest

from bench import inspector

pytestmark = pytest.mark.bench


def test_every_page_gets_its_figure(capsys: pytest.CaptureFixture[str]) -> None:
    assert inspector.main(["--reviews", "300"]) == 0
    printed = capsys.readouterr().out
    assert [name for name in inspector.PAGES if name not in printed] == []
    assert "get_reviews API" in printed and "slowest median" in printed
