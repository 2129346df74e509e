"""``trustoo-mock contract`` against live servers on 127.0.0.1: the fake itself conforms, a
drifted fake is caught, and the runner keeps its promises (read-only, budget, rate, cleanup,
secrets). The runner runs as the CLI in a subprocess, as a user runs it (its format strategies
for schemathesis are process-wide, so they stay out of this test process).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path
from typing import Any

import httpx
import pytest

import trustoo_mock.remote
from tests.helpers import (
    DEMO_ACCESS_TOKEN,
    DEMO_CLIENT_ID,
    DEMO_PRIVATE_TOKEN,
    DEMO_PUBLIC_TOKEN,
    DEMO_SHOP_ID,
)
from tests.live import live_server
from trustoo_mock import cli
from trustoo_mock.client import TrustooAuth
from trustoo_mock.core import redaction
from trustoo_mock.remote import contract
from trustoo_mock.spec.openapi import bundled_spec

CLI = str(Path(sys.executable).with_name("trustoo-mock"))
SHOP = ["--public-token", DEMO_PUBLIC_TOKEN, "--private-token", DEMO_PRIVATE_TOKEN]
PLATFORM = [
    "--bearer",
    DEMO_ACCESS_TOKEN,
    "--bearer-scopes",
    "read_reviews,write_reviews,read_customer_events",
]
FAST = ["--rate", "400", "--examples", "2"]
SECRETS = (DEMO_PUBLIC_TOKEN, DEMO_PRIVATE_TOKEN, DEMO_ACCESS_TOKEN)
DEMO_REVIEWS = 300


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with live_server() as base_url:
        yield base_url


@pytest.fixture
def fake(server: str) -> str:
    """The module's server, back to the demo data with an empty request journal."""
    httpx.post(f"{server}/_mock/reset").raise_for_status()
    return server


