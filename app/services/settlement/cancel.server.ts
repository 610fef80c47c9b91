import type { ClientSession, Types } from "mongoose";
import { Achievement } from "~/models/achievement.server.ts";
import { Deal } from "~/models/deal.server.ts";
import { DealRefund } from "~/models/deal-refund.server.ts";
import { DealStage } from "~/models/deal-stage.server.ts";
import { LedgerKey } from "~/models/ledger-key.server.ts";
import { Payment } from "~/models/payment.server.ts";
import { Payout } from "~/models/payout.server.ts";
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from "~/utils/errors.ts";
import { formatYuan } from "~/utils/money.ts";
import { can, hasRole } from "~/utils/permissions.ts";
import { loadDealFor, partySideOf, type DealRow } from "../contracts/access.server.ts";
import { SYSTEM_ACTOR, type Actor, type Via } from "../kernel/actor.ts";
import { recordAudit } from "../kernel/audit.server.ts";
import { parseId } from "../kernel/ids.server.ts";
import { withTransaction } from "../kernel/tx.server.ts";
import { postCommissionReversed, postRefundDue, postRefundPaid } from "../ledger/deals.server.ts";
import { storeProofFile } from "../files/proofs.server.ts";
import { post } from "../ledger/post.server.ts";
import { transitionListingInSession } from "../listings/workflow.server.ts";
import { notify, type NotifyInput } from "../notifications/notify.server.ts";
import { refundPayment } from "../payments/refunds.server.ts";
import { sellerSideUsers } from "../trading/deals/open.server.ts";

/**
 * Cancelling a deal (issue 14, point 8). Before the contract is performed, the two parties may
 * cancel by agreement — one side proposes with a reason, the other confirms (or declines; the
 * proposer may withdraw) — and an admin may cancel directly after a dispute (with a reason).
 *
 * "Before performance" means: the deal is open and no money has gone out to the seller or the
 * broker — no payout is `pending` (a transfer sent) or `paid`. Once one has, the deal can no longer
 * be cancelled here (settlement.cancel.errors.performed).
 *
 * Carrying out the cancellation, in one transaction: the deal `cancelled` with `ended`; the
 * contract stays as it was — the deal's status is what voids it (no field on the contract); the
 * stages `cancelled`; owed (and failed) payouts `reversed`; per stage that had a broker's share the
 * commission reversed in the ledger; the unpaid rest of each due stage taken off what the buyer owes
 * (an adjustment); the paid money due back to the buyer (refund due) with one DealRefund per
 * receipt; the listing back to trading through the workflow; both sides told; audit
 * "deal.cancelled". After the commit, the gateway refunds go out (Stripe receipts, applied
 * deposits); bank receipts wait for an admin to record the bank refund (`recordBankRefund`).
 * When every refund is paid the deal's paymentState is "refunded".
 */

export type CancelSide = "seller" | "buyer";
const REASON_MAX = 500;

/** Whether money has gone out on the deal (a transfer sent or a payout paid): then it is performed. */
export function performanceStarted(payouts: readonly { status: string }[]): boolean {
  return payouts.some((p) => p.status === "pending" || p.status === "paid");
}

function cleanReason(reason: unknown): string {
  const r = typeof reason === "string" ? reason.trim() : "";
  if (!r) throw new ValidationError({ reason: ["settlement.cancel.errors.reasonRequired"] });
  if (r.length > REASON_MAX) throw new ValidationError({ reason: ["settlement.cancel.errors.reasonTooLong"] });
  return r;
}

/** The party users of both sides (the seller organisation's sellers and the listing's author; the buyer). */
async function partyUsers(session: ClientSession, deal: DealRow): Promise<string[]> {
  const sellers = await sellerSideUsers(deal.seller.organization, deal.seller.user, session);
  const all = new Set([...sellers, ...(deal.buyer.user ? [String(deal.buyer.user)] : [])]);
  return [...all];
}

async function tellParties(
  session: ClientSession,
  deal: DealRow,
  type: NotifyInput["type"],
  params: Record<string, string>,
  skip?: string | null,
) {
  const users = (await partyUsers(session, deal)).filter((u) => u !== skip);
  const subject = { kind: "achievement" as const, id: deal.listing, title: deal.listingTitle };
  await notify(
    session,
    users.map((user) => ({ user, type, subject, link: `/deals/${String(deal._id)}/cancel`, params })),
  );
}

