import type { PaymentGatewayName } from "~/models/payment.server.ts";

/**
 * The gateway port (docs/decisions/006-payments-and-deposits.md): what the payments module asks of
 * a payment processor. A payer pays now (`startCheckout`) or has money held (`startHold`) on the
 * gateway's page; held money is captured or released; paid money is refunded, in part or in
 * full; the platform transfers money on to a connected account; and the gateway's notifications
 * are verified and reduced to a GatewayEvent. Amounts in fen. Every call that moves money carries
 * an idempotency key, so a retry after a crash never moves money twice.
 *
 * Adapters: Stripe (stripe.server.ts). A bank transfer confirmed by an administrator fits beside
 * it: its "page" is our own instructions page, its checkout state is what the administrator
 * confirmed, and it sends no webhooks (parseWebhook refuses everything). Which adapter a payment
 * uses is the Payment's `gateway` field.
 */

/** A payer on the gateway's page: pay now, or authorise a hold. */
export interface PageRequest {
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

export interface PageStarted {
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

export interface CheckoutState {
  /** pending: the payer has not finished; succeeded: paid; failed: the page expired unpaid. */
  status: "pending" | "succeeded" | "failed";
  intentRef: string | null;
}

export interface RefundRequest {
  /** The money to refund from (Stripe: the PaymentIntent). */
  intentRef: string;
  paymentId: string;
  /** Omitted: all that is left. */
  amountFen?: number;
  reason?: "requested_by_customer" | "duplicate" | "fraudulent";
  idempotencyKey: string;
}

export interface RefundDone {
  /** The gateway's refund (Stripe: re_…). */
  refundRef: string;
  amountFen: number;
  /** All the payment has had refunded at the gateway, this refund included. */
  refundedTotalFen: number;
}

export interface TransferRequest {
  paymentId: string;
  /** The connected account (Stripe: acct_…). */
  destination: string;
  amountFen: number;
  currency: "CNY";
  description: string;
  idempotencyKey: string;
}

/** A connected account at the gateway as the platform shows it (Stripe Connect Express). */
export interface ConnectedAccountState {
  /** Stripe: acct_… */
  accountRef: string;
  detailsSubmitted: boolean;
  chargesEnabled: boolean;
  payoutsEnabled: boolean;
  /** What the gateway still asks for (Stripe: requirements.currently_due). */
  requirementsDue: string[];
}

export interface NewConnectedAccount {
  email?: string | null;
  /** ISO country of the payee (CN). */
  country: string;
  /** Our owner of the account, sent as metadata. */
  ownerKind: "organization" | "user";
  owner: string;
  idempotencyKey: string;
}

export interface OnboardingLinkRequest {
  accountRef: string;
  /** Where the gateway sends the person when the link has expired or was used (we make a new one). */
  refreshUrl: string;
  /** Where the gateway sends the person after onboarding. */
  returnUrl: string;
}

/** A verified gateway notification, reduced to what the platform acts on. */
export interface GatewayEvent {
  id: string;
  /**
   * hold.succeeded: money authorised (a hold); paid: money taken at once (a checkout);
   * hold.failed: the page expired unpaid, or a card was declined on it; captured / released: a hold
   * settled; refunded: money given back; transfer.created: a transfer went out; ignored: nothing for us.
   */
  type:
    "hold.succeeded" | "hold.failed" | "paid" | "captured" | "released" | "refunded" | "transfer.created" | "account.updated" | "ignored";
  /** Our Payment id from the metadata, when the event carries it. */
  paymentId: string | null;
  checkoutRef: string | null;
  intentRef: string | null;
  /** For transfer.created: the gateway's transfer. */
  transferRef?: string | null;
  /** For refunded: the gateway's refund, when the event is about one refund. */
  refundRef?: string | null;
  /** The gateway's own event type, for the log. */
  gatewayType: string;
  /** captured: the amount actually taken (a partial capture releases the rest); paid: the amount paid; refunded: this refund's amount. */
  amountFen?: number | null;
  /** For refunded: all the payment has had refunded, when the event says so. */
  refundedTotalFen?: number | null;
  /** For account.updated: the connected account's state (services/settlement applies it, not payments). */
  account?: ConnectedAccountState | null;
}

export interface PaymentGateway {
  readonly name: PaymentGatewayName;
  /** A page where the payer pays now. */
  startCheckout(req: PageRequest): Promise<PageStarted>;
  /** A page where the payer authorises money to be held (captured or released later). */
  startHold(req: PageRequest): Promise<PageStarted>;
  /** Asks the gateway where a hold stands (the return page does not wait for the webhook). */
  holdState(checkoutRef: string): Promise<HoldState>;
  /** Asks the gateway where a checkout stands. */
  checkoutState(checkoutRef: string): Promise<CheckoutState>;
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
  /** Gives paid or captured money back to the payer. */
  refund(req: RefundRequest): Promise<RefundDone>;
  /** Sends money from the platform's balance to a connected account. */
  transfer(req: TransferRequest): Promise<{ transferRef: string }>;
  /** Verifies the signature on the raw body; throws PaymentSignatureError when it does not verify. */
  parseWebhook(rawBody: string, signatureHeader: string | null): GatewayEvent;
  /** Connect: opens a connected account (Stripe: an Express account) for a payee. */
  createConnectedAccount(req: NewConnectedAccount): Promise<ConnectedAccountState>;
  /** Connect: a one-time onboarding page for the account (Stripe: an account link). */
  onboardingLink(req: OnboardingLinkRequest): Promise<{ url: string; expiresAt: Date }>;
  /** Connect: the account's state now. */
  connectedAccountState(accountRef: string): Promise<ConnectedAccountState>;
  /** The Connect endpoint's deliveries (its own signing secret). */
  parseConnectWebhook(rawBody: string, signatureHeader: string | null): GatewayEvent;
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
