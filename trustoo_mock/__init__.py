"""trustoo-mock: a high-fidelity fake of the Trustoo Open API.

The public names load on first use, so ``import trustoo_mock`` (which pytest does for the
plugin in every session of a project that installs it) stays cheap.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from trustoo_mock.version import __version__

if TYPE_CHECKING:
    from trustoo_mock.app import create_app
    from trustoo_mock.config import Config
    from trustoo_mock.receiver import WebhookReceiver
    from trustoo_mock.testing import MockTrustoo, MockTrustooError

__all__ = [
    "Config",
    "MockTrustoo",
    "MockTrustooError",
    "WebhookReceiver",
    "__version__",
    "create_app",
]

_HOMES = {
    "Config": "trustoo_mock.config",
    "MockTrustoo": "trustoo_mock.testing",
    "MockTrustooError": "trustoo_mock.testing",
    "WebhookReceiver": "trustoo_mock.receiver",
    "create_app": "trustoo_mock.app",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