def run_contract(base_url: str, *options: str) -> tuple[int, str]:
    done = subprocess.run(
        [CLI, "contract", "--base-url", base_url, *options],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert not done.stderr.strip() or done.returncode == 2, done.stderr
    return done.returncode, done.stdout


def journal(base_url: str) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = httpx.get(f"{base_url}/_mock/requests").json()
    return entries


def by_operation(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {item["operation_id"]: item for item in report["operations"]}


@pytest.fixture(scope="module")
def read_only_run(server: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One read-only run as shop and platform, with --report and --record; several tests
    look at what it did."""
    httpx.post(f"{server}/_mock/reset").raise_for_status()
    folder = tmp_path_factory.mktemp("read-only")
    code, out = run_contract(
        server,
        *SHOP,
        *PLATFORM,
        *FAST,
        "--report",
        str(folder / "report"),
        "--record",
        str(folder / "record"),
    )
    report = json.loads((folder / "report.json").read_text())
    return {
        "code": code,
        "out": out,
        "report": report,
        "folder": folder,
        "journal": journal(server),
    }


def test_the_fake_conforms_to_its_own_contract(read_only_run: dict[str, Any]) -> None:
    assert read_only_run["code"] == 0, read_only_run["out"]
    assert "Everything checked conforms" in read_only_run["out"]
    report = read_only_run["report"]
    assert report["conforms"] is True and report["exit_code"] == 0
    statuses = {item["operation_id"]: item["status"] for item in report["operations"]}
    assert statuses["get_reviews"] == statuses["get_review"] == "conforms"
    assert statuses["get_open_api_private_token"] == "conforms"  # its auth probes only
    assert statuses["create_review"] == "skipped"
    assert set(statuses.values()) <= {"conforms", "skipped"}
    assert report["status_convention"]["verdict"] == "200"
    assert "Status convention (finding): 200: errors come as HTTP 200" in read_only_run["out"]


def test_read_only_sends_no_write(read_only_run: dict[str, Any]) -> None:
    entries = read_only_run["journal"]
    assert len(entries) == read_only_run["report"]["requests"] > 20
    assert {entry["method"] for entry in entries} == {"GET"}
    outcomes = {entry["auth"] for entry in entries}
    assert {"ok", "failed", "anonymous"} <= outcomes  # valid credentials, and the probes


def test_every_probe_and_kind_of_request_is_made(read_only_run: dict[str, Any]) -> None:
    record = read_only_run["folder"] / "record"
    kinds = {path.name.split("-", 1)[1] for path in (record / "get_reviews").iterdir()}
    assert {
        "probe-no-credentials.json",
        "probe-wrong-sign.json",
        "probe-timestamp-3600-s-old.json",
        "probe-unknown-bearer-token.json",
        "valid-request.json",
        "invalid-request.json",
    } <= kinds
    linked = list((record / "get_review").glob("*-link-getreview-from-get-reviews.json"))
    assert linked, "the list → detail link was not followed"


def test_report_is_json_and_junit(read_only_run: dict[str, Any]) -> None:
    report = read_only_run["report"]
    assert report["base_url"].startswith("http://127.0.0.1:")
    get_review = by_operation(report)["get_review"]
    assert get_review["evidence"]["level"] == "documented"
    xml = ElementTree.parse(read_only_run["folder"] / "report.xml").getroot()
    suite = xml.find("testsuite")
    assert suite is not None and suite.get("failures") == "0"
    names = [case.get("name") for case in suite.iter("testcase")]
    assert "GET /api/v1/openapi/get_review (get_review)" in names


def test_recorded_exchanges_keep_no_secret(read_only_run: dict[str, Any]) -> None:
    folder: Path = read_only_run["folder"]
    files = [path for path in folder.rglob("*") if path.is_file()]
    assert len(files) > 20
    for path in files:
        text = path.read_text()
        for secret in SECRETS:
            assert secret not in text, f"{secret} in {path}"
    probe = next((folder / "record" / "get_rating").glob("*-probe-wrong-sign.json"))
    exchange = json.loads(probe.read_text())
    assert exchange["request"]["headers"]["Sign"] == redaction.REDACTED
    assert exchange["request"]["headers"]["Public-Token"] == redaction.REDACTED
    refused = json.loads(exchange["response"]["body"])
    assert (exchange["response"]["status"], refused["code"]) == (200, 16)


def signed_get(base_url: str, path: str) -> Any:
    auth = TrustooAuth(DEMO_PUBLIC_TOKEN, DEMO_PRIVATE_TOKEN)
    return httpx.get(f"{base_url}{path}", auth=auth).json()


def test_writes_are_cleaned_up(fake: str) -> None:
    code, out = run_contract(
        fake, *SHOP, *PLATFORM, *FAST, "--allow-writes", "--max-requests", "400"
    )
    assert code == 0, out
    entries = journal(fake)
    made = [e for e in entries if e["operation_id"] in ("create_review", "create_shop_webhook")]
    assert any(e["code"] == 0 for e in made)
    for operation in ("update_shop_webhook", "delete_shop_webhook", "delete_review"):
        assert any(e["operation_id"] == operation and e["code"] == 0 for e in entries)
    assert signed_get(fake, "/api/v1/openapi/get_reviews")["data"]["page"]["count"] == DEMO_REVIEWS
    assert signed_get(fake, "/api/v1/openapi/get_shop_webhooks")["data"] == []
    platform_hooks = httpx.get(
        f"{fake}/api/v1/openapi/get_shop_webhooks",
        headers={"Authorization": f"Bearer {DEMO_ACCESS_TOKEN}"},
    ).json()
    assert platform_hooks["data"] == []


def review_count(base_url: str) -> int:
    count: int = signed_get(base_url, "/api/v1/openapi/get_reviews")["data"]["page"]["count"]
    return count


ONLY_CREATE_REVIEW = ["--allow-writes", "--operation", "create_review"]


def created_reviews(base_url: str) -> int:
    return sum(
        entry["operation_id"] == "create_review" and entry["code"] == 0
        for entry in journal(base_url)
    )


def test_cleanup_follows_its_links_whatever_operation_selects(fake: str) -> None:
    code, out = run_contract(fake, *SHOP, *PLATFORM, *FAST, *ONLY_CREATE_REVIEW)
    assert code == 0, out
    assert created_reviews(fake) > 0
    called = {entry["operation_id"] for entry in journal(fake) if entry["code"] == 0}
    assert {"get_review", "delete_review"} <= called  # read back and deleted, though not named
    assert review_count(fake) == DEMO_REVIEWS
    assert "LEFT BEHIND" not in out


def crashing_contract(base_url: str, mode: str, *options: str) -> tuple[int, str, str]:
    done = subprocess.run(
        [sys.executable, "-m", "tests.crashing_contract", mode, "--base-url", base_url, *options],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).parent.parent,
    )
    return done.returncode, done.stdout, done.stderr


def test_a_failure_mid_chain_still_deletes_what_was_made(fake: str) -> None:
    assert review_count(fake) == DEMO_REVIEWS
    code, out, err = crashing_contract(fake, "chain", *SHOP, *FAST, *ONLY_CREATE_REVIEW)
    assert code == contract.EXIT_CANNOT_RUN, out + err
    assert "ForcedFailure: forced in the middle of a create's chain" in err
    assert "The run stopped on an error of the runner: ForcedFailure" in out
    assert created_reviews(fake) == 1
    assert review_count(fake) == DEMO_REVIEWS
    assert "LEFT BEHIND" not in out


def test_what_a_crashed_run_cannot_undo_is_reported_left_behind(fake: str, tmp_path: Path) -> None:
    report_path = tmp_path / "crash"
    options = [*SHOP, *FAST, *ONLY_CREATE_REVIEW, "--report", str(report_path)]
    code, out, err = crashing_contract(fake, "chain-and-cleanup", *options)
    assert code == contract.EXIT_CANNOT_RUN, out + err
    left = [line for line in out.splitlines() if "LEFT BEHIND" in line]
    assert len(left) == 1 and "what create_review made" in left[0], out
    assert "delete_review had no answer" in left[0]
    assert review_count(fake) == DEMO_REVIEWS + 1  # the one the summary names
    report = json.loads(report_path.with_suffix(".json").read_text())
    assert report["leftovers"] and "ForcedFailure" in report["crash"]
    assert report["conforms"] is False and report["exit_code"] == contract.EXIT_CANNOT_RUN


def test_a_run_that_checks_nothing_says_so_and_exits_2(fake: str) -> None:
    code, out = run_contract(fake, *SHOP, *FAST, "--operation", "create_review")
    assert code == contract.EXIT_CANNOT_RUN, out
    assert "Nothing was checked" in out
    assert "conforms" not in out.splitlines()[-1]
    assert journal(fake) == []


def narrow_token(base_url: str) -> str:
    granted = httpx.post(
        f"{base_url}/_mock/shops/{DEMO_SHOP_ID}/authorizations",
        json={"client_id": DEMO_CLIENT_ID, "scopes": ["read_reviews"]},
    )
    token: str = granted.json()["access_token"]
    return token


def test_a_missing_scope_must_be_refused_with_code_7(fake: str) -> None:
    token = narrow_token(fake)
    only = ["--operation", "create_review", "--operation", "get_reviews"]
    scoped = ["--bearer", token, "--bearer-scopes", "read_reviews"]
    code, out = run_contract(fake, *scoped, *FAST, *only, "--allow-writes")
    assert code == 0, out
    calls = [e for e in journal(fake) if e["operation_id"] == "create_review"]
    # Besides the auth probes, one request with the token: no valid request is sent with a
    # token known to lack the scope.
    refused = [e for e in calls if e["auth"] == "ok"]
    assert [e["status"] for e in refused] == [200]
    assert "scopes read_reviews" in refused[0]["auth_explanation"]


def test_a_scope_refused_though_held_is_a_difference(fake: str) -> None:
    token = narrow_token(fake)
    claims = ["--bearer", token, "--bearer-scopes", "read_reviews,write_reviews"]
    code, out = run_contract(fake, *claims, *FAST, "--operation", "create_review", "--allow-writes")
    assert code == 1, out
    assert "Scope refused though held" in out


def test_a_drifted_fake_is_caught_operation_by_operation(tmp_path: Path) -> None:
    drifted = ["get_rating", "get_reviews", "get_shop_webhooks", "get_oauth_authorize_url"]
    only = [option for name in [*drifted, "get_review"] for option in ("--operation", name)]
    with live_server(program=[sys.executable, "-m", "tests.drifted_server"]) as base_url:
        code, out = run_contract(
            base_url, *SHOP, *FAST, *only, "--report", str(tmp_path / "drift.json")
        )
    assert code == 1, out
    report = json.loads((tmp_path / "drift.json").read_text())
    results = by_operation(report)
    assert {name for name, item in results.items() if item["status"] == "differs"} == set(drifted)
    assert results["get_review"]["status"] == "conforms"

    def details(name: str) -> str:
        found = results[name]["differences"]
        return "\n".join(f"{item['title']}\n{item['detail']}" for item in found)

    assert '"review_count" is a required property' in details("get_rating")
    assert 'is not of type "string"' in details("get_reviews")
    assert "Wrong Sign: expected code 16, got code 3" in details("get_shop_webhooks")
    assert "Envelope: request_id missing" in details("get_oauth_authorize_url")
    first = results["get_shop_webhooks"]["differences"][0]["first"]
    assert first["request"]["url"].endswith("/api/v1/openapi/get_shop_webhooks")
    assert first["response"]["status"] == 400
    assert results["get_rating"]["evidence"]["level"] == "documented"
    for name in drifted:
        assert f"DIFFERS      GET  {name}" in out
    suite = ElementTree.parse(tmp_path / "drift.xml").getroot().find("testsuite")
    assert suite is not None and suite.get("failures") == str(len(drifted))


def test_budget_and_rate_hold(fake: str) -> None:
    budget, rate = 12, 20.0
    code, out = run_contract(
        fake, *SHOP, "--examples", "2", "--max-requests", str(budget), "--rate", str(rate)
    )
    assert code == 0, out
    assert "budget used up" in out
    times = [entry["time"] for entry in journal(fake)]
    assert len(times) == budget
    gaps = [later - earlier for earlier, later in pairwise(times)]
    # Arrival times jitter a little around the sending pace, never by a whole interval.
    assert min(gaps) > 0.7 / rate
    assert times[-1] - times[0] >= 0.95 * (budget - 1) / rate


def test_mirrored_statuses_are_judged_by_the_mode_and_found(tmp_path: Path) -> None:
    only = ["--operation", "get_review", "--operation", "get_reviews"]
    with live_server("--error-http-status", "mirror") as base_url:
        report = tmp_path / "mirror.json"
        judged = ["--error-http-status", "mirror", "--report", str(report)]
        code, out = run_contract(base_url, *SHOP, *PLATFORM, *FAST, *only, *judged)
        assert code == 0, out
        finding = json.loads(report.read_text())["status_convention"]
        assert (finding["verdict"], finding["judged_by"]) == ("mirror", "mirror")
        assert {(seen["code"], seen["status"]) for seen in finding["observed"]} == {(16, 401)}

        code, out = run_contract(base_url, *SHOP, *PLATFORM, *FAST, *only)
    assert code == 1, out
    assert "HTTP 401 with code 16; with --error-http-status 200 the spec says HTTP 200" in out
    assert "Status convention (finding): mirror: the HTTP status mirrors the code" in out


def test_status_convention_verdicts() -> None:
    convention = contract.StatusConvention()
    assert convention.verdict == "unknown"
    convention.observe(16, 200)
    convention.observe(7, 200)
    assert convention.verdict == "200"
    convention.observe(16, 401)
    assert convention.verdict == "mixed"
    mirrored = contract.StatusConvention()
    mirrored.observe(7, 403)
    assert mirrored.verdict == "mirror"
    mirrored.observe(16, 400)
    assert mirrored.verdict == "mixed"
    other = contract.StatusConvention()
    other.observe(16, 400)
    assert other.verdict == "other"
    assert "code 16 with HTTP 400 (1x)" in other.describe()


def test_the_judged_mode_is_an_option() -> None:
    assert options("--base-url", "http://x").error_http_status == 200
    assert options("--base-url", "http://x", "--error-http-status", "mirror").error_http_status == (
        "mirror"
    )
    with pytest.raises(contract.ContractError, match="--error-http-status"):
        options("--base-url", "http://x", "--error-http-status", "sometimes")


def test_operations_outside_trustoos_paths_are_fake_only() -> None:
    for operation in bundled_spec().operations.values():
        if not operation.path.startswith("/api/"):
            assert contract.is_fake_only(operation), operation.operation_id
    assert contract.is_fake_only(bundled_spec().operations["oauth_consent"])


def options(*argv: str, environ: dict[str, str] | None = None) -> contract.Options:
    parser = argparse.ArgumentParser()
    contract.add_arguments(parser)
    return contract.options_from_arguments(parser.parse_args(argv), environ or {})


def test_plan_is_read_only_unless_told() -> None:
    spec = bundled_spec()
    reading = contract.plan(spec, options("--base-url", "http://x"))
    assert {op.method for op in reading.tested} == {"GET"}
    assert not any(contract.is_fake_only(op) for op in reading.tested)
    writing = contract.plan(spec, options("--base-url", "http://x", "--allow-writes"))
    tested = {op.operation_id for op in writing.tested}
    assert {
        "create_review",
        "delete_review",
        "create_shop_webhook",
        "delete_shop_webhook",
    } <= tested
    assert writing.linked_only >= {"delete_review", "update_shop_webhook", "delete_shop_webhook"}
    assert "oauth_disconnect" in writing.skipped  # it cannot be undone
    only = contract.plan(
        spec, options("--base-url", "http://x", "--allow-writes", "--operation", "create_review")
    )
    # Its links are followed though --operation did not name them: the cleanup needs them.
    assert {op.operation_id for op in only.tested} == {
        "create_review",
        "get_review",
        "delete_review",
    }
    assert only.linked_only == {"get_review", "delete_review"}


def test_a_write_that_cannot_be_undone_has_one_reason_in_both_modes() -> None:
    spec = bundled_spec()
    reading = contract.plan(spec, options("--base-url", "http://x")).skipped
    writing = contract.plan(spec, options("--base-url", "http://x", "--allow-writes")).skipped
    never = "a write the runner cannot undo, never called"
    for operation_id in ("oauth_token", "oauth_revoke", "oauth_disconnect", "email_unsubscribe"):
        assert reading[operation_id] == writing[operation_id] == never
    assert reading["create_review"] == "a write (--allow-writes to create and clean up)"
    assert reading["delete_review"] == "a write, called only on what create_review made"
    assert "create_review" not in writing and "delete_review" not in writing


def test_credentials_come_from_flags_or_environment() -> None:
    environ = {
        contract.ENV_PUBLIC_TOKEN: "pub",
        contract.ENV_PRIVATE_TOKEN: "priv",
        contract.ENV_BEARER: "tok",
        contract.ENV_BEARER_SCOPES: "read_reviews, write_reviews",
    }
    credentials = options("--base-url", "http://x", environ=environ).credentials
    assert (credentials.public_token, credentials.private_token) == ("pub", "priv")
    assert credentials.bearer_scopes == {"read_reviews", "write_reviews"}
    flagged = options("--base-url", "http://x", "--bearer", "mine", environ=environ)
    assert flagged.credentials.bearer == "mine"
    with pytest.raises(contract.ContractError, match="both"):
        options("--base-url", "http://x", "--public-token", "pub")


def test_bad_options_exit_2_before_any_request() -> None:
    done = subprocess.run(
        [CLI, "contract", "--base-url", "http://127.0.0.1:9", "--operation", "mock_reset"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2
    assert "fake-only" in done.stderr


def test_redaction() -> None:
    redactor = redaction.Redactor(["s3cr3t/=="])
    assert redactor.text("key s3cr3t/== and s3cr3t%2F%3D%3D") == "key [redacted] and [redacted]"
    assert redactor.headers({"Sign": "abc", "Timestamp": "1"}) == {
        "Sign": "[redacted]",
        "Timestamp": "1",
    }
    url = redactor.url("https://t/x?client_id=a&client_secret=b")
    assert url == "https://t/x?client_id=a&client_secret=[redacted]"
    body = json.loads(redactor.body('{"data": {"private_token": "x", "shop_id": "1"}}'))
    assert body == {"data": {"private_token": "[redacted]", "shop_id": "1"}}
    assert redactor.body('{"code":0}') == '{"code":0}'  # untouched bytes when nothing goes


def test_schemathesis_is_loaded_only_by_the_contract_command() -> None:
    probe = "import sys, trustoo_mock.cli; print('schemathesis' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert done.stdout.strip() == "False"


def test_without_schemathesis_the_command_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "schemathesis", None)  # type: ignore[arg-type]
    monkeypatch.delitem(sys.modules, "trustoo_mock.remote.contract_runner", raising=False)
    monkeypatch.delattr(trustoo_mock.remote, "contract_runner", raising=False)
    assert cli.main(["contract", "--base-url", "http://127.0.0.1:9"]) == contract.EXIT_CANNOT_RUN
    assert "pip install 'schemathesis>=4'" in capsys.readouterr().err
