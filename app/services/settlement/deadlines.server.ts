import { Deal } from "~/models/deal.server.ts";
import { formatDateTime } from "~/utils/china-time.ts";
import type { DealRow } from "../contracts/access.server.ts";
import { SYSTEM_ACTOR } from "../kernel/actor.ts";
import { withTransaction } from "../kernel/tx.server.ts";
import { postDepositForfeited } from "../ledger/deposits.server.ts";
import { Payment } from "~/models/payment.server.ts";
import { notify } from "../notifications/notify.server.ts";
import { sellerSideUsers } from "../trading/deals/open.server.ts";
import { cancelInSession } from "./cancel.server.ts";

/**
 * The signing deadline (issue 14, point 8): every deal carries `signBy` (openDeal, the setting
 * `signingDeadlineDays`). An open deal whose contract is not signed by then lapses — status
 * `lapsed`, the listing back to trading, both sides told, audit "deal.lapsed" (cancelInSession) —
 * and a captured deposit (a won auction's, or a buy-now deposit) is forfeited by the buyer, in the
 * ledger, in the same transaction. A day before, both sides are reminded once.
 */

const DAY_MS = 86_400_000;

/** Lapses every open, unsigned deal past its deadline; returns how many lapsed. */
export async function lapseUnsignedDeals(now = new Date()): Promise<number> {
  const due = await Deal.find({ status: "open", contractState: { $ne: "signed" }, signBy: { $lte: now } }, { _id: 1 })
    .limit(100)
    .lean();
  let lapsed = 0;
  for (const { _id } of due) {
    const done = await withTransaction(async (session) => {
      // Read again inside the transaction: signed or cancelled meanwhile, it is left alone.
      const deal = (await Deal.findById(_id).session(session).lean()) as DealRow | null;
      if (!deal || deal.status !== "open" || deal.contractState === "signed" || !deal.signBy || deal.signBy > now) return false;
      await cancelInSession(session, deal, {
        actor: SYSTEM_ACTOR,
        reason: `合同未在 ${formatDateTime(deal.signBy)} 前签署，成交失效 Not signed by the deadline`,
        via: "system",
        now,
        status: "lapsed",
      });
      // The deposit that took the listing off the market — a won auction's, or a buy-now deposit
      // (decision 023) — is forfeited by the buyer who let the deal lapse.
      if (deal.deposit?.payment) {
        const p = await Payment.findById(deal.deposit.payment).session(session).lean();
        if (p && p.status === "captured") {
          const amountFen = (p.capturedAmount ?? p.amount) - (p.refundedAmount ?? 0);
          if (amountFen > 0) {
            await postDepositForfeited(session, {
              paymentId: String(p._id),
              registrationId: String(p.subject?.id ?? ""),
              payerId: p.payer ? String(p.payer) : null,
              amountFen,
              deal: String(deal._id),
            });
          }
        }
      }
      return true;
    });
    if (done) lapsed++;
  }
  return lapsed;
}

/** Reminds both sides of an unsigned deal whose deadline is within a day, once. */
export async function remindSigningDeadlines(now = new Date()): Promise<number> {
  const soon = await Deal.find(
    {
      status: "open",
      contractState: { $ne: "signed" },
      signBy: { $gt: now, $lte: new Date(now.getTime() + DAY_MS) },
      signReminderAt: null,
    },
    { _id: 1 },
  )
    .limit(100)
    .lean();
  let sent = 0;
  for (const { _id } of soon) {
    await withTransaction(async (session) => {
      const deal = await Deal.findOneAndUpdate(
        { _id, signReminderAt: null },
        { $set: { signReminderAt: now } },
        { session, returnDocument: "after" },
      ).lean();
      if (!deal) return;
      const users = new Set([
        ...(await sellerSideUsers(deal.seller.organization, deal.seller.user, session)),
        ...(deal.buyer.user ? [String(deal.buyer.user)] : []),
      ]);
      const subject = { kind: "achievement" as const, id: deal.listing, title: deal.listingTitle };
      await notify(
        session,
        [...users].map((user) => ({
          user,
          type: "deal.signReminder" as const,
          subject,
          link: `/deals/${String(deal._id)}/contract`,
          params: { signBy: formatDateTime(deal.signBy!) },
        })),
        { at: now },
      );
      sent++;
    });
  }
  return sent;
}
