import { stageParties } from "./parties.server.ts";
import type { ClientSession, Types } from "mongoose";
import { ConnectedAccount } from "~/models/connected-account.server.ts";
import { Deal } from "~/models/deal.server.ts";
import { DealStage } from "~/models/deal-stage.server.ts";
import { Payment } from "~/models/payment.server.ts";
import { Payout, type PayoutStatus, type PayoutTo } from "~/models/payout.server.ts";
import { ConflictError, NotFoundError, ValidationError } from "~/utils/errors.ts";
import { formatYuan } from "~/utils/money.ts";
import { assertCan, hasRole } from "~/utils/permissions.ts";
import type { Actor, Via } from "../kernel/actor.ts";
import { recordAudit } from "../kernel/audit.server.ts";
import { parseId } from "../kernel/ids.server.ts";
import { isDuplicateKey } from "../kernel/mongo-errors.ts";
import { withTransaction } from "../kernel/tx.server.ts";
import { postPayout, postStageShares } from "../ledger/deals.server.ts";
import { readSettings } from "../settings/settings.server.ts";
import { discardProofFile, storeProofFile } from "../files/proofs.server.ts";
import { registerPaymentPurpose } from "../payments/purposes.server.ts";
import { transferToAccount } from "../payments/transfers.server.ts";
import { loadDealFor } from "../contracts/access.server.ts";
import { refreshPaymentState } from "./state.server.ts";

/**
 * Payouts (issue 14, point 6; decision 020). `onStagePaid` runs in the transaction that records the
 * money that made a stage paid (services/settlement receipts): it creates what the platform owes
 * the seller and the broker for that stage and posts the shares in the ledger. A payout is then
 * paid by a Stripe Connect transfer to the payee's enabled connected account (purpose "payout",
 * registered below) or by a bank payout an admin records with proof.
 */

/** A percentage in basis points of an amount, rounded half up to the fen (amounts are never negative). */
export function bpsOf(amountFen: number, bps: number): number {
  return Math.floor((amountFen * bps + 5_000) / 10_000);
}

/** A paid stage's split: commission only when the deal has a broker of record; the seller gets the rest. */
export function stageShares(
  amountFen: number,
  rates: { commissionBps: number; feeBps: number; hasBroker: boolean },
): { commissionFen: number; feeFen: number; sellerFen: number } {
  const commissionFen = rates.hasBroker ? bpsOf(amountFen, rates.commissionBps) : 0;
  const feeFen = Math.min(bpsOf(amountFen, rates.feeBps), amountFen - commissionFen);
  return { commissionFen, feeFen, sellerFen: amountFen - commissionFen - feeFen };
}

/** The ledger party of a deal's seller: its organisation, or the seller in person when there is none. */
export function sellerPartyOf(deal: Parameters<typeof stageParties>[0]): string {
  return stageParties(deal).seller;
}

