import { beforeEach } from "vitest";
import { control } from "./fake.ts";

// Every test starts from the demo data and the real clock.
beforeEach(async () => {
  await control("reset", {});
});
