"""The consent page a merchant sees in a browser, and the page for a refused request.

Self-contained HTML (no external assets); every value is escaped.
"""

from __future__ import annotations

from html import escape
from typing import Any

_STYLE = """
body{font:16px/1.5 system-ui,sans-serif;background:#f4f5f7;color:#1d2433;margin:0}
main{max-width:28rem;margin:3rem auto;background:#fff;border-radius:12px;padding:2rem;
box-shadow:0 2px 12px rgba(0,0,0,.08)}
h1{font-size:1.3rem;margin:0 0 1rem}ul{padding-left:1.2rem}code{background:#eef;padding:0 .2rem}
label{display:block;margin:1rem 0 .3rem;font-weight:600}
select,input{width:100%;padding:.5rem;box-sizing:border-box}
.actions{display:flex;gap:.75rem;margin-top:1.5rem}
button{flex:1;padding:.7rem;border-radius:8px;border:1px solid #c7cbd6;font-size:1rem;
cursor:pointer}
button.approve{background:#1f6feb;color:#fff;border-color:#1f6feb}
.error{color:#b42318}small{color:#5b6475}
"""


def _page(title: str, body: str) -> str:
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        '<meta name=viewport content="width=device-width,initial-scale=1">'
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head>"
        f"<body><main>{body}</main></body></html>"
    )


def _hidden(query: dict[str, Any], scopes: list[str], control_token: str | None) -> str:
    fields = "".join(
        f'<input type=hidden name="{escape(name)}" value="{escape(str(query.get(name) or ""))}">'
        for name in ("client_id", "redirect_uri", "state")
    )
    fields += f'<input type=hidden name=scope value="{escape(",".join(scopes))}">'
    if control_token is not None:
        fields += f'<input type=hidden name=control_token value="{escape(control_token)}">'
    return fields


def consent(
    platform: dict[str, Any],
    shops: list[dict[str, Any]],
    scopes: list[str],
    query: dict[str, Any],
    action: str,
    control_token: str | None = None,
) -> str:
    """The page where the merchant picks a shop and approves or denies; ``control_token``
    (the one the merchant signed in with) goes back with the answer."""
    options = "".join(
        f'<option value="{escape(shop["shop_id"])}">{escape(shop["name"])} '
        f"({escape(shop['myshopify_domain'])})</option>"
        for shop in shops
    )
    items = "".join(f"<li><code>{escape(scope)}</code></li>" for scope in scopes)
    body = (
        f"<h1>{escape(platform['name'])} wants access to your Trustoo reviews</h1>"
        f"<p>It asks for:</p><ul id=scopes>{items}</ul>"
        f'<form method=post action="{escape(action)}">{_hidden(query, scopes, control_token)}'
        f"<label for=shop_id>Store</label><select id=shop_id name=shop_id>{options}</select>"
        "<div class=actions>"
        "<button class=deny type=submit name=decision value=deny id=deny>Deny</button>"
        "<button class=approve type=submit name=decision value=approve id=approve>"
        "Approve</button></div></form>"
        f"<p><small>trustoo-mock consent page &middot; you will be sent to "
        f"{escape(str(query.get('redirect_uri') or ''))}</small></p>"
    )
    return _page("Authorize " + platform["name"], body)


def sign_in(
    platform: dict[str, Any],
    scopes: list[str],
    query: dict[str, Any],
    action: str,
    problem: str | None = None,
) -> str:
    """The consent page's login while the fake has a control token: the merchant's
    password is that token; no shop is listed before it is given."""
    error = f"<p class=error id=error>{escape(problem)}</p>" if problem else ""
    body = (
        f"<h1>Sign in to authorize {escape(platform['name'])}</h1>{error}"
        f'<form method=post action="{escape(action)}">{_hidden(query, scopes, None)}'
        "<label for=control_token>Control token of this fake</label>"
        "<input id=control_token name=control_token type=password autocomplete=off required>"
        "<div class=actions>"
        "<button class=approve type=submit name=decision value=sign_in id=sign_in>"
        "Sign in</button></div></form>"
        "<p><small>trustoo-mock consent page &middot; started with --control-token, so the "
        "merchant signs in with it</small></p>"
    )
    return _page("Sign in", body)


def refused(message: str) -> str:
    body = (
        "<h1>This authorization request cannot be completed</h1>"
        f"<p class=error id=error>{escape(message)}</p>"
        "<p><small>trustoo-mock never redirects a refused request.</small></p>"
    )
    return _page("Authorization refused", body)