export async function onStagePaid(session: ClientSession, stageId: Types.ObjectId, now: Date): Promise<void> {
  const stage = await DealStage.findById(stageId).session(session).lean();
  if (!stage || stage.status !== "paid") return;
  const deal = await Deal.findById(stage.deal).session(session).lean();
  if (!deal) return;
  const settings = await readSettings(session);
  const broker = deal.broker?.user ? { id: String(deal.broker.user), name: deal.broker.name ?? "" } : null;
  const commissionBps = deal.commissionBps ?? settings.commissionBps;
  const feeBps = deal.feeBps ?? settings.platformFeeBps;
  // What the stage was paid for is its amount (an excess payment is not the seller's; the receipts module refunds it).
  const amount = stage.amount;
  const shares = stageShares(amount, { commissionBps, feeBps, hasBroker: !!broker });
  const dealId = String(deal._id);
  const seller = sellerPartyOf(deal);
  const sellerName = deal.seller.organizationName ?? deal.seller.name;

  const rows: { to: PayoutTo; party: string; partyName: string; amount: number }[] = [];
  if (shares.sellerFen > 0) rows.push({ to: "seller", party: seller, partyName: sellerName, amount: shares.sellerFen });
  if (broker && shares.commissionFen > 0)
    rows.push({ to: "broker", party: broker.id, partyName: broker.name, amount: shares.commissionFen });

  const created: typeof rows = [];
  for (const r of rows) {
    // Idempotent: one payout per stage and payee (unique index); a second call finds it there.
    const exists = await Payout.exists({ stage: stage._id, to: r.to }).session(session);
    if (exists) continue;
    await Payout.create([{ deal: deal._id, stage: stage._id, ...r, status: "owed" }], { session });
    created.push(r);
  }
  await postStageShares(session, {
    deal: dealId,
    stage: String(stage._id),
    seller,
    broker: broker?.id ?? null,
    commissionFen: shares.commissionFen,
    feeFen: shares.feeFen,
  });
  if (created.length) {
    await recordAudit(
      session,
      created.map((r) => ({
        subjectType: "deal" as const,
        subject: deal._id,
        action: "payout.owed",
        actor: null,
        via: "system" as const,
        reason:
          `${stage.title}: ${r.partyName} ${formatYuan(r.amount)}` +
          (r.to === "seller" && (shares.commissionFen || shares.feeFen)
            ? `（佣金 ${formatYuan(shares.commissionFen)}，服务费 ${formatYuan(shares.feeFen)}）`
            : ""),
        at: now,
      })),
    );
  }
  await refreshPaymentState(session, deal._id);
}

// ---------------------------------------------------------------------------------------------
// Reading payouts

export interface PayoutView {
  id: string;
  deal: string;
  dealTitle?: string;
  stage: string;
  stageTitle?: string;
  to: PayoutTo;
  party: string;
  partyName: string;
  amountFen: number;
  status: PayoutStatus;
  via: "connect" | "bank" | null;
  attempts: number;
  failureReason: string | null;
  bankRef: string | null;
  hasProof: boolean;
  paidAt: string | null;
  /** The payee's connected account: none, onboarding (still to do), enabled. */
  account: AccountState;
}

export type AccountState = "none" | "onboarding" | "enabled";

type PayoutRow = {
  _id: Types.ObjectId;
  deal: Types.ObjectId;
  stage: Types.ObjectId;
  to: string;
  party: string;
  partyName: string;
  amount: number;
  status: string;
  via?: string | null;
  attempts?: number | null;
  failureReason?: string | null;
  bankRef?: string | null;
  proofFile?: Types.ObjectId | null;
  paidAt?: Date | null;
};

/** A payee's connected account: the seller's organisation or user, the broker's user. */
export async function accountOfParty(party: string, session: ClientSession | null = null) {
  return ConnectedAccount.findOne({ owner: parseId(party) })
    .session(session)
    .lean();
}

export const accountStateOf = (a: { payoutsEnabled?: boolean | null; detailsSubmitted?: boolean | null } | null): AccountState =>
  !a ? "none" : a.payoutsEnabled ? "enabled" : "onboarding";

async function views(rows: PayoutRow[]): Promise<PayoutView[]> {
  const parties = [...new Set(rows.map((r) => r.party))];
  const accounts = await ConnectedAccount.find({ owner: { $in: parties.map((p) => parseId(p)) } }).lean();
  const stageTitles = new Map(
    (await DealStage.find({ _id: { $in: rows.map((r) => r.stage) } }, { title: 1 }).lean()).map((s) => [String(s._id), s.title]),
  );
  const dealTitles = new Map(
    (await Deal.find({ _id: { $in: rows.map((r) => r.deal) } }, { listingTitle: 1 }).lean()).map((d) => [String(d._id), d.listingTitle]),
  );
  return rows.map((r) => ({
    id: String(r._id),
    deal: String(r.deal),
    dealTitle: dealTitles.get(String(r.deal)),
    stage: String(r.stage),
    stageTitle: stageTitles.get(String(r.stage)),
    to: r.to as PayoutTo,
    party: r.party,
    partyName: r.partyName,
    amountFen: r.amount,
    status: r.status as PayoutStatus,
    via: (r.via as "connect" | "bank" | null) ?? null,
    attempts: r.attempts ?? 0,
    failureReason: r.failureReason ?? null,
    bankRef: r.bankRef ?? null,
    hasProof: !!r.proofFile,
    paidAt: r.paidAt?.toISOString() ?? null,
    account: accountStateOf(accounts.find((a) => String(a.owner) === r.party) ?? null),
  }));
}

