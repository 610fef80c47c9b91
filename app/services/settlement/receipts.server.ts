import type { ClientSession, Types } from "mongoose";
import { z } from "zod";
import { Achievement } from "~/models/achievement.server.ts";
import { Deal, type DealDoc } from "~/models/deal.server.ts";
import { BankReceiptRef } from "~/models/bank-receipt-ref.server.ts";
import { DealRefund } from "~/models/deal-refund.server.ts";
import { DealStage, type ReceiptVia } from "~/models/deal-stage.server.ts";
import type { NotificationType } from "~/models/notification.server.ts";
import { flattenZodErrors } from "~/schemas/listing.ts";
import { postPaymentReceived } from "~/services/ledger/deals.server.ts";
import { registerPaymentPurpose } from "~/services/payments/purposes.server.ts";
import { getPayment } from "~/services/payments/queries.server.ts";
import { startCheckout } from "~/services/payments/start.server.ts";
import { syncPayment } from "~/services/payments/sync.server.ts";
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from "~/utils/errors.ts";
import { formatYuan, yuanToFen, MAX_FEN } from "~/utils/money.ts";
import { assertCan } from "~/utils/permissions.ts";
import { loadDealFor, partySideOf, type DealRow } from "../contracts/access.server.ts";
import { discardProofFile, storeProofFile, type NewProofFile } from "../files/proofs.server.ts";
import { SYSTEM_ACTOR, type Actor, type Via } from "../kernel/actor.ts";
import { recordAudit } from "../kernel/audit.server.ts";
import { maybeId, newId, oid } from "../kernel/ids.server.ts";
import { isDuplicateKey } from "../kernel/mongo-errors.ts";
import { withTransaction } from "../kernel/tx.server.ts";
import { notify } from "../notifications/notify.server.ts";
import { sellerSideUsers } from "../trading/deals/open.server.ts";
import { settleGatewayRefund } from "./cancel.server.ts";
import { stageParties } from "./parties.server.ts";
import { onStagePaid } from "./payouts.server.ts";
import { normalizeReference, stageFigures, stageStatusOf } from "./rules.ts";
import { refreshPaymentState } from "./state.server.ts";

/**
 * Money in on a deal's stages (issue 14, point 5): a receipt is money that arrived — by Stripe
 * Checkout (purpose "deal-stage", registered here), by a bank transfer (对公转账) an administrator
 * records with its proof, or a deposit applied (schedule.server.ts). Each receipt is written once
 * (keyed by its id: the Payment's for Checkout), with its ledger posting, the stage's new status,
 * the audit entry and the notifications in one transaction. Money beyond what the stage is owed
 * (多付) is owed back to the buyer (refunds payable); money on a cancelled stage or deal is all
 * owed back, and changes no stage's status.
 */

const SAME_ORIGIN_PATH = /^\/[^/\\]/;
const labelOf: Record<ReceiptVia, string> = { stripe: "在线支付", bank: "对公转账", deposit: "保证金抵扣" };

export interface ReceiptInput {
  stageId: Types.ObjectId;
  receiptId: Types.ObjectId;
  via: Exclude<ReceiptVia, "deposit">;
  amountFen: number;
  receivedAt: Date;
  bankRef?: string | null;
  proofFile?: Types.ObjectId | null;
  payment?: string | null;
  actor: Actor;
  via_: Via;
  now: Date;
}

