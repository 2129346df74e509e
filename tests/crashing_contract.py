"""``trustoo-mock contract`` with a failure forced into the runner, for the tests of what a
run leaves behind: ``python -m tests.crashing_contract chain|chain-and-cleanup <options>``.

* ``chain``: the step after a create has been read back (the auth probes of its linked
  writes) raises, as a bug of the runner would;
* ``chain-and-cleanup``: the same, and every delete loses its connection, so nothing can be
  undone.
"""

from __future__ import annotations

import sys
from typing import Any

import requests

from trustoo_mock.cli import main
from trustoo_mock.remote import contract_runner


class ForcedFailure(Exception):
    """Raised where the runner is in the middle of a create's chain."""


def fail_mid_chain(run: contract_runner.Run, link: dict[str, Any], document: Any) -> None:
    raise ForcedFailure("forced in the middle of a create's chain")


def deletes_lose_their_connection() -> None:
    send = contract_runner.PacedSession.send

    def send_but_deletes(
        session: contract_runner.PacedSession, request: requests.PreparedRequest, **kwargs: Any
    ) -> requests.Response:
        if "/delete_" in (request.url or ""):
            raise requests.ConnectionError("forced: the connection dropped", request=request)
        return send(session, request, **kwargs)

    contract_runner.PacedSession.send = send_but_deletes  # type: ignore[method-assign]


if __name__ == "__main__":
    mode, *options = sys.argv[1:]
    contract_runner.Run.probe_linked_write = fail_mid_chain  # type: ignore[method-assign]
    if mode == "chain-and-cleanup":
        deletes_lose_their_connection()
    sys.exit(main(["contract", *options]))
