import { describe, expect, it } from "vitest";
import { RateLimitedError } from "~/utils/errors.ts";
import { assertLoginAllowed, clearLoginFailures, recordLoginFailure } from "~/utils/rate-limit.server.ts";

describe("login throttling (kept in MongoDB, shared by all instances)", () => {
  it("blocks an email+IP after 5 failures, and not another IP", async () => {
    const email = `throttle${Date.now()}@example.cn`;
    for (let i = 0; i < 5; i++) {
      await assertLoginAllowed(email, "10.0.0.1");
      await recordLoginFailure(email, "10.0.0.1");
    }
    const err = await assertLoginAllowed(email, "10.0.0.1").catch((e) => e);
    expect(err).toBeInstanceOf(RateLimitedError);
    expect(err.retryAfterSeconds).toBeGreaterThan(800);
    await expect(assertLoginAllowed(email, "10.0.0.2")).resolves.toBeUndefined();
  });

  it("a successful login clears the failures of that email+IP", async () => {
    const email = `clear${Date.now()}@example.cn`;
    for (let i = 0; i < 4; i++) await recordLoginFailure(email, "10.0.0.3");
    await clearLoginFailures(email, "10.0.0.3");
    for (let i = 0; i < 4; i++) await recordLoginFailure(email, "10.0.0.3");
    await expect(assertLoginAllowed(email, "10.0.0.3")).resolves.toBeUndefined();
  });
});