/** Records one receipt in `session`'s transaction; false when this receipt was recorded before. */
export async function applyReceipt(session: ClientSession, r: ReceiptInput): Promise<boolean> {
  const stage = await DealStage.findById(r.stageId).session(session).lean();
  if (!stage) throw new NotFoundError();
  if (stage.receipts.some((x) => String(x._id) === String(r.receiptId))) return false;
  const deal = (await Deal.findById(stage.deal).session(session).lean()) as DealRow | null;
  if (!deal) throw new NotFoundError();
  const closed = stage.status === "cancelled" || deal.status !== "open";
  const before = stageFigures({ ...stage, status: closed ? "cancelled" : stage.status }, r.now);
  const excessFen = r.amountFen - Math.min(r.amountFen, before.outstandingFen);
  const paid = stage.paid + r.amountFen;
  const status = closed ? stage.status : stageStatusOf({ status: stage.status, amount: stage.amount, paid });
  const becamePaid = status === "paid" && stage.status !== "paid";
  const recordedBy = r.actor.id ? { user: oid(r.actor.id), name: r.actor.name } : undefined;
  const res = await DealStage.updateOne(
    { _id: stage._id, "receipts._id": { $ne: r.receiptId } },
    {
      $set: { paid, status, ...(becamePaid ? { paidAt: r.now } : {}) },
      $push: {
        receipts: {
          _id: r.receiptId,
          via: r.via,
          amount: r.amountFen,
          receivedAt: r.receivedAt,
          ...(r.bankRef ? { bankRef: r.bankRef } : {}),
          ...(r.proofFile ? { proofFile: r.proofFile } : {}),
          ...(r.payment ? { payment: oid(r.payment) } : {}),
          ...(recordedBy ? { recordedBy } : {}),
          recordedAt: r.now,
        },
      },
    },
    { session },
  );
  if (res.modifiedCount !== 1) return false;
  const parties = stageParties(deal);
  await postPaymentReceived(session, {
    deal: String(deal._id),
    receipt: String(r.receiptId),
    buyer: parties.buyer,
    amountFen: r.amountFen,
    via: r.via,
    payment: r.payment ?? null,
    excessFen,
  });
  if (excessFen > 0) {
    // What came in beyond what the stage was owed goes back: online by the gateway (the refunds job),
    // a bank transfer by an admin on /admin/refunds.
    await DealRefund.create(
      [
        {
          deal: deal._id,
          stage: stage._id,
          stageNumber: stage.number,
          receipt: r.receiptId,
          kind: "excess",
          via: r.via,
          amount: excessFen,
          buyer: parties.buyer,
          ...(r.payment ? { payment: oid(r.payment) } : {}),
        },
      ],
      { session },
    );
  }
  const after = stageFigures({ status: closed ? "cancelled" : status, amount: stage.amount, paid, dueAt: stage.dueAt }, r.now);
  const note = closed
    ? "（该期已取消，应退还）"
    : after.shortFen
      ? `，少付 ${formatYuan(after.shortFen)}`
      : after.excessFen
        ? `，多付 ${formatYuan(after.excessFen)}`
        : "";
  await recordAudit(session, {
    subjectType: "deal",
    subject: deal._id,
    action: "receipt.recorded",
    actor: r.actor,
    via: r.via_,
    reason: `第 ${stage.number} 期「${stage.title}」${labelOf[r.via]}收款 ${formatYuan(r.amountFen)}${r.bankRef ? `（${r.bankRef}）` : ""}${note}`,
    at: r.now,
  });
  if (becamePaid) {
    await recordAudit(session, {
      subjectType: "deal",
      subject: deal._id,
      action: "stage.paid",
      from: stage.status,
      to: "paid",
      actor: r.actor,
      via: r.via_,
      reason: `第 ${stage.number} 期「${stage.title}」已付清 ${formatYuan(stage.amount)}`,
      at: r.now,
    });
    await onStagePaid(session, stage._id, r.now);
  }
  await refreshPaymentState(session, deal._id);
  if (!closed) {
    await tellParties(session, deal, becamePaid ? "stage.paid" : "stage.received", stage.number, {
      stage: String(stage.number),
      title: stage.title,
      amount: formatYuan(r.amountFen),
    });
  }
  return true;
}

/** Notifies the seller side and the buyer of a deal about a stage. */
export async function tellParties(
  session: ClientSession,
  deal: Pick<DealDoc, "listing" | "listingTitle" | "buyer"> & { _id: Types.ObjectId },
  type: NotificationType,
  number: number,
  params: Record<string, string>,
  opts: { buyer?: boolean } = {},
): Promise<void> {
  const listing = await Achievement.findById(deal.listing, { owner: 1, createdBy: 1 }).session(session).lean();
  const users = new Set(await sellerSideUsers(listing?.owner, listing?.createdBy, session));
  if (opts.buyer !== false && deal.buyer.user) users.add(String(deal.buyer.user));
  const subject = { kind: "achievement" as const, id: deal.listing, title: deal.listingTitle };
  const link = `/deals/${String(deal._id)}/stages/${number}`;
  await notify(
    session,
    [...users].map((user) => ({ user, type, subject, link, params })),
  );
}

// ——— Stripe Checkout ———

