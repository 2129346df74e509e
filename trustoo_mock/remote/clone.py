"""``trustoo-mock clone``: read a shop from any Trustoo with GET requests only and write it as
a fixtures file (the format ``serve --seed-file`` and ``seed --check`` take).

What is read: every page of the reviews, orders, customer events and customer exclusions,
the webhooks and three ratings (the whole shop, the store reviews, all products; they are
checked against the reviews read). Products are the ones reviews name. What no read
operation reveals is listed in the summary, and filled in where the fake needs something
(X106). The requests share the contract command's budget and rate (``pacing``); every page
read is kept in a state file beside the output, so an interrupted clone resumes where it
stopped (X107). The file carries the tokens the clone was given unless ``--new-tokens``;
``--redact`` replaces customers' names, emails and phones with stable fakes (X108).
``--download-media DIR`` also fetches each media URL into DIR (X109).

httpx (the client extra) is imported only when the clone runs, so ``cli`` can build the
command's options without it.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO
from urllib.parse import quote, unquote, urlsplit

from trustoo_mock.core.files import write_atomically
from trustoo_mock.core.principal import KNOWN_SCOPES
from trustoo_mock.core.randomness import secure_token
from trustoo_mock.core.redaction import Redactor
from trustoo_mock.remote.contract import (
    ENV_BEARER,
    ENV_PRIVATE_TOKEN,
    ENV_PUBLIC_TOKEN,
    ContractError,
    Credentials,
    add_credential_arguments,
    credentials_from_arguments,
)
from trustoo_mock.remote.pacing import BudgetExhausted, Pace
from trustoo_mock.spec.openapi import bundled_spec
from trustoo_mock.spec.seed_file import check_document

if TYPE_CHECKING:
    import httpx

EXIT_COMPLETE = 0
EXIT_INCOMPLETE = 1
EXIT_CANNOT_RUN = 2
DEFAULT_MAX_REQUESTS = 500
DEFAULT_RATE = 2.0
PAGE_SIZE = 100
STATE_SUFFIX = ".clone-state"
STATE_VERSION = 1
AUTHENTICATION_FAILED = 16
LIMIT_REACHED = 8
CLONED_CLIENT_ID = "cloned-platform"
STORE_PRODUCT_ID = "0"
FAKE_DOMAIN = "example.com"
ANONYMOUS = "Anonymous"
# The fields of the copy that name a person (review authors, orders' customers, excluded
# customers), and which kind of fake replaces each with --redact (X108).
PERSONAL = {
    "author": "name",
    "author_email": "email",
    "author_phone": "phone",
    "customer_name": "name",
    "customer_email": "email",
    "first_name": "name",
    "last_name": "name",
    "email": "email",
    "phone": "phone",
}

# The field that identifies an item of each paged read.
IDENTITIES = {
    "reviews": "id",
    "exclusions": "customer_id",
    "orders": "order_id",
    "customer events": "id",
}
# What is read, in this order: (name, path, fixed query, paged).
READS: tuple[tuple[str, str, dict[str, str], bool], ...] = (
    ("webhooks", "/api/v1/openapi/get_shop_webhooks", {}, False),
    ("rating of the shop", "/api/v1/openapi/get_rating", {"is_all_rating": "1"}, False),
    ("rating of the store", "/api/v1/openapi/get_rating", {"is_store_rating": "1"}, False),
    (
        "rating of all products",
        "/api/v1/openapi/get_rating",
        {"is_all_products_rating": "1"},
        False,
    ),
    ("reviews", "/api/v1/openapi/get_reviews", {"sort_by": "created-ascending"}, True),
    ("exclusions", "/api/v1/openapi/get_customer_excludes", {}, True),
    ("orders", "/api/v1/openapi/get_orders", {"sort_by": "created-ascending"}, True),
    (
        "customer events",
        "/api/v1/openapi/get_customer_events",
        {"sort_by": "created-ascending"},
        True,
    ),
)
RATING_SELECTORS: dict[str, Callable[[dict[str, Any]], bool]] = {
    "rating of the shop": lambda review: True,
    "rating of the store": lambda review: review["product_id"] == STORE_PRODUCT_ID,
    "rating of all products": lambda review: review["product_id"] != STORE_PRODUCT_ID,
}
# Never readable through the Open API: said in every summary.
NEVER_GIVEN = (
    "email unsubscribes (no read operation)",
    "products without reviews (products are known only through their reviews)",
    "customers' phones and full records, but for excluded customers (orders name only "
    "an email and a name)",
)


class CloneError(Exception):
    """The clone cannot start (bad options) or go on (the credentials are refused)."""


@dataclass(frozen=True)
class Options:
    base_url: str
    output: Path
    credentials: Credentials
    shop_id: str | None = None
    shop_domain: str | None = None
    shop_name: str | None = None
    client_id: str = CLONED_CLIENT_ID
    new_tokens: bool = False
    redact: bool = False
    partial: bool = False
    max_requests: int = DEFAULT_MAX_REQUESTS
    rate: float = DEFAULT_RATE
    timeout: float = 30.0
    download_media: Path | None = None
    media_base_url: str | None = None

    @property
    def state_path(self) -> Path:
        return self.output.with_name(self.output.name + STATE_SUFFIX)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``trustoo-mock clone``."""
    option = parser.add_argument
    option("--base-url", required=True, metavar="URL", help="e.g. https://rapi.trustoo.io")
    option("-o", "--output", required=True, type=Path, metavar="FILE", help="the fixtures file")
    add_credential_arguments(parser)
    option("--client-id", default=CLONED_CLIENT_ID, help="the platform's, with --bearer")
    option("--shop-id", metavar="ID", help="the shop's id (the API does not say it)")
    option("--shop-domain", metavar="NAME", help="its myshopify domain (the API does not say it)")
    option("--shop-name", metavar="TEXT", help="its name (the API does not say it)")
    option(
        "--new-tokens",
        action="store_true",
        help="give the copy new tokens instead of the ones used to read it",
    )
    option(
        "--redact", action="store_true", help="stable fakes for customers' names, emails, phones"
    )
    option("--partial", action="store_true", help="write the file even when something was not read")
    option(
        "--max-requests",
        type=int,
        default=DEFAULT_MAX_REQUESTS,
        metavar="N",
        help=f"budget of this run (default {DEFAULT_MAX_REQUESTS})",
    )
    option(
        "--rate",
        type=float,
        default=DEFAULT_RATE,
        metavar="N",
        help=f"requests per second (default {DEFAULT_RATE:g})",
    )
    option("--timeout", type=float, default=30.0, metavar="SECONDS", help="per request")
    option(
        "--download-media",
        type=Path,
        metavar="DIR",
        help="also fetch every media URL into DIR (serve --media-dir DIR serves them)",
    )
    option(
        "--media-base-url",
        metavar="URL",
        help="with --download-media: point the copy's media at URL/<path in DIR>, e.g. "
        "http://127.0.0.1:8787/_storage (default: the URLs stay as they are)",
    )


