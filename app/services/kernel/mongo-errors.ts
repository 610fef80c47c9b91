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
