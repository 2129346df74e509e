import { describe, expect, test } from "vitest";
import { control, demoClient } from "./fake.ts";

// Faults (POST /_mock/faults) make the fake fail on demand; the reset before each test
// (test/setup.ts) removes them.
describe("Trustoo failing on demand", () => {
  test("code 13 once: the client raises it, and the next call succeeds", async () => {
    await control("faults", { operation: "get_rating", error: { code: 13 }, times: 1 });
    const client = demoClient();

    await expect(client.getRating()).rejects.toMatchObject({ code: 13 });
    const rating = await client.getRating();

    expect(rating.review_count).toBeGreaterThan(0);
  });

  test("a dropped connection is a fetch failure, not an answer", async () => {
    await control("faults", { operation: "get_rating", drop: true, times: 1 });

    await expect(demoClient().getRating()).rejects.toThrow(TypeError); // fetch failed
    const faults = await control<{ fired: number }[]>("faults");

    expect(faults.map((fault) => fault.fired)).toEqual([1]);
  });
});
