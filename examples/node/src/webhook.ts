/**
 * Checking a push from Trustoo: the signature is the lowercase hex HMAC-SHA256, keyed with the
 * shop's private token (a platform's client secret for a platform's subscriptions), of
 * `timestamp=<Open-Trustoo-Webhook-Timestamp>|<raw body>`; the timestamp must be within
 * 15 minutes of now, either way.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

export const WINDOW_SECONDS = 15 * 60;

export class WebhookVerificationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "WebhookVerificationError";
  }
}

/** Node's `IncomingHttpHeaders` or a fetch `Headers`-like record; names in any case. */
export type PushHeaders = Record<string, string | string[] | undefined>;

export interface Push<T = unknown> {
  publicToken: string;
  requestId: string;
  timestamp: number;
  body: T;
}

export interface VerifyOptions {
  /** Unix seconds to measure the timestamp's age from; the computer's clock unless given. */
  now?: number;
  /** Seconds of age allowed either way; `null` skips the age check. */
  tolerance?: number | null;
}

function header(headers: PushHeaders, name: string): string {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === wanted && value !== undefined) {
      return Array.isArray(value) ? value.join(",") : value;
    }
  }
  throw new WebhookVerificationError(`the push has no ${name} header`);
}

export function webhookSignature(key: string, timestamp: string, rawBody: Buffer): string {
  return createHmac("sha256", key)
    .update(`timestamp=${timestamp}|`, "utf8")
    .update(rawBody)
    .digest("hex");
}

/**
 * The push, parsed, when it is signed with `key` and fresh; a WebhookVerificationError
 * saying what is wrong otherwise. `rawBody` must be the bytes as received, before any parsing.
 */
export function verifyWebhook<T = unknown>(
  headers: PushHeaders,
  rawBody: Buffer,
  key: string,
  options: VerifyOptions = {},
): Push<T> {
  const timestamp = header(headers, "Open-Trustoo-Webhook-Timestamp");
  const received = header(headers, "Open-Trustoo-Webhook-Sign");
  if (!/^\d{1,20}$/.test(timestamp)) {
    throw new WebhookVerificationError("Open-Trustoo-Webhook-Timestamp is not Unix seconds");
  }
  const expected = Buffer.from(webhookSignature(key, timestamp, rawBody), "ascii");
  const given = Buffer.from(received, "utf8");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new WebhookVerificationError("Open-Trustoo-Webhook-Sign does not match the body");
  }
  const tolerance = options.tolerance === undefined ? WINDOW_SECONDS : options.tolerance;
  const now = options.now ?? Date.now() / 1000;
  if (tolerance !== null && Math.abs(now - Number(timestamp)) > tolerance) {
    throw new WebhookVerificationError(
      `Open-Trustoo-Webhook-Timestamp is more than ${tolerance} s away from now`,
    );
  }
  return {
    publicToken: header(headers, "Open-Trustoo-Webhook-Public-token"),
    requestId: header(headers, "Open-Trustoo-Webhook-RequestId"),
    timestamp: Number(timestamp),
    body: JSON.parse(rawBody.toString("utf8")) as T,
  };
}