def options_from_arguments(
    arguments: argparse.Namespace, environ: Mapping[str, str] = os.environ
) -> Options:
    """Flags win over environment variables; the HMAC pair, or a bearer, is needed."""
    try:
        credentials = credentials_from_arguments(arguments, environ)
    except ContractError as error:
        raise CloneError(str(error)) from None
    if not credentials.hmac and not credentials.bearer:
        raise CloneError(
            f"give the shop's tokens (${ENV_PUBLIC_TOKEN} and ${ENV_PRIVATE_TOKEN}) "
            f"or a platform's --bearer (${ENV_BEARER})"
        )
    if urlsplit(arguments.base_url).scheme not in ("http", "https"):
        raise CloneError(f"--base-url must be an http(s) URL, got {arguments.base_url!r}")
    if arguments.media_base_url and not arguments.download_media:
        raise CloneError("--media-base-url needs --download-media DIR")
    if arguments.max_requests < 1 or arguments.rate <= 0:
        raise CloneError("--max-requests must be at least 1, --rate above 0")
    return Options(
        base_url=arguments.base_url.rstrip("/"),
        output=arguments.output,
        credentials=credentials,
        shop_id=arguments.shop_id,
        shop_domain=arguments.shop_domain,
        shop_name=arguments.shop_name,
        client_id=arguments.client_id,
        new_tokens=arguments.new_tokens,
        redact=arguments.redact,
        partial=arguments.partial,
        max_requests=arguments.max_requests,
        rate=arguments.rate,
        timeout=arguments.timeout,
        download_media=arguments.download_media,
        media_base_url=arguments.media_base_url,
    )


