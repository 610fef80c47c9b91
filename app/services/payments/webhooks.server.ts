import { Payment, WebhookEvent } from "~/models/payment.server.ts";
import { logger } from "~/utils/logger.server.ts";
import { maybeId } from "../kernel/ids.server.ts";
import { isDuplicateKey } from "../kernel/mongo-errors.ts";
import { withTransaction } from "../kernel/tx.server.ts";
import { kindOf, recordRefund, transition } from "./records.server.ts";
import type { GatewayEvent } from "./types.ts";

/**
 * An event about a step the payment has not reached here yet — a refund (charge.refunded) or a
 * capture made at the gateway delivered before the payment's success or hold: Stripe does not keep
 * the order of deliveries. Applied now it would change nothing and, recorded as seen, never come
 * again: the money refunded at the gateway while our record says paid. So it is not taken: the
 * transaction rolls back (the event id is not recorded), the endpoint answers 409 and the gateway
 * delivers it again later, when the success (its own webhook, the return page or
 * payments.reconcile) is recorded.
 */
class TooEarly extends Error {}

/** Where a payment stands before its money was taken: a refund of it cannot be recorded yet. */
const BEFORE_TAKEN = ["pending", "failed", "held"];

/**
 * Applies a verified gateway event exactly once: the event id is recorded (WebhookEvent, unique
 * _id) in the same transaction as the status change — and as the purpose owner's reaction to it —
 * so a replayed or concurrently redelivered event is a "duplicate" and changes nothing.
 * "deferred": too early for the payment (TooEarly above), not recorded; the gateway retries it.
 * "ignored": nothing for us (unknown type or payment, or an event that does not fit the payment's
 * kind). "applied" means first seen and acted on — the change itself may already have been made
 * by the return page or the caller, which is fine: transitions are conditional.
 */
export async function applyGatewayEvent(
  event: GatewayEvent,
  gateway = "stripe",
): Promise<"applied" | "duplicate" | "ignored" | "deferred"> {
  if (event.type === "ignored") return "ignored";
  try {
    return await withTransaction(async (session) => {
      if (await WebhookEvent.exists({ _id: event.id }).session(session)) return "duplicate" as const;
      await WebhookEvent.create([{ _id: event.id, gateway, type: event.gatewayType }], { session });

      const byId = event.paymentId ? maybeId(event.paymentId) : null;
      const query = byId
        ? { _id: byId }
        : event.checkoutRef
          ? { checkoutRef: event.checkoutRef }
          : event.intentRef
            ? { intentRef: event.intentRef }
            : event.transferRef
              ? { transferRef: event.transferRef }
              : null;
      const p = query
        ? await Payment.findOne(query, { _id: 1, amount: 1, checkoutRef: 1, kind: 1, status: 1 }).session(session).lean()
        : null;
      if (!p) {
        logger.info({ event: event.id, type: event.gatewayType }, "payment event for no payment of ours; recorded and ignored");
        return "ignored" as const;
      }
      const kind = kindOf(p);
      const entry = { source: `webhook:${event.gatewayType}`, eventId: event.id };
      const intent = event.intentRef ? { intentRef: event.intentRef } : {};
      switch (event.type) {
        case "hold.succeeded":
          if (kind !== "hold") return "ignored" as const;
          await transition(session, p._id, ["pending", "failed"], "held", entry, intent);
          break;
        case "paid":
          if (kind !== "checkout") return "ignored" as const;
          await transition(session, p._id, ["pending", "failed"], "succeeded", entry, intent);
          break;
        case "hold.failed":
          if (kind === "transfer") return "ignored" as const;
          if (!event.checkoutRef && p.checkoutRef) {
            // A declined card on the payment page (Stripe: payment_intent.payment_failed): the page
            // stays open and the payer may try another card, so this is not the end of the payment —
            // that is the page expiring (checkout.session.expired). Recorded, status unchanged.
            await Payment.updateOne(
              { _id: p._id, status: "pending" },
              {
                $push: { history: { at: new Date(), status: "pending", source: `${entry.source} (declined attempt)`, eventId: event.id } },
              },
              { session },
            );
            break;
          }
          await transition(session, p._id, ["pending"], "failed", entry, { failureReason: event.gatewayType });
          break;
        case "captured":
          if (kind !== "hold") return "ignored" as const;
          if (p.status === "pending" || p.status === "failed") throw new TooEarly();
          await transition(session, p._id, ["held"], "captured", entry, { capturedAmount: event.amountFen ?? p.amount });
          break;
        case "released":
          if (kind !== "hold") return "ignored" as const;
          await transition(session, p._id, ["held"], "released", entry);
          break;
        case "refunded":
          if (BEFORE_TAKEN.includes(p.status)) throw new TooEarly();
          await recordRefund(
            session,
            p._id,
            { refundRef: event.refundRef, amountFen: event.amountFen, refundedTotalFen: event.refundedTotalFen },
            entry,
          );
          break;
        case "transfer.created":
          if (kind !== "transfer") return "ignored" as const;
          await transition(session, p._id, ["pending"], "succeeded", entry, event.transferRef ? { transferRef: event.transferRef } : {});
          break;
      }
      return "applied" as const;
    });
  } catch (e) {
    if (e instanceof TooEarly) {
      logger.info({ event: event.id, type: event.gatewayType }, "payment event before the payment got there; left for the gateway's retry");
      return "deferred";
    }
    // Two deliveries of one event raced: the loser's insert hit the winner's committed id.
    if (isDuplicateKey(e)) return "duplicate";
    throw e;
  }
}
