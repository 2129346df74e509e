"""One instance of the fake: its context, its start-up seed, and resetting back to it."""

from __future__ import annotations

import asyncio
import json
import threading
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass, replace
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from trustoo_mock.config import SIGNATURE_CLOCKS, Config
from trustoo_mock.core.clock import Clock
from trustoo_mock.core.errors import FakeError
from trustoo_mock.core.randomness import (
    Randomness,
    fresh_instance_secret,
    os_seed,
    seeded_instance_secret,
)
from trustoo_mock.domain import seeding
from trustoo_mock.domain.context import Context
from trustoo_mock.services.delivery import Dispatcher
from trustoo_mock.services.journal import Journal
from trustoo_mock.services.snapshots import Snapshot, Snapshots
from trustoo_mock.spec import seed_file
from trustoo_mock.store.database import Store

SNAPSHOT_CACHE_SIZE = 8
# A larger seed is loaded again each time rather than kept twice in memory.
SNAPSHOT_MAX_DOCUMENTS = 50_000
# Seeded states by everything the state depends on (see Fake._load_seed): the tables, shared
# read-only by every store that starts from them, and where the random streams stood after
# loading (None when loading drew nothing from them).
_snapshots: OrderedDict[Hashable, tuple[dict[str, dict[str, Any]], Any]] = OrderedDict()
_snapshots_lock = threading.Lock()
# How often a wait for quiet looks again (requests and pushes end on the same event loop).
IDLE_POLL_SECONDS = 0.005


@dataclass(slots=True)
class Activity:
    """HTTP requests being answered (each until its background pushes are done), and how
    many of them are themselves waiting for the others to end."""

    requests: int = 0
    waiting: int = 0

    @property
    def busy(self) -> int:
        return self.requests - self.waiting


# The meta document that keeps the random source's generation and the instance secret (X48).
RANDOM_STATE = {"instance": "random"}


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
    return seed_file.read(path)