async function assertCancellable(session: ClientSession, deal: DealRow): Promise<void> {
  if (deal.status !== "open") throw new ConflictError("settlement.cancel.errors.notOpen");
  const payouts = await Payout.find({ deal: deal._id }, { status: 1 }).session(session).lean();
  if (performanceStarted(payouts)) throw new ConflictError("settlement.cancel.errors.performed");
}

/** The deal for a party, in the transaction; anyone without access gets a 404, a non-party a 403. */
async function partyDeal(session: ClientSession, actor: Actor, dealId: string): Promise<{ deal: DealRow; side: CancelSide }> {
  const { deal } = await loadDealFor(actor, dealId, session);
  const side = partySideOf(actor, deal);
  if (!side) throw new ForbiddenError("settlement.cancel.errors.partiesOnly");
  return { deal, side };
}

export interface CancelOptions {
  via?: Via;
  now?: Date;
}

/** One side proposes cancelling, with a reason; the other side is told and may confirm or decline. */
export async function proposeCancellation(actor: Actor, dealId: string, reasonIn: unknown, opts: CancelOptions = {}): Promise<void> {
  const reason = cleanReason(reasonIn);
  const now = opts.now ?? new Date();
  await withTransaction(async (session) => {
    const { deal, side } = await partyDeal(session, actor, dealId);
    await assertCancellable(session, deal);
    if (deal.cancellation?.side) throw new ConflictError("settlement.cancel.errors.alreadyProposed");
    const res = await Deal.updateOne(
      { _id: deal._id, status: "open", "cancellation.side": { $exists: false } },
      { $set: { cancellation: { side, by: actor.id, byName: actor.name, reason, at: now } } },
      { session },
    );
    if (res.modifiedCount === 0) throw new ConflictError("settlement.cancel.errors.alreadyProposed");
    await recordAudit(session, {
      subjectType: "deal",
      subject: deal._id,
      action: "deal.cancellationProposed",
      actor,
      via: opts.via ?? "ui",
      reason,
      at: now,
    });
    await tellParties(session, deal, "deal.cancellationProposed", { by: actor.name, reason }, actor.id);
  });
}

/** The proposer's side takes its proposal back, or the other side declines it. */
export async function withdrawCancellation(actor: Actor, dealId: string, opts: CancelOptions = {}): Promise<"withdrawn" | "declined"> {
  const now = opts.now ?? new Date();
  return withTransaction(async (session) => {
    const { deal, side } = await partyDeal(session, actor, dealId);
    if (deal.status !== "open") throw new ConflictError("settlement.cancel.errors.notOpen");
    if (!deal.cancellation?.side) throw new ConflictError("settlement.cancel.errors.noProposal");
    const what = deal.cancellation.side === side ? "withdrawn" : "declined";
    await Deal.updateOne({ _id: deal._id }, { $unset: { cancellation: 1 } }, { session });
    await recordAudit(session, {
      subjectType: "deal",
      subject: deal._id,
      action: what === "withdrawn" ? "deal.cancellationWithdrawn" : "deal.cancellationDeclined",
      actor,
      via: opts.via ?? "ui",
      at: now,
    });
    await tellParties(
      session,
      deal,
      what === "withdrawn" ? "deal.cancellationWithdrawn" : "deal.cancellationDeclined",
      { by: actor.name },
      actor.id,
    );
    return what;
  });
}

/** The other side confirms the proposed cancellation: the deal is cancelled and the refunds start. */
export async function confirmCancellation(actor: Actor, dealId: string, opts: CancelOptions = {}): Promise<void> {
  const now = opts.now ?? new Date();
  const id = await withTransaction(async (session) => {
    const { deal, side } = await partyDeal(session, actor, dealId);
    if (deal.status !== "open") throw new ConflictError("settlement.cancel.errors.notOpen");
    if (!deal.cancellation?.side) throw new ConflictError("settlement.cancel.errors.noProposal");
    if (deal.cancellation.side === side) throw new ConflictError("settlement.cancel.errors.otherSideConfirms");
    const reason = `${deal.cancellation.reason ?? ""}（${deal.cancellation.byName} 提出，${actor.name} 确认）`;
    await cancelInSession(session, deal, { actor, reason, via: opts.via ?? "ui", now, status: "cancelled" });
    return String(deal._id);
  });
  await processGatewayRefunds(id);
}

