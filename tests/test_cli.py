"""The command line: `sign` prints what the server verifies; the README's curl answers code 0."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.live import live_server
from trustoo_mock.cli import main

README = Path(__file__).resolve().parent.parent / "README.md"


def test_sign_prints_the_documented_vector(capsys: pytest.CaptureFixture[str]) -> None:
    main(
        [
            "sign",
            "--public-token",
            "pub",
            "--private-token",
            "private-token",
            "--timestamp",
            "1788840306",
            "https://rapi.trustoo.io/api/v1/openapi/get_rating?product_id=123",
        ]
    )
    lines = capsys.readouterr().out.splitlines()
    # Expected Sign from trustoo-api.md §10 (key "private-token").
    assert lines == [
        "Public-Token: pub",
        "Timestamp: 1788840306",
        "Sign: f8e9cef85e916590cedb58637e3becc1a0f979b4f3bb1352fa4b30d0cd3247ef",
    ]


def test_signed_curl_and_readme_example_work_against_make_run_style_server() -> None:
    snippet = re.search(r"<!-- readme-curl -->\n```sh\n(.*?)```", README.read_text(), re.S)
    assert snippet is not None, "README lost its curl example"
    with live_server() as base_url:
        result = subprocess.run(
            ["bash", "-c", snippet.group(1)],
            env={"TRUSTOO": base_url, "PATH": "/usr/bin:/bin"},
            capture_output=True,
            text=True,
            check=True,
            timeout=30,
        )
        answer = json.loads(result.stdout)
        assert answer["code"] == 0, answer
        assert answer["data"]["page"]["page_size"] == 5

        command = subprocess.run(
            [
                str(Path(sys.executable).with_name("trustoo-mock")),
                "sign",
                "--method",
                "POST",
                "--body",
                '{"rating":5,"author":"Ana"}',
                f"{base_url}/api/v1/openapi/create_review",
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        headers = dict(line.split(": ", 1) for line in command.stdout.splitlines())
        created = httpx.post(
            f"{base_url}/api/v1/openapi/create_review",
            content=b'{"rating":5,"author":"Ana"}',
            headers=headers,
        ).json()
        assert created["code"] == 0, created
        assert created["data"]["author"] == "Ana"


def test_version_flag(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--version"])
    assert capsys.readouterr().out.startswith("trustoo-mock 0.1.0")


def test_readme_oauth_walkthrough_runs() -> None:
    snippet = re.search(r"<!-- readme-oauth -->\n```sh\n(.*?)```", README.read_text(), re.S)
    assert snippet is not None, "README lost its OAuth walkthrough"
    with live_server() as base_url:
        result = subprocess.run(
            ["bash", "-ec", snippet.group(1)],
            env={"TRUSTOO": base_url, "PATH": "/usr/bin:/bin"},
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        )
    answers = [json.loads(line) for line in result.stdout.replace("}{", "}\n{").splitlines()]
    assert [answer["code"] for answer in answers] == [0, 0, 0, 0]
    assert answers[0]["data"]["authorize_url"].startswith(base_url)
    assert answers[1]["data"]["review_count"] > 0
    assert answers[2]["data"]["access_token"]
    assert answers[3]["data"] == {}
