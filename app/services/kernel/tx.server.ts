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
      committed.set(session, []); // a retried attempt starts over
      result = await fn(session);
    });
    runAfterCommit(session);
    return result;
  } finally {
    committed.delete(session);
    await session.endSession();
  }
}

/** What to do once each transaction committed (its hooks, `afterCommit`). */
const committed = new WeakMap<ClientSession, (() => void)[]>();

/**
 * Runs `fn` once the transaction of `session` committed — never if it aborts (or for an attempt
 * that is retried). For work inside a shared transaction (another module's) that must tell someone
 * only what is stored: a room's events after a sale closed its offer cards. A session that is not
 * one of ours runs it when the session ends.
 */
export function afterCommit(session: ClientSession, fn: () => void): void {
  const hooks = committed.get(session);
  if (hooks) hooks.push(fn);
  else session.once("ended", fn);
}

function runAfterCommit(session: ClientSession) {
  for (const fn of committed.get(session) ?? []) fn();
  committed.delete(session);
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
    committed.set(session, []);
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
        runAfterCommit(session);
        return result;
      } catch (e) {
        if (i < 3 && isUnknownCommitResult(e)) continue;
        throw e;
      }
    }
  } finally {
    committed.delete(session);
    await session.endSession();
  }
}
