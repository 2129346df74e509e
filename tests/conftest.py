from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.helpers import FROZEN_AT, CheckedClient
from trustoo_mock import Config, create_app


@pytest.fixture
def client() -> Iterator[CheckedClient]:
    """A fresh fake with the demo data and a frozen clock."""
    app = create_app(Config(frozen_time=FROZEN_AT))
    yield CheckedClient(app)


@pytest.fixture
def empty_client() -> Iterator[CheckedClient]:
    app = create_app(Config(frozen_time=FROZEN_AT, empty=True))
    yield CheckedClient(app)