class Fake:
    """``random_seed`` is the run's seed: ``config.random_seed``, or one drawn from the
    operating system when that is None (then tokens and secrets come from its secure source).
    ``generation`` counts the starts of a ``--data`` file: each start draws from new streams,
    so nothing issued before a restart is issued again (X48)."""

    def __init__(self, config: Config) -> None:
        if config.signature_clock not in SIGNATURE_CLOCKS:
            choices = " or ".join(SIGNATURE_CLOCKS)
            raise ValueError(f"signature_clock must be {choices}, not {config.signature_clock!r}")
        self.config = config
        self._seed_version, self.seed = self._startup_seed(config)
        store = Store(
            config.data_file, sync=config.data_sync, compact_bytes=config.data_compact_bytes
        )
        fresh = store.is_empty
        saved = None if fresh else store.instance_record(RANDOM_STATE)
        self.secure = config.random_seed is None
        self.random_seed = os_seed() if config.random_seed is None else config.random_seed
        # A data file written before generations were kept counts as generation 0.
        self.generation = 0 if fresh else int((saved or {}).get("generation", 0)) + 1
        self._instance_secret = (
            bytes.fromhex(saved["instance_secret"]) if saved else self._new_instance_secret()
        )
        self.ctx = Context(
            store=store,
            clock=Clock(config.frozen_time),
            randomness=self._new_randomness(),
            config=config,
        )
        self.dispatcher = Dispatcher(self.ctx)
        self.journal = Journal(config.journal_size)
        self.activity = Activity()
        self.snapshots = Snapshots(
            config.max_snapshots,
            None
            if config.data_file is None
            else config.data_file.with_name(f"{config.data_file.name}.snapshots"),
        )
        with self.ctx.store.batch():  # one write of the data file
            if fresh and self.seed is not None:
                try:
                    self._load_seed(self.seed)
                except FakeError as error:  # a start is refused as seed --check refuses
                    source = config.seed_file or "the seed"
                    raise ValueError(f"{source}: {error.message}") from None
            self._save_random_state()

    def _new_instance_secret(self) -> bytes:
        return fresh_instance_secret() if self.secure else seeded_instance_secret(self.random_seed)

    def _new_randomness(self) -> Randomness:
        return Randomness(
            self.random_seed,
            self.generation,
            secure=self.secure,
            instance_secret=self._instance_secret,
        )

    def _save_random_state(self) -> None:
        state = {"generation": self.generation, "instance_secret": self._instance_secret.hex()}
        self.ctx.store.save_instance_record(RANDOM_STATE, state)

    @staticmethod
    def _startup_seed(config: Config) -> tuple[Hashable, dict[str, Any] | None]:
        """The seed, and what names this version of it (for the snapshot cache)."""
        if config.empty:
            return None, None
        if config.seed_file is not None:
            version = _file_version(config.seed_file)
            return version, _checked_seed(*version)
        return "demo", bundled_demo()

    def reset(
        self, *, empty: bool = False, shop_id: str | None = None, random_seed: int | None = None
    ) -> None:
        """Back to the start-up state: the seed (or nothing), the clock and the random source
        as this run started it, no snapshots (X93); ``random_seed`` restarts the random source
        from that seed instead, as a start with ``--random-seed`` would (the instance keys
        included)."""
        if shop_id is not None:
            seeding.reset_shop(self.ctx, shop_id, self.seed)
            return
        if random_seed is not None:
            self.config = self.ctx.config = replace(self.config, random_seed=random_seed)
            self.random_seed, self.secure = random_seed, False
            self._instance_secret = seeded_instance_secret(random_seed)
        self.ctx.clock.reset()
        self.journal.clear()
        self.snapshots.clear()
        self.ctx.randomness = self._new_randomness()
        with self.ctx.store.batch():
            self.ctx.store.clear()
            if not empty and self.seed is not None:
                self._load_seed(self.seed)
            self._save_random_state()

    def _load_seed(self, seed: dict[str, Any]) -> None:
        """Load the start-up seed into the empty store, from a snapshot when one fits.

        Loading thousands of documents takes far longer than a test should wait for a fresh
        fake. What loading produces depends only on the seed, the config, the random source
        as it starts and the clock's current second (seeding stamps times with ``now_int``);
        a seed that gives every id and token (the demo does) draws nothing from the random
        source, and its state is kept for every random seed. The loaded tables are kept under
        exactly that key and every store that starts from them, this one included, shares
        them copy on write (a store copies a table when it first writes it, so the kept
        tables are never written). Keep seeding that way, or leave it out of this cache. A
        seed of more than SNAPSHOT_MAX_DOCUMENTS is not kept: a copy would double the memory
        of a server loaded for a load test.
        """
        config = replace(self.config, data_file=None, random_seed=None)
        any_seed = (self._seed_version, config, self.ctx.clock.now_int())
        this_seed = (*any_seed, self.random_seed, self.generation, self.secure)
        with _snapshots_lock:
            snapshot = _snapshots.get(any_seed) or _snapshots.get(this_seed)
        if snapshot is None:
            randomness = self.ctx.randomness
            draws_before = randomness.draws
            seeding.load(self.ctx, seed)
            loaded = self.ctx.store.tables()
            if sum(map(len, loaded.values())) > SNAPSHOT_MAX_DOCUMENTS:
                return
            self.ctx.store.replace(loaded, shared=True)
            drew = randomness.draws != draws_before
            with _snapshots_lock:
                key = this_seed if drew else any_seed
                _snapshots[key] = (loaded, randomness.streams() if drew else None)
                while len(_snapshots) > SNAPSHOT_CACHE_SIZE:
                    _snapshots.popitem(last=False)
            return
        tables, streams = snapshot
        self.ctx.store.replace(tables, shared=True)
        if streams is not None:
            self.ctx.randomness.resume(streams)

    def save_snapshot(self, name: str) -> Snapshot:
        """The whole state now, kept as ``name`` (SnapshotsFull past ``max_snapshots``); its
        file, with a data file, is the caller's to write (``snapshots.write``, off the loop)."""
        clock = self.ctx.clock
        randomness = self.ctx.randomness
        ids, secret_stream, chances = randomness.streams()
        snapshot = Snapshot(
            name=name,
            saved_at=clock.now(),
            tables=self.ctx.store.share(),
            blobs=self.ctx.store.blobs.contents(),
            clock_frozen=clock.frozen,
            random={
                "seed": self.random_seed,
                "config_seed": self.config.random_seed,
                "generation": self.generation,
                "secure": self.secure,
                "instance_secret": self._instance_secret.hex(),
                "streams": [ids, secret_stream, chances],
                "draws": randomness.draws,
            },
            journal=[dict(entry) for entry in self.journal.entries()],
        )
        self.snapshots.keep(snapshot)
        return snapshot

    def restore_snapshot(self, snapshot: Snapshot) -> None:
        """Back to ``snapshot``'s state: store, uploaded bytes, clock, random source, journal.
        The caller has abandoned the pushes in flight: they belong to the state left."""
        saved = snapshot.random
        self.config = self.ctx.config = replace(self.config, random_seed=saved["config_seed"])
        self.random_seed, self.generation = int(saved["seed"]), int(saved["generation"])
        self.secure = bool(saved["secure"])
        self._instance_secret = bytes.fromhex(saved["instance_secret"])
        randomness = self._new_randomness()
        randomness.resume(_stream_states(saved["streams"]))
        randomness.draws = int(saved["draws"])
        self.ctx.randomness = randomness
        clock = self.ctx.clock
        clock.unfreeze()
        clock.set(snapshot.saved_at)
        if snapshot.clock_frozen:
            clock.freeze()
            clock.set(snapshot.saved_at)
        self.journal.replace(snapshot.journal)
        with self.ctx.store.batch():
            self.ctx.store.replace(snapshot.tables, shared=True)
        self.ctx.store.blobs.replace(snapshot.blobs)
        self.ctx.queued += 1  # its pending deliveries may be due: wake the dispatcher

    async def wait_idle(self) -> None:
        """Until no other request is in progress and every push due now has been made."""
        while True:
            started = self.dispatcher.start_due()
            if not (started or self.dispatcher.in_flight or self.activity.busy):
                return
            await asyncio.sleep(IDLE_POLL_SECONDS)

    def close(self) -> None:
        self.ctx.store.close()


def _stream_states(streams: Any) -> tuple[Any, Any, Any]:
    """The random streams' states as ``random.setstate`` takes them (JSON made the tuples
    lists)."""

    def state(value: Any) -> Any:
        if value is None:
            return None
        version, internal, gauss_next = value
        return (version, tuple(internal), gauss_next)

    ids, secret_stream, chances = streams
    return state(ids), state(secret_stream), state(chances)
