import type { ClientSession } from "mongoose";
import type { PaymentKind, PaymentPurpose, PaymentStatus } from "~/models/payment.server.ts";
import { singleton } from "~/utils/singleton.server.ts";

/**
 * The purpose registry: payments know no auctions, contracts or payouts. The module that owns a
 * purpose registers how it reacts to its payments' state changes, and payments calls it inside
 * the transaction that changes the payment's status — so the owner's own record (an auction
 * registration's deposit, later a contract's instalment or a payout) moves together with the
 * payment or not at all. The owner writes only its own collections.
 *
 * A payment for a purpose nobody registered is never started, and a state change of one fails
 * loudly (the webhook is then retried), rather than leaving the owner's record behind. The
 * registrations are loaded wherever gateway events are applied: services/payment-purposes.server.ts.
 */

/** What a purpose handler is told about the payment that changed. */
export interface PaymentChange {
  id: string;
  purpose: string;
  kind: PaymentKind;
  status: PaymentStatus;
  amountFen: number;
  capturedAmountFen: number | null;
  refundedAmountFen: number | null;
  subject: { kind: string; id: string };
  payerId: string | null;
}

export interface PaymentPurposeHandler {
  /**
   * The payment moved `from` → `to` (refunded → refunded: more of it was refunded), in `session`'s
   * transaction. Throwing aborts the change.
   */
  onStatus(session: ClientSession, payment: PaymentChange, from: PaymentStatus, to: PaymentStatus): Promise<void>;
}

// One registry per process, whichever copy of this module (the server's or the Remix build's) registers.
const registry = () => singleton("paymentPurposes", () => new Map<string, PaymentPurposeHandler>());

/** Registers (or, after a dev rebuild, replaces) the handler of `purpose`. */
export function registerPaymentPurpose(purpose: PaymentPurpose, handler: PaymentPurposeHandler): void {
  registry().set(purpose, handler);
}

export function isRegisteredPurpose(purpose: string): boolean {
  return registry().has(purpose);
}

/** The handler of `purpose`; an unregistered purpose is a programming error, not a user's. */
export function purposeHandler(purpose: string): PaymentPurposeHandler {
  const h = registry().get(purpose);
  if (!h) throw new Error(`no handler is registered for the payment purpose "${purpose}" (see services/payment-purposes.server.ts)`);
  return h;
}