# --- what was read, kept between runs ----------------------------------------------------------


@dataclass
class Read:
    """One read: its items so far, the pages read and how many there are, or a refusal."""

    items: list[Any] = field(default_factory=list)
    pages_read: int = 0
    total_page: int | None = None
    refused: str | None = None

    @property
    def done(self) -> bool:
        return self.refused is not None or (
            self.total_page is not None and self.pages_read >= self.total_page
        )


@dataclass
class State:
    """Everything read so far; saved after each answer (X107)."""

    source: str
    reads: dict[str, Read] = field(default_factory=dict)
    media: dict[str, str] = field(default_factory=dict)
    requests: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "version": STATE_VERSION,
            "source": self.source,
            "requests": self.requests,
            "reads": {name: vars(read) for name, read in self.reads.items()},
            "media": self.media,
        }

    @classmethod
    def load(cls, path: Path, source: str) -> State | None:
        """The saved state of a clone of the same source, or None (none, or another's)."""
        try:
            saved = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError):
            return None
        if saved.get("version") != STATE_VERSION or saved.get("source") != source:
            return None
        # A refusal is tried again: it may have been passing (code 13, a proxy's error page).
        return cls(
            source,
            {name: Read(**{**read, "refused": None}) for name, read in saved["reads"].items()},
            dict(saved.get("media", {})),
            int(saved["requests"]),
        )

    def save(self, path: Path) -> None:
        write_atomically(path, json.dumps(self.to_json(), ensure_ascii=False).encode("utf-8"))


def source_of(options: Options) -> str:
    """What a saved state belongs to: the API and who reads it (a digest: no secret)."""
    who = options.credentials.public_token or options.credentials.bearer or ""
    digest = hashlib.sha256(who.encode("utf-8")).hexdigest()[:16]
    return f"{options.base_url} {digest}"


# --- the requests --------------------------------------------------------------------------


class Refused(Exception):
    def __init__(self, code: int | None, message: str) -> None:
        super().__init__(message)
        self.code = code


class Halted(Exception):
    """The API asks the clone to stop for now (its limit is reached)."""


class Reader:
    """GET requests within the budget and the rate; each answer's envelope is opened."""

    def __init__(self, client: httpx.Client, pace: Pace, state: State) -> None:
        self.client = client
        self.pace = pace
        self.state = state

    def _get(self, url: str, **options: Any) -> httpx.Response:
        self.pace.take()
        self.state.requests += 1
        return self.client.get(url, **options)

    def data(self, path: str, params: Mapping[str, str]) -> Any:
        response = self._get(path, params=dict(params))
        try:
            answer = response.json()
        except ValueError:
            raise Refused(None, f"HTTP {response.status_code}, not Trustoo's envelope") from None
        if not isinstance(answer, dict) or not isinstance(answer.get("code"), int):
            raise Refused(None, f"HTTP {response.status_code}, not Trustoo's envelope")
        if answer["code"] != 0:
            raise Refused(answer["code"], f"code {answer['code']}: {answer.get('message', '')}")
        return answer.get("data")

    def media(self, url: str) -> httpx.Response:
        import httpx

        # No credentials to the media host (httpx.Auth() adds nothing): it is not the API.
        return self._get(url, auth=httpx.Auth(), follow_redirects=True)


# --- the run ---------------------------------------------------------------------------------


@dataclass
class Outcome:
    """What a run did, for the summary and the exit code."""

    stopped: str | None = None
    written: bool = False
    filled: list[str] = field(default_factory=list)
    differences: list[str] = field(default_factory=list)
    media_failed: int = 0


