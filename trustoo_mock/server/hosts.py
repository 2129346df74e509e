"""Which ``Host`` values a fake without a control token answers (DNS rebinding, X61).

A web page can make a browser send requests to the fake through a name the page's author
controls, rebound to this machine's address; the browser then treats the fake as that name's
origin and reads its answers. The request still says the author's name in ``Host``, so a fake
that answers only names of this machine (as development servers do) is out of reach.
"""

from __future__ import annotations

import ipaddress
import secrets
from dataclasses import replace

from trustoo_mock.config import Config

ANY_HOST = "*"


def parse_allowed_hosts(setting: str) -> tuple[str, ...]:
    """``--allowed-hosts``: comma-separated names; ``.example.com`` also allows every name
    under it, ``*`` allows any Host."""
    return tuple(name.strip().lower() for name in setting.split(",") if name.strip())


def host_name(host: str) -> str:
    """The name or address of a ``Host`` value, lowercase, without port or brackets."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1 : host.find("]")] if "]" in host else host[1:]
    if host.count(":") == 1:
        host = host.partition(":")[0]
    return host.rstrip(".")


def _is_loopback(name: str) -> bool:
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def _is_listed(name: str, allowed: tuple[str, ...]) -> bool:
    for entry in allowed:
        if entry in (ANY_HOST, name):
            return True
        if entry.startswith(".") and (name == entry[1:] or name.endswith(entry)):
            return True
    return False


def refusal(host: str) -> str:
    """What a refused caller reads: why, and the two ways to allow the name."""
    shown = host if len(host) <= 200 else host[:200] + "..."
    return (
        f"Host {shown!r} is not allowed: without a control token this fake answers only "
        "names of this machine (localhost, loopback addresses, the address it listens on). "
        "Allow more with --allowed-hosts NAME[,NAME] (a leading dot allows subdomains, * "
        "allows any), or protect the fake with --control-token.\n"
    )


def host_allowed(host: str, server_name: str | None, allowed: tuple[str, ...]) -> bool:
    """Whether to answer a request that names ``host``, having arrived at the address
    ``server_name``. (A request without ``Host`` cannot come from a browser: answered.)"""
    name = host_name(host)
    if _is_loopback(name) or _is_listed(name, allowed):
        return True
    return server_name is not None and name == host_name(server_name)


def is_loopback(host: str) -> bool:
    """Whether serving on ``host`` is reachable from this machine only; a name other than
    localhost may resolve anywhere, so it is not."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def guarded_for(host: str, config: Config) -> tuple[Config, bool]:
    """``config`` for serving on ``host`` (X55): off loopback with no control token given, one
    is made up. Returns the config and whether its token was made up (to be told: the
    caller cannot know it otherwise). ``''`` leaves ``/_mock`` open on purpose."""
    if is_loopback(host) or config.control_token is not None:
        return config, False
    # Not from the fake's seeded random source: a credential guarding a reachable port must
    # not be predictable from the random seed.
    return replace(config, control_token=secrets.token_urlsafe(24)), True
