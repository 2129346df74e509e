"""One instance of the fake: its context, its start-up seed, and resetting back to it."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

from trustoo_mock.clock import Clock
from trustoo_mock.config import Config
from trustoo_mock.delivery import Dispatcher
from trustoo_mock.domain import seeding
from trustoo_mock.domain.context import Context
from trustoo_mock.errors import TrustooError
from trustoo_mock.randomness import Randomness
from trustoo_mock.spec import bundled_spec
from trustoo_mock.store import Store


def bundled_demo() -> dict[str, Any]:
    text = resources.files("trustoo_mock").joinpath("demo.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def load_seed_file(path: Path) -> dict[str, Any]:
    """A fixtures-format file, checked against the spec's SeedData schema."""
    try:
        data: dict[str, Any] = bundled_spec().operations["mock_seed"].parse_body(path.read_bytes())
    except TrustooError as error:
        raise ValueError(f"{path}: {error.message}") from None
    return data


class Fake:
    def __init__(self, config: Config) -> None:
        self.config = config
        self.seed = self._startup_seed(config)
        self.ctx = Context(
            store=Store(config.data_file),
            clock=Clock(config.frozen_time),
            randomness=Randomness(config.random_seed),
            config=config,
        )
        self.dispatcher = Dispatcher(self.ctx)
        if self.ctx.store.is_empty and self.seed is not None:
            seeding.load(self.ctx, self.seed)

    @staticmethod
    def _startup_seed(config: Config) -> dict[str, Any] | None:
        if config.empty:
            return None
        if config.seed_file is not None:
            return load_seed_file(config.seed_file)
        return bundled_demo()

    def reset(self, *, empty: bool = False, shop_id: str | None = None) -> None:
        if shop_id is not None:
            seeding.reset_shop(self.ctx, shop_id, self.seed)
            return
        self.ctx.randomness = Randomness(self.config.random_seed)
        with self.ctx.store.batch():
            self.ctx.store.clear()
            if not empty and self.seed is not None:
                seeding.load(self.ctx, self.seed)

    def close(self) -> None:
        self.ctx.store.close()
