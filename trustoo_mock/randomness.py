"""The one seeded random source: ids, tokens and request ids all come from here."""

from __future__ import annotations

import base64
import random


class Randomness:
    def __init__(self, seed: int) -> None:
        self._random = random.Random(seed)

    def token(self) -> str:
        """24-char base64 of 16 random bytes, the shape of Trustoo's tokens and codes."""
        return base64.b64encode(self._random.randbytes(16)).decode("ascii")

    def hex32(self) -> str:
        """32 lowercase hex characters, the shape of Trustoo's request_id."""
        return f"{self._random.getrandbits(128):032x}"

    def digits(self, length: int) -> str:
        """A decimal id of exactly ``length`` digits, never starting with 0."""
        low = 10 ** (length - 1)
        return str(self._random.randrange(low, low * 10))
