"""The inspector's markup: whole pages as text, every value escaped, no external asset.

One stylesheet and one small script, both inline and allowed by hash in the pages'
Content-Security-Policy (nothing else may load, and nothing leaves the machine). Forms post
to the fake itself and work without the script; the script only copies tokens and keeps the
request journal up to date.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from html import escape
from typing import Any
from urllib.parse import urlencode

from starlette.responses import HTMLResponse

from trustoo_mock.core.clock import rfc3339
from trustoo_mock.core.errors import FAULT_MESSAGES
from trustoo_mock.core.principal import SHOP_PLATFORM_ID
from trustoo_mock.domain.push_faults import KINDS as PUSH_FAULT_KINDS


@dataclass(frozen=True, slots=True)
class Page:
    """An entry of the navigation: a new page is one more entry in PAGES (with its operation
    in openapi.yaml and its handler in ``ui.HANDLERS``)."""

    path: str
    title: str


PAGES = (
    Page("/_mock/ui", "Home"),
    Page("/_mock/ui/requests", "Requests"),
    Page("/_mock/ui/webhooks", "Webhooks"),
    Page("/_mock/ui/reviews", "Reviews"),
    Page("/_mock/ui/faults", "Faults"),
    Page("/_mock/ui/snapshots", "Snapshots"),
)
HOME, REQUESTS, WEBHOOKS, REVIEWS, FAULTS, SNAPSHOTS = (page.path for page in PAGES)

STYLE = """
*{box-sizing:border-box}
body{font:16px/1.5 system-ui,sans-serif;background:#f4f5f7;color:#1d2433;margin:0}
a{color:#0b57d0}a:hover{color:#083a8c}
:focus-visible{outline:3px solid #b45309;outline-offset:2px}
.skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:1rem;background:#fff;padding:.5rem}
header{background:#1d2433;color:#fff;padding:.5rem 1rem;display:flex;flex-wrap:wrap;
align-items:center;gap:.5rem 2rem}
header .brand{font-weight:700;margin:0}
header ul{list-style:none;display:flex;flex-wrap:wrap;gap:.25rem 1rem;margin:0;padding:0}
header a{color:#fff;text-decoration:none;padding:.25rem 0;border-bottom:3px solid transparent}
header a[aria-current=page]{border-bottom-color:#f5b942}
main{max-width:80rem;margin:0 auto;padding:1rem}
h1{font-size:1.5rem;margin:.5rem 0 1rem}h2{font-size:1.2rem;margin:1.5rem 0 .5rem}
h3{font-size:1rem;margin:1rem 0 .25rem}
section,article{background:#fff;border-radius:8px;padding:1rem;margin:0 0 1rem;
box-shadow:0 1px 4px rgba(0,0,0,.08)}
.scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid #d8dce5;vertical-align:top}
code,pre{font:14px/1.4 ui-monospace,monospace;background:#eef1f6;border-radius:4px}
code{padding:0 .2rem;word-break:break-all}
pre{padding:.5rem;white-space:pre-wrap;word-break:break-all;margin:.25rem 0}
label{font-weight:600;display:block;margin:.25rem 0}
input,select,textarea,button{font:inherit}
input,select,textarea{padding:.35rem;border:1px solid #6b7280;border-radius:4px;max-width:100%}
textarea{width:100%}
button{padding:.35rem .8rem;border-radius:6px;border:1px solid #1d2433;background:#fff;
color:#1d2433;cursor:pointer}
button.primary{background:#0b57d0;border-color:#0b57d0;color:#fff}
button.danger{border-color:#b42318;color:#b42318}
.filters,.actions{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:flex-end}
.filters>div{min-width:9rem}.filters>.wide{flex-basis:100%}
.notice{background:#e7f5ec;border-left:4px solid #1a7f37;padding:.5rem 1rem}
.error{background:#fdecea;border-left:4px solid #b42318;padding:.5rem 1rem}
.muted{color:#4b5563}
.badge{display:inline-block;padding:0 .4rem;border-radius:4px;background:#e5e7eb;
font-size:.85rem}
.badge.bad{background:#fde2e0;color:#8a1c13}.badge.good{background:#dcf2e3;color:#145c2b}
details{border-top:1px solid #d8dce5;padding:.35rem 0}
summary{cursor:pointer;display:flex;flex-wrap:wrap;gap:.25rem .75rem;align-items:baseline}
.journal,.deliveries{list-style:none;margin:0;padding:0}
.compare{display:grid;grid-template-columns:1fr 1fr;gap:1rem}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.1rem .75rem;margin:.25rem 0}
dt{font-weight:600}dd{margin:0;word-break:break-all}
.stars{color:#92400e;letter-spacing:.1em}
.pager{display:flex;gap:1rem;align-items:center;flex-wrap:wrap}
@media (max-width:700px){.compare{grid-template-columns:1fr}main{padding:.5rem}
dl{grid-template-columns:1fr}}
"""

SCRIPT = """
document.addEventListener('click', (event) => {
  const button = event.target.closest('button[data-copy]');
  if (!button) return;
  navigator.clipboard.writeText(button.dataset.copy).then(
    () => { button.textContent = 'Copied'; },
    () => { button.textContent = 'Select the text to copy it'; });
});
let live = document.querySelector('[data-live]');
async function refresh() {
  const answer = await fetch(location.href, {credentials: 'same-origin'});
  if (!answer.ok) return;
  const page = new DOMParser().parseFromString(await answer.text(), 'text/html');
  const fresh = page.querySelector('[data-live]');
  if (!fresh || fresh.dataset.live === live.dataset.live) return;
  const open = new Set([...live.querySelectorAll('details[open]')].map((item) => item.id));
  fresh.querySelectorAll('details').forEach((item) => { item.open = open.has(item.id); });
  live.replaceWith(fresh);
  live = fresh;
}
if (live) setInterval(() => { refresh().catch(() => {}); }, 1500);
async function loadDetail(item) {
  item.dataset.loaded = 'yes';
  const answer = await fetch(item.dataset.detail, {credentials: 'same-origin'});
  if (!answer.ok) return;
  const page = new DOMParser().parseFromString(await answer.text(), 'text/html');
  const detail = page.getElementById('detail');
  if (detail) item.querySelector('.detail').replaceChildren(...detail.childNodes);
}
document.addEventListener('toggle', (event) => {
  const item = event.target;
  if (item.open && item.dataset.detail && !item.dataset.loaded) loadDetail(item).catch(() => {});
}, true);
"""


def _digest(text: str) -> str:
    return base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    # Not no-referrer: a browser then sends "Origin: null" with a form, which X100 refuses.
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}
PAGE_HEADERS = {
    **HEADERS,
    "Content-Security-Policy": (
        f"default-src 'none'; style-src 'sha256-{_digest(STYLE)}'; "
        f"script-src 'sha256-{_digest(SCRIPT)}'; connect-src 'self'; img-src data:; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
}


def page_response(html: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(html, status_code=status, headers=PAGE_HEADERS)


def _layout(title: str, current: str, body: str, query: Mapping[str, Any] | None = None) -> str:
    links = "".join(
        f'<li><a href="{page.path}"{" aria-current=page" if page.path == current else ""}>'
        f"{escape(page.title)}</a></li>"
        for page in PAGES
    )
    done = (query or {}).get("done")
    notice = f"<p class=notice role=status id=notice>{escape(done)}</p>" if done else ""
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        '<meta name=viewport content="width=device-width,initial-scale=1">'
        '<link rel=icon href="data:,">'
        f"<title>{escape(title)} - trustoo-mock inspector</title><style>{STYLE}</style></head>"
        '<body><a class=skip href="#main">Skip to content</a>'
        "<header><p class=brand>trustoo-mock inspector</p>"
        f'<nav aria-label="Inspector pages"><ul>{links}</ul></nav></header>'
        f"<main id=main><h1>{escape(title)}</h1>{notice}{body}</main>"
        f"<script>{SCRIPT}</script></body></html>"
    )


def _back(path: str) -> str:
    return f'<input type=hidden name=back value="{escape(path)}">'


def _table(caption: str, head: Iterable[str], rows: Iterable[Iterable[str]]) -> str:
    """A table that scrolls sideways on a narrow screen (focusable, so keys scroll it too);
    cells are markup already escaped."""
    header = "".join(f"<th scope=col>{escape(name)}</th>" for name in head)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    return (
        f'<div class=scroll role=region aria-label="{escape(caption)}" tabindex=0>'
        f"<table><caption class=muted>{escape(caption)}</caption><thead><tr>{header}</tr>"
        f"</thead><tbody>{body}</tbody></table></div>"
    )


def _code(value: Any) -> str:
    return f"<code>{escape(str(value))}</code>"


def _copy(value: str, what: str) -> str:
    return (
        f'<button type=button data-copy="{escape(value)}" aria-label="Copy {escape(what)}">'
        "Copy</button>"
    )


def _select(name: str, label: str, options: Iterable[tuple[str, str]], chosen: Any) -> str:
    items = "".join(
        f'<option value="{escape(value)}"{" selected" if value == str(chosen or "") else ""}>'
        f"{escape(text)}</option>"
        for value, text in options
    )
    return (
        f"<div><label for=f-{name}>{escape(label)}</label>"
        f"<select id=f-{name} name={name}>{items}</select></div>"
    )


def _any(values: Iterable[str]) -> list[tuple[str, str]]:
    """A filter's options: "any" (sent blank, so not given), then each value."""
    return [("", "any"), *((value, value) for value in values)]


def _filter_form(
    action: str,
    label: str,
    query: Mapping[str, Any],
    *selects: tuple[str, str, list[tuple[str, str]]],
) -> str:
    chosen = "".join(
        _select(name, text, options, query.get(name)) for name, text, options in selects
    )
    return (
        f'<form method=get action="{action}" class=filters aria-label="{escape(label)}">'
        f"{chosen}<button type=submit class=primary>Filter</button></form>"
    )


def _pretty(text: str) -> str:
    """JSON indented for reading; any other text as it is."""
    try:
        return json.dumps(json.loads(text), indent=2, ensure_ascii=False)
    except ValueError:
        return text


# -- home ------------------------------------------------------------------------------------


def _shop_rows(shops: list[dict[str, Any]]) -> Iterable[list[str]]:
    for shop in shops:
        shop_id = shop["shop_id"]
        secret = (
            f"<details id=private-{escape(shop_id)}><summary>Reveal</summary>"
            f"{_code(shop['private_token'])} {_copy(shop['private_token'], 'private token')}"
            "</details>"
        )
        yield [
            _code(shop_id),
            escape(shop["myshopify_domain"]),
            f"{_code(shop['public_token'])} {_copy(shop['public_token'], 'public token')}",
            secret,
            f'<a href="{REVIEWS}?{urlencode({"shop_id": shop_id})}">{shop["review_count"]}</a>',
        ]


def _clock_section(clock: Mapping[str, Any]) -> str:
    state = "frozen" if clock["frozen"] else "running"
    steps = (("60", "+1 min"), ("900", "+15 min"), ("3600", "+1 h"), ("86400", "+1 day"))
    advance = "".join(
        f"<button type=submit name=advance value={seconds}>{label}</button>"
        for seconds, label in steps
    )
    freeze = (
        "<button type=submit name=freeze value=false>Unfreeze</button>"
        if clock["frozen"]
        else "<button type=submit name=freeze value=true>Freeze</button>"
    )
    return (
        "<section aria-labelledby=clock-h><h2 id=clock-h>Clock</h2>"
        f"<p>Now <time id=clock-now datetime={clock['iso']}>{clock['iso']}</time> "
        f"<span class=badge id=clock-state>{state}</span></p>"
        f'<form method=post action="/_mock/ui/clock" class=actions>{_back(HOME)}'
        f'<div role=group aria-label="Move the clock" class=actions>{advance}{freeze}</div></form>'
        f'<form method=post action="/_mock/ui/clock" class=actions>{_back(HOME)}'
        "<div><label for=clock-set>Set to (RFC 3339 or Unix seconds)</label>"
        f'<input id=clock-set name=set required placeholder="{clock["iso"]}"></div>'
        "<button type=submit>Set</button></form>"
        "<p class=muted>Webhook attempts that fall due on the way are made at their own "
        "time.</p></section>"
    )


def home(
    shops: list[dict[str, Any]],
    platforms: list[dict[str, Any]],
    grants: list[dict[str, Any]],
    clock: Mapping[str, Any],
    query: Mapping[str, Any],
) -> str:
    client_ids = {platform["platform_id"]: platform["client_id"] for platform in platforms}
    platform_rows = (
        [
            _code(platform["client_id"]),
            escape(platform["name"]),
            escape(", ".join(platform["scopes"])),
            escape(platform.get("webhook_url") or "-"),
        ]
        for platform in platforms
    )
    grant_rows = (
        [
            _code(grant["shop_id"]),
            _code(client_ids.get(grant["platform_id"], grant["platform_id"])),
            escape(", ".join(grant["scopes"])),
            escape(rfc3339(grant["access_expires_at"])),
            escape(rfc3339(grant["refresh_expires_at"])),
            "revoked" if grant["revoked"] else "active",
        ]
        for grant in grants
    )
    links = "".join(f'<li><a href="{page.path}">{escape(page.title)}</a></li>' for page in PAGES)
    body = (
        "<section aria-labelledby=shops-h><h2 id=shops-h>Shops</h2>"
        + _table(
            "Shops and their credentials",
            ("Shop id", "Domain", "Public token", "Private token", "Reviews"),
            _shop_rows(shops),
        )
        + "</section><section aria-labelledby=platforms-h><h2 id=platforms-h>Platforms</h2>"
        + _table(
            "Platforms (OAuth clients)",
            ("Client id", "Name", "Scopes it may ask for", "System webhook URL"),
            platform_rows,
        )
        + "<h3>Grants</h3>"
        + _table(
            "Grants: a platform's access to a shop",
            ("Shop", "Platform", "Scopes", "Access token expires", "Refresh token expires", ""),
            grant_rows,
        )
        + "</section>"
        + _clock_section(clock)
        + f"<nav aria-label=Pages><h2>Pages</h2><ul>{links}</ul></nav>"
    )
    return _layout("trustoo-mock", HOME, body, query)


# -- requests --------------------------------------------------------------------------------


def _outcome_badge(entry: Mapping[str, Any]) -> str:
    refused = entry["status"] >= 400 or entry["code"] not in (None, 0)
    code = "" if entry["code"] is None else f" code {entry['code']}"
    kind = "bad" if refused else "good"
    return f"<span class='badge {kind}'>HTTP {entry['status']}{code}</span>"


def _signature_check(entry: Mapping[str, Any], exchange: Mapping[str, Any]) -> str:
    """The string-to-sign the fake expected beside what was sent, and the code-16 words."""
    sent = (
        f"<dt>Timestamp</dt><dd>{_code(exchange['timestamp'] or '(none)')}</dd>"
        f"<dt>Query as sent</dt><dd>{_code(exchange['query'] or '(none)')}</dd>"
        f"<dt>Body</dt><dd>{_code(exchange['body'] or '(empty)')}</dd>"
        f"<dt>Sign</dt><dd>{_code(exchange['headers'].get('sign', ''))} (never shown)</dd>"
    )
    seq = entry["seq"]
    return (
        f"<div class=signature><h3>Signature refused</h3><div class=compare>"
        f"<div><h4>The fake expected this string-to-sign</h4>"
        f"<pre id=expected-{seq}>{escape(exchange['expected_string_to_sign'])}</pre>"
        "<p class=muted>Sign = lowercase hex HMAC-SHA256 of it, keyed with the shop's private "
        "token.</p></div>"
        f"<div><h4>The request sent</h4><dl>{sent}</dl></div></div>"
        f"<p class=error><strong>How to fix it:</strong> "
        f"<span id=fix-{seq}>{escape(entry['auth_explanation'] or '')}</span></p></div>"
    )


def _request_summary(entry: Mapping[str, Any], exchange: Mapping[str, Any] | None) -> str:
    """How the request authenticated and what it caused: for a refused signature, the
    string-to-sign comparison."""
    parts = []
    if exchange is not None and exchange["expected_string_to_sign"] is not None:
        parts.append(_signature_check(entry, exchange))
    elif entry["auth_explanation"]:
        parts.append(
            f"<p>Authentication {escape(entry['auth'])}: {escape(entry['auth_explanation'])}</p>"
        )
    parts += [f"<p class=muted>{escape(note)}</p>" for note in entry.get("notes") or ()]
    return "".join(parts)


def _exchange_detail(exchange: Mapping[str, Any] | None) -> str:
    if exchange is None:
        return "<p class=muted>No longer kept.</p>"
    headers = "".join(
        f"<dt>{escape(name)}</dt><dd>{escape(value)}</dd>"
        for name, value in exchange["headers"].items()
    )
    return (
        f"<h3>Headers</h3><dl>{headers}</dl>"
        f"<h3>Query</h3><pre>{escape(exchange['query'] or '(none)')}</pre>"
        f"<h3>Body</h3><pre>{escape(_pretty(exchange['body']) or '(empty)')}</pre>"
        f"<h3>Answer</h3><pre>{escape(_pretty(exchange['answer']) or '(empty)')}</pre>"
    )


def _request_line(entry: Mapping[str, Any], shop: str | None) -> str:
    query = f"?{entry['query']}" if entry["query"] else ""
    operation = entry["operation_id"] or "no operation"
    return (
        f"<span class=muted>#{entry['seq']}</span>"
        f"<time datetime={rfc3339(entry['time'])}>{rfc3339(entry['time'])}</time>"
        f"<strong>{escape(entry['method'])} {escape(entry['path'])}{escape(query)}</strong>"
        f"{_outcome_badge(entry)}<span>{escape(operation)}</span>"
        f"<span class=muted>auth {escape(entry['auth'])}"
        f"{'' if shop is None else ', shop ' + escape(shop)}</span>"
    )


def _request_item(
    entry: Mapping[str, Any], shop: str | None, exchange: Mapping[str, Any] | None
) -> str:
    """A row of the journal; its headers, body and answer load when it opens (the script),
    or on their own page (the link)."""
    seq = entry["seq"]
    detail = f"{REQUESTS}/{seq}"
    return (
        f'<li><details id=request-{seq} data-detail="{detail}">'
        f"<summary>{_request_line(entry, shop)}</summary>{_request_summary(entry, exchange)}"
        f'<div class=detail><p><a href="{detail}">Headers, query, body and answer of '
        f"#{seq}</a></p></div></details></li>"
    )


def request(entry: Mapping[str, Any], shop: str | None, exchange: Mapping[str, Any] | None) -> str:
    body = (
        f"<section><p class=summary>{_request_line(entry, shop)}</p>"
        f"{_request_summary(entry, exchange)}<div id=detail>{_exchange_detail(exchange)}</div>"
        f'</section><p><a href="{REQUESTS}">Back to the journal</a></p>'
    )
    return _layout(f"Request #{entry['seq']}", REQUESTS, body)


def requests(
    shown: list[tuple[dict[str, Any], str | None, dict[str, Any] | None]],
    newest: int,
    shops: list[str],
    operations: list[str],
    query: Mapping[str, Any],
) -> str:
    filters = _filter_form(
        REQUESTS,
        "Filter the journal",
        query,
        ("shop_id", "Shop", _any(shops)),
        ("operation", "Operation", _any(operations)),
        ("status", "Outcome", [("", "any"), ("ok", "answered (code 0)"), ("refused", "refused")]),
    )
    items = "".join(_request_item(*row) for row in shown)
    empty = "" if shown else "<p id=no-requests>No request yet: call the API and it shows here.</p>"
    live = escape(f"{newest}:{len(shown)}")
    body = (
        f"<section aria-labelledby=journal-h><h2 id=journal-h>Journal</h2>{filters}"
        "<p class=muted>Newest first, updated live; open a request for its headers (secrets "
        "cut out), query, body and answer.</p>"
        f'<div data-live="{live}" aria-live=polite>{empty}<ol class=journal id=journal '
        f"reversed>{items}</ol></div></section>"
    )
    return _layout("Requests", REQUESTS, body, query)


# -- webhooks --------------------------------------------------------------------------------


def _owner(platform_id: int, platforms: Mapping[int, str]) -> str:
    if platform_id == SHOP_PLATFORM_ID:
        return "the shop itself"
    return f"platform {platforms.get(platform_id, platform_id)}"


def _attempt_rows(attempts: list[dict[str, Any]]) -> Iterable[list[str]]:
    for attempt in attempts:
        outcome = attempt["error"] or attempt["response_excerpt"]
        fault = attempt.get("push_fault") or {}
        yield [
            str(attempt["number"]),
            escape(attempt["at"]),
            escape(str(attempt["status_code"] or "-")),
            f"{attempt['latency_ms']} ms",
            f"<code>{escape(outcome)}</code>",
            escape(", ".join(f"{name} {value}" for name, value in fault.items()) or "-"),
        ]


def _delivery_item(item: Mapping[str, Any], platforms: Mapping[int, str], back: str) -> str:
    delivery_id = item["id"]
    status = item["status"]
    badge = {"delivered": "good", "failed": "bad"}.get(status, "")
    next_attempt = (
        f"<p>Next attempt at <time>{escape(item['next_attempt_at'])}</time> (fake time)</p>"
        if item["next_attempt_at"]
        else ""
    )
    headers = "".join(
        f"<dt>{escape(name)}</dt><dd>{escape(value)}</dd>"
        for name, value in item["headers"].items()
    )
    attempts = _table(
        f"Attempts of delivery {delivery_id}",
        ("#", "At (fake time)", "Status", "Latency", "Answer or error", "Push fault"),
        _attempt_rows(item["attempts"]),
    )
    # Compact: indenting would take the pure-Python encoder, most of the page's time.
    body = json.dumps(item["body"], ensure_ascii=False)
    return (
        f"<li><details id=delivery-{escape(delivery_id)}><summary>"
        f"<span class=muted>#{escape(delivery_id)}</span><strong>{escape(item['topic'])}</strong>"
        f"<span class='badge {badge}' id=delivery-{escape(delivery_id)}-status>{escape(status)}"
        f"</span><span>{len(item['attempts'])} attempt(s)</span>"
        f"<span class=muted>shop {escape(item['shop_id'])}, "
        f"{escape(_owner(item['platform_id'], platforms))} &rarr; {escape(item['url'])}</span>"
        f"</summary>{next_attempt}{attempts}"
        f'<form method=post action="/_mock/ui/deliveries/{escape(delivery_id)}/retry">'
        f"{_back(back)}<button type=submit id=retry-{escape(delivery_id)}>Retry now</button>"
        "<span class=muted> a fresh schedule of ten attempts</span></form>"
        f"<h3>Body</h3><pre>{escape(body)}</pre><h3>Headers</h3><dl>{headers}</dl>"
        "</details></li>"
    )


def webhooks(
    subscriptions: list[dict[str, Any]],
    deliveries: list[dict[str, Any]],
    platforms: Mapping[int, str],
    shops: list[str],
    query: Mapping[str, Any],
) -> str:
    rows = (
        [
            _code(hook["id"]),
            _code(hook["shop_id"]),
            escape(_owner(hook["platform_id"], platforms)),
            escape(hook["topic"]),
            _code(hook["url"]),
        ]
        for hook in subscriptions
    )
    back = f"{WEBHOOKS}?{urlencode(dict(query))}" if query else WEBHOOKS
    statuses = ("pending", "delivered", "failed", "cancelled", "dropped")
    selects = (("shop_id", "Shop", _any(shops)), ("status", "Status", _any(statuses)))
    filters = _filter_form(WEBHOOKS, "Filter deliveries", query, *selects)
    items = "".join(_delivery_item(item, platforms, back) for item in deliveries)
    empty = "" if deliveries else "<p id=no-deliveries>No delivery yet.</p>"
    body = (
        "<section aria-labelledby=subs-h><h2 id=subs-h>Subscriptions</h2>"
        + _table("Webhook subscriptions", ("Id", "Shop", "Owner", "Topic", "URL"), rows)
        + "</section><section aria-labelledby=deliveries-h>"
        "<h2 id=deliveries-h>Deliveries</h2>"
        f"{filters}<p class=muted>Newest first. Retries follow Trustoo's schedule on the "
        "fake's clock: move it on the home page to make the due attempts.</p>"
        f"{empty}<ol class=deliveries id=deliveries>{items}</ol></section>"
    )
    return _layout("Webhooks", WEBHOOKS, body, query)


# -- reviews ---------------------------------------------------------------------------------


def _review_actions(shop_id: str, review: Mapping[str, Any], back: str) -> str:
    review_id = escape(review["id"])
    action = f"/_mock/ui/reviews/{escape(shop_id)}/{review_id}"
    toggles = [
        ("show", "Show") if not review["is_published"] else ("hide", "Hide"),
        ("unfeature", "Unfeature") if review["is_featured"] else ("feature", "Feature"),
    ]
    if review["reply"]:
        toggles.append(("remove_reply", "Remove reply"))
    buttons = "".join(
        f"<button type=submit name=action value={value} id={value}-{review_id}>{label}</button>"
        for value, label in toggles
    )
    return (
        f'<form method=post action="{action}" class=reply>{_back(back)}'
        f"<label for=reply-{review_id}>Reply as the merchant</label>"
        f"<textarea id=reply-{review_id} name=reply rows=2 maxlength=10000></textarea>"
        f"<div class=actions><button type=submit name=action value=reply class=primary "
        f"id=send-reply-{review_id}>Reply</button>{buttons}"
        f"<button type=submit name=action value=delete class=danger id=delete-{review_id}>"
        "Delete</button></div></form>"
    )


def _review_card(shop_id: str, review: Mapping[str, Any], back: str) -> str:
    flags = [
        "published" if review["is_published"] else "hidden",
        *(["featured"] if review["is_featured"] else []),
        *(["verified"] if review["is_verified"] else []),
    ]
    product = review["product_title"] or ("store review" if review["is_store_review"] else "")
    reply = (
        f"<blockquote id=reply-text-{escape(review['id'])}><strong>Merchant reply:</strong> "
        f"{escape(review['reply']['content'])}</blockquote>"
        if review["reply"]
        else ""
    )
    stars = "&#9733;" * review["rating"] + "&#9734;" * (5 - review["rating"])
    return (
        f"<article id=review-{escape(review['id'])} aria-labelledby=review-h-{review['id']}>"
        f"<h3 id=review-h-{escape(review['id'])}>"
        f'<span class=stars aria-label="{review["rating"]} of 5 stars">{stars}</span> '
        f"{escape(review['title'] or '(no title)')}</h3>"
        f"<p class=muted>#{escape(review['id'])} by {escape(review['author'])}, "
        f"{escape(review['created_at'])} {escape(product)} "
        + "".join(f"<span class=badge>{flag}</span> " for flag in flags)
        + f"</p><p>{escape(review['content'])}</p>{reply}"
        f"{_review_actions(shop_id, review, back)}</article>"
    )


def _review_filters(shop: Mapping[str, Any], shops: list[dict[str, Any]], query: Any) -> str:
    shop_options = [(item["shop_id"], item["myshopify_domain"]) for item in shops]
    keyword = escape(str(query.get("keyword") or ""))
    sources = escape(str(query.get("sources") or ""))
    products = escape(str(query.get("product_ids") or ""))
    return (
        f'<form method=get action="{REVIEWS}" class=filters aria-label="Filter reviews">'
        + _select("shop_id", "Shop", shop_options, shop["shop_id"])
        + f"<div><label for=f-keyword>Keyword</label><input id=f-keyword name=keyword "
        f'value="{keyword}" maxlength=200></div>'
        + _select(
            "ratings",
            "Stars",
            [("", "any"), *((str(star), str(star)) for star in range(5, 0, -1)), ("4,5", "4-5")],
            query.get("ratings"),
        )
        + f"<div><label for=f-sources>Sources</label><input id=f-sources name=sources "
        f'value="{sources}" maxlength=1000></div>'
        + f"<div><label for=f-products>Product ids</label><input id=f-products "
        f'name=product_ids value="{products}" inputmode=numeric></div>'
        + _select(
            "is_store_review",
            "Kind",
            [("", "all"), ("1", "store reviews"), ("0", "product reviews")],
            query.get("is_store_review"),
        )
        + _select(
            "sort_by",
            "Order",
            [("created-descending", "newest first"), ("created-ascending", "oldest first")],
            query.get("sort_by"),
        )
        + _select(
            "page_size",
            "Per page",
            [(str(n), str(n)) for n in (10, 20, 50, 100)],
            query.get("page_size", 20),
        )
        + "<button type=submit class=primary>Filter</button></form>"
    )


def _pager(query: Mapping[str, Any], meta: Mapping[str, int]) -> str:
    def link(page: int, text: str, rel: str) -> str:
        target = urlencode({**{k: v for k, v in query.items() if k != "done"}, "page": page})
        return f'<a href="{REVIEWS}?{escape(target)}" rel={rel}>{text}</a>'

    page, total = meta["page"], meta["total_page"]
    previous = link(page - 1, "&larr; Newer page", "prev") if page > 1 else ""
    following = link(page + 1, "Older page &rarr;", "next") if page < total else ""
    return (
        f'<nav class=pager aria-label="Pages of reviews">{previous}'
        f"<span id=page-info>Page {page} of {max(total, 1)} ({meta['count']} reviews)</span>"
        f"{following}</nav>"
    )


def _write_form(shop_id: str, back: str) -> str:
    stars = "".join(f"<option value={star}>{star}</option>" for star in range(5, 0, -1))
    return (
        "<section aria-labelledby=write-h><h2 id=write-h>A shopper writes a review</h2>"
        f'<form method=post action="/_mock/ui/reviews/{escape(shop_id)}" class=filters>'
        f"{_back(back)}"
        f"<div><label for=w-rating>Stars</label><select id=w-rating name=rating>{stars}"
        "</select></div>"
        "<div><label for=w-author>Name</label><input id=w-author name=author required "
        "maxlength=120></div>"
        "<div><label for=w-title>Title</label><input id=w-title name=title maxlength=300></div>"
        "<div><label for=w-product>Product id (empty: a store review)</label>"
        "<input id=w-product name=product_id inputmode=numeric pattern='[0-9]{1,20}'></div>"
        "<div class=wide><label for=w-content>Review</label>"
        "<textarea id=w-content name=content rows=3 maxlength=10000></textarea></div>"
        "<button type=submit class=primary id=write-review>Publish the review</button>"
        "</form><p class=muted>Trustoo fires review/created to the shop's subscriptions."
        "</p></section>"
    )


def reviews(
    shop: Mapping[str, Any],
    shops: list[dict[str, Any]],
    listed: list[dict[str, Any]],
    meta: Mapping[str, int],
    query: Mapping[str, Any],
) -> str:
    shop_id = shop["shop_id"]
    kept = {key: value for key, value in query.items() if key != "done"}
    back = f"{REVIEWS}?{urlencode({**kept, 'shop_id': shop_id})}"
    cards = "".join(_review_card(shop_id, review, back) for review in listed)
    empty = "" if listed else "<p id=no-reviews>No review matches.</p>"
    body = (
        f"<section aria-labelledby=list-h><h2 id=list-h>Reviews of "
        f"{escape(shop['myshopify_domain'])}</h2>{_review_filters(shop, shops, query)}"
        "<p class=muted>The same filters and pages as get_reviews. Merchant actions fire "
        "the webhooks Trustoo fires.</p>"
        f"{_pager(kept, meta)}</section>{empty}{cards}"
        + (_pager(kept, meta) if listed else "")
        + _write_form(shop_id, back)
    )
    return _layout("Reviews", REVIEWS, body, query)


def reviews_without_shops() -> str:
    return _layout("Reviews", REVIEWS, "<p>No shop yet: create one with POST /_mock/shops.</p>")


# -- faults and snapshots --------------------------------------------------------------------


def _error_paragraph(problem: str | None) -> str:
    return f"<p class=error id=error role=alert>{escape(problem)}</p>" if problem else ""


def _remove_button(action: str, field: str, value: str, back: str, label: str) -> str:
    return (
        f'<form method=post action="{action}">{_back(back)}'
        f'<input type=hidden name={field} value="{escape(value)}">'
        f'<button type=submit class=danger id="remove-{escape(field)}-{escape(value)}">{label}'
        "</button></form>"
    )


def _fault_action(fault: Mapping[str, Any]) -> str:
    if "error" in fault:
        error = fault["error"]
        status = f", HTTP {error['http_status']}" if "http_status" in error else ""
        return f"error code {error['code']}{status}"
    if "drop" in fault:
        return "drop the connection"
    if "response" in fault:
        return f"raw HTTP {fault['response']['status']} ({fault['response']['content_type']})"
    if "rate_limit" in fault:
        limit = fault["rate_limit"]
        return f"rate limit: {limit['requests']} per {limit['per_seconds']:g} s per {limit['per']}"
    return "answer normally"


def _fault_rows(listed: list[dict[str, Any]]) -> Iterable[list[str]]:
    for fault in listed:
        fault_id = escape(fault["id"])
        matches = [
            f"{name} {', '.join(value) if isinstance(value, list) else value}"
            for name in ("operation", "shop_id", "client_id", "method")
            if (value := fault.get(name)) is not None
        ]
        state = "retired" if fault["retired"] else "in force"
        yield [
            _code(fault["id"]),
            escape("; ".join(matches) or "every request"),
            escape(_fault_action(fault)),
            escape(f"{fault['delay']:g} s" if "delay" in fault else "-"),
            escape(str(fault.get("times", "every time"))),
            escape(str(fault.get("probability", 1))),
            f"<span id=fault-{fault_id}-fired>{fault['fired']}</span>",
            f"<span class='badge {'' if fault['retired'] else 'bad'}'>{state}</span>",
            _remove_button(f"{FAULTS}/remove", "fault_id", fault["id"], FAULTS, "Remove"),
        ]


def _push_fault_rows(listed: list[dict[str, Any]]) -> Iterable[list[str]]:
    for fault in listed:
        fault_id = escape(fault["id"])
        seconds = fault["seconds"]
        yield [
            _code(fault["id"]),
            escape(fault["kind"]),
            escape(fault["topic"] or "any topic"),
            escape(str(fault["times"] or "every push")),
            escape("-" if seconds is None else f"{seconds:g} s"),
            f"<span id=push-fault-{fault_id}-fired>{fault['fired']}</span>",
            f"<span class=badge>{'active' if fault['active'] else 'used up'}</span>",
            _remove_button(f"{FAULTS}/push/remove", "push_fault_id", fault["id"], FAULTS, "Remove"),
        ]


def _number_input(name: str, label: str, element_id: str | None = None) -> str:
    element = element_id or f"f-{name}"
    return (
        f"<div><label for={element}>{escape(label)}</label>"
        f"<input id={element} name={name} inputmode=decimal size=8></div>"
    )


def _fault_form(operations: list[str], shops: list[str]) -> str:
    actions = [
        ("error", "an error envelope"),
        ("drop", "drop the connection"),
        ("response", "a raw HTTP 502 page"),
        ("rate_limit", "a rate limit"),
        ("delay", "only a delay"),
    ]
    codes = [(str(int(code)), f"{int(code)} {text}") for code, text in FAULT_MESSAGES.items()]
    return (
        "<h3>Add a fault</h3>"
        f'<form method=post action="{FAULTS}" class=filters id=add-fault>{_back(FAULTS)}'
        + _select("operation", "Operation", _any(operations), "")
        + _select("shop_id", "Shop", _any(shops), "")
        + _select("action", "Action", actions, "error")
        + _select("code", "Error code", codes, "13")
        + _number_input("requests", "Rate limit: requests")
        + _number_input("per_seconds", "per seconds")
        + _number_input("delay", "Delay (seconds)")
        + _number_input("times", "Times (empty: every time)")
        + _number_input("probability", "Probability (0-1)")
        + "<button type=submit class=primary id=add-fault-button>Add the fault</button></form>"
        "<p class=muted>The error code goes with an error, requests and seconds with a rate "
        "limit; a delay waits before any action.</p>"
    )


def _push_fault_form() -> str:
    kinds = [(kind, kind.replace("_", " ")) for kind in PUSH_FAULT_KINDS]
    return (
        "<h3>Add a push fault</h3>"
        f'<form method=post action="{FAULTS}/push" class=filters id=add-push-fault>'
        f"{_back(FAULTS)}"
        + _select("kind", "Kind", kinds, "duplicate")
        + "<div><label for=f-topic>Topic (empty: any)</label>"
        "<input id=f-topic name=topic maxlength=100 placeholder=review/created></div>"
        + _number_input("times", "Times (empty: every push)", "f-push-times")
        + _number_input("seconds", "Seconds (a delay only)")
        + "<button type=submit class=primary id=add-push-fault-button>Add the push fault"
        "</button></form>"
    )


def _remove_all(action: str, field: str, what: str) -> str:
    return (
        f'<form method=post action="{action}">{_back(FAULTS)}'
        f"<input type=hidden name={field} value=all>"
        f'<button type=submit class=danger id="remove-all-{escape(field)}">Remove every '
        f"{escape(what)}</button></form>"
    )


def faults(
    listed: list[dict[str, Any]],
    push_listed: list[dict[str, Any]],
    operations: list[str],
    shops: list[str],
    query: Mapping[str, Any],
    problem: str | None,
) -> str:
    body = (
        _error_paragraph(problem)
        + "<section aria-labelledby=faults-h><h2 id=faults-h>Request faults</h2>"
        "<p class=muted>Trustoo failing on demand: the oldest matching fault in force "
        "answers a request; the journal names it.</p>"
        + _table(
            "Request faults, oldest first",
            ("Id", "Matches", "Action", "Delay", "Times", "Probability", "Fired", "", ""),
            _fault_rows(listed),
        )
        + (_remove_all(f"{FAULTS}/remove", "fault_id", "fault") if listed else "")
        + _fault_form(operations, shops)
        + "</section><section aria-labelledby=push-h><h2 id=push-h>Push faults</h2>"
        "<p class=muted>Webhook pushes that misbehave; the webhooks page names the fault "
        "that touched an attempt.</p>"
        + _table(
            "Push faults, oldest first",
            ("Id", "Kind", "Topic", "Times", "Seconds", "Fired", "", ""),
            _push_fault_rows(push_listed),
        )
        + (
            _remove_all(f"{FAULTS}/push/remove", "push_fault_id", "push fault")
            if push_listed
            else ""
        )
        + _push_fault_form()
        + "</section>"
    )
    return _layout("Faults", FAULTS, body, query)


def _snapshot_rows(listed: list[dict[str, Any]]) -> Iterable[list[str]]:
    for snapshot in listed:
        name = escape(snapshot["name"])
        buttons = "".join(
            f"<button type=submit name=action value={action} id={action}-{name}"
            f"{' class=danger' if action == 'delete' else ''}>{label}</button>"
            for action, label in (("restore", "Restore"), ("delete", "Delete"))
        )
        yield [
            f"<code id=snapshot-{name}>{name}</code>",
            escape(snapshot["saved_at"]),
            f'<form method=post action="{SNAPSHOTS}" class=actions>{_back(SNAPSHOTS)}'
            f'<input type=hidden name=name value="{name}">{buttons}</form>',
        ]


def snapshots(
    listed: list[dict[str, Any]], limit: int, query: Mapping[str, Any], problem: str | None
) -> str:
    body = (
        _error_paragraph(problem)
        + "<section aria-labelledby=snapshots-h><h2 id=snapshots-h>Saved</h2>"
        + _table(
            f"Snapshots in the order saved (at most {limit})",
            ("Name", "Saved at (fake time)", ""),
            _snapshot_rows(listed),
        )
        + "<p class=muted>Restoring brings back the whole state: data, faults, the clock, "
        "the random source and the journal; pushes in flight are abandoned.</p></section>"
        "<section aria-labelledby=save-h><h2 id=save-h>Save the state</h2>"
        f'<form method=post action="{SNAPSHOTS}" class=filters>{_back(SNAPSHOTS)}'
        "<div><label for=f-name>Name (a snapshot of the same name is replaced)</label>"
        "<input id=f-name name=name required maxlength=64 placeholder=before-checkout></div>"
        "<button type=submit name=action value=save class=primary id=save-snapshot>Save"
        "</button></form></section>"
    )
    return _layout("Snapshots", SNAPSHOTS, body, query)


# -- sign-in and problems ----------------------------------------------------------------------


def sign_in(back: str, problem: str | None) -> str:
    error = f"<p class=error id=error role=alert>{escape(problem)}</p>" if problem else ""
    body = (
        f"{error}<section><p>This fake was started with <code>--control-token</code>: give it "
        "once, and this browser session keeps it (a session cookie; it never goes in a URL)."
        '</p><form method=post action="/_mock/ui/session">'
        f"{_back(back)}<label for=control_token>Control token</label>"
        "<input id=control_token name=control_token type=password autocomplete=off required> "
        "<button type=submit class=primary id=sign-in>Sign in</button></form></section>"
    )
    return _layout("Sign in", "", body)


def problem(status: int, message: str) -> str:
    body = (
        f"<p class=error id=error role=alert>{escape(message)}</p>"
        f'<p><a href="{HOME}">Back to the inspector</a></p>'
    )
    return _layout(f"Not done ({status})", "", body)
