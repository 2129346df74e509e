"""Pagination of get_reviews (D7, D9): every matching record appears exactly once across the
pages, in order, for every sort and filter; and the page bounds.

The expected result is computed here, from the seeded data, with the filter rules of D9
written out independently of the fake: keyword case-insensitive in author, title or content;
sources case-insensitive; a store review is one without a product; filters combine with AND;
order by created_at (descending by default), ties broken by id in the same direction.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tests.helpers import FROZEN_AT, CheckedClient
from trustoo_mock import Config, create_app

API = "/api/v1/openapi/get_reviews"
SHOP_ID = "71000000001"
PUBLIC_TOKEN = "cGFnaW5nLXB1YmxpYy0x"
PRIVATE_TOKEN = "cGFnaW5nLXByaXZhdGUtMQ"
OTHER_SHOP_ID = "71000000002"
PRODUCT_IDS = ["8000000000001", "8000000000002", "8000000000003"]
UNKNOWN_PRODUCT_ID = "8000000000009"
STORE = "0"
SOURCES = ["ChatWILL", "chatwill", "Shopify", "AliExpress", "Trustoo Import", ""]
AUTHORS = ["Sam", "sam smith", "Émile", "Jo"]
TITLES = ["", "Great mug", "GREAT", "meh"]
CONTENTS = ["", "Love it", "great value", "Broken on arrival", "mug, mug"]
# Some keywords span two fields of a review ("Sam" + "Great mug"): those must not match.
KEYWORDS = ["", "great", "GREAT", "Mug", "sam", "ÉMILE", "love it", "zzz", "o"]
KEYWORDS += ["sam great", "Jo GREAT", "mug love", "meh broken"]
BASE_INSTANT = 1_780_000_000
SORTS = [None, "created-descending", "created-ascending"]  # None: the default


@dataclass(frozen=True)
class SeedReview:
    """A review as seeded, with what the test expects the fake to make of it."""

    marker: str
    body: dict[str, Any]
    product_id: str  # canonical: "0" for a store review
    created_at: int


# -- seeded data ---------------------------------------------------------------------------

# Few distinct instants, so that many reviews share one and the tie-break by id matters.
instants = st.one_of(
    st.none(),
    st.integers(min_value=0, max_value=4).map(lambda k: BASE_INSTANT + 3600 * k),
)
# Store reviews are written every way D9 allows: absent, 0, "" or "0".
products = st.sampled_from(
    [None, 0, "", "0", PRODUCT_IDS[0], PRODUCT_IDS[1], int(PRODUCT_IDS[1]), PRODUCT_IDS[2]]
)
utc_offsets = st.sampled_from([None, 0, 120, -330])  # None writes Z; else +HH:MM minutes


def rfc3339_at(instant: int, offset_minutes: int | None) -> str:
    """The same instant written in another zone, to check it is read as that instant."""
    if offset_minutes is None:
        return datetime.fromtimestamp(instant, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    zone = timezone(timedelta(minutes=offset_minutes))
    return datetime.fromtimestamp(instant, zone).isoformat()


@st.composite
def seed_reviews(draw: st.DrawFn, marker_prefix: str, max_size: int) -> list[SeedReview]:
    count = draw(st.integers(0, max_size) | st.integers(max_size // 2, max_size))
    made = []
    for index in range(count):
        marker = f"{marker_prefix}-{index}"
        product = draw(products)
        body: dict[str, Any] = {
            "rating": draw(st.integers(min_value=1, max_value=5)),
            "author": draw(st.sampled_from(AUTHORS)),
            "title": draw(st.sampled_from(TITLES)),
            "content": draw(st.sampled_from(CONTENTS)),
            "source": draw(st.sampled_from(SOURCES)),
            "order_id": marker,
        }
        if product is not None:
            body["product_id"] = product
        published = draw(st.sampled_from([None, 0, 1]))
        if published is not None:
            body["is_published"] = published
        instant = draw(instants)
        if instant is not None:
            body["created_at"] = rfc3339_at(instant, draw(utc_offsets))
        canonical_product = STORE if str(product or "0") == "0" else str(product)
        made.append(
            SeedReview(marker, body, canonical_product, FROZEN_AT if instant is None else instant)
        )
    return made


# -- the filter, as the test understands D9 ----------------------------------------------


@dataclass(frozen=True)
class Filter:
    product_ids: list[str] | None
    is_store_review: int | None
    ratings: list[int] | None
    sources: list[str] | None
    keyword: str | None
    encoding: str  # how list parameters are written: comma, repeat or indexed

    def matches(self, review: SeedReview) -> bool:
        body = review.body
        if self.product_ids is not None and review.product_id not in self.product_ids:
            return False
        if self.is_store_review is not None and (review.product_id == STORE) != bool(
            self.is_store_review
        ):
            return False
        if self.ratings is not None and body["rating"] not in self.ratings:
            return False
        if self.sources is not None and body.get("source", "").lower() not in {
            source.lower() for source in self.sources
        }:
            return False
        if self.keyword:
            needle = self.keyword.lower()
            fields = (body.get(name, "") for name in ("author", "title", "content"))
            if not any(needle in field.lower() for field in fields):
                return False
        return True

    def query(self) -> list[tuple[str, str]]:
        pairs: list[tuple[str, str]] = []
        for name, values in (
            ("product_ids", self.product_ids),
            ("ratings", None if self.ratings is None else [str(r) for r in self.ratings]),
            ("sources", self.sources),
        ):
            if values is None:
                continue
            if self.encoding == "comma":
                pairs.append((name, ",".join(values)))
            elif self.encoding == "repeat":
                pairs.extend((name, value) for value in values)
            else:
                pairs.extend((f"{name}[{index}]", value) for index, value in enumerate(values))
        if self.is_store_review is not None:
            pairs.append(("is_store_review", str(self.is_store_review)))
        if self.keyword is not None:
            pairs.append(("keyword", self.keyword))
        return pairs


def case_variants(value: str) -> st.SearchStrategy[str]:
    return st.sampled_from([value, value.upper(), value.lower()])


FILTER_VALUES: dict[str, st.SearchStrategy[Any]] = {
    "product_ids": st.lists(
        st.sampled_from([*PRODUCT_IDS, UNKNOWN_PRODUCT_ID]), min_size=1, max_size=3, unique=True
    ),
    "is_store_review": st.sampled_from([0, 1]),
    "ratings": st.lists(st.integers(min_value=1, max_value=5), min_size=1, max_size=3),
    "sources": st.lists(
        st.sampled_from([source for source in SOURCES if source]).flatmap(case_variants),
        min_size=1,
        max_size=3,
    ),
    "keyword": st.sampled_from(KEYWORDS),
}


@st.composite
def filters(draw: st.DrawFn) -> Filter:
    """Mostly none, one or two filters (so that something matches), sometimes all of them."""
    names = sorted(FILTER_VALUES)
    active = draw(
        st.sets(st.sampled_from(names), max_size=2)
        | st.sets(st.sampled_from(names), max_size=len(names))
    )
    values = {name: draw(FILTER_VALUES[name]) if name in active else None for name in names}
    return Filter(**values, encoding=draw(st.sampled_from(["comma", "repeat", "indexed"])))


# -- helpers -------------------------------------------------------------------------------


def fresh_client() -> CheckedClient:
    return CheckedClient(create_app(Config(frozen_time=FROZEN_AT, empty=True)))


def seed(
    client: CheckedClient, reviews: list[SeedReview], others: list[SeedReview] | None = None
) -> None:
    others = others or []
    catalogue = [
        {"product_id": product_id, "handle": f"product-{n}", "title": f"Product {n}"}
        for n, product_id in enumerate(PRODUCT_IDS, start=1)
    ]
    body = {
        "shops": [
            {
                "shop_id": SHOP_ID,
                "public_token": PUBLIC_TOKEN,
                "private_token": PRIVATE_TOKEN,
                "products": catalogue,
                "reviews": [review.body for review in reviews],
            },
            {
                "shop_id": OTHER_SHOP_ID,
                "products": catalogue,
                "reviews": [review.body for review in others],
            },
        ]
    }
    response = client.control("POST", "/_mock/seed", body)
    assert response.status_code == 201, response.text
    assert response.json()["reviews"] == len(reviews) + len(others)


def get_reviews(client: CheckedClient, params: list[tuple[str, str]]) -> Any:
    return client.signed(
        "GET", API, params=params, public_token=PUBLIC_TOKEN, private_token=PRIVATE_TOKEN
    )


def page_of(client: CheckedClient, params: list[tuple[str, str]]) -> dict[str, Any]:
    response = get_reviews(client, params)
    document = response.json()
    assert response.status_code == 200 and document["code"] == 0, document
    data: dict[str, Any] = document["data"]
    return data


# -- the property ----------------------------------------------------------------------------


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    reviews=seed_reviews("seed", max_size=60),
    others=seed_reviews("other", max_size=5),
    # Small sizes weighted up, so that walks over many pages are common.
    page_size=st.none() | st.integers(min_value=2, max_value=8) | st.integers(1, 100),
    sort_by=st.sampled_from(SORTS),
    chosen=filters(),
)
def test_every_matching_review_appears_once_in_order(
    reviews: list[SeedReview],
    others: list[SeedReview],
    page_size: int | None,
    sort_by: str | None,
    chosen: Filter,
) -> None:
    client = fresh_client()
    seed(client, reviews, others)
    by_marker = {review.marker: review for review in reviews}

    expected = {review.marker for review in reviews if chosen.matches(review)}
    size = 20 if page_size is None else page_size
    total_pages = math.ceil(len(expected) / size)

    base = chosen.query()
    if page_size is not None:
        base.append(("page_size", str(page_size)))
    if sort_by is not None:
        base.append(("sort_by", sort_by))

    event(f"pages: {min(total_pages, 5)}{'+' if total_pages > 5 else ''}")
    share = "none" if not expected else "all" if len(expected) == len(reviews) else "some"
    event(f"matching: {share}")
    walked: list[dict[str, Any]] = []
    for page in range(1, total_pages + 2):
        data = page_of(client, [*base, ("page", str(page))])
        meta = data["page"]
        assert meta == {
            "page": page,
            "page_size": size,
            "total_page": total_pages,
            "count": len(expected),
        }, (meta, chosen)
        items = data["list"]
        if page < total_pages:
            assert len(items) == size
        elif page == total_pages:
            assert len(items) == len(expected) - (total_pages - 1) * size
        else:
            assert items == [], f"page {page} is past the end but holds {len(items)}"
        walked.extend(items)

    markers = [item["order_id"] for item in walked]
    ids = [item["id"] for item in walked]
    assert len(set(ids)) == len(ids), f"a review appears twice: {ids}"
    assert len(set(markers)) == len(markers)
    assert set(markers) == expected, (
        f"missing {sorted(expected - set(markers))}, unexpected {sorted(set(markers) - expected)}"
    )

    # The order: created_at, then id, both in the direction of sort_by.
    for item in walked:
        seeded = by_marker[item["order_id"]]
        assert item["created_at"] == rfc3339_at(seeded.created_at, None)
        assert item["product_id"] == seeded.product_id
        assert item["is_store_review"] == int(seeded.product_id == STORE)
    keys = [(by_marker[item["order_id"]].created_at, int(item["id"])) for item in walked]
    descending = (sort_by or "created-descending") == "created-descending"
    assert keys == sorted(keys, reverse=descending), keys


# -- bounds --------------------------------------------------------------------------------


@pytest.fixture
def seeded_client() -> CheckedClient:
    client = fresh_client()
    seed(
        client,
        [
            SeedReview(f"r{n}", {"rating": 5, "author": "A", "order_id": f"r{n}"}, STORE, FROZEN_AT)
            for n in range(45)
        ],
    )
    return client


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("page", "0"),
        ("page", "-1"),
        ("page", "x"),
        ("page_size", "0"),
        ("page_size", "101"),
        ("page_size", "-20"),
        ("page_size", "2.5"),
    ],
)
def test_out_of_bounds_paging_is_code_3_naming_the_parameter(
    seeded_client: CheckedClient, name: str, value: str
) -> None:
    response = get_reviews(seeded_client, [(name, value)])
    document = response.json()
    assert response.status_code == 200
    assert document["code"] == 3
    assert re.search(rf"\b{name}\b", document["message"]), document["message"]


@pytest.mark.parametrize("page_size", ["1", "100"])
def test_page_size_bounds_are_accepted(seeded_client: CheckedClient, page_size: str) -> None:
    data = page_of(seeded_client, [("page_size", page_size)])
    assert data["page"]["page_size"] == int(page_size)
    assert len(data["list"]) == min(int(page_size), 45)


def test_default_page_is_1_and_default_page_size_is_20(seeded_client: CheckedClient) -> None:
    data = page_of(seeded_client, [])
    assert data["page"] == {"page": 1, "page_size": 20, "total_page": 3, "count": 45}
    assert len(data["list"]) == 20
    last = page_of(seeded_client, [("page", "3")])
    assert last["page"] == {"page": 3, "page_size": 20, "total_page": 3, "count": 45}
    assert len(last["list"]) == 5


def test_a_keyword_does_not_match_across_two_fields(empty_client: CheckedClient) -> None:
    """D9: the keyword is looked for in author, in title and in content, not in their join."""
    body = {"rating": 4, "author": "Sam", "title": "Great mug", "content": "Love it"}
    seed(empty_client, [SeedReview("r", {**body, "order_id": "r"}, STORE, FROZEN_AT)])
    for keyword in ("sam", "GREAT MUG", "love", "t mu"):
        assert page_of(empty_client, [("keyword", keyword)])["page"]["count"] == 1, keyword
    for keyword in ("sam great", "mug love", "m gr"):
        assert page_of(empty_client, [("keyword", keyword)])["page"]["count"] == 0, keyword


def test_sources_and_keyword_ignore_case(empty_client: CheckedClient) -> None:
    body = {"rating": 4, "author": "Émile", "title": "Great mug", "source": "ChatWILL"}
    seed(empty_client, [SeedReview("r", {**body, "order_id": "r"}, STORE, FROZEN_AT)])
    for params in (
        [("sources", "chatwill")],
        [("sources[0]", "CHATWILL")],
        [("keyword", "émile")],
        [("keyword", "ÉMILE"), ("sources", "shopify,ChatWill")],
    ):
        assert page_of(empty_client, params)["page"]["count"] == 1, params
    assert page_of(empty_client, [("sources", "Shopify")])["page"]["count"] == 0


def test_an_empty_shop_has_no_pages(empty_client: CheckedClient) -> None:
    seed(empty_client, [])
    data = page_of(empty_client, [])
    assert data == {"page": {"page": 1, "page_size": 20, "total_page": 0, "count": 0}, "list": []}
