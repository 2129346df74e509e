"""The fake's one random source (DESIGN rule 4): ids, request ids, tokens, secrets, keys.

Two streams, so what a caller sees never tells what it will be given next:

- the id stream (shop ids, request ids, object names) is a Mersenne Twister seeded with the
  run's seed, so the seed printed at start-up repeats them;
- the secret stream (tokens, client secrets, codes) is a second Twister seeded from the seed
  with ``--random-seed`` (repeatable runs), and the operating system's secure source
  (``secrets``) without it, so no response predicts a credential;
- the chance stream (whether a fault with a ``probability`` fires, X86) is a third Twister
  seeded from the seed, so a run with the same seed fails at the same requests, and adding
  such a fault changes no id the run hands out.

A restart with ``--data`` is a new *generation*: the streams are seeded from (seed,
generation), so nothing drawn before the restart is drawn again (X48).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import random
import secrets
from typing import Any

SEED_BITS = 32
TOKEN_BYTES = 16
INSTANCE_SECRET_BYTES = 32


def os_seed() -> int:
    """A fresh seed from the operating system, short enough to print and type again."""
    return secrets.randbits(SEED_BITS)


def seeded_instance_secret(seed: int) -> bytes:
    """The instance secret of a run with ``--random-seed``: repeatable, so as public as the
    seed itself."""
    return hashlib.sha256(f"trustoo-mock instance secret, seed {seed}".encode()).digest()


def secure_token() -> str:
    """A token in Trustoo's shape (24-char base64 of 16 bytes) from the operating system's
    secure source."""
    return base64.b64encode(secrets.token_bytes(TOKEN_BYTES)).decode("ascii")


def fresh_instance_secret() -> bytes:
    return secrets.token_bytes(INSTANCE_SECRET_BYTES)


class Randomness:
    """``secure`` draws the secret stream from the operating system; ``instance_secret``
    keys every signing key of this instance (see ``signing_key``)."""

    def __init__(
        self, seed: int, generation: int = 0, *, secure: bool = False, instance_secret: bytes
    ) -> None:
        self.seed = seed
        self.generation = generation
        self.secure = secure
        self._instance_secret = instance_secret
        self._ids = random.Random(seed if generation == 0 else f"{seed}/{generation}")
        self._secrets = None if secure else random.Random(f"{seed}/{generation}/secrets")
        self._chances = random.Random(f"{seed}/{generation}/chances")
        self.draws = 0

    # -- the id stream ---------------------------------------------------------------------

    def hex32(self) -> str:
        """32 lowercase hex characters, the shape of Trustoo's request_id."""
        self.draws += 1
        return f"{self._ids.getrandbits(128):032x}"

    def digits(self, length: int) -> str:
        """A decimal id of exactly ``length`` digits, never starting with 0."""
        self.draws += 1
        low = 10 ** (length - 1)
        return str(self._ids.randrange(low, low * 10))

    # -- the chance stream -----------------------------------------------------------------

    def chance(self) -> float:
        """A number in [0, 1): a fault with probability p fires when it is below p."""
        return self._chances.random()

    # -- the secret stream -----------------------------------------------------------------

    def token(self) -> str:
        """24-char base64 of 16 random bytes, the shape of Trustoo's tokens and codes."""
        self.draws += 1
        if self._secrets is None:
            return secure_token()
        return base64.b64encode(self._secrets.randbytes(TOKEN_BYTES)).decode("ascii")

    def signing_key(self, purpose: str) -> bytes:
        """This instance's key for ``purpose`` (merchant sessions, upload policies): derived
        from the instance secret, which is kept with ``--data``."""
        return hmac.new(self._instance_secret, purpose.encode("utf-8"), hashlib.sha256).digest()

    # -- snapshots -------------------------------------------------------------------------

    def streams(self) -> tuple[Any, Any, Any]:
        """Where the three streams stand (ids, secrets: None when drawn from the operating
        system, chances), for snapshots and the seed cache."""
        secret_stream = None if self._secrets is None else self._secrets.getstate()
        return self._ids.getstate(), secret_stream, self._chances.getstate()

    def resume(self, streams: tuple[Any, Any, Any]) -> None:
        ids, secret_stream, chances = streams
        self._ids.setstate(ids)
        if self._secrets is not None and secret_stream is not None:
            self._secrets.setstate(secret_stream)
        self._chances.setstate(chances)