/** An admin cancels a deal directly (after a dispute), with a reason. */
export async function adminCancelDeal(actor: Actor, dealId: string, reasonIn: unknown, opts: CancelOptions = {}): Promise<void> {
  if (!hasRole(actor, "admin")) {
    // Whoever has no business with the deal learns nothing of it; the others are told no.
    await loadDealFor(actor, dealId);
    throw new ForbiddenError("settlement.cancel.errors.adminOnly");
  }
  const reason = cleanReason(reasonIn);
  const now = opts.now ?? new Date();
  const id = await withTransaction(async (session) => {
    const { deal } = await loadDealFor(actor, dealId, session);
    await cancelInSession(session, deal, { actor, reason, via: opts.via ?? "ui", now, status: "cancelled" });
    return String(deal._id);
  });
  await processGatewayRefunds(id);
}

interface EndInput {
  actor: Actor;
  reason: string;
  via: Via;
  now: Date;
  status: "cancelled" | "lapsed";
}

/**
 * Ends an open deal in the caller's transaction (cancellation, or the signing deadline's lapse):
 * the deal, its stages, payouts, ledger, refunds, the listing, the parties told, the audit entry.
 */
export async function cancelInSession(session: ClientSession, deal: DealRow, e: EndInput): Promise<void> {
  await assertCancellable(session, deal);
  const ended = await Deal.updateOne(
    { _id: deal._id, status: "open" },
    {
      $set: { status: e.status, ended: { at: e.now, by: e.actor.id ?? undefined, byName: e.actor.name, reason: e.reason } },
      $unset: { cancellation: 1 },
    },
    { session },
  );
  if (ended.modifiedCount === 0) throw new ConflictError("settlement.cancel.errors.notOpen");
  const dealId = String(deal._id);
  const buyer = String(deal.buyer.user ?? deal.buyer.organization ?? "");
  const seller = String(deal.seller.organization ?? deal.seller.user ?? "");

  const stages = await DealStage.find({ deal: deal._id }).session(session).lean();
  const payouts = await Payout.find({ deal: deal._id }).session(session).lean();
  let refundFen = 0;
  for (const stage of stages) {
    const stageId = String(stage._id);
    // The broker's commission on this stage goes back to the seller's side, then out with the refund.
    const brokerShare = payouts.find((p) => String(p.stage) === stageId && p.to === "broker");
    if (brokerShare && brokerShare.amount > 0) {
      await postCommissionReversed(session, {
        deal: dealId,
        stage: stageId,
        seller,
        broker: brokerShare.party,
        amountFen: brokerShare.amount,
      });
    }
    const dueKey = `deal:${dealId}:stage:${stageId}:due`;
    const duePosted = !!(await LedgerKey.exists({ _id: dueKey }).session(session));
    const paid = stage.paid ?? 0;
    // What the buyer still owed on the stage is owed no more (only what the ledger had as due).
    const unpaid = duePosted ? Math.max(0, stage.amount - paid) : 0;
    if (unpaid > 0) {
      await post(session, {
        key: `deal:${dealId}:stage:${stageId}:due-cancelled`,
        memo: "合同款取消 Stage due cancelled",
        movement: "adjustment",
        deal: dealId,
        lines: [
          { account: "sellerPayable", debit: unpaid, party: seller },
          { account: "buyerReceivable", credit: unpaid, party: buyer },
        ],
      });
    }
    // The seller was owed the stage's amount at most; an excess was owed back when it came in (and
    // has its own refund): what goes back now is what settled the stage, receipt by receipt.
    const settled = Math.min(paid, stage.amount);
    if (settled > 0) {
      await postRefundDue(session, { deal: dealId, stage: stageId, buyer, seller, amountFen: settled });
      refundFen += settled;
    }
    const excessOf = new Map(
      (await DealRefund.find({ stage: stage._id, kind: "excess" }, { receipt: 1, amount: 1 }).session(session).lean()).map((x) => [
        String(x.receipt),
        x.amount,
      ]),
    );
    const receipts = (stage.receipts ?? [])
      .map((r) => ({ ...r, amount: r.amount - (excessOf.get(String(r._id)) ?? 0) }))
      .filter((r) => r.amount > 0);
    if (receipts.length) {
      await DealRefund.insertMany(
        receipts.map((r) => ({
          deal: deal._id,
          stage: stage._id,
          stageNumber: stage.number,
          receipt: r._id,
          kind: "cancellation",
          via: r.via,
          amount: r.amount,
          buyer,
          status: "due",
          ...(r.payment ? { payment: r.payment } : {}),
        })),
        { session },
      );
    }
  }
  // A won auction's deposit that no stage received yet goes back to the winner when the parties
  // (or an admin) cancel; a lapse forfeits it instead (deadlines.server.ts).
  const depositPayment = deal.deposit?.payment;
  const applied = stages.some((s) => (s.receipts ?? []).some((r) => r.via === "deposit"));
  if (e.status === "cancelled" && depositPayment && !applied) {
    const p = await Payment.findById(depositPayment, { status: 1, capturedAmount: 1, amount: 1, refundedAmount: 1 })
      .session(session)
      .lean();
    const left = p && p.status === "captured" ? (p.capturedAmount ?? p.amount) - (p.refundedAmount ?? 0) : 0;
    if (left > 0) {
      await DealRefund.create(
        [
          {
            deal: deal._id,
            stageNumber: 0,
            depositOnly: true,
            receipt: depositPayment,
            via: "deposit",
            amount: left,
            buyer,
            payment: depositPayment,
          },
        ],
        { session },
      );
      refundFen += left;
    }
  }
  await DealStage.updateMany({ deal: deal._id }, { $set: { status: "cancelled" } }, { session });
  await Payout.updateMany({ deal: deal._id, status: { $in: ["owed", "failed"] } }, { $set: { status: "reversed" } }, { session });

  await returnListing(session, deal, e);
  await recordAudit(session, {
    subjectType: "deal",
    subject: deal._id,
    action: e.status === "cancelled" ? "deal.cancelled" : "deal.lapsed",
    from: "open",
    to: e.status,
    actor: e.actor.system ? null : e.actor,
    via: e.via,
    reason: refundFen > 0 ? `${e.reason}；应退 ${formatYuan(refundFen)}` : e.reason,
    at: e.now,
  });
  await tellParties(session, deal, e.status === "cancelled" ? "deal.cancelled" : "deal.lapsed", {
    reason: e.reason,
    refund: refundFen > 0 ? formatYuan(refundFen) : "",
  });
}

