import { describe, expect, test } from "vitest";
import { TrustooError, sign, stringToSign, type Review } from "../src/trustoo.ts";
import { DEMO_SHOP, demoClient } from "./fake.ts";

describe("the string-to-sign (D1)", () => {
  test("sorts the query with the timestamp, then adds the body after a bar", () => {
    expect(stringToSign({ page_size: 5, page: 1 }, "1700000000")).toBe(
      "page=1&page_size=5&timestamp=1700000000",
    );
    expect(stringToSign({}, "1700000000", '{"rating":5}')).toBe('timestamp=1700000000|{"rating":5}');
  });

  test("signs as lowercase hex HMAC-SHA256", () => {
    expect(sign("key", "message")).toMatch(/^[0-9a-f]{64}$/);
    expect(sign("key", "message")).not.toBe(sign("other key", "message"));
  });
});

describe("signed calls", () => {
  test("get_rating and create_review are accepted and agree", async () => {
    const client = demoClient();
    const before = await client.getRating();
    const created = await client.createReview({ rating: 5, author: "Ana", content: "Lovely" });
    const after = await client.getRating();

    expect(created.author).toBe("Ana");
    expect(created.rating).toBe(5);
    expect(after.review_count).toBe(before.review_count + 1);
    expect(after.star5_count).toBe(before.star5_count + 1);
  });

  test("a signature made with the wrong key is refused with code 16 and the string-to-sign", async () => {
    const timestamp = Math.floor(Date.now() / 1000);
    const client = demoClient({ privateToken: "not-the-private-token", now: () => timestamp });

    const refusal = await client.getReviews(1, 5).catch((error: unknown) => error);

    expect(refusal).toBeInstanceOf(TrustooError);
    const { code, message } = refusal as TrustooError;
    expect(code).toBe(16);
    expect(message).toContain(`\`page=1&page_size=5&timestamp=${timestamp}\``);
    expect(message).not.toContain(DEMO_SHOP.privateToken);
  });

  test("a timestamp outside the 15-minute window is refused", async () => {
    const client = demoClient({ now: () => Math.floor(Date.now() / 1000) - 3600 });

    await expect(client.getRating()).rejects.toMatchObject({ code: 16 });
  });
});

describe("paging", () => {
  test("every review, page after page, exactly once", async () => {
    const client = demoClient();
    const { page } = await client.getReviews(1, 1);

    const seen: Review[] = [];
    // sort_by comes before page in the query and after it in the string-to-sign
    for await (const review of client.allReviews(7, { sort_by: "created-ascending" })) {
      seen.push(review);
    }

    expect(page.count).toBeGreaterThan(7);
    expect(seen).toHaveLength(page.count);
    expect(new Set(seen.map((review) => review.id)).size).toBe(page.count);
    const created = seen.map((review) => review.created_at);
    expect(created).toEqual([...created].sort());
  });

  test("a page past the last one is empty", async () => {
    const client = demoClient();
    const { page } = await client.getReviews(1, 50);

    const beyond = await client.getReviews(page.total_page + 1, 50);

    expect(beyond.list).toEqual([]);
  });
});
