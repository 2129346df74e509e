"""trustoo-mock: a high-fidelity fake of the Trustoo Open API.

The public names load on first use, so ``import trustoo_mock`` (which pytest does for the
plugin in every session of a project that installs it) stays cheap.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from trustoo_mock.version import __version__

if TYPE_CHECKING:
    from trustoo_mock.config import Config
    from trustoo_mock.receiver import Push, WebhookReceiver
    from trustoo_mock.server.app import create_app
    from trustoo_mock.testing import Grant, MockTrustoo, MockTrustooError, Platform, Shop
    from trustoo_mock.verify import WebhookVerificationError, verify_webhook

__all__ = [
    "Config",
    "Grant",
    "MockTrustoo",
    "MockTrustooError",
    "Platform",
    "Push",
    "Shop",
    "WebhookReceiver",
    "WebhookVerificationError",
    "__version__",
    "create_app",
    "verify_webhook",
]

# The signing clients (``trustoo_mock.client``) stay out of the root: they need httpx, an
# optional extra, and ``from trustoo_mock import *`` must work without it.
_HOMES = {
    "Config": "trustoo_mock.config",
    "Grant": "trustoo_mock.testing",
    "MockTrustoo": "trustoo_mock.testing",
    "MockTrustooError": "trustoo_mock.testing",
    "Platform": "trustoo_mock.testing",
    "Push": "trustoo_mock.receiver",
    "Shop": "trustoo_mock.testing",
    "WebhookReceiver": "trustoo_mock.receiver",
    "WebhookVerificationError": "trustoo_mock.verify",
    "create_app": "trustoo_mock.server.app",
    "verify_webhook": "trustoo_mock.verify",
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