/** The listing trades again: through the workflow when the deal took it off the market, else one licence fewer. */
async function returnListing(session: ClientSession, deal: DealRow, e: EndInput): Promise<void> {
  if (deal.endsTrading === false) {
    await Achievement.updateOne(
      { _id: deal.listing, nonExclusiveLicences: { $gt: 0 } },
      { $inc: { nonExclusiveLicences: -1 } },
      { session },
    );
    return;
  }
  const listing = await Achievement.findById(deal.listing, { status: 1 }).session(session).lean();
  if (!listing || !["deal", "contracted"].includes(listing.status as string)) return;
  await transitionListingInSession(session, SYSTEM_ACTOR, "achievement", String(deal.listing), "cancelDeal", {
    reason: e.reason,
    via: "system",
    now: e.now,
  });
}

/** The refund's idempotency key at the gateway and in the ledger (per receipt and kind: asking again refunds once). */
export const refundKey = (receipt: Types.ObjectId | string, kind: string = "cancellation") =>
  `deal-refund:${String(receipt)}${kind === "excess" ? ":excess" : ""}`;

/**
 * Sends the due gateway refunds of a deal (or of every cancelled deal: the deadline job retries
 * what failed): Stripe receipts and applied deposits, each by its receipt's key.
 */
export async function processGatewayRefunds(dealId: string | null = null): Promise<number> {
  const due = await DealRefund.find({ status: "due", via: { $in: ["stripe", "deposit"] }, ...(dealId ? { deal: parseId(dealId) } : {}) })
    .limit(200)
    .lean();
  let done = 0;
  for (const r of due) {
    if (!r.payment) continue;
    try {
      await refundPayment(String(r.payment), { key: refundKey(r.receipt, r.kind), amountFen: r.amount, reason: "requested_by_customer" });
    } catch (e) {
      // Refunded already under this key, or the gateway failed: the record says why, the job retries.
      const already = e instanceof ConflictError && e.message === "payments.alreadyRefunded";
      if (!already) {
        await DealRefund.updateOne({ _id: r._id }, { $set: { failureReason: e instanceof Error ? e.message : String(e) } });
        continue;
      }
    }
    await withTransaction((session) => settleRefund(session, r._id, { via: "gateway" }));
    done++;
  }
  return done;
}

/**
 * A Stripe refund of a deal-stage Payment is known (the refund call returned, or its webhook came):
 * settles the matching refunds. The "deal-stage" purpose's handler may call this on "refunded";
 * keyed by receipt, so the call and the webhook post once.
 */
