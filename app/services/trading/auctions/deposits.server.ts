import { AuctionRegistration, DEPOSIT_STATUSES, type DepositStatus } from "~/models/auction.server.ts";
import { postDepositCaptured, postDepositRefunded } from "~/services/ledger/deposits.server.ts";
import { capturePayment, releasePayment } from "~/services/payments/holds.server.ts";
import { registerPaymentPurpose } from "~/services/payments/purposes.server.ts";
import { getPayment } from "~/services/payments/queries.server.ts";
import { startHold } from "~/services/payments/start.server.ts";
import { syncPayment } from "~/services/payments/sync.server.ts";
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from "~/utils/errors.ts";
import { maybeId } from "../../kernel/ids.server.ts";

/**
 * 保证金: an auction deposit is a payment of purpose "auction-deposit" — a hold through the payment
 * gateway (services/payments), linked to the bidder's AuctionRegistration. Payments know nothing of
 * auctions: this module registers how a deposit payment's state changes show on the registration
 * (`deposit.status`), and payments calls it in the transaction that changes the payment. The
 * registration is this module's record; payments never writes it.
 */

registerPaymentPurpose("auction-deposit", {
  async onStatus(session, payment, _from, to) {
    // A deposit has no "succeeded" (it is never paid at once); every other status it mirrors as is.
    if (!(DEPOSIT_STATUSES as readonly string[]).includes(to)) return;
    await AuctionRegistration.updateOne(
      { "deposit.payment": maybeId(payment.id) },
      { $set: { "deposit.status": to as DepositStatus } },
      { session },
    );
    // The money in the books, in the same transaction (decision 017): a hold moves none, a capture does.
    const money = { paymentId: payment.id, registrationId: payment.subject.id, payerId: payment.payerId };
    if (to === "captured") {
      await postDepositCaptured(session, { ...money, amountFen: payment.capturedAmountFen ?? payment.amountFen });
    } else if (to === "refunded") {
      await postDepositRefunded(session, { ...money, refundedTotalFen: payment.refundedAmountFen ?? 0 });
    }
  },
});

export interface DepositHoldInput {
  payer: { id: string; name: string; email?: string };
  amountFen: number;
  subject: { kind: "auction-registration"; id: string };
  /** Shown on the gateway's page, e.g. "竞买保证金 Deposit · <listing title>". */
  description: string;
  /** Absolute URLs; `{CHECKOUT_SESSION_ID}` in successUrl is filled in by the gateway. */
  successUrl: string;
  cancelUrl: string;
}

/**
 * Starts a deposit hold for a registration: records the payment (pending), links it to the
 * registration in the same transaction and sends the payer to the gateway's page. A registration
 * whose previous hold is still open gets that page again rather than a second hold.
 */
export async function startDepositHold(input: DepositHoldInput): Promise<{ paymentId: string; redirectUrl: string }> {
  const payer = maybeId(input.payer.id);
  const subjectId = maybeId(input.subject.id);
  const problems: Record<string, string[]> = {};
  if (!payer) problems.payer = ["errors.invalidId"];
  if (!subjectId) problems.subject = ["errors.invalidId"];
  if (!Number.isSafeInteger(input.amountFen) || input.amountFen < 1) problems.amountFen = ["errors.invalidInput"];
  if (Object.keys(problems).length || !payer || !subjectId) throw new ValidationError(problems);

  const reg = await AuctionRegistration.findById(subjectId, { user: 1, deposit: 1 }).lean();
  if (!reg) throw new NotFoundError();
  if (String(reg.user) !== String(payer)) throw new ForbiddenError();
  const previous = reg.deposit?.payment ?? null;
  if (reg.deposit?.status === "held" || reg.deposit?.status === "captured") throw new ConflictError("payments.depositAlreadyHeld");
  if (previous && reg.deposit?.status === "pending") {
    // The payer left the page without paying: the same page is still good, unless it closed meanwhile.
    const status = await syncPayment(String(previous)).catch(() => "pending" as const);
    if (status === "held" || status === "captured") throw new ConflictError("payments.depositAlreadyHeld");
    if (status === "pending") {
      const p = await getPayment(String(previous)).catch(() => null);
      if (p?.checkoutUrl) return { paymentId: String(previous), redirectUrl: p.checkoutUrl };
    }
  }

  return startHold({
    purpose: "auction-deposit",
    payer: input.payer,
    amountFen: input.amountFen,
    subject: input.subject,
    description: input.description,
    successUrl: input.successUrl,
    cancelUrl: input.cancelUrl,
    // Linked in the payment's own transaction, and only if nobody linked another hold since we looked.
    async link(session, paymentId) {
      const linked = await AuctionRegistration.updateOne(
        { _id: subjectId, "deposit.payment": previous, "deposit.status": { $nin: ["held", "captured"] } },
        { $set: { "deposit.status": "pending", "deposit.payment": maybeId(paymentId), "deposit.amount": input.amountFen } },
        { session },
      );
      if (linked.matchedCount === 0) throw new ConflictError("errors.conflict");
    },
  });
}

/** The winner's deposit is taken (applied to the price, or forfeited on default). Idempotent; `payments.notHeld` when it is not held. */
export function captureDeposit(paymentId: string, opts: { amountFen?: number } = {}): Promise<DepositStatus> {
  return capturePayment(paymentId, opts) as Promise<DepositStatus>;
}

/** A deposit goes back to the bidder (losers at the close, a cancelled auction). Idempotent; `payments.alreadyCaptured` once taken. */
export function releaseDeposit(paymentId: string): Promise<DepositStatus> {
  return releasePayment(paymentId) as Promise<DepositStatus>;
}