def run(
    options: Options,
    client: httpx.Client | None = None,
    out: TextIO = sys.stdout,
    progress: TextIO | None = None,
) -> int:
    """Clone, write the summary to ``out`` and return the exit code. ``client`` is any httpx
    client on the API (the clone sets its auth); ``progress`` gets a one-line progress
    display (default: stderr when it is a terminal)."""
    import httpx

    if progress is None and sys.stderr.isatty():
        progress = sys.stderr
    state = State.load(options.state_path, source_of(options)) or State(source_of(options))
    resumed = bool(state.requests)
    pace = Pace(options.max_requests, options.rate)
    own_client = client is None
    if client is None:
        client = httpx.Client(base_url=options.base_url, timeout=options.timeout, trust_env=False)
    client.auth = _auth(options.credentials)
    reader = Reader(client, pace, state)
    outcome = Outcome()
    redactor = Redactor(options.credentials.secrets())
    try:
        _read_all(reader, options, state, outcome, progress)
    except BudgetExhausted:
        outcome.stopped = f"the budget of {options.max_requests} requests is spent"
    except httpx.HTTPError as error:
        outcome.stopped = redactor.text(f"the connection failed: {error}")
    except KeyboardInterrupt:
        outcome.stopped = "interrupted"
    except Halted as halted:
        outcome.stopped = redactor.text(str(halted))
    except Refused as refused:
        out.write(
            redactor.text(f"trustoo-mock clone: the API refused the credentials: {refused}\n")
        )
        return EXIT_CANNOT_RUN
    finally:
        if progress is not None:
            progress.write("\r\033[K")
        if own_client:
            client.close()
        state.save(options.state_path)
    complete = outcome.stopped is None and not _refusals(state)
    if complete or options.partial:
        document = build_fixtures(options, state, outcome)
        problem = check_document(document)
        if problem:
            outcome.stopped = f"the copy is not a valid fixtures file: {problem}"
            complete = False
        else:
            write_atomically(options.output, _encoded(document))
            outcome.written = True
    if complete and outcome.written:
        options.state_path.unlink(missing_ok=True)
    out.write(redactor.text(summary(options, state, outcome, resumed, pace.used)))
    if outcome.written and (complete or options.partial):
        return EXIT_COMPLETE
    return EXIT_INCOMPLETE


def _auth(credentials: Credentials) -> httpx.Auth:
    from trustoo_mock.httpx_auth import BearerAuth, TrustooAuth

    if credentials.hmac:
        assert credentials.public_token and credentials.private_token
        return TrustooAuth(credentials.public_token, credentials.private_token)
    assert credentials.bearer
    return BearerAuth(credentials.bearer)


def _encoded(document: dict[str, Any]) -> bytes:
    return (json.dumps(document, indent=1, ensure_ascii=False) + "\n").encode("utf-8")


def _read_all(
    reader: Reader,
    options: Options,
    state: State,
    outcome: Outcome,
    progress: TextIO | None,
) -> None:
    for name, path, query, paged in READS:
        read = state.reads.setdefault(name, Read())
        while not read.done:
            if progress is not None:
                of = f"/{read.total_page}" if read.total_page else ""
                progress.write(
                    f"\r\033[Kcloning: {name} page {read.pages_read + 1}{of} "
                    f"\N{MIDDLE DOT} {reader.pace.used} requests"
                )
                progress.flush()
            params = dict(query)
            if paged:
                params.update(page=str(read.pages_read + 1), page_size=str(PAGE_SIZE))
            try:
                data = reader.data(path, params)
            except Refused as refused:
                if refused.code == AUTHENTICATION_FAILED:
                    raise
                if refused.code == LIMIT_REACHED:
                    raise Halted(
                        f"Trustoo's limit is reached ({refused}); run again later"
                    ) from None
                read.refused = str(refused)
                break
            if paged:
                read.items.extend(data["list"])
                read.total_page = int(data["page"]["total_page"])
            else:
                read.items, read.total_page = [data], 1
            read.pages_read += 1
            state.save(options.state_path)
    if options.download_media is not None:
        _download_media(reader, options, state, outcome)


def _media_urls(state: State) -> list[str]:
    urls: dict[str, None] = {}
    for review in state.reads.get("reviews", Read()).items:
        for item in review.get("media") or ():
            for url in (item.get("url"), item.get("thumbnail_url")):
                if url:
                    urls[url] = None
    return list(urls)


