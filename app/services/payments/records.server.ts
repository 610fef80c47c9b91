import type { ClientSession, Types } from "mongoose";
import { Payment, type PaymentDoc, type PaymentKind, type PaymentStatus } from "~/models/payment.server.ts";
import { ConflictError, NotFoundError } from "~/utils/errors.ts";
import { logger } from "~/utils/logger.server.ts";
import { withTransaction } from "../kernel/tx.server.ts";
import { purposeHandler, type PaymentChange } from "./purposes.server.ts";
import { PaymentGatewayError } from "./types.ts";

/**
 * The Payment record's state machine (models/payment.server.ts lists the moves). Every change is a
 * conditional update — pending→held only from pending, held→released only from held … — appended
 * to `history` with its source, and the purpose's owner reacts in the same transaction
 * (purposes.server.ts). A change another writer made first is not made again: the caller reads
 * what is there instead of writing over it.
 */

type Entry = { source: string; eventId?: string };
type StoredPayment = PaymentDoc & { _id: Types.ObjectId };

const STAMP: Partial<Record<PaymentStatus, string>> = {
  held: "heldAt",
  captured: "capturedAt",
  released: "releasedAt",
  succeeded: "succeededAt",
  refunded: "refundedAt",
};

export const kindOf = (p: { kind?: string | null }): PaymentKind => (p.kind ?? "hold") as PaymentKind;

export function changeOf(p: StoredPayment, status: PaymentStatus, set: Record<string, unknown> = {}): PaymentChange {
  const merged = { ...p, ...set } as StoredPayment;
  return {
    id: String(p._id),
    purpose: p.purpose,
    kind: kindOf(p),
    status,
    amountFen: p.amount,
    capturedAmountFen: merged.capturedAmount ?? null,
    refundedAmountFen: merged.refundedAmount ?? null,
    subject: { kind: p.subject?.kind ?? "", id: String(p.subject?.id ?? "") },
    payerId: p.payer ? String(p.payer) : null,
  };
}

/**
 * Moves a payment from one of `from` to `to` (only if it is still in one of them), records the
 * change in its history and lets the purpose's owner react. Returns false when another writer got
 * there first.
 */
export async function transition(
  session: ClientSession,
  paymentId: Types.ObjectId,
  from: PaymentStatus[],
  to: PaymentStatus,
  entry: Entry,
  set: Record<string, unknown> = {},
): Promise<boolean> {
  const at = new Date();
  const stamp = STAMP[to];
  const before = (await Payment.findOneAndUpdate(
    { _id: paymentId, status: { $in: from } },
    {
      $set: { status: to, ...set, ...(stamp ? { [stamp]: at } : {}) },
      $push: { history: { at, status: to, source: entry.source, ...(entry.eventId ? { eventId: entry.eventId } : {}) } },
    },
    { session, returnDocument: "before" },
  ).lean()) as StoredPayment | null;
  if (!before) return false;
  await purposeHandler(before.purpose).onStatus(session, changeOf(before, to, set), before.status as PaymentStatus, to);
  return true;
}

/** `transition` in a transaction of its own. */
export const move = (...args: Parameters<typeof transition> extends [ClientSession, ...infer R] ? R : never) =>
  withTransaction((session) => transition(session, ...args));

export async function statusOf(paymentId: Types.ObjectId): Promise<PaymentStatus> {
  const p = await Payment.findById(paymentId, { status: 1 }).lean();
  if (!p) throw new NotFoundError();
  return p.status as PaymentStatus;
}

/** The money a refund can come from: what a hold's capture took, or what a checkout took. */
export function refundBase(p: { kind?: string | null; amount: number; capturedAmount?: number | null }): number {
  return kindOf(p) === "hold" ? (p.capturedAmount ?? p.amount) : p.amount;
}

/**
 * Records a refund: by the gateway's refund id (each once), and the total refunded so far (it only
 * grows: a refund's answer, `refund.created` and `charge.refunded` may arrive in any order and
 * twice). Moves captured | succeeded → refunded, or refunded → refunded when more came back.
 * Returns false when it changed nothing.
 */
export async function recordRefund(
  session: ClientSession,
  paymentId: Types.ObjectId,
  refund: { refundRef?: string | null; amountFen?: number | null; refundedTotalFen?: number | null; key?: string; reason?: string },
  entry: Entry,
): Promise<boolean> {
  const p = (await Payment.findById(paymentId).session(session).lean()) as StoredPayment | null;
  if (!p || !["captured", "succeeded", "refunded"].includes(p.status)) return false;
  type RefundEntry = { ref: string; amount: number; at: Date; reason?: string | null; key?: string | null };
  const refunds: RefundEntry[] = [...((p.refunds ?? []) as RefundEntry[])];
  const at = new Date();
  if (refund.refundRef && refund.amountFen && !refunds.some((r) => r.ref === refund.refundRef)) {
    refunds.push({ ref: refund.refundRef, amount: refund.amountFen, at, reason: refund.reason, key: refund.key });
  }
  const before = p.refundedAmount ?? 0;
  const byEntries = refunds.reduce((s, r) => s + r.amount, 0);
  const total = Math.min(refundBase(p), Math.max(before, byEntries, refund.refundedTotalFen ?? 0));
  const newEntry = refunds.length !== (p.refunds ?? []).length;
  if (total <= before && !newEntry) return false;
  if (total <= 0) return false;
  const res = await Payment.updateOne(
    { _id: p._id, status: p.status, refundedAmount: p.refundedAmount ?? null },
    {
      $set: { status: "refunded", refundedAmount: total, refunds, refundedAt: at },
      $push: { history: { at, status: "refunded", source: entry.source, ...(entry.eventId ? { eventId: entry.eventId } : {}) } },
    },
    { session },
  );
  if (res.modifiedCount === 0) throw new ConflictError("errors.conflict"); // moved under us: the transaction runs again
  if (total > before || p.status !== "refunded") {
    await purposeHandler(p.purpose).onStatus(
      session,
      changeOf(p, "refunded", { refundedAmount: total }),
      p.status as PaymentStatus,
      "refunded",
    );
  }
  return true;
}

/** A gateway failure as the domain error the UI shows; the details go to the log. */
export function gatewayFailure(e: unknown, what: string, paymentId: string): never {
  if (e instanceof PaymentGatewayError) {
    logger.warn({ err: e.message, code: e.code, status: e.statusCode, payment: paymentId }, `payment gateway: ${what} failed`);
    throw new ConflictError("payments.gatewayUnavailable");
  }
  throw e;
}
