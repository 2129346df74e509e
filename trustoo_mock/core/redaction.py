"""Keeping secrets out of what is written down: the contract runner's reports and recordings,
and the fake's request journal."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any
from urllib.parse import parse_qsl, quote, unquote_plus, urlsplit

REDACTED = "[redacted]"
# Header and field names whose values are secrets wherever they appear (compared lowercase).
SECRET_NAMES = frozenset(
    {
        "sign",
        "public-token",
        "authorization",
        "open-trustoo-webhook-sign",
        "public_token",
        "private_token",
        "access_token",
        "refresh_token",
        "client_secret",
        "token",
        "password",
    }
)
# What a request to the fake may carry besides: an OAuth authorization code (oauth/token) and
# an object-store signature (pre-signed URLs). Only for requests: answers have an envelope
# ``code`` that is no secret.
REQUEST_SECRET_NAMES = SECRET_NAMES | {"code", "signature"}

# A ``name=value`` inside a path: after ``/``, ``?``, ``&`` or ``;``, up to the next of them.
_PATH_PARAMETER = re.compile(r"(?<=[/?&;])([^/?&;=]+)=([^/?&;]*)")


class Redactor:
    """Removes known secrets anywhere in a text, and every value of a secret-named header,
    query parameter or JSON field."""

    def __init__(self, secrets: Iterable[str], names: frozenset[str] = SECRET_NAMES) -> None:
        forms = {form for secret in secrets for form in (secret, quote(secret, safe=""))}
        # Longest first, so a secret containing another is replaced whole.
        self._secrets = sorted((form for form in forms if form), key=len, reverse=True)
        self._names = names

    def text(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return text

    def headers(self, headers: Mapping[str, str]) -> dict[str, str]:
        return {
            name: REDACTED if name.lower() in self._names else self.text(value)
            for name, value in headers.items()
        }

    def query(self, query: str) -> str:
        """A raw query string with the value of every secret-named parameter replaced."""
        pairs = []
        for pair in query.split("&"):
            name, equals, _ = pair.partition("=")
            secret = equals and unquote_plus(name).lower() in self._names
            pairs.append(f"{name}={REDACTED}" if secret else pair)
        return self.text("&".join(pairs))

    def path(self, path: str) -> str:
        """A request path (decoded, so it can hold what a client meant as a query, or
        matrix parameters) with the value of every secret-named ``name=value`` in it
        replaced, and the credentials cut."""
        return self.text(_PATH_PARAMETER.sub(self._path_parameter, path))

    def _path_parameter(self, found: re.Match[str]) -> str:
        name = found.group(1)
        return f"{name}={REDACTED}" if unquote_plus(name).lower() in self._names else found[0]

    def url(self, url: str) -> str:
        parts = urlsplit(url)
        if not parts.query:
            return self.text(url)
        return self.text(parts._replace(query=self.query(parts.query)).geturl())

    def body(self, text: str) -> str:
        """A JSON body with secret fields blanked; any other text with the credentials cut."""
        try:
            document = json.loads(text)
        except ValueError:
            return self.text(text)
        redacted = self._document(document)
        if redacted == document:
            return self.text(text)  # the bytes as they came, when no field had to go
        return self.text(json.dumps(redacted, ensure_ascii=False))

    def _document(self, value: Any) -> Any:
        if isinstance(value, dict):
            return {
                key: REDACTED if key.lower() in self._names else self._document(item)
                for key, item in value.items()
            }
        if isinstance(value, list):
            return [self._document(item) for item in value]
        return value


def secret_fields(document: Any, names: frozenset[str] = SECRET_NAMES) -> Iterator[str]:
    """The text values of secret-named fields anywhere in a decoded JSON document."""
    if isinstance(document, dict):
        for key, value in document.items():
            if isinstance(value, str) and key.lower() in names:
                yield value
            else:
                yield from secret_fields(value, names)
    elif isinstance(document, list):
        for item in document:
            yield from secret_fields(item, names)


def secret_values_in_body(body: bytes, names: frozenset[str] = SECRET_NAMES) -> list[str]:
    """The values of secret-named fields of a JSON or form body (empty for anything else)."""
    if not body:
        return []
    text = body.decode("utf-8", "replace")
    try:
        return list(secret_fields(json.loads(text), names))
    except (ValueError, RecursionError):
        pairs = parse_qsl(text, keep_blank_values=True)
        return [value for key, value in pairs if key.lower() in names]
