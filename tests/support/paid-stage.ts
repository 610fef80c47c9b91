import mongoose from "mongoose";
import { Deal } from "~/models/deal.server.ts";
import { DealStage } from "~/models/deal-stage.server.ts";
import type { SessionUser } from "~/services/accounts/accounts.server.ts";
import { withTransaction } from "~/services/kernel/tx.server.ts";
import { postPaymentReceived, postStageDue } from "~/services/ledger/deals.server.ts";
import { onStagePaid, sellerPartyOf } from "~/services/settlement/payouts.server.ts";

/**
 * A deal with a signed-contract stage paid in full, without the receipts module (issue 14, point 5,
 * another helper's): the deal, a DealStage with one bank receipt, the stage-due and payment-received
 * postings, and `onStagePaid` in the same transaction — as the receipts code does.
 */
let n = 0;

export async function openDealFixture(opts: {
  seller: SessionUser;
  buyer: SessionUser;
  broker?: SessionUser | null;
  commissionBps?: number;
  feeBps?: number;
  priceFen?: number;
  /** A real listing, for the pages that read it (the deal page); else an id of none. */
  listing?: string;
}): Promise<string> {
  const deal = await Deal.create({
    listing: opts.listing ?? new mongoose.Types.ObjectId(),
    listingTitle: `三七连作障碍消减技术 ${++n}`,
    seller: {
      user: opts.seller.id,
      name: opts.seller.name,
      ...(opts.seller.organization ? { organization: opts.seller.organization.id, organizationName: opts.seller.organization.name } : {}),
    },
    buyer: { user: opts.buyer.id, name: opts.buyer.name },
    source: "buy-now",
    terms: { price: opts.priceFen ?? 300_000_00, transactionMode: "transfer" },
    termsSource: { kind: "buy-now", acceptedAt: new Date() },
    contractState: "signed",
    paymentState: "due",
    ...(opts.broker ? { broker: { user: opts.broker.id, name: opts.broker.name } } : {}),
    ...(opts.commissionBps !== undefined ? { commissionBps: opts.commissionBps } : {}),
    ...(opts.feeBps !== undefined ? { feeBps: opts.feeBps } : {}),
  });
  return String(deal._id);
}

/** Stage `number` of `amountFen`, paid by one bank receipt, and onStagePaid called; answers the stage id. */
export async function paidStage(dealId: string, amountFen: number, number = 1): Promise<string> {
  const deal = (await Deal.findById(dealId).lean())!;
  const now = new Date();
  const stageId = new mongoose.Types.ObjectId();
  const receiptId = new mongoose.Types.ObjectId();
  await withTransaction(async (session) => {
    await DealStage.create(
      [
        {
          _id: stageId,
          deal: deal._id,
          contract: new mongoose.Types.ObjectId(),
          number,
          title: number === 1 ? "首付款" : `第 ${number} 期`,
          kind: "fixed",
          amount: amountFen,
          reference: `CG-${String(stageId).slice(-8).toUpperCase()}`,
          status: "paid",
          paid: amountFen,
          receipts: [{ _id: receiptId, via: "bank", amount: amountFen, receivedAt: now, bankRef: "BOC-TEST", recordedAt: now }],
          paidAt: now,
        },
      ],
      { session },
    );
    const common = { deal: dealId, buyer: String(deal.buyer.user), amountFen };
    await postStageDue(session, { ...common, stage: String(stageId), seller: sellerPartyOf(deal) });
    await postPaymentReceived(session, { ...common, receipt: String(receiptId), via: "bank" });
    await onStagePaid(session, stageId, now);
  });
  return String(stageId);
}