registerPaymentPurpose("deal-stage", {
  async onStatus(session, payment, _from, to) {
    // A refund of it (a cancelled deal, point 8): the cancellation's refund record is settled and
    // booked, once, whether the refund call's answer or its webhook comes first.
    if (to === "refunded") return settleGatewayRefund(session, payment.id);
    // Money in: the payment succeeded (the webhook or the return page, whichever first). Failures
    // and expiries move no money.
    if (to !== "succeeded") return;
    const stageId = maybeId(payment.subject.id);
    if (!stageId) return;
    const stage = await DealStage.findById(stageId, { deal: 1 }).session(session).lean();
    if (!stage) return;
    const deal = await Deal.findById(stage.deal, { buyer: 1 }).session(session).lean();
    const actor: Actor = deal?.buyer.user
      ? { id: String(deal.buyer.user), name: deal.buyer.name, roles: ["buyer"], organization: null }
      : SYSTEM_ACTOR;
    const now = new Date();
    await applyReceipt(session, {
      stageId,
      receiptId: oid(payment.id),
      via: "stripe",
      amountFen: payment.amountFen,
      receivedAt: now,
      payment: payment.id,
      actor,
      via_: "system",
      now,
    });
  },
});

/** The stage of a deal by its number, for an actor who may see the deal (else 404). */
export async function loadStageFor(actor: Actor, dealId: string, number: number, session: ClientSession | null = null) {
  const { deal, access } = await loadDealFor(actor, dealId, session);
  if (!Number.isSafeInteger(number) || number < 1) throw new NotFoundError();
  const stage = await DealStage.findOne({ deal: deal._id, number }).session(session).lean();
  if (!stage) throw new NotFoundError();
  return { deal, access, stage };
}

/** Only the buyer side pays and reports; the others who may see the deal are refused (403). */
function assertBuyerSide(actor: Actor, deal: DealRow): void {
  if (partySideOf(actor, deal) !== "buyer") throw new ForbiddenError("settlement.errors.buyerOnly");
}

export interface CheckoutUrls {
  /** Absolute URLs; the return page syncs the payment. */
  successUrl: string;
  cancelUrl: string;
}

/**
 * The buyer pays what is still due on a stage by Stripe Checkout: answers the gateway's page. A
 * checkout started before for the same amount that is still open is offered again.
 */
export async function startStageCheckout(
  actor: Actor,
  dealId: string,
  number: number,
  urls: CheckoutUrls,
): Promise<{ paymentId: string; redirectUrl: string; amountFen: number }> {
  const { deal, stage } = await loadStageFor(actor, dealId, number);
  assertBuyerSide(actor, deal);
  if (deal.status !== "open" || stage.status === "cancelled") throw new ConflictError("settlement.errors.stageClosed");
  const due = stageFigures(stage, new Date()).outstandingFen;
  if (due <= 0) throw new ConflictError("settlement.errors.nothingDue");
  if (stage.checkoutPayment) {
    const previous = String(stage.checkoutPayment);
    const status = await syncPayment(previous).catch(() => null);
    if (status === "pending") {
      const p = await getPayment(previous).catch(() => null);
      if (p?.checkoutUrl && p.amountFen === due) return { paymentId: previous, redirectUrl: p.checkoutUrl, amountFen: due };
    }
    if (status === "succeeded") {
      // Paid meanwhile (its receipt is recorded now): ask again with what is left.
      const again = await DealStage.findById(stage._id, { amount: 1, paid: 1, status: 1 }).lean();
      if (!again || stageFigures(again, new Date()).outstandingFen !== due) throw new ConflictError("settlement.errors.changedMeanwhile");
    }
  }
  const started = await startCheckout({
    purpose: "deal-stage",
    payer: {
      id: actor.id!,
      name: actor.name,
      ...((actor as { email?: string }).email ? { email: (actor as { email?: string }).email } : {}),
    },
    amountFen: due,
    subject: { kind: "deal-stage", id: String(stage._id) },
    description: `第 ${stage.number} 期 ${stage.title} · ${deal.listingTitle}`.slice(0, 200),
    successUrl: urls.successUrl,
    cancelUrl: urls.cancelUrl,
    async link(session, paymentId) {
      await DealStage.updateOne({ _id: stage._id }, { $set: { checkoutPayment: oid(paymentId) } }, { session });
    },
  });
  return { ...started, amountFen: due };
}

