"""Writes fixtures/demo.json: the demo shop, products, reviews and platform, deterministically.

Run with ``make demo``; the same seed always gives the same bytes.
"""

from __future__ import annotations

import base64
import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

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


def build() -> dict[str, object]:
    rng = random.Random(SEED)
    products = [
        {"product_id": str(8000000000001 + index), "handle": _handle(title), "title": title}
        for index, title in enumerate(PRODUCTS)
    ]
    reviews = [_review(rng, index, products) for index in range(300)]
    reviews.sort(key=lambda review: str(review["created_at"]))
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
            }
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
                "scopes": [
                    "read_reviews",
                    "write_reviews",
                    "read_customer_events",
                    "read_orders",
                    "read_customers",
                    "write_customers",
                    "read_shop_install_status",
                ],
                "skip_shop_oauth": False,
                "webhook_url": "",
            }
        ],
        "authorizations": [
            {
                "shop_id": SHOP_ID,
                "client_id": "demo-platform",
                "scopes": ["read_reviews", "write_reviews", "read_customer_events"],
                "access_token": _token("demo-access-0001"),
                "refresh_token": _token("demo-refresh-001"),
            }
        ],
    }


def main() -> None:
    OUTPUT.write_text(json.dumps(build(), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