def media_key(url: str) -> str:
    """Where a media URL's bytes go in the media directory, and the object key the fake
    serves them at (X109): ``cloned/<host>/<path>``, without the query (an OSS style such as
    ``?x-oss-process=style/trustoo_small`` names the same object) and without empty, ``.``
    or ``..`` segments."""
    parts = urlsplit(url)
    segments = [
        segment
        for segment in unquote(parts.path).split("/")
        if segment not in ("", ".", "..") and segment.isprintable()
    ]
    return "/".join(["cloned", (parts.hostname or "unknown-host"), *segments])


def _download_media(reader: Reader, options: Options, state: State, outcome: Outcome) -> None:
    """Each media object once, into DIR/<media_key>; what an earlier run fetched is not
    fetched again."""
    directory = options.download_media
    assert directory is not None
    fetched = set(state.media.values())
    failed = 0
    for url in _media_urls(state):
        key = media_key(url)
        if url in state.media:
            continue
        if key not in fetched:
            response = reader.media(url)
            if response.status_code != 200:
                failed += 1
                continue
            write_atomically(directory / key, response.content)
            fetched.add(key)
        state.media[url] = key
        state.save(options.state_path)
    outcome.media_failed = failed


def _refusals(state: State) -> dict[str, str]:
    return {name: read.refused for name, read in state.reads.items() if read.refused}


# --- the fixtures file -----------------------------------------------------------------------


def build_fixtures(options: Options, state: State, outcome: Outcome) -> dict[str, Any]:
    """The fixtures document from what was read; ``outcome.filled`` says what was made up."""
    items: dict[str, list[Any]] = {
        name: _unique(read.items, IDENTITIES[name]) if name in IDENTITIES else read.items
        for name, read in state.reads.items()
    }
    fake = Redaction(_redaction_key(options.credentials)) if options.redact else None
    shop: dict[str, Any] = {}
    for key, value in (
        ("shop_id", options.shop_id),
        ("myshopify_domain", options.shop_domain),
        ("name", options.shop_name),
    ):
        if value:
            shop[key] = value
    if not options.shop_id or not options.shop_domain:
        outcome.filled.append(
            "the shop's id and domain, which no read operation says (give --shop-id and "
            "--shop-domain; the fake makes them up otherwise)"
        )
    credentials = options.credentials
    if credentials.hmac and not options.new_tokens:
        shop["public_token"] = credentials.public_token
        shop["private_token"] = credentials.private_token
    else:
        shop["public_token"], shop["private_token"] = secure_token(), secure_token()
    moved = _moved_media(options, state)
    reviews = [_review(review, fake, moved) for review in items.get("reviews", ())]
    nameless = [review for review in reviews if not review.get("author")]
    for review in nameless:
        review["author"] = ANONYMOUS
    if nameless:
        outcome.filled.append(
            f"{len(nameless)} reviews without an author: {ANONYMOUS!r} (the format needs one)"
        )
    shop["products"] = _products(items.get("reviews", ()))
    shop["reviews"] = reviews
    exclusions = items.get("exclusions", ())
    shop["customers"] = [_copied(exclusion, "SeedCustomer") for exclusion in exclusions]
    shop["orders"] = [_copied(order, "SeedOrder") for order in items.get("orders", ())]
    if fake is not None:
        shop["customers"] = [fake.personal(customer) for customer in shop["customers"]]
        shop["orders"] = [fake.personal(order) for order in shop["orders"]]
    shop["customer_events"] = [
        _copied(event, "SeedCustomerEvent") for event in items.get("customer events", ())
    ]
    # An exclusion names its customer by id; the email is the customer's (in customers).
    shop["exclusions"] = [
        _copied(exclusion, "SeedExclusion", ("email",)) for exclusion in exclusions
    ]
    webhooks: list[dict[str, Any]] = (items.get("webhooks") or [[]])[0]
    shop["webhooks"] = [_copied(webhook, "SeedWebhook") for webhook in webhooks]
    outcome.differences = _rating_differences(state)
    document: dict[str, Any] = {"shops": [shop]}
    if credentials.bearer and not credentials.hmac:
        for webhook in shop["webhooks"]:
            webhook["client_id"] = options.client_id
        scopes = sorted(credentials.bearer_scopes or KNOWN_SCOPES)
        document["platforms"] = [{"client_id": options.client_id, "scopes": scopes}]
        if not options.shop_id:
            shop["shop_id"] = _made_up_shop_id(credentials.bearer or "")
        authorization: dict[str, Any] = {
            "shop_id": shop["shop_id"],
            "client_id": options.client_id,
        }
        if not options.new_tokens:
            authorization["access_token"] = credentials.bearer or ""
        authorization["scopes"] = scopes
        document["authorizations"] = [authorization]
        outcome.filled.append(
            f"the platform {options.client_id} (its secret is made up by the fake) and the "
            "shop's own tokens (a bearer cannot read them)"
        )
    known = {exclusion["customer_id"] for exclusion in exclusions}
    from_orders = {
        order["customer_id"]
        for order in items.get("orders", ())
        if order["customer_id"] not in known
    }
    if from_orders:
        outcome.filled.append(
            f"{len(from_orders)} customers known only from their orders: name and email from "
            "the order, no phone"
        )
    return document


