/**
 * The payment interface (DESIGN.md: Contracts and payments). Trading asks it to hold a deposit,
 * capture it or release it; a gateway adapter (Stripe today; a bank-transfer adapter with manual
 * confirmation later) does it. Amounts in fen. Every call that moves money carries an
 * idempotency key, so a retry after a crash never moves money twice.
 */
export interface HoldRequest {
  /** Our Payment id: sent as metadata, comes back on webhooks. */
  paymentId: string;
  amountFen: number;
  currency: "CNY";
  /** Shown to the payer on the gateway's page. */
  description: string;
  customerEmail?: string;
  /** Absolute URLs the payer returns to. `{CHECKOUT_SESSION_ID}` is replaced by the gateway. */
  successUrl: string;
  cancelUrl: string;
}

export interface HoldStarted {
  /** The gateway's reference of the payment page (Stripe: Checkout Session id). */
  checkoutRef: string;
  /** Where to send the payer. */
  redirectUrl: string;
}

export interface HoldState {
  /** pending: the payer has not finished; held: authorised, not captured; failed: expired or refused. */
  status: "pending" | "held" | "captured" | "released" | "failed";
  /** The gateway's reference of the money (Stripe: PaymentIntent id), once there is one. */
  intentRef: string | null;
}

/** A verified gateway notification, reduced to what the platform acts on. */
export interface GatewayEvent {
  id: string;
  type: "hold.succeeded" | "hold.failed" | "captured" | "released" | "ignored";
  /** Our Payment id from the metadata, when the event carries it. */
  paymentId: string | null;
  checkoutRef: string | null;
  intentRef: string | null;
  /** The gateway's own event type, for the log. */
  gatewayType: string;
  /** For "captured": the amount actually taken (a partial capture releases the rest). */
  amountFen?: number | null;
}

export interface PaymentGateway {
  readonly name: "stripe";
  startHold(req: HoldRequest): Promise<HoldStarted>;
  /** Asks the gateway where a hold stands (the return page does not wait for the webhook). */
  holdState(checkoutRef: string): Promise<HoldState>;
  /** Takes the held money (all of it unless `amountFen` says less). */
  capture(intentRef: string, opts: { idempotencyKey: string; amountFen?: number }): Promise<void>;
  /** Lets the held money go back to the payer. */
  release(intentRef: string, opts: { idempotencyKey: string }): Promise<void>;
  /**
   * Closes a payment page the payer has not finished (Stripe: expires the Checkout Session), so
   * it can no longer be paid. Answers where the hold stands afterwards: "failed" when it was
   * closed, or the real state when the payer finished first (then the caller must release it).
   */
  cancelHold?(checkoutRef: string): Promise<HoldState>;
  /** Verifies the signature on the raw body; throws PaymentSignatureError when it does not verify. */
  parseWebhook(rawBody: string, signatureHeader: string | null): GatewayEvent;
}

export class PaymentSignatureError extends Error {
  constructor(message = "webhook signature does not verify") {
    super(message);
    this.name = "PaymentSignatureError";
  }
}

/** The gateway refused or failed; `code` is the gateway's (e.g. Stripe's `payment_intent_unexpected_state`). */
export class PaymentGatewayError extends Error {
  constructor(
    message: string,
    readonly code: string | null,
    readonly statusCode: number | null,
    /** With `payment_intent_unexpected_state`: the status the gateway says the money is in. */
    readonly intentStatus: string | null = null,
  ) {
    super(message);
    this.name = "PaymentGatewayError";
  }
}