export async function settleGatewayRefund(session: ClientSession, paymentId: string): Promise<void> {
  const refunds = await DealRefund.find({ payment: parseId(paymentId), status: "due", via: "stripe" })
    .session(session)
    .lean();
  for (const r of refunds) await settleRefund(session, r._id, { via: "gateway" });
}

type Settle = { via: "gateway" } | { via: "bank"; actor: Actor; bankRef: string; paidOn: Date; proofFile?: Types.ObjectId | null };

/** Marks one refund paid and posts it (keyed by its receipt); when it was the deal's last, the deal is "refunded". */
async function settleRefund(session: ClientSession, refundId: Types.ObjectId, s: Settle): Promise<boolean> {
  const r = await DealRefund.findById(refundId).session(session).lean();
  if (!r || r.status !== "due") return false;
  const now = new Date();
  const set: Record<string, unknown> = { status: "paid", paidAt: now, failureReason: null };
  if (s.via === "bank") {
    Object.assign(set, {
      bankRef: s.bankRef,
      paidOn: s.paidOn,
      recordedBy: { user: s.actor.id, name: s.actor.name },
      ...(s.proofFile ? { proofFile: s.proofFile } : {}),
    });
  }
  const res = await DealRefund.updateOne({ _id: r._id, status: "due" }, { $set: set }, { session });
  if (res.modifiedCount === 0) return false;
  const deal = String(r.deal);
  // The ledger's key of the refund: its receipt (and the kind, for an excess refunded on its own).
  const refund = r.kind === "excess" ? `${String(r.receipt)}:excess` : String(r.receipt);
  if (r.depositOnly) {
    // Booked by the deposit's own refund (auction-deposit handler: deposit-refunded); nothing owed on the deal.
  } else if (r.via === "deposit") {
    // The deposit's own refund took it out of deposits held (its purpose's handler); what the buyer
    // was owed back is met from there.
    await post(session, {
      key: `deal:${deal}:refund:${refund}`,
      memo: "保证金退回 Deposit refunded",
      movement: "refund-paid",
      deal,
      lines: [
        { account: "refundsPayable", debit: r.amount, party: r.buyer },
        { account: "depositsHeld", credit: r.amount, party: r.buyer, payment: r.payment ? String(r.payment) : null },
      ],
    });
  } else {
    await postRefundPaid(session, {
      deal,
      refund,
      buyer: r.buyer,
      amountFen: r.amount,
      via: r.via === "bank" ? "bank" : "stripe",
      payment: r.payment ? String(r.payment) : null,
    });
  }
  await recordAudit(session, {
    subjectType: "deal",
    subject: r.deal,
    action: "refund.paid",
    actor: s.via === "bank" ? s.actor : null,
    via: s.via === "bank" ? "ui" : "system",
    reason: `${r.depositOnly ? "竞价保证金退回" : `第 ${r.stageNumber} 期退款`} ${formatYuan(r.amount)}（${r.via === "bank" ? `银行 ${s.via === "bank" ? s.bankRef : ""}` : r.via === "deposit" ? "保证金" : "Stripe"}）`,
    at: now,
  });
  // An ended deal whose money has all gone back is "refunded"; an excess returned on an open deal changes nothing of it.
  const left = await DealRefund.countDocuments({ deal: r.deal, status: "due" }).session(session);
  const ended = await Deal.exists({ _id: r.deal, status: { $ne: "open" } }).session(session);
  if (left === 0 && ended) {
    await Deal.updateOne({ _id: r.deal }, { $set: { paymentState: "refunded" } }, { session });
    const d = (await Deal.findById(r.deal).session(session).lean()) as DealRow | null;
    if (d) await tellParties(session, d, "deal.refunded", {});
  }
  return true;
}

export interface BankRefundInput {
  bankRef: unknown;
  paidOn: unknown;
  /** The bank's 回单 or statement (PDF, PNG, JPEG, WebP; at most 10 MB), stored with services/files. */
  proof?: { bytes: Uint8Array; filename: string } | null;
}

