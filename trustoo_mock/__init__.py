"""trustoo-mock: a high-fidelity fake of the Trustoo Open API."""

from trustoo_mock.app import create_app
from trustoo_mock.config import Config
from trustoo_mock.version import __version__

__all__ = ["Config", "__version__", "create_app"]