/** The return page: asks the gateway where the stage's last checkout stands (its receipt is recorded if paid). */
export async function syncStageCheckout(actor: Actor, dealId: string, number: number): Promise<string | null> {
  const { deal, stage } = await loadStageFor(actor, dealId, number);
  if (partySideOf(actor, deal) !== "buyer" || !stage.checkoutPayment) return null;
  return syncPayment(String(stage.checkoutPayment)).catch(() => null);
}

/** Where a path on this site is safe to send the payer back to. */
export const isSitePath = (p: string) => SAME_ORIGIN_PATH.test(p);

// ——— Bank transfers an administrator records ———

const day = z
  .string({ required_error: "errors.required" })
  .trim()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "settlement.errors.date")
  .refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00+08:00`)), "settlement.errors.date");

const amountYuan = z
  .union([z.string(), z.number()], { required_error: "errors.required", invalid_type_error: "settlement.errors.amount" })
  .transform((v, ctx) => {
    try {
      const fen = yuanToFen(v);
      if (fen < 1 || fen > MAX_FEN) throw new RangeError();
      return fen;
    } catch {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: "settlement.errors.amount" });
      return z.NEVER;
    }
  });

export const BankReceiptSchema = z.object({
  reference: z.string({ required_error: "errors.required" }).trim().min(1, "errors.required").max(60, "settlement.errors.referenceUnknown"),
  amount: amountYuan,
  receivedOn: day,
  bankRef: z.string({ required_error: "errors.required" }).trim().min(1, "errors.required").max(100, "errors.tooLong"),
});
export type BankReceiptInput = z.input<typeof BankReceiptSchema>;

/** A China calendar day (YYYY-MM-DD) as the instant its day begins in Beijing. */
export const chinaDay = (s: string) => new Date(`${s}T00:00:00+08:00`);

/**
 * An administrator records a bank transfer that arrived for the stage with `reference`: amount,
 * value date, the bank's reference of the transfer, and the proof (a statement or 回单; required
 * in the UI, optional in the API). Each bank reference is recorded once.
 */
export async function recordBankReceipt(
  actor: Actor,
  input: BankReceiptInput,
  proof: NewProofFile | null,
  opts: { via?: Via; now?: Date } = {},
): Promise<{ dealId: string; number: number; receiptId: string }> {
  assertCan(actor, "settlement:record");
  const parsed = BankReceiptSchema.safeParse(input);
  if (!parsed.success) throw new ValidationError(flattenZodErrors(parsed.error));
  const v = parsed.data;
  const now = opts.now ?? new Date();
  const reference = normalizeReference(v.reference);
  const stage = await DealStage.findOne({ reference }, { _id: 1 }).lean();
  if (!stage) throw new ValidationError({ reference: ["settlement.errors.referenceUnknown"] });
  const receivedAt = chinaDay(v.receivedOn);
  if (receivedAt.getTime() > now.getTime()) throw new ValidationError({ receivedOn: ["settlement.errors.dateFuture"] });
  const proofFile = proof ? await storeProofFile(actor, proof) : null;
  const receiptId = newId();
  try {
    return await withTransaction(async (session) => {
      const dup = await DealStage.exists({ receipts: { $elemMatch: { via: "bank", bankRef: v.bankRef } } }).session(session);
      if (dup) throw new ConflictError("settlement.errors.bankRefRecorded", { field: "bankRef" });
      const s = await DealStage.findById(stage._id, { deal: 1, number: 1 }).session(session).lean();
      if (!s) throw new NotFoundError();
      // The reference claimed once, whichever stage it is for: a concurrent recording collides here.
      await BankReceiptRef.create([{ _id: v.bankRef, stage: stage._id, receipt: receiptId, at: now }], { session });
      await applyReceipt(session, {
        stageId: stage._id,
        receiptId,
        via: "bank",
        amountFen: v.amount,
        receivedAt,
        bankRef: v.bankRef,
        proofFile,
        actor,
        via_: opts.via ?? "ui",
        now,
      });
      return { dealId: String(s.deal), number: s.number, receiptId: String(receiptId) };
    });
  } catch (e) {
    if (proofFile) await discardProofFile(proofFile);
    if (isDuplicateKey(e)) throw new ConflictError("settlement.errors.bankRefRecorded", { field: "bankRef" });
    throw e;
  }
}

export { assertBuyerSide };
