import type { ClientSession } from "mongoose";
import { Payment, type PaymentPurpose } from "~/models/payment.server.ts";
import { ValidationError, type FieldErrors } from "~/utils/errors.ts";
import { maybeId, newId } from "../kernel/ids.server.ts";
import { withTransaction } from "../kernel/tx.server.ts";
import { paymentGateway } from "./gateway.server.ts";
import { isRegisteredPurpose } from "./purposes.server.ts";
import { gatewayFailure, move } from "./records.server.ts";

/**
 * Starting a payment on the gateway's page: a hold (the money is authorised now, captured or
 * released later: an auction deposit) or a checkout (the payer pays now: a price). The Payment is
 * recorded `pending` first, and the purpose's owner links it to its own record in the same
 * transaction (and may refuse there); then the gateway is asked for the page — never inside the
 * transaction, which must not wait on the network. If the gateway fails, the Payment is marked
 * failed (no half-written payment stays pending) and the caller gets `payments.gatewayUnavailable`.
 */

export interface StartPaymentInput {
  purpose: PaymentPurpose;
  payer: { id: string; name: string; email?: string };
  amountFen: number;
  /** What the payment is for, e.g. { kind: "auction-registration", id }. */
  subject: { kind: string; id: string };
  /** Shown on the gateway's page, e.g. "竞买保证金 Deposit · <listing title>". */
  description: string;
  /** Absolute URLs; `{CHECKOUT_SESSION_ID}` in successUrl is filled in by the gateway. */
  successUrl: string;
  cancelUrl: string;
  /** Runs in the transaction that records the payment: the owner links it to its record (throwing refuses the payment). */
  link?: (session: ClientSession, paymentId: string) => Promise<void>;
}

export interface PaymentStarted {
  paymentId: string;
  redirectUrl: string;
}

/** Validates what every payment needs; a purpose nobody registered is refused too. */
export function paymentInputProblems(input: {
  purpose: string;
  payer?: { id: string };
  amountFen: number;
  subject: { id: string };
}): FieldErrors {
  const problems: FieldErrors = {};
  if (!isRegisteredPurpose(input.purpose)) problems.purpose = ["payments.purposeUnknown"];
  if (input.payer && !maybeId(input.payer.id)) problems.payer = ["errors.invalidId"];
  if (!maybeId(input.subject.id)) problems.subject = ["errors.invalidId"];
  if (!Number.isSafeInteger(input.amountFen) || input.amountFen < 1) problems.amountFen = ["errors.invalidInput"];
  return problems;
}

async function startPage(kind: "hold" | "checkout", input: StartPaymentInput): Promise<PaymentStarted> {
  const problems = paymentInputProblems(input);
  if (Object.keys(problems).length) throw new ValidationError(problems);

  const paymentId = newId();
  await withTransaction(async (session) => {
    await Payment.create(
      [
        {
          _id: paymentId,
          purpose: input.purpose,
          kind,
          gateway: "stripe" as const,
          status: "pending" as const,
          amount: input.amountFen,
          currency: "CNY",
          payer: maybeId(input.payer.id)!,
          payerName: input.payer.name,
          subject: { kind: input.subject.kind, id: maybeId(input.subject.id)! },
          description: input.description,
          history: [{ at: new Date(), status: "pending", source: "start" }],
        },
      ],
      { session },
    );
    await input.link?.(session, String(paymentId));
  });

  const gateway = paymentGateway();
  try {
    const request = {
      paymentId: String(paymentId),
      amountFen: input.amountFen,
      currency: "CNY" as const,
      description: input.description,
      customerEmail: input.payer.email,
      successUrl: input.successUrl,
      cancelUrl: input.cancelUrl,
    };
    const started = kind === "hold" ? await gateway.startHold(request) : await gateway.startCheckout(request);
    await Payment.updateOne(
      { _id: paymentId, status: "pending" },
      { $set: { checkoutRef: started.checkoutRef, checkoutUrl: started.redirectUrl } },
    );
    return { paymentId: String(paymentId), redirectUrl: started.redirectUrl };
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    await move(paymentId, ["pending"], "failed", { source: "start" }, { failureReason: `gateway: ${reason}`.slice(0, 500) });
    return gatewayFailure(e, `start ${kind}`, String(paymentId));
  }
}

/** A hold: the payer authorises `amountFen` on the gateway's page; it is captured or released later. */
export function startHold(input: StartPaymentInput): Promise<PaymentStarted> {
  return startPage("hold", input);
}

/** A checkout: the payer pays `amountFen` now on the gateway's page. */
export function startCheckout(input: StartPaymentInput): Promise<PaymentStarted> {
  return startPage("checkout", input);
}