def _unique(items: list[dict[str, Any]], identity: str) -> list[dict[str, Any]]:
    """Each item once, as last read: a page boundary that moved between two runs of a
    resumed clone (an item deleted meanwhile) can show an item on two pages."""
    return list({item[identity]: item for item in items}.values())


def _made_up_shop_id(seed: str) -> str:
    """A stable 11-digit shop id for a shop that was read by bearer."""
    digits = int(hashlib.sha256(seed.encode("utf-8")).hexdigest(), 16) % 10**10
    return str(10**10 + digits)


def _products(reviews: Any) -> list[dict[str, str]]:
    products: dict[str, dict[str, str]] = {}
    for review in reviews:
        product_id, handle = review.get("product_id"), review.get("product_handle")
        if product_id and product_id != STORE_PRODUCT_ID and handle:
            products.setdefault(
                product_id,
                {
                    "product_id": product_id,
                    "handle": handle,
                    "title": review.get("product_title") or "",
                },
            )
    return list(products.values())


def _moved_media(options: Options, state: State) -> dict[str, str]:
    """Original media URL -> its URL in the fake's object store (``--media-base-url``)."""
    if not options.media_base_url:
        return {}
    base = options.media_base_url.rstrip("/")
    moved = {}
    for url, key in state.media.items():
        query = urlsplit(url).query
        moved[url] = f"{base}/{quote(key, safe='/')}" + (f"?{query}" if query else "")
    return moved


@cache
def seed_fields(name: str) -> tuple[str, ...]:
    """The fields a schema of the fixtures format knows (its allOf parts and references
    followed), so what is copied is exactly what the format takes."""
    schemas = bundled_spec().document["components"]["schemas"]

    def collect(schema: Mapping[str, Any]) -> list[str]:
        if "$ref" in schema:
            return collect(schemas[schema["$ref"].rsplit("/", 1)[1]])
        names = list(schema.get("properties", {}))
        for part in schema.get("allOf", ()):
            names += collect(part)
        return names

    return tuple(dict.fromkeys(collect(schemas[name])))


def _copied(
    item: Mapping[str, Any], schema: str, leave_out: tuple[str, ...] = ()
) -> dict[str, Any]:
    """The fields of an answer's item that ``schema`` takes, nulls left out (absent means
    none in the fixtures format)."""
    return {
        name: item[name]
        for name in seed_fields(schema)
        if item.get(name) is not None and name not in leave_out
    }


def _review(
    review: dict[str, Any], fake: Redaction | None, moved: Mapping[str, str]
) -> dict[str, Any]:
    copied = _copied(review, "SeedReview")
    copied["media"] = []
    for item in review.get("media") or ():
        medium = _copied(item, "MediaItem")
        for name in ("url", "thumbnail_url"):
            if name in medium:
                medium[name] = moved.get(medium[name], medium[name])
        copied["media"].append(medium)
    reply = review.get("reply")
    copied["reply"] = (
        None if not reply else {"content": reply["content"], "reply_at": reply["reply_at"]}
    )
    return fake.personal(copied) if fake is not None else copied


