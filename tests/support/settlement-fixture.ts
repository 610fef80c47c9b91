import mongoose from "mongoose";
import { DealStage } from "~/models/deal-stage.server.ts";
import { Payout } from "~/models/payout.server.ts";
import type { SessionUser } from "~/services/accounts/accounts.server.ts";
import { actorOf } from "~/services/kernel/actor.ts";
import { withTransaction } from "~/services/kernel/tx.server.ts";
import { initLedger } from "~/services/ledger/book.server.ts";
import { postPaymentReceived, postStageDue, postStageShares } from "~/services/ledger/deals.server.ts";
import { isRegisteredPurpose, registerPaymentPurpose } from "~/services/payments/purposes.server.ts";
import { capturePayment } from "~/services/payments/holds.server.ts";
import { startCheckout, startHold } from "~/services/payments/start.server.ts";
import { syncPayment } from "~/services/payments/sync.server.ts";
import { openDeal, type OpenDealInput } from "~/services/trading/deals/open.server.ts";
import { achievementContent, listingAt } from "../../seeds/trading-fixtures.ts";
import { payCheckout } from "../../server/stripe-local/pay-checkout.ts";
import { connectLocalStripe } from "./stripe-webhooks.ts";

/**
 * Settlement money for the cancellation and lapse tests (issue 14, point 8), made directly while
 * the schedule, receipts and payouts are built elsewhere: a deal opened through openDeal, stages
 * with receipts and their ledger postings, a Stripe-paid receipt through a real Checkout against
 * the local Stripe-compatible server, and the payouts a paid stage owes.
 */
let n = 0;

export async function useLocalStripe() {
  const { stripe, webhooks } = await connectLocalStripe();
  // The receipts' owner registers "deal-stage" (services/payment-purposes.server.ts); until it is
  // loaded here, a handler that only lets the payment move.
  if (!isRegisteredPurpose("deal-stage")) registerPaymentPurpose("deal-stage", { async onStatus() {} });
  await initLedger();
  return { stripe, close: () => webhooks.close() };
}

/** A trading listing of `seller`'s, sold to `buyer` in a deal opened through openDeal. */
export async function openTestDeal(
  seller: SessionUser,
  buyer: SessionUser,
  broker: SessionUser,
  over: {
    source?: OpenDealInput["source"];
    deposit?: OpenDealInput["deposit"];
    now?: Date;
    price?: number;
    terms?: Partial<OpenDealInput["terms"]>;
  } = {},
): Promise<{ dealId: string; listingId: string }> {
  const price = over.price ?? 300_000_00;
  const listingId = await listingAt(
    seller,
    broker,
    "trading",
    achievementContent({ title: `三七种苗脱毒快繁技术 ${++n}`, price: { mode: "fixed", amount: price } }),
  );
  const dealId = await withTransaction((session) =>
    openDeal(session, {
      listingId,
      buyer: { userId: buyer.id, name: buyer.name, organization: buyer.organization },
      source: over.source ?? "offer",
      terms: { price, transactionMode: "transfer", ...over.terms } as OpenDealInput["terms"],
      deposit: over.deposit ?? null,
      actor: actorOf(buyer),
      via: "ui",
      now: over.now,
    }),
  );
  return { dealId, listingId };
}

export interface StageReceipt {
  via: "stripe" | "bank";
  amount: number;
}

/** A due stage of `amount` with its receipts (a Stripe Checkout paid through the SDK, or a recorded bank transfer), posted. */
export async function stageWithReceipts(
  dealId: string,
  buyer: SessionUser,
  seller: string,
  number: number,
  amount: number,
  receipts: StageReceipt[],
): Promise<string> {
  const stageId = new mongoose.Types.ObjectId();
  const made: { _id: mongoose.Types.ObjectId; via: "stripe" | "bank"; amount: number; payment: string | null; bankRef?: string }[] = [];
  for (const r of receipts) {
    const receiptId = new mongoose.Types.ObjectId();
    let payment: string | null = null;
    if (r.via === "stripe") {
      const started = await startCheckout({
        purpose: "deal-stage",
        payer: { id: buyer.id, name: buyer.name, email: buyer.email },
        amountFen: r.amount,
        subject: { kind: "deal-stage", id: String(stageId) },
        description: `第 ${number} 期合同款`,
        successUrl: "http://127.0.0.1:9/paid?session={CHECKOUT_SESSION_ID}",
        cancelUrl: "http://127.0.0.1:9/cancelled",
      });
      if ((await payCheckout(started.redirectUrl)).status !== 303) throw new Error("checkout not paid");
      if ((await syncPayment(started.paymentId)) !== "succeeded") throw new Error("checkout not succeeded");
      payment = started.paymentId;
    }
    made.push({ _id: receiptId, via: r.via, amount: r.amount, payment, bankRef: r.via === "bank" ? `BK${receiptId}` : undefined });
  }
  const paid = receipts.reduce((s, r) => s + r.amount, 0);
  await withTransaction(async (session) => {
    await DealStage.create(
      [
        {
          _id: stageId,
          deal: dealId,
          contract: new mongoose.Types.ObjectId(),
          number,
          title: `第 ${number} 期`,
          kind: "fixed",
          amount,
          reference: `CG-${String(stageId).slice(-8)}-${number}`,
          status: paid >= amount ? "paid" : paid > 0 ? "partly-paid" : "due",
          paid,
          receipts: made.map((m) => ({ ...m, receivedAt: new Date(), recordedAt: new Date(), payment: m.payment ?? undefined })),
        },
      ],
      { session },
    );
    await postStageDue(session, { deal: dealId, stage: String(stageId), buyer: buyer.id, seller, amountFen: amount });
    for (const m of made) {
      await postPaymentReceived(session, {
        deal: dealId,
        receipt: String(m._id),
        buyer: buyer.id,
        amountFen: m.amount,
        via: m.via,
        payment: m.payment,
      });
    }
  });
  return String(stageId);
}

/** What a paid stage owes out: the broker's commission and the seller's rest, with the shares posted. */
export async function stagePayouts(
  dealId: string,
  stageId: string,
  seller: { party: string; name: string },
  broker: SessionUser,
  amount: number,
  commissionFen: number,
): Promise<void> {
  await withTransaction(async (session) => {
    await Payout.create(
      [
        { deal: dealId, stage: stageId, to: "seller", party: seller.party, partyName: seller.name, amount: amount - commissionFen },
        { deal: dealId, stage: stageId, to: "broker", party: broker.id, partyName: broker.name, amount: commissionFen },
      ],
      { session, ordered: true },
    );
    await postStageShares(session, { deal: dealId, stage: stageId, seller: seller.party, broker: broker.id, commissionFen, feeFen: 0 });
  });
}

/** A won auction's deposit held through the SDK and captured (the auction's own handler books the capture). */
export async function capturedAuctionDeposit(buyer: SessionUser, amountFen: number): Promise<string> {
  const hold = await startHold({
    purpose: "auction-deposit",
    payer: { id: buyer.id, name: buyer.name, email: buyer.email },
    amountFen,
    subject: { kind: "auction-registration", id: String(new mongoose.Types.ObjectId()) },
    description: "竞买保证金",
    successUrl: "http://127.0.0.1:9/paid?session={CHECKOUT_SESSION_ID}",
    cancelUrl: "http://127.0.0.1:9/cancelled",
  });
  await payCheckout(hold.redirectUrl);
  if ((await syncPayment(hold.paymentId)) !== "held") throw new Error("deposit not held");
  if ((await capturePayment(hold.paymentId)) !== "captured") throw new Error("deposit not captured");
  return hold.paymentId;
}