/**
 * A deal's payouts, for whoever may see the deal: parties, their broker, admins, the bureau. A
 * broker sees only their own commission among the payouts, a buyer none of the amounts' payees
 * beyond what the schedule shows — simplest rule: the buyer sees none.
 */
export async function payoutsOfDeal(actor: Actor, dealId: string): Promise<PayoutView[]> {
  let found: { deal: { _id: Types.ObjectId }; access: string };
  try {
    found = await loadDealFor(actor, dealId);
  } catch (e) {
    // The broker of record earns the commission even when no longer in the deal's rooms: their own payouts only.
    const deal =
      e instanceof NotFoundError && actor.id
        ? await Deal.findOne({ _id: parseId(dealId), "broker.user": parseId(actor.id) }, { _id: 1 }).lean()
        : null;
    if (!deal || !hasRole(actor, "broker")) throw e;
    found = { deal, access: "broker" };
  }
  const { deal, access } = found;
  if (access === "buyer") return [];
  const rows = (await Payout.find({ deal: deal._id }).sort({ createdAt: 1, to: -1 }).lean()) as PayoutRow[];
  const visible = access === "broker" ? rows.filter((r) => r.to === "broker" && r.party === actor.id) : rows;
  return views(visible);
}

/** Payouts still to make (owed, pending, failed), and the latest paid ones, for the admin's list. */
export async function payoutsForAdmin(actor: Actor, opts: { limit?: number } = {}): Promise<{ open: PayoutView[]; paid: PayoutView[] }> {
  assertCan(actor, "settlement:payout");
  const [open, paid] = await Promise.all([
    Payout.find({ status: { $in: ["owed", "pending", "failed"] } })
      .sort({ createdAt: 1 })
      .limit(opts.limit ?? 200)
      .lean(),
    Payout.find({ status: "paid" }).sort({ paidAt: -1 }).limit(20).lean(),
  ]);
  return { open: await views(open as PayoutRow[]), paid: await views(paid as PayoutRow[]) };
}

// ---------------------------------------------------------------------------------------------
// Paying

async function loadPayout(id: string, session: ClientSession | null = null) {
  const p = await Payout.findById(parseId(id)).session(session).lean();
  if (!p) throw new NotFoundError();
  return p;
}

/**
 * Pays a payout by a Connect transfer to the payee's enabled connected account. An owed or failed
 * payout starts a new attempt (`payout:<id>:<attempt>`); a pending one (an answer lost on the way)
 * asks again under its attempt's key, which never sends the money twice. Answers the payout's
 * status afterwards: paid, or failed with its reason (a refusal is not an error for the caller:
 * the payout shows it and can be retried).
 */