def _rating_differences(state: State) -> list[str]:
    """Ratings the API gave that the reviews read do not explain (the copy rates from its
    reviews, so it would answer differently)."""
    reviews = [
        review for review in state.reads.get("reviews", Read()).items if review.get("is_published")
    ]
    differences = []
    for name, chosen in RATING_SELECTORS.items():
        read = state.reads.get(name)
        if read is None or not read.items:
            continue
        given = read.items[0]
        counted = sum(1 for review in reviews if chosen(review))
        if given.get("review_count") != counted:
            differences.append(
                f"{name}: the API counts {given.get('review_count')} reviews, the copy {counted}"
            )
    return differences


# --- redaction ---------------------------------------------------------------------------------


def _redaction_key(credentials: Credentials) -> bytes:
    secret = credentials.private_token or credentials.bearer or ""
    return secret.encode("utf-8")


class Redaction:
    """Stable fakes (X108): the same value always gets the same fake (an HMAC of it, keyed
    with the clone's secret, so a fake cannot be traced back by guessing); empty stays empty."""

    def __init__(self, key: bytes) -> None:
        self._key = key
        self._fakes = {"name": self.name, "email": self.email, "phone": self.phone}

    def personal(self, item: dict[str, Any]) -> dict[str, Any]:
        """``item`` with every personal field present replaced by its fake."""
        return {
            name: self._fakes[PERSONAL[name]](value) if name in PERSONAL else value
            for name, value in item.items()
        }

    def _digest(self, kind: str, value: str) -> str:
        message = f"{kind}:{value.strip().lower()}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()

    def name(self, value: str) -> str:
        return f"Customer {self._digest('name', value)[:6]}" if value else value

    def email(self, value: str) -> str:
        return f"customer-{self._digest('email', value)[:10]}@{FAKE_DOMAIN}" if value else value

    def phone(self, value: str) -> str:
        if not value:
            return value
        return "+1555" + str(int(self._digest("phone", value), 16) % 10**7).zfill(7)


# --- the summary -------------------------------------------------------------------------------


def summary(options: Options, state: State, outcome: Outcome, resumed: bool, used: int) -> str:
    """What was read, what the API would not give, what was filled in, how many requests."""
    lines = [f"trustoo-mock clone: {options.base_url} as {options.credentials.describe()}"]
    if resumed:
        lines.append("  resumed from the state of an earlier run")
    read_parts = []
    for name, _, _, paged in READS:
        read = state.reads.get(name)
        if read is None or read.refused:
            continue
        if name == "webhooks":
            count = len(read.items[0]) if read.items else 0
            read_parts.append(f"{count} webhooks")
        elif paged:
            pages = f"{read.pages_read}/{read.total_page}" if read.total_page else "0"
            read_parts.append(f"{len(read.items)} {name} ({pages} pages)")
        elif read.items:
            read_parts.append(name)
    lines.append("  read: " + (", ".join(read_parts) or "nothing"))
    for name, refusal in _refusals(state).items():
        lines.append(f"  refused: {name} ({refusal})")
    lines.append("  never given by the API: " + "; ".join(NEVER_GIVEN))
    for filled in outcome.filled:
        lines.append(f"  filled in: {filled}")
    for difference in outcome.differences:
        lines.append(f"  differs: {difference}")
    if options.download_media is not None:
        failed = f", {outcome.media_failed} could not be fetched" if outcome.media_failed else ""
        files = len(set(state.media.values()))
        lines.append(
            f"  media: {len(state.media)} URLs, {files} file{'' if files == 1 else 's'} "
            f"in {options.download_media}{failed}"
        )
    lines.append(
        f"  requests: {used} this run (budget {options.max_requests}), {state.requests} in all"
    )
    if outcome.stopped:
        lines.append(f"  INCOMPLETE: {outcome.stopped}")
    elif _refusals(state):
        lines.append("  INCOMPLETE: the API refused some reads")
    if outcome.written:
        partial = " (PARTIAL)" if outcome.stopped or _refusals(state) else ""
        lines.append(
            f"  wrote {options.output}{partial}: trustoo-mock serve --seed-file {options.output}"
        )
    else:
        lines.append(
            f"  nothing written: run the same command again to go on from {options.state_path}"
            ", or add --partial to write what was read"
        )
    return "\n".join(lines) + "\n"
