import { createHash } from "node:crypto";
import type { ClientSession } from "mongoose";
import { LedgerKey } from "~/models/ledger-key.server.ts";
import { isDuplicateKeyOn } from "~/services/kernel/mongo-errors.ts";
import { maybeId } from "~/services/kernel/ids.server.ts";
import { ValidationError } from "~/utils/errors.ts";
import { LEDGER_ACCOUNTS, LEDGER_MOVEMENTS, type LedgerAccount, type LedgerMovement } from "./accounts.ts";
import { ledgerBook } from "./book.server.ts";

/**
 * Posting (decision 017): one balanced medici journal, written in the caller's transaction, once
 * per key. The caller is the module whose state change the money movement belongs to (a payment's
 * purpose handler, a contract's stage); it passes its own session, so the journal commits or rolls
 * back with that change.
 */

export type LedgerLine = {
  account: LedgerAccount;
  /** Who the line is about: the buyer, the seller's organisation, the broker, the bidder. */
  party?: string | null;
  /** The Payment the cash came from or went to: the reconciliation compares the two. */
  payment?: string | null;
  registration?: string | null;
} & ({ debit: number; credit?: never } | { credit: number; debit?: never });

export interface Posting {
  /** Unique per money movement, e.g. `payment:<id>:captured`: a second post of it writes nothing. */
  key: string;
  memo: string;
  movement: LedgerMovement;
  /** Every line of the posting belongs to this deal (its books balance by construction). */
  deal?: string | null;
  lines: LedgerLine[];
}

export interface PostResult {
  journalId: string;
  /** False when the key was posted before (a retry): nothing was written now. */
  posted: boolean;
}

const KEY = /^[\w.:@/-]{1,200}$/;

/** Checks a posting before anything is written: integer fen, known accounts, debits = credits. */
export function checkPosting(p: Posting): void {
  const problems: Record<string, string[]> = {};
  const add = (field: string, code: string) => (problems[field] ??= []).push(code);
  if (typeof p.key !== "string" || !KEY.test(p.key)) add("key", "ledger.keyInvalid");
  if (typeof p.memo !== "string" || !p.memo.trim() || p.memo.length > 500) add("memo", "ledger.memoInvalid");
  if (!(LEDGER_MOVEMENTS as readonly string[]).includes(p.movement)) add("movement", "ledger.movementInvalid");
  if (p.deal != null && !maybeId(p.deal)) add("deal", "errors.invalidId");
  if (!Array.isArray(p.lines) || p.lines.length < 2) add("lines", "ledger.tooFewLines");
  let debits = 0;
  let credits = 0;
  (p.lines ?? []).forEach((l, i) => {
    if (!Object.hasOwn(LEDGER_ACCOUNTS, l.account)) add(`lines.${i}.account`, "ledger.accountUnknown");
    const hasDebit = l.debit !== undefined;
    const amount = hasDebit ? l.debit : l.credit;
    if (hasDebit === (l.credit !== undefined)) add(`lines.${i}`, "ledger.debitOrCredit");
    else if (!Number.isSafeInteger(amount) || (amount as number) <= 0) add(`lines.${i}.amountFen`, "ledger.amountNotFen");
    else if (hasDebit) debits += amount as number;
    else credits += amount as number;
  });
  if (!Object.keys(problems).length && debits !== credits) add("lines", "ledger.unbalanced");
  if (!Number.isSafeInteger(debits) || !Number.isSafeInteger(credits)) add("lines", "ledger.amountNotFen");
  if (Object.keys(problems).length) throw new ValidationError(problems);
}

function fingerprint(p: Posting): string {
  const canonical = JSON.stringify([
    p.movement,
    p.deal ?? null,
    p.lines.map((l) => [l.account, l.debit ?? 0, l.credit ?? 0, l.party ?? null, l.payment ?? null, l.registration ?? null]),
  ]);
  return createHash("sha256").update(canonical).digest("hex");
}

/**
 * Writes `posting` as one medici journal in `session`'s transaction, unless its key was posted
 * before. Refuses (ValidationError, nothing written) an unbalanced posting, an amount that is not
 * a positive integer of fen, an unknown account. The same key with different lines is a
 * programming error and throws. Two concurrent posts of one key: the second's insert of the key
 * conflicts, its transaction is retried (the caller's `withTransaction`) and then finds the key.
 */
export async function post(session: ClientSession, posting: Posting): Promise<PostResult> {
  checkPosting(posting);
  const print = fingerprint(posting);
  const seen = await LedgerKey.findById(posting.key, { journal: 1, fingerprint: 1 }).session(session).lean();
  if (seen) {
    if (seen.fingerprint !== print) throw new Error(`ledger key "${posting.key}" was posted before with other lines`);
    return { journalId: String(seen.journal), posted: false };
  }
  const entry = ledgerBook().entry(posting.memo);
  const journalId = entry.journal._id;
  try {
    // The key first: a concurrent post of the same key collides here, before any line is written.
    await LedgerKey.create(
      [{ _id: posting.key, journal: journalId, fingerprint: print, deal: maybeId(posting.deal ?? null), at: new Date() }],
      {
        session,
      },
    );
  } catch (e) {
    if (isDuplicateKeyOn(e, ["_id"])) {
      // Committed by another transaction after ours began: run the caller's transaction again.
      (e as { addErrorLabel?: (l: string) => void }).addErrorLabel?.("TransientTransactionError");
    }
    throw e;
  }
  for (const l of posting.lines) {
    const meta: Record<string, string> = { movement: posting.movement, key: posting.key };
    if (posting.deal) meta.deal = posting.deal;
    if (l.party) meta.party = l.party;
    if (l.payment) meta.payment = l.payment;
    if (l.registration) meta.registration = l.registration;
    const path = LEDGER_ACCOUNTS[l.account].path;
    if (l.debit !== undefined) entry.debit(path, l.debit, meta);
    else entry.credit(path, l.credit, meta);
  }
  await entry.commit({ session });
  return { journalId: String(journalId), posted: true };
}
