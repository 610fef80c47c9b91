import mongoose from "mongoose";
import { describe, expect, it } from "vitest";
import { afterCommit, withTransaction, withTransactionOnce } from "~/services/kernel/tx.server.ts";

/**
 * `afterCommit`: what a command tells others (a room's events) runs only for what was stored —
 * once, after the commit, never for an attempt that aborted or was retried.
 */
describe("afterCommit", () => {
  it("runs once the transaction committed, after the function returned", async () => {
    const seen: string[] = [];
    const result = await withTransaction(async (session) => {
      afterCommit(session, () => seen.push("after"));
      seen.push("inside");
      return 42;
    });
    expect(result).toBe(42);
    expect(seen).toEqual(["inside", "after"]);
    const once: string[] = [];
    await withTransactionOnce(async (session) => afterCommit(session, () => once.push("after")));
    expect(once).toEqual(["after"]);
  });

  it("never runs for a transaction that aborted", async () => {
    const seen: string[] = [];
    await expect(
      withTransaction(async (session) => {
        afterCommit(session, () => seen.push("after"));
        throw new Error("refused");
      }),
    ).rejects.toThrow("refused");
    await expect(
      withTransactionOnce(async (session) => {
        afterCommit(session, () => seen.push("after"));
        throw new Error("refused");
      }),
    ).rejects.toThrow("refused");
    expect(seen).toEqual([]);
  });

  it("forgets what a retried attempt registered: only the attempt that committed counts", async () => {
    const seen: number[] = [];
    let attempt = 0;
    await withTransaction(async (session) => {
      attempt++;
      afterCommit(session, () => seen.push(attempt));
      if (attempt === 1) {
        throw new mongoose.mongo.MongoServerError({ message: "write conflict", errorLabels: ["TransientTransactionError"] });
      }
    });
    expect(attempt).toBe(2);
    expect(seen).toEqual([2]);
  });
});
