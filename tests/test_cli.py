"""The command line: `sign` prints what a served fake verifies; `serve`, `seed`, `spec` and their
options."""

from __future__ import annotations

import json
import os
import re
import shlex
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import fields
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.live import free_port, live_server
from trustoo_mock import Config
from trustoo_mock.cli import main
from trustoo_mock.spec.openapi import bundled_spec
from trustoo_mock.testing import MockTrustoo, MockTrustooError

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


def test_sign_prints_headers_a_served_fake_accepts() -> None:
    """The README's curl and OAuth walks against a served fake: tests/test_readme.py."""
    with live_server() as base_url:
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


def test_sign_loads_neither_the_server_nor_the_remote_commands() -> None:
    """A command starts with what it uses: ``sign`` does not import the server's event loop
    (asyncio) nor the contract and clone modules."""
    probe = (
        "import sys; from trustoo_mock.cli import main; main(['sign', 'http://x/a?b=1']); "
        "print(sorted(name for name in ('asyncio', 'trustoo_mock.remote.contract', "
        "'trustoo_mock.remote.clone') if name in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "[]"


def test_version_flag(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--version"])
    assert capsys.readouterr().out.startswith("trustoo-mock 0.1.0")


@pytest.mark.parametrize(
    ("option", "value", "option_says", "variable_says"),
    [
        (
            "error-http-status",
            "sometimes",
            "use mirror or an HTTP status",
            "TRUSTOO_MOCK_ERROR_HTTP_STATUS: error_http_status 'sometimes'",
        ),
        (
            "signature-clock",
            "sundial",
            "invalid choice: 'sundial'",
            "signature_clock must be fake or wall, not 'sundial'",
        ),
    ],
)
def test_a_bad_setting_stops_serve(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    option: str,
    value: str,
    option_says: str,
    variable_says: str,
) -> None:
    """A bad value given to ``--option``, then to its variable ``TRUSTOO_MOCK_OPTION``: serve
    stops with status 2 and says what is wrong on stderr."""
    with pytest.raises(SystemExit) as stopped:
        main(["serve", f"--{option}", value])
    assert stopped.value.code == 2
    assert option_says in capsys.readouterr().err
    monkeypatch.setenv("TRUSTOO_MOCK_" + option.replace("-", "_").upper(), value)
    assert main(["serve"]) == 2
    assert variable_says in capsys.readouterr().err


# --------------------------------------------------------------------------- serve


TRUSTOO_MOCK_CLI = str(Path(sys.executable).with_name("trustoo-mock"))


@contextmanager
def _serving(*arguments: str, env: dict[str, str] | None = None) -> Iterator[tuple[Any, str]]:
    """``trustoo-mock serve`` with the given arguments; yields the process and its URL."""
    process = subprocess.Popen(
        [TRUSTOO_MOCK_CLI, "serve", *arguments],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, **(env or {})},
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        found = re.search(r"serving on (http://\S+)", first)
        assert found, first
        yield process, found.group(1)
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()
        if process.stdout:
            process.stdout.close()


def test_serve_on_port_0_prints_the_port_and_answers() -> None:
    # How fast it starts is a benchmark figure (make bench: cold start), not a test.
    with _serving("--port", "0") as (_, base_url):
        health = httpx.get(f"{base_url}/_mock/health").json()
    assert health["status"] == "ok"
    assert not base_url.endswith(":0")


def test_serve_prints_where_the_inspector_is() -> None:
    with _serving("--port", "0") as (process, base_url):
        printed = [process.stdout.readline() for _ in range(2)]
        address = f"{base_url}/_mock/ui"
        assert f"  inspector: {address}\n" in printed
        assert httpx.get(address).headers["content-type"].startswith("text/html")


def make_run(*assignments: str, env: dict[str, str] | None = None) -> list[str]:
    """The ``serve`` arguments ``make run`` would use (the venv taken as installed)."""
    done = subprocess.run(
        ["make", "-s", "-n", "-o", ".venv/.installed", "run", *assignments],
        cwd=README.parent,
        env={"PATH": os.environ["PATH"], **(env or {})},
        capture_output=True,
        text=True,
        check=True,
    )
    (command,) = done.stdout.splitlines()
    program, subcommand, *arguments = shlex.split(command)
    assert (program, subcommand) == (".venv/bin/trustoo-mock", "serve")
    return arguments


def test_make_run_takes_the_port_from_its_command_line_or_trustoo_mock_port() -> None:
    port = free_port()
    with _serving(*make_run(f"PORT={port}")) as (_, base_url):
        assert base_url == f"http://127.0.0.1:{port}"
    port = free_port()
    # A PORT in the environment belongs to some other server: make run leaves it alone.
    env = {"TRUSTOO_MOCK_PORT": str(port), "PORT": "1"}
    with _serving(*make_run(env=env), env=env) as (_, base_url):
        assert base_url == f"http://127.0.0.1:{port}"


def test_every_setting_is_a_flag_and_an_environment_variable(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit):
        main(["serve", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    for item in fields(Config):
        assert f"--{item.name.replace('_', '-')}" in text, item.name
        assert f"TRUSTOO_MOCK_{item.name.upper()}" in text, item.name
    assert "TRUSTOO_MOCK_PORT" in text and "TRUSTOO_MOCK_HOST" in text


def test_make_test_says_before_it_installs_chromium_and_wrk() -> None:
    done = subprocess.run(
        ["make", "-s", "-n", "-o", ".venv/.installed", "test", "SYSTEM_TOOLS=/nonexistent/wrk"],
        cwd=README.parent,
        capture_output=True,
        text=True,
        check=True,
    )
    lines = done.stdout.splitlines()
    said = [
        n for n, line in enumerate(lines) if "installing Chromium, chromedriver and wrk" in line
    ]
    installing = [n for n, line in enumerate(lines) if "apt-get install" in line]
    assert said and installing and said[0] < installing[0], done.stdout


def test_serve_help_shows_every_default(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["serve", "--help"])
    text = capsys.readouterr().out
    blocks = re.split(r"\n  (?=--)", text.split("options:", 1)[1])
    options = [" ".join(block.split()) for block in blocks if block.startswith("--")]
    assert len(options) == len(fields(Config)) + 3  # and --host, --port, --faults
    for option in options:
        assert "(default: " in option, option
    assert "None" not in text  # an unset setting says what it means
    flat = " ".join(text.split())
    assert "--port PORT 0 picks a free port (default: 8787;" in flat
    assert "(default: none, the real clock;" in flat


def test_settings_come_from_the_environment_and_flags_win() -> None:
    env = {"TRUSTOO_MOCK_PORT": "0", "TRUSTOO_MOCK_FROZEN_TIME": "1788840306"}
    env |= {"TRUSTOO_MOCK_EMPTY": "yes", "TRUSTOO_MOCK_ERROR_HTTP_STATUS": "mirror"}
    with _serving("--frozen-time", "1700000000", env=env) as (_, base_url):
        assert httpx.get(f"{base_url}/_mock/clock").json()["now"] == 1700000000
        assert httpx.get(f"{base_url}/_mock/shops").json() == []
        unsigned = httpx.get(f"{base_url}/api/v1/openapi/get_reviews")
        assert (unsigned.status_code, unsigned.json()["code"]) == (401, 16)


def test_a_bad_environment_variable_is_named(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRUSTOO_MOCK_RANDOM_SEED", "seven")
    assert main(["serve"]) == 2
    assert "TRUSTOO_MOCK_RANDOM_SEED='seven' is not a valid int" in capsys.readouterr().err


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_stops_the_server_with_the_data_file_complete(
    tmp_path: Path, signum: signal.Signals
) -> None:
    data_file = tmp_path / "state.json"
    with _serving("--port", "0", "--data", str(data_file)) as (process, base_url):
        created = httpx.post(f"{base_url}/_mock/shops", json={"shop_id": "42"})
        assert created.status_code == 201
        process.send_signal(signum)
        assert process.wait(timeout=10) == 0
    shops = json.loads(data_file.read_text())["shops"]
    assert "42" in {shop["shop_id"] for shop in shops.values()}
    assert [path.name for path in tmp_path.iterdir()] == ["state.json"]


# --------------------------------------------------------------------------- seed, spec


def test_seed_writes_the_demo_fixtures(tmp_path: Path) -> None:
    demo = (Path(__file__).resolve().parent.parent / "fixtures" / "demo.json").read_bytes()
    printed = subprocess.run([TRUSTOO_MOCK_CLI, "seed"], capture_output=True, check=True).stdout
    assert printed == demo
    assert main(["seed", "--output", str(tmp_path / "demo.json")]) == 0
    assert (tmp_path / "demo.json").read_bytes() == demo


def test_seed_check_validates_schema_and_references(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = tmp_path / "good.json"
    good.write_text(json.dumps({"shops": [{"shop_id": "1", "products": []}]}))
    bad_shape = tmp_path / "bad_shape.json"
    bad_shape.write_text(json.dumps({"shops": [{"shop_id": "1", "reviews": [{"rating": 9}]}]}))
    bad_reference = tmp_path / "bad_reference.json"
    bad_reference.write_text(
        json.dumps(
            {"shops": [{"shop_id": "1"}], "authorizations": [{"shop_id": "1", "client_id": "x"}]}
        )
    )
    assert main(["seed", "--check", str(good)]) == 0
    assert f"{good}: ok (1 shops" in capsys.readouterr().out
    assert main(["seed", "--check", str(good), str(bad_shape), str(bad_reference)]) == 1
    errors = capsys.readouterr().err
    assert f"{bad_shape}: shops[0].reviews[0] has no author (required)" in errors
    assert f"{bad_reference}: authorizations[0]: no platform with client_id 'x'" in errors


SHARED = "c2hhcmVkLWNyZWRlbnRpYWwtMDE="  # one value given as two credentials


def _shop(number: int, **tokens: str) -> dict[str, Any]:
    defaults = {"public_token": f"public-token-of-shop-{number}"}
    return {"shop_id": str(number), **defaults, "private_token": f"private-of-{number}", **tokens}


def _platform(number: int, secret: str) -> dict[str, Any]:
    return {"client_id": f"client-{number}", "client_secret": secret}


def _grant(number: int, **tokens: str) -> dict[str, Any]:
    return {"shop_id": str(number), "client_id": "client-1", **tokens}


@pytest.mark.parametrize(
    ("seed", "said"),
    [
        (
            {"shops": [_shop(1, public_token=SHARED), _shop(2, public_token=SHARED)]},
            "shops[1]: public_token",
        ),
        (
            {"shops": [_shop(1, private_token=SHARED), _shop(2, private_token=SHARED)]},
            "shops[1]: private_token",
        ),
        (
            {"shops": [_shop(1, private_token=SHARED), _shop(2, public_token=SHARED)]},
            "shops[1]: public_token",
        ),
        (
            {"shops": [_shop(1, public_token=SHARED, private_token=SHARED)]},
            "shops[0]: private_token",
        ),
        (
            {"platforms": [_platform(1, SHARED), _platform(2, SHARED)]},
            "platforms[1]: client_secret",
        ),
        (
            {"shops": [_shop(1, private_token=SHARED)], "platforms": [_platform(1, SHARED)]},
            "shops[0]: private_token",
        ),
        (
            {
                "shops": [_shop(1), _shop(2)],
                "platforms": [_platform(1, "a-client-secret-of-one")],
                "authorizations": [_grant(1, access_token=SHARED), _grant(2, access_token=SHARED)],
            },
            "authorizations[1]: access_token",
        ),
    ],
)
def test_one_credential_given_twice_is_refused_naming_the_field_not_the_value(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], seed: dict[str, Any], said: str
) -> None:
    """Each token and secret names one shop, platform or grant (X121): a seed giving one
    value twice would let one shop's key act as another's."""
    path = tmp_path / "fixtures.json"
    path.write_text(json.dumps(seed))
    assert main(["seed", "--check", str(path)]) == 1
    errors = capsys.readouterr().err
    assert f"{path}: {said}: " in errors
    assert SHARED not in errors
    with pytest.raises(ValueError, match=re.escape(f"{path}: {said}: ")) as refused:
        MockTrustoo(seed_file=path)
    assert SHARED not in str(refused.value)


def test_the_control_plane_refuses_a_shop_with_a_token_in_use_without_repeating_it() -> None:
    with MockTrustoo() as trustoo:
        taken = trustoo.shops()[0].private_token
        with pytest.raises(MockTrustooError) as refused:
            trustoo.control("POST", "/_mock/shops", {"public_token": taken})
        assert "public_token" in str(refused.value) and taken not in str(refused.value)


@pytest.mark.parametrize(
    ("content", "said"),
    [
        ('{"shops": [', "not a JSON file: Expecting value at line 1, column 12"),
        ("[1]", "the file should be an object {...}, not a list of 1"),
        ('{"shops": [{"shop_id": "1", "name": 7}]}', "shops[0].name should be a string, not 7"),
        (
            '{"shops": [{"shop_id": "1", "reviews": [{"rating": 5, "author": "A", '
            '"created_at": "yesterday"}]}]}',
            "shops[0].reviews[0].created_at must be an RFC 3339 time like 2025-06-20T11:06:48Z",
        ),
    ],
)
def test_seed_check_speaks_of_the_file_and_its_fields(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, said: str
) -> None:
    path = tmp_path / "fixtures.json"
    path.write_text(content)
    assert main(["seed", "--check", str(path)]) == 1
    errors = capsys.readouterr().err
    assert f"{path}: {said}\n" in errors
    # The file's words, not the validator's ("data.shops[0] must contain [...] properties").
    assert "request" not in errors and "data." not in errors and "must contain" not in errors


def test_spec_prints_the_document(capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    spec = bundled_spec()
    assert main(["spec"]) == 0
    assert capsysbinary.readouterr().out == spec.source
    assert main(["spec", "--json"]) == 0
    assert json.loads(capsysbinary.readouterr().out) == spec.document