export async function payByTransfer(actor: Actor, payoutId: string, via: Via = "ui"): Promise<PayoutView> {
  assertCan(actor, "settlement:payout");
  const before = await loadPayout(payoutId);
  if (before.status === "paid") throw new ConflictError("payouts.errors.alreadyPaid");
  if (before.status === "reversed") throw new ConflictError("payouts.errors.reversed");
  const account = await accountOfParty(before.party);
  if (!account || !account.payoutsEnabled) throw new ConflictError("payouts.errors.noEnabledAccount");

  const attempt = await withTransaction(async (session) => {
    const p = await loadPayout(payoutId, session);
    if (p.status === "pending") return p.attempts ?? 1;
    if (p.status !== "owed" && p.status !== "failed") throw new ConflictError("payouts.errors.alreadyPaid");
    const next = (p.attempts ?? 0) + 1;
    const moved = await Payout.updateOne(
      { _id: p._id, status: p.status },
      { $set: { status: "pending", via: "connect", attempts: next }, $unset: { failureReason: "" } },
      { session },
    );
    if (!moved.modifiedCount) throw new ConflictError("errors.conflict");
    await recordAudit(session, {
      subjectType: "deal",
      subject: p.deal,
      action: p.status === "failed" ? "payout.retried" : "payout.sent",
      actor,
      via,
      reason: `${p.partyName} ${formatYuan(p.amount)}（第 ${next} 次转账）`,
    });
    return next;
  });

  try {
    await transferToAccount({
      purpose: "payout",
      payee: { id: before.party, name: before.partyName },
      destination: account.accountRef,
      amountFen: before.amount,
      subject: { kind: "payout", id: payoutId },
      description: `${before.to === "seller" ? "成果转化款" : "经纪佣金"} ${formatYuan(before.amount)}`,
      key: `payout:${payoutId}:${attempt}`,
    });
  } catch (e) {
    // A refusal already moved the payment (and so the payout) to failed; anything else leaves it pending for a retry.
    if (!(e instanceof ConflictError) || e.message !== "payments.transferRefused") throw e;
  }
  const [view] = await views([(await loadPayout(payoutId)) as PayoutRow]);
  return view!;
}

/** The "payout" purpose: a transfer that succeeded pays the payout (and posts it); one refused fails it, with its reason. */
registerPaymentPurpose("payout", {
  async onStatus(session, payment, _from, to) {
    if (payment.subject.kind !== "payout") return;
    const p = await Payout.findById(parseId(payment.subject.id)).session(session).lean();
    if (!p) throw new Error(`payment ${payment.id} is for payout ${payment.subject.id}, which does not exist`);
    if (to === "succeeded") {
      if (p.status === "paid") return;
      await Payout.updateOne(
        { _id: p._id },
        { $set: { status: "paid", via: "connect", payment: parseId(payment.id), paidAt: new Date() }, $unset: { failureReason: "" } },
        { session },
      );
      await postPayout(session, {
        deal: String(p.deal),
        payout: String(p._id),
        to: p.to as PayoutTo,
        party: p.party,
        amountFen: p.amount,
        via: "stripe",
        payment: payment.id,
      });
      await recordAudit(session, {
        subjectType: "deal",
        subject: p.deal,
        action: "payout.paid",
        actor: null,
        via: "system",
        reason: `${p.partyName} ${formatYuan(p.amount)}（Stripe Connect 转账）`,
      });
      await refreshPaymentState(session, p.deal);
    } else if (to === "failed") {
      if (p.status !== "pending") return;
      const stored = await Payment.findById(parseId(payment.id), { failureReason: 1 }).session(session).lean();
      const reason = (stored?.failureReason as string | undefined) ?? "transfer failed";
      await Payout.updateOne(
        { _id: p._id },
        { $set: { status: "failed", failureReason: reason, payment: parseId(payment.id) } },
        { session },
      );
      await recordAudit(session, {
        subjectType: "deal",
        subject: p.deal,
        action: "payout.failed",
        actor: null,
        via: "system",
        reason: `${p.partyName} ${formatYuan(p.amount)}：${reason}`,
      });
      await refreshPaymentState(session, p.deal);
    }
  },
});

export interface BankPayoutInput {
  bankRef: string;
  /** The value date on the bank's statement. */
  paidAt: Date;
  proof: { filename: string; bytes: Uint8Array };
}

