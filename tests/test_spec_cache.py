"""The parsed spec is kept as JSON in the user's cache directory; the copy must always be
the document the YAML says, and a cache that is broken or unwritable must not matter."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from trustoo_mock.spec.openapi import SPEC_PATH, load_spec


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "cache"
    monkeypatch.setenv("TRUSTOO_MOCK_CACHE_DIR", str(directory))
    return directory


def parsed_yaml(path: Path = SPEC_PATH) -> object:
    return yaml.load(path.read_bytes(), Loader=yaml.CSafeLoader)


def test_the_first_load_writes_a_copy_the_next_load_reads(cache: Path) -> None:
    assert load_spec().document == parsed_yaml()
    (copy,) = cache.glob("openapi-*.json")
    copy.write_text('{"openapi": "3.1.0", "info": {"title": "from the cache"}}')
    assert load_spec().document["info"]["title"] == "from the cache"


def test_another_text_has_another_copy(cache: Path, tmp_path: Path) -> None:
    load_spec()
    edited = tmp_path / "openapi.yaml"
    edited.write_bytes(SPEC_PATH.read_bytes().replace(b"title: ", b"title: Edited ", 1))
    assert load_spec(edited).document == parsed_yaml(edited)
    assert len(list(cache.glob("openapi-*.json"))) == 2


def test_a_broken_copy_is_parsed_again_and_replaced(cache: Path) -> None:
    load_spec()
    (copy,) = cache.glob("openapi-*.json")
    copy.write_text('{"openapi": ')
    assert load_spec().document == parsed_yaml()
    assert load_spec().document == parsed_yaml()


def test_an_unwritable_cache_is_no_error(cache: Path) -> None:
    cache.write_text("a file where the directory should be")
    assert load_spec().document == parsed_yaml()


def test_a_document_json_cannot_hold_is_not_cached(cache: Path, tmp_path: Path) -> None:
    dated = tmp_path / "dated.yaml"
    dated.write_text(
        "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\nx-when: 2026-01-01\n"
    )
    assert str(load_spec(dated).document["x-when"]) == "2026-01-01"
    assert not list(cache.glob("openapi-*.json"))


def test_no_home_directory_means_no_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TRUSTOO_MOCK_CACHE_DIR", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)

    def nowhere() -> Path:
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.setattr(Path, "home", nowhere)
    assert load_spec().document == parsed_yaml()