/** An admin records the bank transfer that returned a bank receipt's money: reference, value date, proof. */
export async function recordBankRefund(actor: Actor, refundId: string, input: BankRefundInput, opts: CancelOptions = {}): Promise<void> {
  if (!can(actor, "refund:record")) throw new ForbiddenError("settlement.refunds.errors.adminOnly");
  const errors: Record<string, string[]> = {};
  const bankRef = typeof input.bankRef === "string" ? input.bankRef.trim() : "";
  if (!bankRef || bankRef.length > 100) errors.bankRef = ["settlement.refunds.errors.bankRef"];
  const paidOn = input.paidOn instanceof Date ? input.paidOn : typeof input.paidOn === "string" ? new Date(input.paidOn) : new Date(NaN);
  if (Number.isNaN(paidOn.getTime()) || paidOn.getTime() > (opts.now ?? new Date()).getTime() + 86_400_000)
    errors.paidOn = ["settlement.refunds.errors.paidOn"];
  if (Object.keys(errors).length) throw new ValidationError(errors);
  const known = await DealRefund.findById(parseId(refundId), { _id: 1 }).lean();
  if (!known) throw new NotFoundError();
  const proofFile = input.proof ? await storeProofFile(actor, input.proof, "refund-proof", "settlement.refunds.errors.proof") : null;
  await withTransaction(async (session) => {
    const r = await DealRefund.findById(parseId(refundId)).session(session).lean();
    if (!r) throw new NotFoundError();
    if (r.via !== "bank") throw new ConflictError("settlement.refunds.errors.notBank");
    if (r.status !== "due") throw new ConflictError("settlement.refunds.errors.alreadyPaid");
    await settleRefund(session, r._id, { via: "bank", actor, bankRef, paidOn, proofFile });
  });
}

export interface RefundRow {
  id: string;
  deal: string;
  listingTitle: string;
  stageNumber: number;
  /** "cancellation" (the deal was cancelled) or "excess" (more came in than the stage was owed). */
  kind: string;
  via: string;
  amount: number;
  status: string;
  bankRef: string | null;
  paidOn: string | null;
  failureReason: string | null;
  createdAt: string;
}

/** The refunds of one deal (for whoever may see the deal) or, for an admin, every refund still due. */
export async function listRefunds(
  actor: Actor,
  filter: { dealId?: string; status?: "due" | "paid"; refundId?: string } = {},
): Promise<RefundRow[]> {
  const q: Record<string, unknown> = {};
  if (filter.dealId) {
    await loadDealFor(actor, filter.dealId);
    q.deal = parseId(filter.dealId);
  } else if (!can(actor, "refund:record")) throw new ForbiddenError();
  if (filter.status) q.status = filter.status;
  if (filter.refundId) q._id = parseId(filter.refundId);
  const rows = await DealRefund.find(q).sort({ createdAt: 1 }).limit(500).lean();
  const titles = new Map(
    (await Deal.find({ _id: { $in: rows.map((r) => r.deal) } }, { listingTitle: 1 }).lean()).map((d) => [String(d._id), d.listingTitle]),
  );
  return rows.map((r) => ({
    id: String(r._id),
    deal: String(r.deal),
    listingTitle: titles.get(String(r.deal)) ?? "",
    stageNumber: r.stageNumber,
    kind: r.kind ?? "cancellation",
    via: r.via,
    amount: r.amount,
    status: r.status,
    bankRef: r.bankRef ?? null,
    paidOn: r.paidOn ? r.paidOn.toISOString() : null,
    failureReason: r.failureReason ?? null,
    createdAt: (r as { createdAt?: Date }).createdAt?.toISOString() ?? "",
  }));
}

export interface CancelView {
  dealId: string;
  listingTitle: string;
  status: string;
  side: CancelSide | null;
  isAdmin: boolean;
  /** Money has gone out: cancelling is no longer possible. */
  performed: boolean;
  proposal: { side: string; byName: string; reason: string; at: string } | null;
  ended: { at: string; byName: string; reason: string } | null;
  signBy: string | null;
  refunds: RefundRow[];
}

/** What the cancel page shows: the proposal, what the actor may do, the refunds. */
export async function getCancelView(actor: Actor, dealId: string): Promise<CancelView> {
  const { deal } = await loadDealFor(actor, dealId);
  const payouts = await Payout.find({ deal: deal._id }, { status: 1 }).lean();
  const c = deal.cancellation;
  return {
    dealId: String(deal._id),
    listingTitle: deal.listingTitle,
    status: deal.status,
    side: partySideOf(actor, deal),
    isAdmin: hasRole(actor, "admin"),
    performed: performanceStarted(payouts),
    proposal: c?.side ? { side: c.side, byName: c.byName ?? "", reason: c.reason ?? "", at: (c.at ?? new Date()).toISOString() } : null,
    ended: deal.ended?.at ? { at: deal.ended.at.toISOString(), byName: deal.ended.byName ?? "", reason: deal.ended.reason ?? "" } : null,
    signBy: deal.signBy ? deal.signBy.toISOString() : null,
    refunds: await listRefunds(actor, { dealId }),
  };
}
