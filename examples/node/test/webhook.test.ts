import { afterEach, describe, expect, test } from "vitest";
import { WebhookVerificationError, verifyWebhook } from "../src/webhook.ts";
import { DEMO_SHOP, control, demoClient, waitIdle } from "./fake.ts";
import { startReceiver, type Receiver } from "./receiver.ts";

interface ReviewPush {
  list: Array<{ topic: string; author: string; rating: number }>;
}

interface Delivery {
  topic: string;
  status: string;
  request_id: string;
  attempts: Array<{ at_unix: number; status_code: number | null }>;
}

const receivers: Receiver[] = [];

async function receiver(status = 200): Promise<Receiver> {
  const started = await startReceiver(status);
  receivers.push(started);
  return started;
}

afterEach(async () => {
  await Promise.all(receivers.splice(0).map((started) => started.close()));
});

/** A receiver subscribed to review/created as the demo shop, once a review by Ana was pushed. */
async function pushedReview(): Promise<Receiver> {
  const endpoint = await receiver();
  const client = demoClient();
  await client.createShopWebhook("review/created", endpoint.url);
  await client.createReview({ rating: 4, author: "Ana" });
  await waitIdle();
  return endpoint;
}

describe("a pushed webhook", () => {
  test("arrives signed with the shop's private token and passes verifyWebhook", async () => {
    const endpoint = await pushedReview();

    expect(endpoint.pushes).toHaveLength(1);
    const [push] = endpoint.pushes;
    const verified = verifyWebhook<ReviewPush>(push!.headers, push!.body, DEMO_SHOP.privateToken);
    expect(verified.publicToken).toBe(DEMO_SHOP.publicToken);
    expect(verified.body.list[0]).toMatchObject({ topic: "review/created", author: "Ana", rating: 4 });
  });

  test("is refused once its body is changed, with another key, or when it is stale", async () => {
    const [push] = (await pushedReview()).pushes;
    const { headers, body } = push!;
    const tampered = Buffer.from(body.toString("utf8").replace('"rating":4', '"rating":5'));
    const sentAt = Number(headers["open-trustoo-webhook-timestamp"]);

    expect(tampered.equals(body)).toBe(false);
    expect(() => verifyWebhook(headers, tampered, DEMO_SHOP.privateToken)).toThrow(
      /Sign does not match/,
    );
    expect(() => verifyWebhook(headers, body, "another-key")).toThrow(WebhookVerificationError);
    expect(() => verifyWebhook(headers, body, DEMO_SHOP.privateToken, { now: sentAt + 901 })).toThrow(
      /more than 900 s away/,
    );
    expect(() => verifyWebhook(headers, body, DEMO_SHOP.privateToken, { now: sentAt + 899 })).not.toThrow();
  });
});

describe("retries", () => {
  test("a receiver answering 500 gets ten attempts, 0, 3, 9 ... 135 minutes after the first", async () => {
    const endpoint = await receiver(500);
    const client = demoClient();
    await control("clock", { freeze: true }); // virtual time: the schedule runs in milliseconds
    await client.createShopWebhook("review/created", endpoint.url);
    await client.createReview({ rating: 2, author: "Bo" });
    await waitIdle();
    expect(endpoint.pushes).toHaveLength(1);

    await control("clock", { freeze: true, advance: 135 * 60 });
    await waitIdle();

    const [delivery, ...others] = await control<Delivery[]>("webhook_deliveries?topic=review/created");
    expect(others).toEqual([]);
    const first = delivery!.attempts[0]!.at_unix;
    const minutes = delivery!.attempts.map((attempt) => (attempt.at_unix - first) / 60);
    expect(minutes).toEqual([0, 3, 9, 18, 30, 45, 63, 84, 108, 135]);
    expect(delivery!.attempts.every((attempt) => attempt.status_code === 500)).toBe(true);
    expect(delivery!.status).toBe("failed");
    expect(endpoint.pushes).toHaveLength(10);
    const requestIds = new Set(endpoint.pushes.map((push) => push.headers["open-trustoo-webhook-requestid"]));
    expect(requestIds).toEqual(new Set([delivery!.request_id]));
    for (const push of endpoint.pushes) {
      verifyWebhook(push.headers, push.body, DEMO_SHOP.privateToken, { tolerance: null });
    }
  });
});
