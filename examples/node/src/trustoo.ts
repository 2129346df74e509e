/**
 * A Trustoo Open API client written from Trustoo's docs, with fetch and node:crypto only.
 *
 * A shop signs every request (decision D1 of trustoo-mock): the message is the query
 * parameters plus `timestamp`, sorted by key then value and joined `k=v` with `&`; a
 * non-empty body adds `|` and the raw body. `Sign` is the lowercase hex HMAC-SHA256 of that
 * message keyed with the shop's private token.
 */
import { createHmac } from "node:crypto";

export type Query = Record<string, string | number>;

/** Every answer comes in this envelope; an error is a `code` other than 0, whatever the
 * HTTP status (Trustoo sends errors as HTTP 200). */
export interface Envelope<T> {
  code: number;
  message: string;
  time: number;
  request_id: string;
  data?: T;
}

export class TrustooError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly requestId: string,
  ) {
    super(`Trustoo code ${code}: ${message}`);
    this.name = "TrustooError";
  }
}

export interface Review {
  id: string;
  product_id: string;
  rating: number;
  author: string;
  title: string;
  content: string;
  is_published: number;
  created_at: string;
}

export interface ReviewPage {
  page: { page: number; page_size: number; total_page: number; count: number };
  list: Review[];
}

export interface Rating {
  rating_value: string;
  review_count: number;
  star1_count: number;
  star2_count: number;
  star3_count: number;
  star4_count: number;
  star5_count: number;
}

export interface NewReview {
  rating: number;
  author: string;
  title?: string;
  content?: string;
  author_email?: string;
  product_id?: string;
}

export interface Webhook {
  id: string;
  topic: string;
  url: string;
}

export interface ClientOptions {
  baseUrl: string;
  publicToken: string;
  /** The signing key; it never leaves this process. */
  privateToken: string;
  /** Unix seconds for the `Timestamp` header; the computer's clock unless given. */
  now?: () => number;
}

const API = "/api/v1/openapi";

export function stringToSign(query: Query, timestamp: string, body = ""): string {
  const pairs: Array<[string, string]> = Object.entries(query)
    .filter(([key]) => key !== "timestamp")
    .map(([key, value]) => [key, String(value)]);
  pairs.push(["timestamp", timestamp]);
  pairs.sort(([keyA, valueA], [keyB, valueB]) =>
    keyA === keyB ? compare(valueA, valueB) : compare(keyA, keyB),
  );
  const joined = pairs.map(([key, value]) => `${key}=${value}`).join("&");
  return body === "" ? joined : `${joined}|${body}`;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function sign(privateToken: string, message: string): string {
  return createHmac("sha256", privateToken).update(message, "utf8").digest("hex");
}

export class TrustooClient {
  private readonly now: () => number;

  constructor(private readonly options: ClientOptions) {
    this.now = options.now ?? (() => Math.floor(Date.now() / 1000));
  }

  /** One signed call; resolves to `data`, rejects with a TrustooError on a code other than 0. */
  async call<T>(method: "GET" | "POST", operation: string, query: Query = {}, json?: unknown): Promise<T> {
    const body = json === undefined ? "" : JSON.stringify(json);
    const timestamp = String(this.now());
    const url = new URL(`${API}/${operation}`, this.options.baseUrl);
    for (const [key, value] of Object.entries(query)) {
      url.searchParams.append(key, String(value));
    }
    const headers: Record<string, string> = {
      "Public-Token": this.options.publicToken,
      Timestamp: timestamp,
      Sign: sign(this.options.privateToken, stringToSign(query, timestamp, body)),
    };
    if (body !== "") {
      headers["Content-Type"] = "application/json";
    }
    const answer = await fetch(url, { method, headers, body: body === "" ? undefined : body });
    const envelope = (await answer.json()) as Envelope<T>;
    if (envelope.code !== 0) {
      throw new TrustooError(envelope.code, envelope.message, envelope.request_id);
    }
    return envelope.data as T;
  }

  getReviews(page = 1, pageSize = 20, filters: Query = {}): Promise<ReviewPage> {
    return this.call("GET", "get_reviews", { ...filters, page, page_size: pageSize });
  }

  /** Every review, page after page, until the last one. */
  async *allReviews(pageSize = 100, filters: Query = {}): AsyncGenerator<Review> {
    for (let page = 1; ; page += 1) {
      const answer = await this.getReviews(page, pageSize, filters);
      yield* answer.list;
      if (page >= answer.page.total_page) {
        return;
      }
    }
  }

  getRating(filters: Query = {}): Promise<Rating> {
    return this.call("GET", "get_rating", filters);
  }

  createReview(review: NewReview): Promise<Review> {
    return this.call("POST", "create_review", {}, review);
  }

  createShopWebhook(topic: string, url: string): Promise<Webhook> {
    return this.call("POST", "create_shop_webhook", {}, { topic, url });
  }
}
