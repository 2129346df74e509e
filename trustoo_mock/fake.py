"""One instance of the fake: its context, its start-up seed, and resetting back to it."""

from __future__ import annotations

import json
import pickle
import threading
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import replace
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from trustoo_mock.clock import Clock
from trustoo_mock.config import SIGNATURE_CLOCKS, Config
from trustoo_mock.delivery import Dispatcher
from trustoo_mock.domain import seeding
from trustoo_mock.domain.context import Context
from trustoo_mock.errors import TrustooError
from trustoo_mock.journal import Journal
from trustoo_mock.randomness import Randomness
from trustoo_mock.spec import bundled_spec
from trustoo_mock.store import Store

SNAPSHOT_CACHE_SIZE = 8
# A larger seed is loaded again each time rather than kept twice in memory.
SNAPSHOT_MAX_DOCUMENTS = 50_000
# Seeded states by everything the state depends on (see Fake._load_seed): the tables, shared
# read-only by every store that starts from them, and the random source, pickled.
_snapshots: OrderedDict[Hashable, tuple[dict[str, dict[str, Any]], bytes]] = OrderedDict()
_snapshots_lock = threading.Lock()


@cache
def bundled_demo() -> dict[str, Any]:
    """The packaged demo data, parsed once per process; shared, so never change it."""
    text = resources.files("trustoo_mock").joinpath("demo.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def load_seed_file(path: Path) -> dict[str, Any]:
    """A fixtures-format file, checked against the spec's SeedData schema.

    Parsed and checked once per version of the file (a test session starts many fakes from
    the same file); the result is shared, so never change it.
    """
    return _checked_seed(*_file_version(path))


def _file_version(path: Path) -> tuple[Path, int, int]:
    try:
        status = path.stat()
    except OSError as error:
        raise ValueError(f"{path}: {error.strerror}") from None
    return path.resolve(), status.st_mtime_ns, status.st_size


@lru_cache(maxsize=SNAPSHOT_CACHE_SIZE)
def _checked_seed(path: Path, mtime_ns: int, size: int) -> dict[str, Any]:
    try:
        data: dict[str, Any] = bundled_spec().operations["mock_seed"].parse_body(path.read_bytes())
    except TrustooError as error:
        raise ValueError(f"{path}: {error.message}") from None
    return data


class Fake:
    def __init__(self, config: Config) -> None:
        if config.signature_clock not in SIGNATURE_CLOCKS:
            choices = " or ".join(SIGNATURE_CLOCKS)
            raise ValueError(f"signature_clock must be {choices}, not {config.signature_clock!r}")
        self.config = config
        self._seed_version, self.seed = self._startup_seed(config)
        self.ctx = Context(
            store=Store(config.data_file),
            clock=Clock(config.frozen_time),
            randomness=Randomness(config.random_seed),
            config=config,
        )
        self.dispatcher = Dispatcher(self.ctx)
        self.journal = Journal(config.journal_size)
        if self.ctx.store.is_empty and self.seed is not None:
            with self.ctx.store.batch():  # one write of the data file
                self._load_seed(self.seed)

    @staticmethod
    def _startup_seed(config: Config) -> tuple[Hashable, dict[str, Any] | None]:
        """The seed, and what names this version of it (for the snapshot cache)."""
        if config.empty:
            return None, None
        if config.seed_file is not None:
            version = _file_version(config.seed_file)
            return version, _checked_seed(*version)
        return "demo", bundled_demo()

    def reset(self, *, empty: bool = False, shop_id: str | None = None) -> None:
        if shop_id is not None:
            seeding.reset_shop(self.ctx, shop_id, self.seed)
            return
        self.ctx.clock.reset()
        self.journal.clear()
        self.ctx.randomness = Randomness(self.config.random_seed)
        with self.ctx.store.batch():
            self.ctx.store.clear()
            if not empty and self.seed is not None:
                self._load_seed(self.seed)

    def _load_seed(self, seed: dict[str, Any]) -> None:
        """Load the start-up seed into the empty store, from a snapshot when one fits.

        Loading thousands of documents takes far longer than a test should wait for a fresh
        fake. What loading produces depends only on the seed, the config, a fresh random
        source and the clock's current second (seeding stamps times with ``now_int``), so the
        loaded tables are kept under exactly that key and every store that starts from them,
        this one included, shares them copy on write (a store copies a table when it first
        writes it, so the kept tables are never written). Keep seeding that way, or leave it
        out of this cache. A seed of more than SNAPSHOT_MAX_DOCUMENTS is not
        kept: a copy would double the memory of a server loaded for a load test.
        """
        key = (self._seed_version, replace(self.config, data_file=None), self.ctx.clock.now_int())
        with _snapshots_lock:
            snapshot = _snapshots.get(key)
        if snapshot is None:
            seeding.load(self.ctx, seed)
            loaded = self.ctx.store.tables()
            if sum(map(len, loaded.values())) > SNAPSHOT_MAX_DOCUMENTS:
                return
            self.ctx.store.replace(loaded, shared=True)
            with _snapshots_lock:
                _snapshots[key] = (loaded, pickle.dumps(self.ctx.randomness))
                while len(_snapshots) > SNAPSHOT_CACHE_SIZE:
                    _snapshots.popitem(last=False)
            return
        tables, randomness = snapshot
        self.ctx.store.replace(tables, shared=True)
        self.ctx.randomness = pickle.loads(randomness)

    def close(self) -> None:
        self.ctx.store.close()
