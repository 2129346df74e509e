/** The fake's control plane (/_mock: plain JSON, not Trustoo's envelope) and its demo shop. */
import { inject } from "vitest";
import { TrustooClient, type ClientOptions } from "../src/trustoo.ts";

export const DEMO_SHOP = {
  publicToken: "ZGVtby1wdWJsaWMtMDAwMQ==",
  privateToken: "ZGVtby1wcml2YXRlLTAwMQ==",
};

export function baseUrl(): string {
  return inject("trustooUrl");
}

export function demoClient(options: Partial<ClientOptions> = {}): TrustooClient {
  return new TrustooClient({ baseUrl: baseUrl(), ...DEMO_SHOP, ...options });
}

/** GET /_mock/<path>, or POST it with `body`. */
export async function control<T = unknown>(path: string, body?: unknown): Promise<T> {
  const answer = await fetch(`${baseUrl()}/_mock/${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await answer.text();
  if (!answer.ok) {
    throw new Error(`/_mock/${path} answered ${answer.status}: ${text}`);
  }
  return JSON.parse(text) as T;
}

/** Every request answered and every due push made. */
export async function waitIdle(): Promise<void> {
  await control("wait_idle", { timeout: 10 });
}
