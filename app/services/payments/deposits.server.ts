import { type ClientSession, type Types } from "mongoose";
import { AuctionRegistration } from "~/models/auction.server.ts";
import { Payment, WebhookEvent, type PaymentStatus } from "~/models/payment.server.ts";
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from "~/utils/errors.ts";
import { logger } from "~/utils/logger.server.ts";
import { paymentGateway } from "./gateway.server.ts";
import { PaymentGatewayError, type GatewayEvent, type HoldState } from "./types.ts";
import { withTransaction } from "~/services/kernel/tx.server.ts";
import { maybeId, newId, parseId } from "../kernel/ids.server.ts";
import { isDuplicateKey } from "../kernel/mongo-errors.ts";

/**
 * 保证金: auction deposits held through the payment gateway (DESIGN.md: Trading, Contracts and
 * payments). Our Payment record is the platform's truth; every status change is a conditional
 * update (pending→held only from pending, held→released only from held …) appended to `history`
 * and mirrored into the AuctionRegistration whose `deposit.payment` is this payment, in the same
 * transaction. Gateway calls that move money carry idempotency keys (`capture:<id>`,
 * `release:<id>`), so two processes settling the same deposit, or a retry after a crash, move the
 * money once. Gateway calls never run inside a transaction (a transaction must not wait on the
 * network).
 */

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

export interface PaymentView {
  id: string;
  purpose: string;
  status: PaymentStatus;
  amountFen: number;
  currency: string;
  capturedAmountFen: number | null;
  payerId: string;
  payerName: string | null;
  subject: { kind: string; id: string };
  description: string | null;
  /** Where the payer can (still) pay while the payment is pending. */
  checkoutUrl: string | null;
  failureReason: string | null;
  createdAt: string;
  heldAt: string | null;
  capturedAt: string | null;
  releasedAt: string | null;
  history: { at: string; status: string; source: string }[];
}

const SETTLED: PaymentStatus[] = ["captured", "released"];

/** A gateway failure as the domain error the UI shows; the details go to the log. */
function gatewayFailure(e: unknown, what: string, paymentId: string): never {
  if (e instanceof PaymentGatewayError) {
    logger.warn({ err: e.message, code: e.code, status: e.statusCode, payment: paymentId }, `payment gateway: ${what} failed`);
    throw new ConflictError("payments.gatewayUnavailable");
  }
  throw e;
}

/**
 * Moves a payment from one of `from` to `to` (only if it is still in one of them), records the
 * change in its history and mirrors it into the registration. Returns false when another writer
 * got there first — the caller then reads what is there instead of writing over it.
 */
async function transition(
  session: ClientSession,
  paymentId: Types.ObjectId,
  from: PaymentStatus[],
  to: PaymentStatus,
  entry: { source: string; eventId?: string },
  set: Record<string, unknown> = {},
): Promise<boolean> {
  const at = new Date();
  const stamp = { held: "heldAt", captured: "capturedAt", released: "releasedAt" } as Partial<Record<PaymentStatus, string>>;
  const res = await Payment.updateOne(
    { _id: paymentId, status: { $in: from } },
    {
      $set: { status: to, ...set, ...(stamp[to] ? { [stamp[to]!]: at } : {}) },
      $push: { history: { at, status: to, source: entry.source, ...(entry.eventId ? { eventId: entry.eventId } : {}) } },
    },
    { session },
  );
  if (res.modifiedCount === 0) return false;
  await AuctionRegistration.updateOne({ "deposit.payment": paymentId }, { $set: { "deposit.status": to } }, { session });
  return true;
}

const move = (...args: Parameters<typeof transition> extends [ClientSession, ...infer R] ? R : never) =>
  withTransaction((session) => transition(session, ...args));

async function statusOf(paymentId: Types.ObjectId): Promise<PaymentStatus> {
  const p = await Payment.findById(paymentId, { status: 1 }).lean();
  if (!p) throw new NotFoundError();
  return p.status as PaymentStatus;
}

