/**
 * MongoDB's errors, read once. A duplicate key (11000) is how a unique index says "already
 * there": services turn it into a ConflictError of their own.
 */
export function isDuplicateKey(e: unknown, field?: string): boolean {
  const err = e as { code?: number; keyPattern?: Record<string, unknown>; message?: string } | null;
  // A bulk write inside a transaction may surface it only in the message.
  if (err?.code !== 11000) return field === undefined && /E11000/.test(String(err?.message ?? ""));
  return field === undefined || (!!err.keyPattern && field in err.keyPattern);
}

/** A duplicate key on exactly this unique index (its key fields in order), not on another index of the same collection. */
export function isDuplicateKeyOn(e: unknown, fields: readonly string[]): boolean {
  const keyPattern = (e as { code?: number; keyPattern?: Record<string, unknown> } | null)?.keyPattern;
  return isDuplicateKey(e) && !!keyPattern && Object.keys(keyPattern).join() === fields.join();
}

/** A failure MongoDB labels as worth retrying the whole transaction for (a write conflict, an election). */
export function isTransientTransactionError(e: unknown): boolean {
  const err = e as { hasErrorLabel?: (l: string) => boolean; code?: number } | null;
  return !!err && ((typeof err.hasErrorLabel === "function" && err.hasErrorLabel("TransientTransactionError")) || err.code === 112);
}

/** The commit's outcome is unknown (the primary stepped down mid-commit): committing again is safe. */
export function isUnknownCommitResult(e: unknown): boolean {
  const err = e as { hasErrorLabel?: (l: string) => boolean } | null;
  return !!err && typeof err.hasErrorLabel === "function" && err.hasErrorLabel("UnknownTransactionCommitResult");
}

/** The driver's (and mongoose's) names for "the server cannot be reached or the pool was reset". */
const UNREACHABLE_NAMES = new Set([
  "MongoServerSelectionError",
  "MongooseServerSelectionError",
  "MongoNetworkError",
  "MongoNetworkTimeoutError",
  "MongoNotConnectedError",
  "MongoPoolClearedError",
  "MongoTopologyClosedError",
  "MongoServerClosedError",
]);

/**
 * Server codes that mean "not now" rather than "no": the node is shutting down, restarting, or not
 * (yet) primary — what a restarted single-node replica set answers until it has elected itself.
 */
const NOT_NOW_CODES = new Set([
  91, // ShutdownInProgress
  189, // PrimarySteppedDown
  10107, // NotWritablePrimary
  11600, // InterruptedAtShutdown
  11602, // InterruptedDueToReplStateChange
  13435, // NotPrimaryNoSecondaryOk
  13436, // NotPrimaryOrSecondary
]);

/**
 * MongoDB cannot be reached right now (down, restarting, not yet primary). Read by name, not by
 * class: the server and the Remix build each load their own copy of the driver's error classes.
 * Looks through `cause` (mongoose and the driver wrap one another's errors) and `errorResponse`
 * (a bulk write — medici's ledger posting — carries the network error that cut it there), and
 * takes Node's own connection errors raised inside the driver (an EPIPE it does not wrap).
 */
export function isMongoUnavailable(e: unknown): boolean {
  type Err = { name?: string; code?: unknown; message?: string; stack?: string; cause?: unknown; errorResponse?: unknown };
  const seen = new Set<unknown>();
  const queue: unknown[] = [e];
  while (queue.length && seen.size < 10) {
    const err = queue.shift() as Err | null;
    if (!err || typeof err !== "object" || seen.has(err)) continue;
    seen.add(err);
    if (err.name && UNREACHABLE_NAMES.has(err.name)) return true;
    if (typeof err.code === "number" && NOT_NOW_CODES.has(err.code) && /^Mongo/.test(err.name ?? "")) return true;
    // mongoose, when a command could not even be handed to the driver.
    if (
      err.name === "MongooseError" &&
      /buffering timed out|before initial connection|Connection was force closed/.test(err.message ?? "")
    ) {
      return true;
    }
    // The driver writing on a socket mongod has just closed: Node's own EPIPE, not wrapped.
    if (typeof err.code === "string" && /^(EPIPE|ECONNRESET|ECONNREFUSED)$/.test(err.code) && /[\\/]mongodb[\\/]/.test(err.stack ?? "")) {
      return true;
    }
    queue.push(err.cause, err.errorResponse);
  }
  return false;
}