/** Checks a bank payout's fields; answers them cleaned or throws naming each bad field. */
export function bankPayoutProblems(input: Partial<BankPayoutInput>, now: Date): Record<string, string[]> {
  const problems: Record<string, string[]> = {};
  const ref = (input.bankRef ?? "").trim();
  if (!ref) problems.bankRef = ["errors.required"];
  else if (ref.length > 100 || /\p{Cc}/u.test(ref)) problems.bankRef = ["errors.invalidInput"];
  if (!(input.paidAt instanceof Date) || Number.isNaN(input.paidAt.getTime())) problems.paidAt = ["errors.required"];
  else if (input.paidAt.getTime() > now.getTime() + 24 * 3_600_000) problems.paidAt = ["payouts.errors.paidAtFuture"];
  if (!input.proof || !input.proof.bytes?.byteLength) problems.proof = ["errors.required"];
  return problems;
}

/** An admin records that a payout went out by bank transfer: reference, date and proof; the payout is paid and posted. */
export async function recordBankPayout(
  actor: Actor,
  payoutId: string,
  input: Partial<BankPayoutInput>,
  via: Via = "ui",
): Promise<PayoutView> {
  assertCan(actor, "settlement:payout");
  const now = new Date();
  const problems = bankPayoutProblems(input, now);
  if (Object.keys(problems).length) throw new ValidationError(problems);
  const before = await loadPayout(payoutId);
  if (before.status === "paid") throw new ConflictError("payouts.errors.alreadyPaid");
  if (before.status === "pending") throw new ConflictError("payouts.errors.transferPending");
  if (before.status === "reversed") throw new ConflictError("payouts.errors.reversed");
  const proofFile = await storeProofFile(actor, input.proof!, "payout-proof", "payouts.errors.proofFile");
  try {
    await withTransaction(async (session) => {
      const moved = await Payout.updateOne(
        { _id: before._id, status: { $in: ["owed", "failed"] } },
        {
          $set: {
            status: "paid",
            via: "bank",
            bankRef: input.bankRef!.trim(),
            proofFile,
            recordedBy: { user: actor.id ? parseId(actor.id) : undefined, name: actor.name },
            paidAt: input.paidAt,
          },
          $unset: { failureReason: "" },
        },
        { session },
      );
      if (!moved.modifiedCount) throw new ConflictError("payouts.errors.alreadyPaid");
      await postPayout(session, {
        deal: String(before.deal),
        payout: String(before._id),
        to: before.to as PayoutTo,
        party: before.party,
        amountFen: before.amount,
        via: "bank",
      });
      await recordAudit(session, {
        subjectType: "deal",
        subject: before.deal,
        action: "payout.paid",
        actor,
        via,
        reason: `${before.partyName} ${formatYuan(before.amount)}（银行转账 ${input.bankRef!.trim()}）`,
      });
      await refreshPaymentState(session, before.deal);
    });
  } catch (e) {
    await discardProofFile(proofFile);
    if (isDuplicateKey(e)) throw new ConflictError("payouts.errors.alreadyPaid");
    throw e;
  }
  const [view] = await views([(await loadPayout(payoutId)) as PayoutRow]);
  return view!;
}

/** An admin changes a deal's commission rate, only before any of its stages is paid (the rate then in force made the shares). */
export async function setDealCommission(actor: Actor, dealId: string, commissionBps: number, via: Via = "ui"): Promise<void> {
  assertCan(actor, "settlement:payout");
  if (!Number.isInteger(commissionBps) || commissionBps < 0 || commissionBps > 5_000) {
    throw new ValidationError({ commissionPercent: ["payouts.errors.rate"] });
  }
  await withTransaction(async (session) => {
    const deal = await Deal.findById(parseId(dealId)).session(session).lean();
    if (!deal) throw new NotFoundError();
    if (await DealStage.exists({ deal: deal._id, paid: { $gt: 0 } }).session(session))
      throw new ConflictError("payouts.errors.rateAfterPaid");
    await Deal.updateOne({ _id: deal._id }, { $set: { commissionBps } }, { session });
    await recordAudit(session, {
      subjectType: "deal",
      subject: deal._id,
      action: "deal.commissionChanged",
      actor,
      via,
      reason: `${((deal.commissionBps ?? 0) / 100).toFixed(2)}% → ${(commissionBps / 100).toFixed(2)}%`,
    });
  });
}