/** Applies where the gateway says a hold stands (the return page, release of a pending hold). */
async function applyHoldState(paymentId: Types.ObjectId, state: HoldState, source: string): Promise<void> {
  const intent = state.intentRef ? { intentRef: state.intentRef } : {};
  switch (state.status) {
    case "held":
      // Also from failed: a decline marks the payment failed, but the payer may still succeed
      // with another card on the same page — then the money is held and our record must say so.
      await move(paymentId, ["pending", "failed"], "held", { source }, intent);
      break;
    case "captured":
      await move(paymentId, ["pending", "failed", "held"], "captured", { source }, intent);
      break;
    case "released":
      await move(paymentId, ["pending", "failed", "held"], "released", { source }, intent);
      break;
    case "failed":
      await move(paymentId, ["pending"], "failed", { source }, { failureReason: "checkout expired" });
      break;
    case "pending":
      break;
  }
}

/**
 * Starts a deposit hold: records the Payment (pending), links it to the registration and sends
 * the payer to the gateway's page. A registration whose previous hold is still open gets that
 * page again rather than a second hold. If the gateway fails, the Payment is marked failed (no
 * half-written payment stays pending) and the caller gets `payments.gatewayUnavailable`.
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
      const p = await Payment.findById(previous, { checkoutUrl: 1 }).lean();
      if (p?.checkoutUrl) return { paymentId: String(previous), redirectUrl: p.checkoutUrl };
    }
  }

  const paymentId = newId();
  await withTransaction(async (session) => {
    await Payment.create(
      [
        {
          _id: paymentId,
          purpose: "auction-deposit" as const,
          gateway: "stripe" as const,
          status: "pending" as const,
          amount: input.amountFen,
          currency: "CNY",
          payer,
          payerName: input.payer.name,
          subject: { kind: input.subject.kind, id: subjectId },
          description: input.description,
          history: [{ at: new Date(), status: "pending", source: "start" }],
        },
      ],
      { session },
    );
    // Linked in the same transaction, and only if nobody linked another hold since we looked.
    const linked = await AuctionRegistration.updateOne(
      { _id: subjectId, "deposit.payment": previous, "deposit.status": { $nin: ["held", "captured"] } },
      { $set: { "deposit.status": "pending", "deposit.payment": paymentId, "deposit.amount": input.amountFen } },
      { session },
    );
    if (linked.matchedCount === 0) throw new ConflictError("errors.conflict");
  });

  try {
    const started = await paymentGateway().startHold({
      paymentId: String(paymentId),
      amountFen: input.amountFen,
      currency: "CNY",
      description: input.description,
      customerEmail: input.payer.email,
      successUrl: input.successUrl,
      cancelUrl: input.cancelUrl,
    });
    await Payment.updateOne(
      { _id: paymentId, status: "pending" },
      { $set: { checkoutRef: started.checkoutRef, checkoutUrl: started.redirectUrl } },
    );
    return { paymentId: String(paymentId), redirectUrl: started.redirectUrl };
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    await move(paymentId, ["pending"], "failed", { source: "start" }, { failureReason: `gateway: ${reason}`.slice(0, 500) });
    return gatewayFailure(e, "start hold", String(paymentId));
  }
}

/**
 * Asks the gateway where a payment stands and applies it. The return page calls this so the payer
 * sees "held" at once instead of waiting for the webhook; both paths make the same conditional
 * change, so whichever comes second changes nothing.
 */
export async function syncPayment(paymentId: string): Promise<PaymentStatus> {
  const id = parseId(paymentId);
  const p = await Payment.findById(id, { status: 1, checkoutRef: 1 }).lean();
  if (!p) throw new NotFoundError();
  if (!p.checkoutRef || SETTLED.includes(p.status as PaymentStatus)) return p.status as PaymentStatus;
  let state: HoldState;
  try {
    state = await paymentGateway().holdState(p.checkoutRef);
  } catch (e) {
    return gatewayFailure(e, "hold state", paymentId);
  }
  await applyHoldState(id, state, "sync");
  return statusOf(id);
}

/**
 * Applies a verified gateway event exactly once: the event id is recorded (WebhookEvent, unique
 * _id) in the same transaction as the status change, so a replayed or concurrently redelivered
 * event is a "duplicate" and changes nothing. "ignored": nothing for us (unknown type or payment).
 * "applied" means first seen and acted on — the change itself may already have been made by
 * syncPayment, which is fine: transitions are conditional.
 */
