"""Writes fixtures/demo.json: the demo shop (products, reviews, customers, orders in every
review-request status, customer events, exclusions, unsubscribes) and platform, deterministically,
and the identities the docs' own examples use (trustoo-api.md), so each example works as written.

Run with ``make demo``; the same seed always gives the same bytes.
"""

from __future__ import annotations

import base64
import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

from trustoo_mock.core.principal import KNOWN_SCOPES
from trustoo_mock.domain.customer_events import EVENT_TYPES, OS_TYPES

SEED = 2026
OUTPUT = Path(__file__).resolve().parent.parent / "fixtures" / "demo.json"
SHOP_ID = "70000000001"
START = datetime(2025, 6, 1, tzinfo=UTC)
SPAN_SECONDS = 500 * 24 * 3600

PRODUCTS = [
    "Lavender Soap",
    "Rose Hand Cream",
    "Cedar Candle",
    "Linen Spray",
    "Bamboo Toothbrush",
    "Charcoal Face Mask",
    "Sea Salt Scrub",
    "Oat Milk Lotion",
    "Citrus Shampoo",
    "Argan Oil",
    "Wool Dryer Balls",
    "Beeswax Wraps",
    "Ceramic Mug",
    "Cotton Tote",
    "Jasmine Tea",
    "Matcha Whisk",
    "Cork Yoga Mat",
    "Silk Pillowcase",
    "Copper Bottle",
    "Herb Planter",
]
AUTHORS = [
    "Ava",
    "Noah",
    "Mia",
    "Liam",
    "Zoe",
    "Ethan",
    "Lena",
    "Omar",
    "Yuki",
    "Priya",
    "Lucas",
    "Sofia",
    "Mateo",
    "Chloe",
    "Hana",
    "Jonas",
    "Amara",
    "Felix",
    "Nora",
    "Ravi",
]
COUNTRIES = ["US", "GB", "AU", "CA", "DE", "FR", "JP", "IN", "BR", "NZ"]
SOURCES = [
    "ChatWILL",
    "Shop",
    "Store front",
    "Email request",
    "AliExpress",
    "Amazon",
    "CSV uploaded",
]
TITLES = {
    1: ["Disappointed", "Not for me", "Broke quickly"],
    2: ["Could be better", "Meh", "Smaller than expected"],
    3: ["It's fine", "Average", "Does the job"],
    4: ["Really good", "Nice quality", "Would buy again"],
    5: ["Love it!", "Perfect", "Best purchase this year", "Fresh and fragrant"],
}
CONTENT = {
    1: "It did not work for me and support was slow.",
    2: "Works, but the quality is not what the photos suggest.",
    3: "Does what it says. Nothing special, nothing wrong.",
    4: "Good value, arrived quickly, well packed.",
    5: "Absolutely wonderful. I have already ordered another one for a friend.",
}


def _token(text: str) -> str:
    raw = text.encode("ascii")
    assert len(raw) == 16
    return base64.b64encode(raw).decode("ascii")


def _handle(title: str) -> str:
    return title.lower().replace(" ", "-")


def _media(rng: random.Random, index: int) -> list[dict[str, object]]:
    count = rng.choice([1, 1, 2, 3])
    items: list[dict[str, object]] = []
    for number in range(count):
        url = f"https://img.trustoo.io/demo/{SHOP_ID}/{index}-{number}.jpeg"
        items.append(
            {
                "url": url + "?x-oss-process=style/trustoo_big",
                "thumbnail_url": url + "?x-oss-process=style/trustoo_small",
                "type": 1,
                "is_published": 1,
            }
        )
    if rng.random() < 0.2:
        video = f"https://img.trustoo.io/demo/{SHOP_ID}/{index}.mp4"
        items.append({"url": video, "thumbnail_url": video + ".jpg", "type": 2, "is_published": 1})
    return items


