/**
 * One live fake Trustoo for the whole run: `trustoo-mock serve --port 0` picks a free port
 * and says where it listens on its first line. The executable is $TRUSTOO_MOCK, or
 * `trustoo-mock` on PATH.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    trustooUrl: string;
  }
}

const STARTUP_SECONDS = 30;

let server: ChildProcess | undefined;

export async function setup(project: TestProject): Promise<void> {
  const executable = process.env.TRUSTOO_MOCK ?? "trustoo-mock";
  const child = spawn(executable, ["serve", "--port", "0", "--random-seed", "1"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  server = child;
  const errors: string[] = [];
  child.stderr?.setEncoding("utf8").on("data", (text: string) => {
    errors.push(text);
    errors.splice(0, errors.length - 20);
  });
  const lines = createInterface({ input: child.stdout! });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${executable} said nothing within ${STARTUP_SECONDS} s`)),
      STARTUP_SECONDS * 1000,
    );
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(new Error(`cannot start ${executable} (set TRUSTOO_MOCK or PATH): ${error.message}`));
    });
    child.once("exit", (status) => {
      clearTimeout(timer);
      reject(new Error(`${executable} exited with ${status}:\n${errors.join("")}`));
    });
    lines.once("line", (first) => {
      clearTimeout(timer);
      // "trustoo-mock 0.1.0 serving on http://127.0.0.1:PORT"
      const found = /serving on (http:\/\/\S+)/.exec(first);
      if (found?.[1] === undefined) {
        reject(new Error(`unexpected first line from ${executable}: ${first}`));
      } else {
        resolve(found[1]);
      }
    });
  });
  lines.on("line", () => {}); // keep reading, so the server never blocks on a full pipe
  project.provide("trustooUrl", url);
}

export async function teardown(): Promise<void> {
  if (server === undefined || server.exitCode !== null || server.signalCode !== null) {
    return;
  }
  const exited = once(server, "exit");
  server.kill("SIGTERM");
  await exited;
}
