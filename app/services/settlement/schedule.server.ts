import type { ClientSession, Types } from "mongoose";
import { Contract } from "~/models/contract.server.ts";
import { Deal } from "~/models/deal.server.ts";
import { DealStage } from "~/models/deal-stage.server.ts";
import { User } from "~/models/user.server.ts";
import { postStageDue } from "~/services/ledger/deals.server.ts";
import { postDepositApplied } from "~/services/ledger/deposits.server.ts";
import { formatYuan } from "~/utils/money.ts";
import { SYSTEM_ACTOR } from "../kernel/actor.ts";
import { recordAudit } from "../kernel/audit.server.ts";
import { newId } from "../kernel/ids.server.ts";
import { dealBrokerIds } from "../rooms/deal-brokers.server.ts";
import { readSettings } from "../settings/settings.server.ts";
import { percentToBps, plannedStages, stageReference } from "./rules.ts";
import { stageParties } from "./parties.server.ts";
import { onStagePaid } from "./payouts.server.ts";
import { refreshPaymentState } from "./state.server.ts";

/**
 * The payment schedule (issue 14, point 5): made from the signed contract in the transaction that
 * signs it (services/contracts calls this). One fixed stage per agreed milestone (or one for the
 * whole contract amount; rules.ts says how a difference is settled), plus a royalty stage (提成,
 * amount 0 until the buyer reports sales) when the terms carry a royalty rate. Each stage gets a
 * unique bank-transfer reference. The deal's broker of record and its commission and fee rates are
 * fixed now (unless an admin set them before). Each fixed stage posts stage-due; a deposit captured
 * on the deal (an auction's or a buy-now's) counts toward the first stages. Running it again for a
 * deal that has a schedule does nothing.
 */
export async function createSchedule(session: ClientSession, dealId: string, now: Date): Promise<void> {
  const deal = await Deal.findById(dealId).session(session).lean();
  if (!deal) return;
  if (await DealStage.exists({ deal: deal._id }).session(session)) return;
  const contract = await Contract.findOne({ deal: deal._id }, { contractAmount: 1, signedAt: 1 }).session(session).lean();
  if (!contract) return;
  const signedAt = contract.signedAt ?? now;
  const settings = await readSettings(session);

  // The broker of record and the rates, unless already set (by an admin).
  const set: Record<string, unknown> = {};
  if (!deal.broker?.user) {
    const [brokerId] = await dealBrokerIds(deal, session);
    if (brokerId) {
      const b = await User.findById(brokerId, { name: 1 }).session(session).lean();
      set.broker = { user: b?._id ?? brokerId, name: b?.name ?? "" };
    }
  }
  if (deal.commissionBps == null) set.commissionBps = settings.commissionBps;
  if (deal.feeBps == null) set.feeBps = settings.platformFeeBps;
  if (Object.keys(set).length) await Deal.updateOne({ _id: deal._id }, { $set: set }, { session });

  const planned = plannedStages(contract.contractAmount, deal.terms.milestones ?? []);
  const royalty = deal.terms.royaltyPercent != null && deal.terms.royaltyPercent > 0;
  const rows = planned.map((p, i) => ({
    _id: newId(),
    deal: deal._id,
    contract: contract._id,
    number: i + 1,
    title: p.title,
    kind: "fixed" as const,
    amount: p.amount,
    ...(p.dueInDays != null ? { dueAt: new Date(signedAt.getTime() + p.dueInDays * 86_400_000) } : {}),
    status: "due" as const,
    paid: 0,
  }));
  const royaltyRow = royalty
    ? {
        _id: newId(),
        deal: deal._id,
        contract: contract._id,
        number: rows.length + 1,
        title: `提成 ${deal.terms.royaltyPercent}% Royalty`,
        kind: "royalty" as const,
        amount: 0,
        status: "due" as const,
        paid: 0,
      }
    : null;
  const all = royaltyRow ? [...rows, royaltyRow] : rows;
  if (!all.length) return;
  const withRefs = [];
  for (const r of all) withRefs.push({ ...r, reference: await uniqueReference(session, String(deal._id), r.number) });
  await DealStage.insertMany(withRefs, { session });

  const parties = stageParties(deal);
  for (const r of rows) {
    await postStageDue(session, { deal: dealId, stage: String(r._id), buyer: parties.buyer, seller: parties.seller, amountFen: r.amount });
  }

  // A captured deposit counts toward the first stages, in order.
  let deposit = deal.deposit?.payment && deal.deposit.amount ? deal.deposit.amount : 0;
  const applied: string[] = [];
  for (const r of rows) {
    if (deposit <= 0) break;
    const amount = Math.min(deposit, r.amount);
    deposit -= amount;
    const receiptId = newId();
    const paid = amount;
    await DealStage.updateOne(
      { _id: r._id },
      {
        $set: { paid, status: paid >= r.amount ? "paid" : "partly-paid", ...(paid >= r.amount ? { paidAt: now } : {}) },
        $push: {
          receipts: { _id: receiptId, via: "deposit", amount, receivedAt: now, payment: deal.deposit!.payment, recordedAt: now },
        },
      },
      { session },
    );
    await postDepositApplied(session, {
      paymentId: String(deal.deposit!.payment),
      deal: dealId,
      stage: String(r._id),
      payerId: parties.buyer,
      amountFen: amount,
    });
    applied.push(`${r.number}：${formatYuan(amount)}`);
  }

  await refreshPaymentState(session, deal._id);
  const total = rows.reduce((s, r) => s + r.amount, 0);
  await recordAudit(session, {
    subjectType: "deal",
    subject: deal._id,
    action: "schedule.created",
    actor: SYSTEM_ACTOR,
    via: "system",
    reason:
      `${rows.length} 期共 ${formatYuan(total)}` +
      (royaltyRow ? `，提成 ${percentToBps(deal.terms.royaltyPercent!) / 100}%` : "") +
      (applied.length ? `；保证金抵扣 ${applied.join("，")}` : ""),
    at: now,
  });
  // Stages a deposit paid in full count as paid: their payouts are owed like any paid stage's.
  for (const r of rows) {
    const s = await DealStage.findById(r._id, { status: 1 }).session(session).lean();
    if (s?.status === "paid") await onStagePaid(session, r._id as Types.ObjectId, now);
  }
}

/** CG + the deal's last 6 hex digits + the stage number; a longer code when another deal's stage has it. */
async function uniqueReference(session: ClientSession, dealId: string, number: number): Promise<string> {
  for (const len of [6, 8, 10, 12, 24]) {
    const ref = stageReference(dealId, number, len);
    if (!(await DealStage.exists({ reference: ref }).session(session))) return ref;
  }
  return stageReference(dealId, number, 24);
}
