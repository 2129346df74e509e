"""Same seed, frozen clock, same requests: byte-identical answers (DESIGN rule 4)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import FROZEN_AT, CheckedClient
from trustoo_mock import Config, create_app
from trustoo_mock.cli import main


def _session(random_seed: int) -> list[bytes]:
    client = CheckedClient(create_app(Config(frozen_time=FROZEN_AT, random_seed=random_seed)))
    answers = [
        client.control("POST", "/_mock/shops", {"name": "Second"}).content,
        client.signed(
            "POST", "/api/v1/openapi/create_review", body={"rating": 3, "author": "D"}
        ).content,
        client.signed("GET", "/api/v1/openapi/get_reviews", params={"page_size": 3}).content,
        client.signed("GET", "/api/v1/openapi/get_review", params={"id": "1"}).content,
    ]
    return answers


def test_two_runs_with_one_seed_answer_identically() -> None:
    assert _session(7) == _session(7)


def test_another_seed_gives_other_tokens_and_request_ids() -> None:
    assert _session(7)[0] != _session(8)[0]


def test_a_seed_file_is_checked_against_the_spec(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps({"shops": [{"reviews": [{"rating": 9, "author": "x"}]}]}))
    assert main(["serve", "--seed-file", str(broken), "--port", "0"]) == 2
    assert "shops[0].reviews[0].rating should be at most 5, not 9" in capsys.readouterr().err