def _review(rng: random.Random, index: int, products: list[dict[str, str]]) -> dict[str, object]:
    rating = rng.choices([1, 2, 3, 4, 5], weights=[4, 5, 10, 28, 53])[0]
    created = START + timedelta(seconds=rng.randrange(SPAN_SECONDS))
    commented = created - timedelta(seconds=rng.randrange(3 * 24 * 3600))
    author = rng.choice(AUTHORS)
    review: dict[str, object] = {
        "rating": rating,
        "author": f"{author} {chr(65 + rng.randrange(26))}.",
        "author_email": f"{author.lower()}{index}@example.com",
        "author_country": rng.choice(COUNTRIES),
        "title": rng.choice(TITLES[rating]),
        "content": CONTENT[rating],
        "source": rng.choice(SOURCES),
        "is_verified": int(rng.random() < 0.7),
        "is_featured": int(rating == 5 and rng.random() < 0.15),
        "is_top": int(rating == 5 and rng.random() < 0.05),
        "is_published": int(rng.random() >= 0.08),
        "commented_at": commented.strftime("%Y-%m-%d %H:%M:%S"),
        "created_at": created.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    if rng.random() >= 0.1:
        review["product_id"] = rng.choice(products)["product_id"]
    if rng.random() < 0.25:
        review["media"] = _media(rng, index)
    if rng.random() < 0.2:
        replied = created + timedelta(hours=rng.randrange(1, 72))
        review["reply"] = {
            "content": "Thank you for your review!" if rating >= 4 else "Sorry to hear that.",
            "reply_at": replied.strftime("%Y-%m-%d %H:%M:%S"),
        }
    return review


LAST_NAMES = [
    "Smith",
    "Garcia",
    "Chen",
    "Okafor",
    "Novak",
    "Tanaka",
    "Silva",
    "Müller",
    "Khan",
    "Dubois",
    "Rossi",
    "Kowalski",
]
EVENT_SOURCES = ["STOREFRONT", "EMAIL", "ADMIN"]
REVIEW_EVENTS = {"EXPAND_CONTENT", "CLICK_REVIEW", "CLICK_MEDIA", "CLOSE_VIDEO_POPUP"}
CUSTOMER_COUNT = 150
ORDER_COUNT = 400
EVENT_COUNT = 3000
REVIEW_ID_START = 100001  # the fake numbers reviews from here, in load order
# Review-request status (the get_orders type filter) and how often each is drawn.
STATUS_WEIGHTS = {1: 8, 2: 7, 3: 20, 4: 20, 5: 35, 6: 10}
UNSUBSCRIBE_TYPES = [
    "review_request",
    "all",
    "market_email",
    "review_request",
    "discount_for_photo_review",
    "reply_to_review",
    "all",
    "question_notification",
]
ORDERS_END = datetime(2026, 9, 1, tzinfo=UTC)  # orders and events end before the tests' clock


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _customers(rng: random.Random) -> list[dict[str, str]]:
    customers = []
    for index in range(CUSTOMER_COUNT):
        first = AUTHORS[index % len(AUTHORS)]
        last = LAST_NAMES[rng.randrange(len(LAST_NAMES))]
        customers.append(
            {
                "customer_id": str(7100000000001 + index),
                "first_name": first,
                "last_name": last,
                "email": f"{first.lower()}.{index}@example.com",
                "phone": f"+1555{rng.randrange(10**6, 10**7)}" if rng.random() < 0.6 else "",
            }
        )
    return customers


def _orders(rng: random.Random, customers: list[dict[str, str]]) -> list[dict[str, object]]:
    statuses = list(STATUS_WEIGHTS)
    span = int((ORDERS_END - START).total_seconds())
    orders: list[dict[str, object]] = []
    for index in range(ORDER_COUNT):
        # The first few cycle through every status, so each is always present.
        status = (
            statuses[index]
            if index < len(statuses)
            else rng.choices(statuses, weights=list(STATUS_WEIGHTS.values()))[0]
        )
        customer = customers[rng.randrange(len(customers))]
        created = START + timedelta(seconds=rng.randrange(span))
        sent = created + timedelta(days=rng.randrange(3, 15), seconds=rng.randrange(86400))
        updated = created
        order: dict[str, object] = {
            "order_id": str(5800000000001 + index),
            "order_name": f"#{1001 + index}",
            "customer_id": customer["customer_id"],
            "status": status,
            "created_at": _iso(created),
            "sent_at": None,
        }
        if status in (3, 4, 5):
            order["sent_at"] = _iso(sent)
            updated = sent + timedelta(days=rng.randrange(0, 10)) if status > 3 else sent
        elif status == 6:
            updated = created + timedelta(days=rng.randrange(1, 5))
        order["updated_at"] = _iso(updated)
        orders.append(order)
    orders.sort(key=lambda order: str(order["created_at"]))
    return orders


def _events(
    rng: random.Random, customers: list[dict[str, str]], products: list[dict[str, str]]
) -> list[dict[str, object]]:
    span = int((ORDERS_END - START).total_seconds())
    events: list[dict[str, object]] = []
    for index in range(EVENT_COUNT):
        # Cycle through every type, OS and source first, then draw at random.
        if index < len(EVENT_TYPES) * len(OS_TYPES) * len(EVENT_SOURCES):
            event_type = EVENT_TYPES[index % len(EVENT_TYPES)]
            os_type = OS_TYPES[(index // len(EVENT_TYPES)) % len(OS_TYPES)]
            source = EVENT_SOURCES[index // (len(EVENT_TYPES) * len(OS_TYPES))]
        else:
            event_type = rng.choice(EVENT_TYPES)
            os_type = rng.choice(OS_TYPES)
            source = rng.choices(EVENT_SOURCES, weights=[80, 15, 5])[0]
        created = START + timedelta(seconds=rng.randrange(span))
        event: dict[str, object] = {
            "event_type": event_type,
            "os_type": os_type,
            "event_source": source,
            "created_at": _iso(created),
        }
        if rng.random() < 0.6:
            event["customer_id"] = customers[rng.randrange(len(customers))]["customer_id"]
        if rng.random() < 0.7:
            event["product_id"] = products[rng.randrange(len(products))]["product_id"]
        if event_type in REVIEW_EVENTS:
            event["review_id"] = str(REVIEW_ID_START + rng.randrange(300))
        events.append(event)
    events.sort(key=lambda event: str(event["created_at"]))
    return events


def _exclusions(orders: list[dict[str, object]]) -> list[dict[str, object]]:
    """Five customers with a pending review request, so get_orders shows them cancelled."""
    pending = [order for order in orders if order["status"] in (1, 2)]
    chosen: list[str] = []
    for order in pending:
        if order["customer_id"] not in chosen:
            chosen.append(str(order["customer_id"]))
        if len(chosen) == 5:
            break
    return [
        {"customer_id": customer_id, "created_at": _iso(ORDERS_END + timedelta(days=number))}
        for number, customer_id in enumerate(chosen)
    ]


def _unsubscribes(customers: list[dict[str, str]]) -> list[dict[str, object]]:
    return [
        {
            "email": customers[-1 - number]["email"],
            "email_type": email_type,
            "created_at": _iso(ORDERS_END + timedelta(hours=number)),
        }
        for number, email_type in enumerate(UNSUBSCRIBE_TYPES)
    ]


# The docs' examples (trustoo-api.md; section in each comment). Every token is given, so loading
# them draws nothing from the fake's random source and the demo shop stays as it was.
EXAMPLE_SHOP_ID = "72738668786"  # §5.7 install status example
EXAMPLE_DOMAIN = "example.myshopify.com"  # §5.7, and the §7 push body
AUTH_INFO_SHOP_ID = "59730165893"  # §5.6 authorization info example
EXAMPLE_REDIRECT_URI = "http://localhost:3000/oauth/callback"  # §5.2, §5.3
ALL_SCOPES = list(KNOWN_SCOPES)
EXAMPLE_MEDIA = "https://img.trustoo.io/test/79198486784/2026/5/14/example.jpeg"  # §5.10


def _example_shops() -> list[dict[str, object]]:
    return [
        {
            "shop_id": EXAMPLE_SHOP_ID,
            "myshopify_domain": EXAMPLE_DOMAIN,
            "name": "Example Shop",
            "public_token": "GfKu22TCaj4gULtrA3/OgA==",  # §2.2 example public token
            "private_token": "private-token",  # §2.3 and §10: the key of the test vectors
            "products": [
                {
                    "product_id": "9200305176832",  # §5.10 create review
                    "handle": "example-product",
                    "title": "Example Product",
                },
                {"product_id": "123", "handle": "product-123", "title": "Product 123"},  # §2.3
                {"product_id": "123455", "handle": "product-123455", "title": "Product 123455"},
            ],
            "reviews": [
                {  # §5.10, the TrustWILL-branded create review example
                    "product_id": "9200305176832",
                    "rating": 5,
                    "author": "Trustoo",
                    "author_country": "US",
                    "content": "[openapi]this is a test",
                    "source": "ChatWILL",
                    "media": [
                        {
                            "url": EXAMPLE_MEDIA + "?x-oss-process=style/trustoo_big",
                            "thumbnail_url": EXAMPLE_MEDIA + "?x-oss-process=style/trustoo_small",
                            "type": 1,
                            "is_published": 1,
                        }
                    ],
                    "created_at": "2026-05-14T00:00:00Z",
                },
                {  # §10, the signed create review body
                    "product_id": "123",
                    "rating": 5,
                    "author": "A customer",
                    "author_email": "customer@example.com",
                    "author_country": "AU",
                    "content": "Fresh and fragrant.",
                    "source": "ChatWILL",
                    "created_at": "2026-06-01T00:00:00Z",
                },
                {  # §5.10, the mid-2025 create review example (a store review)
                    "product_id": "0",
                    "rating": 5,
                    "author": "Trustoo",
                    "author_email": "trustoo@gmail.com",
                    "author_country": "US",
                    "title": "test",
                    "content": "this is a test",
                    "item_type": "Red",
                    "source": "Shop",
                    "is_featured": 1,
                    "commented_at": "2025-06-20 00:00:00",
                    "reply": {"content": "Thank you", "reply_at": "2025-06-20 00:00:00"},
                    "created_at": "2025-06-20T00:00:00Z",
                },
            ],
            "customers": [
                {  # §5.14 create customer exclusion: its email and the customer id it returns
                    "customer_id": "23044610359590",
                    "first_name": "",
                    "last_name": "",
                    "email": "example@gmail.com",
                    "phone": "",
                }
            ],
        },
        {
            "shop_id": AUTH_INFO_SHOP_ID,
            "myshopify_domain": "tt-qcldev005.myshopify.com",  # §5.6 response
            "name": "TT QCL Dev 005",
            "public_token": "7ygMzD/8/cpvR8DN8rquVQ==",  # §2.2
            "private_token": _token("tt-qcldev-priv05"),
        },
    ]


def _example_platforms() -> list[dict[str, object]]:
    return [
        {  # §5.2, §5.3, §5.7: trustwill shows two secrets, one of them shared with instafeed
            "name": "TrustWILL",
            "client_id": "trustwill",
            "client_secret": "trustwill_2026",
            "other_client_secrets": ["oauth_test_secret_2026"],
            "redirect_uris": [EXAMPLE_REDIRECT_URI],
            "scopes": ALL_SCOPES,
            "skip_shop_oauth": False,
            "webhook_url": "",
        },
        {  # §5.4 revoke token example
            "name": "Instafeed",
            "client_id": "instafeed",
            "client_secret": "oauth_test_secret_2026",
            "redirect_uris": [EXAMPLE_REDIRECT_URI],
            "scopes": ALL_SCOPES,
            "skip_shop_oauth": False,
            "webhook_url": "",
        },
    ]


def _example_authorizations() -> list[dict[str, object]]:
    return [
        {  # §5.7: trustwill is installed on the example shop
            "shop_id": EXAMPLE_SHOP_ID,
            "client_id": "trustwill",
            "scopes": ["read_reviews"],
            "access_token": _token("trustwill-acc-01"),
            "refresh_token": _token("trustwill-ref-01"),
        },
        {  # §5.6: authorized with granted_scopes "read_reviews"
            "shop_id": AUTH_INFO_SHOP_ID,
            "client_id": "trustwill",
            "scopes": ["read_reviews"],
            "access_token": _token("tt-qcldev-acc-01"),
            "refresh_token": _token("tt-qcldev-ref-01"),
        },
        {  # §5.4: the token the revoke example revokes
            "shop_id": EXAMPLE_SHOP_ID,
            "client_id": "instafeed",
            "scopes": ["read_reviews", "write_reviews"],
            "access_token": "TWzg8XQGVsYDHAIiaXYygg==",
            "refresh_token": _token("instafeed-ref-01"),
        },
    ]


def build() -> dict[str, object]:
    rng = random.Random(SEED)
    products = [
        {"product_id": str(8000000000001 + index), "handle": _handle(title), "title": title}
        for index, title in enumerate(PRODUCTS)
    ]
    reviews = [_review(rng, index, products) for index in range(300)]
    reviews.sort(key=lambda review: str(review["created_at"]))
    # Separate random streams: the reviews stay what they were before the rest was added.
    customers = _customers(random.Random(SEED + 1))
    orders = _orders(random.Random(SEED + 2), customers)
    events = _events(random.Random(SEED + 3), customers, products)
    return {
        "shops": [
            {
                "shop_id": SHOP_ID,
                "myshopify_domain": "demo-shop.myshopify.com",
                "name": "Demo Shop",
                "public_token": _token("demo-public-0001"),
                "private_token": _token("demo-private-001"),
                "products": products,
                "reviews": reviews,
                "customers": customers,
                "orders": orders,
                "customer_events": events,
                "exclusions": _exclusions(orders),
                "unsubscribes": _unsubscribes(customers),
            },
            *_example_shops(),
        ],
        "platforms": [
            {
                "name": "Demo Platform",
                "client_id": "demo-platform",
                "client_secret": _token("demo-secret-0001"),
                "redirect_uris": [
                    "http://127.0.0.1:3000/oauth/callback",
                    "http://localhost:3000/oauth/callback",
                ],
                "scopes": ALL_SCOPES,
                "skip_shop_oauth": False,
                "webhook_url": "",
            },
            *_example_platforms(),
        ],
        "authorizations": [
            {
                "shop_id": SHOP_ID,
                "client_id": "demo-platform",
                "scopes": ["read_reviews", "write_reviews", "read_customer_events"],
                "access_token": _token("demo-access-0001"),
                "refresh_token": _token("demo-refresh-001"),
            },
            *_example_authorizations(),
        ],
        "authorization_codes": [
            {  # §5.3 token example: single use, valid 600 s after start or reset
                "code": "6y/ly4b0PVJLCv6fafC2Xg==",
                "shop_id": EXAMPLE_SHOP_ID,
                "client_id": "trustwill",
                "redirect_uri": EXAMPLE_REDIRECT_URI,
                "scopes": ["read_reviews"],
            }
        ],
    }


def main() -> None:
    OUTPUT.write_text(json.dumps(build(), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
