import mongoose, { type ClientSession } from "mongoose";
import { isUnknownCommitResult } from "./mongo-errors.ts";

export type { ClientSession };

/**
 * Transactions, once. The embedded mongod is a single-node replica set and production runs a
 * replica set, so these are real multi-document transactions.
 *
 * `withTransaction` retries the whole function on transient errors (write conflicts, elections)
 * through the driver's own loop: for work that may simply run again.
 */
export async function withTransaction<T>(fn: (session: ClientSession) => Promise<T>): Promise<T> {
  const session = await mongoose.startSession();
  try {
    let result!: T;
    await session.withTransaction(async () => {
      result = await fn(session);
    });
    return result;
  } finally {
    await session.endSession();
  }
}

/**
 * One attempt, no automatic retry of the function (only the commit is retried when its outcome is
 * unknown): for callers that must decide themselves what a conflict means — a bid that lost a race
 * is re-read and may be refused as outbid rather than blindly placed again. Snapshot reads,
 * majority writes.
 */
export async function withTransactionOnce<T>(fn: (session: ClientSession) => Promise<T>): Promise<T> {
  const session = await mongoose.startSession();
  try {
    session.startTransaction({ readConcern: { level: "snapshot" }, writeConcern: { w: "majority" } });
    let result: T;
    try {
      result = await fn(session);
    } catch (e) {
      await session.abortTransaction().catch(() => {});
      throw e;
    }
    for (let i = 0; ; i++) {
      try {
        await session.commitTransaction();
        return result;
      } catch (e) {
        if (i < 3 && isUnknownCommitResult(e)) continue;
        throw e;
      }
    }
  } finally {
    await session.endSession();
  }
}