export async function applyGatewayEvent(event: GatewayEvent): Promise<"applied" | "duplicate" | "ignored"> {
  if (event.type === "ignored") return "ignored";
  try {
    return await withTransaction(async (session) => {
      if (await WebhookEvent.exists({ _id: event.id }).session(session)) return "duplicate" as const;
      await WebhookEvent.create([{ _id: event.id, gateway: "stripe", type: event.gatewayType }], { session });

      const byId = event.paymentId ? maybeId(event.paymentId) : null;
      const query = byId
        ? { _id: byId }
        : event.checkoutRef
          ? { checkoutRef: event.checkoutRef }
          : event.intentRef
            ? { intentRef: event.intentRef }
            : null;
      const p = query ? await Payment.findOne(query, { _id: 1, amount: 1, checkoutRef: 1 }).session(session).lean() : null;
      if (!p) {
        logger.info({ event: event.id, type: event.gatewayType }, "payment event for no payment of ours; recorded and ignored");
        return "ignored" as const;
      }
      const entry = { source: `webhook:${event.gatewayType}`, eventId: event.id };
      const intent = event.intentRef ? { intentRef: event.intentRef } : {};
      switch (event.type) {
        case "hold.succeeded":
          await transition(session, p._id, ["pending", "failed"], "held", entry, intent);
          break;
        case "hold.failed":
          if (!event.checkoutRef && p.checkoutRef) {
            // A declined card on the payment page (Stripe: payment_intent.payment_failed): the page
            // stays open and the payer may try another card, so this is not the end of the hold —
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
          await transition(session, p._id, ["held"], "captured", entry, { capturedAmount: event.amountFen ?? p.amount });
          break;
        case "released":
          await transition(session, p._id, ["held"], "released", entry);
          break;
      }
      return "applied" as const;
    });
  } catch (e) {
    // Two deliveries of one event raced: the loser's insert hit the winner's committed id.
    if (isDuplicateKey(e)) return "duplicate";
    throw e;
  }
}

/**
 * Takes a held deposit (the winner's, applied to the price or forfeited on default). Idempotent:
 * capturing a captured deposit returns "captured" without calling the gateway. Refused with
 * `payments.notHeld` for a deposit that is not held (pending, failed, released).
 */
export async function captureDeposit(paymentId: string, opts: { amountFen?: number } = {}): Promise<PaymentStatus> {
  const id = parseId(paymentId);
  let p = await Payment.findById(id, { status: 1, amount: 1, intentRef: 1 }).lean();
  if (!p) throw new NotFoundError();
  if (p.status === "captured") return "captured";
  // The webhook may not have arrived yet: ask before refusing.
  if (p.status === "pending" || p.status === "failed") {
    await syncPayment(paymentId);
    p = (await Payment.findById(id, { status: 1, amount: 1, intentRef: 1 }).lean())!;
    if (p.status === "captured") return "captured";
  }
  if (p.status !== "held" || !p.intentRef) throw new ConflictError("payments.notHeld");
  const amount = opts.amountFen ?? p.amount;
  if (!Number.isSafeInteger(amount) || amount < 1 || amount > p.amount) {
    throw new ValidationError({ amountFen: ["payments.captureAmountInvalid"] });
  }
  try {
    await paymentGateway().capture(p.intentRef, {
      idempotencyKey: `capture:${paymentId}`,
      ...(opts.amountFen !== undefined ? { amountFen: amount } : {}),
    });
  } catch (e) {
    const state = e instanceof PaymentGatewayError && e.code === "payment_intent_unexpected_state" ? e.intentStatus : null;
    if (state === "canceled") {
      // Released at the gateway (another process, or the authorisation lapsed): record it, refuse.
      await move(id, ["held"], "released", { source: "capture" });
      throw new ConflictError("payments.notHeld");
    }
    // "succeeded": captured already (another process, or an earlier try whose local update was lost).
    if (state !== "succeeded") return gatewayFailure(e, "capture", paymentId);
  }
  await move(id, ["held"], "captured", { source: "capture" }, { capturedAmount: amount });
  return statusOf(id);
}

/**
 * Lets a deposit go back to the payer (losing bidders at the close, a cancelled auction).
 * Idempotent: releasing a released or failed deposit changes nothing and calls nobody. A deposit
 * still pending (the payer never finished) has its payment page closed and becomes failed; if the
 * payer finished in that very moment, the now-held money is released. Refused with
 * `payments.alreadyCaptured` once the deposit was taken.
 */
export async function releaseDeposit(paymentId: string): Promise<PaymentStatus> {
  const id = parseId(paymentId);
  const p = await Payment.findById(id, { status: 1, checkoutRef: 1, intentRef: 1 }).lean();
  if (!p) throw new NotFoundError();
  switch (p.status as PaymentStatus) {
    case "released":
    case "failed":
      return p.status as PaymentStatus;
    case "captured":
      throw new ConflictError("payments.alreadyCaptured");
    case "pending": {
      const gateway = paymentGateway();
      if (p.checkoutRef && gateway.cancelHold) {
        let state: HoldState;
        try {
          state = await gateway.cancelHold(p.checkoutRef);
        } catch (e) {
          return gatewayFailure(e, "cancel hold", paymentId);
        }
        if (state.status === "failed" || state.status === "pending") {
          await move(id, ["pending"], "failed", { source: "release" }, { failureReason: "released before payment" });
          return statusOf(id);
        }
        await applyHoldState(id, state, "release");
        if (state.status === "captured") throw new ConflictError("payments.alreadyCaptured");
        if (state.status === "released") return statusOf(id);
        break; // held: release the money below
      }
      await move(id, ["pending"], "failed", { source: "release" }, { failureReason: "released before payment" });
      return statusOf(id);
    }
    case "held":
      break;
  }

  const held = await Payment.findById(id, { status: 1, intentRef: 1 }).lean();
  if (!held) throw new NotFoundError();
  if (held.status !== "held") return releaseDeposit(paymentId); // moved meanwhile: decide again
  if (!held.intentRef) throw new ConflictError("payments.notHeld");
  try {
    await paymentGateway().release(held.intentRef, { idempotencyKey: `release:${paymentId}` });
  } catch (e) {
    const state = e instanceof PaymentGatewayError && e.code === "payment_intent_unexpected_state" ? e.intentStatus : null;
    if (state === "succeeded") {
      await move(id, ["held"], "captured", { source: "release" });
      throw new ConflictError("payments.alreadyCaptured");
    }
    // "canceled": released already — by another process, or an earlier try whose update was lost.
    if (state !== "canceled") return gatewayFailure(e, "release", paymentId);
  }
  await move(id, ["held"], "released", { source: "release" });
  return statusOf(id);
}

/** A payment for pages. With `payerId`, someone else's payment reads as not found. */
export async function getPayment(paymentId: string, opts: { payerId?: string } = {}): Promise<PaymentView> {
  const id = parseId(paymentId);
  const p = await Payment.findById(id).lean();
  if (!p) throw new NotFoundError();
  if (opts.payerId !== undefined && String(p.payer) !== opts.payerId) throw new NotFoundError();
  const iso = (d: Date | null | undefined) => (d ? new Date(d).toISOString() : null);
  const status = p.status as PaymentStatus;
  return {
    id: String(p._id),
    purpose: p.purpose,
    status,
    amountFen: p.amount,
    currency: p.currency ?? "CNY",
    capturedAmountFen: p.capturedAmount ?? null,
    payerId: String(p.payer),
    payerName: p.payerName ?? null,
    subject: { kind: p.subject?.kind ?? "", id: String(p.subject?.id ?? "") },
    description: p.description ?? null,
    checkoutUrl: status === "pending" ? (p.checkoutUrl ?? null) : null,
    failureReason: p.failureReason ?? null,
    createdAt: new Date((p as { createdAt?: Date }).createdAt ?? Date.now()).toISOString(),
    heldAt: iso(p.heldAt),
    capturedAt: iso(p.capturedAt),
    releasedAt: iso(p.releasedAt),
    history: (p.history ?? []).map((h) => ({ at: new Date(h.at).toISOString(), status: h.status ?? "", source: h.source ?? "" })),
  };
}
