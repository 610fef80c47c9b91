import Stripe from "stripe";
import {
  PaymentGatewayError,
  PaymentSignatureError,
  type CheckoutState,
  type ConnectedAccountState,
  type NewConnectedAccount,
  type OnboardingLinkRequest,
  type GatewayEvent,
  type HoldState,
  type PageRequest,
  type PageStarted,
  type PaymentGateway,
  type RefundDone,
  type RefundRequest,
  type TransferRequest,
} from "./types.ts";

/**
 * The Stripe adapter. A payment page is a Checkout Session in payment mode: for a hold its
 * PaymentIntent uses manual capture (the payer authorises on Stripe's page, the money stays on the
 * card until we capture it or cancel the PaymentIntent), for a checkout automatic capture (the
 * money is taken at once). Refunds go by PaymentIntent, transfers to a Connect account. Production
 * talks to api.stripe.com; tests and the keyless demo point the same SDK at the local
 * Stripe-compatible server (server/stripe-local/) through `apiBase`.
 */
export interface StripeGatewayOptions {
  secretKey: string;
  webhookSecret: string;
  /** The Connect endpoint's signing secret; unset = webhookSecret (the local server signs every delivery with one). */
  connectWebhookSecret?: string | null;
  /** A Stripe-compatible server (http://127.0.0.1:12111); unset = api.stripe.com. */
  apiBase?: string | null;
  timeoutMs?: number;
  maxNetworkRetries?: number;
}

type StripeErrorLike = InstanceType<typeof Stripe.errors.StripeError>;

export class StripeGateway implements PaymentGateway {
  readonly name = "stripe" as const;
  private readonly stripe: Stripe;
  private readonly webhookSecret: string;
  private readonly connectWebhookSecret: string;

  constructor(opts: StripeGatewayOptions) {
    const config: Stripe.StripeConfig = {
      // Retries are safe: every POST carries an idempotency key (ours, or the SDK's own).
      maxNetworkRetries: opts.maxNetworkRetries ?? 2,
      // A payer waits on the other end of startHold; Stripe's default of 80 s is far too long.
      timeout: opts.timeoutMs ?? 15_000,
      telemetry: false,
      appInfo: { name: "chengguo" },
    };
    if (opts.apiBase) {
      const u = new URL(opts.apiBase);
      const protocol = u.protocol === "https:" ? "https" : "http";
      config.protocol = protocol;
      config.host = u.hostname.replace(/^\[|\]$/g, "");
      config.port = u.port ? Number(u.port) : protocol === "https" ? 443 : 80;
    }
    this.stripe = new Stripe(opts.secretKey, config);
    this.webhookSecret = opts.webhookSecret;
    this.connectWebhookSecret = opts.connectWebhookSecret || opts.webhookSecret;
  }

  private async page(req: PageRequest, captureMethod: "manual" | "automatic", keyPrefix: string): Promise<PageStarted> {
    try {
      const session = await this.stripe.checkout.sessions.create(
        {
          mode: "payment",
          line_items: [
            {
              quantity: 1,
              // cny is a 2-decimal currency on Stripe, so fen are Stripe's amount unit as they are.
              price_data: { currency: "cny", unit_amount: req.amountFen, product_data: { name: req.description } },
            },
          ],
          payment_intent_data: {
            ...(captureMethod === "manual" ? { capture_method: "manual" as const } : {}),
            description: req.description,
            // On the PaymentIntent too: its webhooks (captured, canceled) must find our Payment.
            metadata: { paymentId: req.paymentId },
          },
          metadata: { paymentId: req.paymentId },
          client_reference_id: req.paymentId,
          success_url: req.successUrl,
          cancel_url: req.cancelUrl,
          ...(req.customerEmail ? { customer_email: req.customerEmail } : {}),
        },
        // One session per Payment even when the SDK retries after a timeout.
        { idempotencyKey: `${keyPrefix}:${req.paymentId}` },
      );
      if (!session.url) throw new PaymentGatewayError("Stripe returned a Checkout Session without a URL", null, null);
      return { checkoutRef: session.id, redirectUrl: session.url };
    } catch (e) {
      throw toGatewayError(e);
    }
  }

  startHold(req: PageRequest): Promise<PageStarted> {
    return this.page(req, "manual", "hold");
  }

  startCheckout(req: PageRequest): Promise<PageStarted> {
    return this.page(req, "automatic", "checkout");
  }

  private async session(checkoutRef: string): Promise<Stripe.Checkout.Session> {
    try {
      return await this.stripe.checkout.sessions.retrieve(checkoutRef, { expand: ["payment_intent"] });
    } catch (e) {
      throw toGatewayError(e);
    }
  }

  async holdState(checkoutRef: string): Promise<HoldState> {
    return holdStateOf(await this.session(checkoutRef));
  }

  async checkoutState(checkoutRef: string): Promise<CheckoutState> {
    const session = await this.session(checkoutRef);
    const { pi, intentRef } = intentOf(session);
    if (session.status === "expired") return { status: "failed", intentRef };
    if (session.status === "complete" && (session.payment_status === "paid" || pi?.status === "succeeded")) {
      return { status: "succeeded", intentRef };
    }
    return { status: "pending", intentRef };
  }

  async capture(intentRef: string, opts: { idempotencyKey: string; amountFen?: number }): Promise<void> {
    try {
      await this.stripe.paymentIntents.capture(intentRef, opts.amountFen !== undefined ? { amount_to_capture: opts.amountFen } : {}, {
        idempotencyKey: opts.idempotencyKey,
      });
    } catch (e) {
      throw toGatewayError(e);
    }
  }

  async release(intentRef: string, opts: { idempotencyKey: string }): Promise<void> {
    try {
      await this.stripe.paymentIntents.cancel(intentRef, {}, { idempotencyKey: opts.idempotencyKey });
    } catch (e) {
      throw toGatewayError(e);
    }
  }

  async cancelHold(checkoutRef: string): Promise<HoldState> {
    try {
      await this.stripe.checkout.sessions.expire(checkoutRef, {}, { idempotencyKey: `expire:${checkoutRef}` });
      return { status: "failed", intentRef: null };
    } catch (e) {
      // Only open sessions can be expired: the payer finished (or it expired) first. Say how it stands.
      if (e instanceof Stripe.errors.StripeInvalidRequestError && e.statusCode === 400) return this.holdState(checkoutRef);
      throw toGatewayError(e);
    }
  }

  async refund(req: RefundRequest): Promise<RefundDone> {
    try {
      const refund = await this.stripe.refunds.create(
        {
          payment_intent: req.intentRef,
          ...(req.amountFen !== undefined ? { amount: req.amountFen } : {}),
          ...(req.reason ? { reason: req.reason } : {}),
          // Our Payment id on the refund: its webhooks must find the payment (see toGatewayEvent).
          metadata: { paymentId: req.paymentId },
          expand: ["charge"],
        },
        { idempotencyKey: req.idempotencyKey },
      );
      const charge = typeof refund.charge === "object" && refund.charge ? refund.charge : null;
      return {
        refundRef: refund.id,
        amountFen: refund.amount,
        refundedTotalFen: charge ? refundedOfCaptured(charge) : refund.amount,
      };
    } catch (e) {
      throw toGatewayError(e);
    }
  }

  async transfer(req: TransferRequest): Promise<{ transferRef: string }> {
    try {
      const transfer = await this.stripe.transfers.create(
        {
          amount: req.amountFen,
          currency: "cny",
          destination: req.destination,
          description: req.description,
          metadata: { paymentId: req.paymentId },
        },
        { idempotencyKey: req.idempotencyKey },
      );
      return { transferRef: transfer.id };
    } catch (e) {
      throw toGatewayError(e);
    }
  }

  parseWebhook(rawBody: string, signatureHeader: string | null): GatewayEvent {
    return toGatewayEvent(this.verified(rawBody, signatureHeader, this.webhookSecret));
  }

  parseConnectWebhook(rawBody: string, signatureHeader: string | null): GatewayEvent {
    return toGatewayEvent(this.verified(rawBody, signatureHeader, this.connectWebhookSecret));
  }

  private verified(rawBody: string, signatureHeader: string | null, secret: string): Stripe.Event {
    if (!signatureHeader) throw new PaymentSignatureError("missing Stripe-Signature header");
    try {
      return this.stripe.webhooks.constructEvent(rawBody, signatureHeader, secret);
    } catch (e) {
      throw new PaymentSignatureError((e as Error).message);
    }
  }

  async createConnectedAccount(req: NewConnectedAccount): Promise<ConnectedAccountState> {
    try {
      const account = await this.stripe.accounts.create(
        {
          type: "express",
          country: req.country,
          ...(req.email ? { email: req.email } : {}),
          capabilities: { transfers: { requested: true } },
          metadata: { ownerKind: req.ownerKind, owner: req.owner },
        },
        { idempotencyKey: req.idempotencyKey },
      );
      return accountStateOf(account);
    } catch (e) {
      throw toGatewayError(e);
    }
  }

  async onboardingLink(req: OnboardingLinkRequest): Promise<{ url: string; expiresAt: Date }> {
    try {
      const link = await this.stripe.accountLinks.create({
        account: req.accountRef,
        type: "account_onboarding",
        refresh_url: req.refreshUrl,
        return_url: req.returnUrl,
      });
      return { url: link.url, expiresAt: new Date(link.expires_at * 1000) };
    } catch (e) {
      throw toGatewayError(e);
    }
  }

  async connectedAccountState(accountRef: string): Promise<ConnectedAccountState> {
    try {
      return accountStateOf(await this.stripe.accounts.retrieve(accountRef));
    } catch (e) {
      throw toGatewayError(e);
    }
  }
}

function intentOf(session: Stripe.Checkout.Session): { pi: Stripe.PaymentIntent | null; intentRef: string | null } {
  const pi = session.payment_intent && typeof session.payment_intent === "object" ? session.payment_intent : null;
  return { pi, intentRef: pi?.id ?? (typeof session.payment_intent === "string" ? session.payment_intent : null) };
}

/** Where a hold stands, from the Checkout Session with its PaymentIntent expanded. */
function holdStateOf(session: Stripe.Checkout.Session): HoldState {
  const { pi, intentRef } = intentOf(session);
  if (session.status === "expired") return { status: "failed", intentRef };
  if (session.status !== "complete" || !pi) return { status: "pending", intentRef };
  switch (pi.status) {
    case "requires_capture":
      return { status: "held", intentRef };
    case "succeeded":
      return { status: "captured", intentRef };
    case "canceled":
      return { status: "released", intentRef };
    default:
      // processing / requires_action: not settled yet.
      return { status: "pending", intentRef };
  }
}

/**
 * What a charge has given back of the money actually taken. Stripe counts the part of an
 * authorisation that was never captured as refunded on the charge too; that money was released,
 * not refunded, so it does not count here.
 */
function refundedOfCaptured(charge: Pick<Stripe.Charge, "amount" | "amount_captured" | "amount_refunded" | "captured">): number {
  if (!charge.captured) return 0;
  return Math.max(0, charge.amount_refunded - (charge.amount - charge.amount_captured));
}

function accountStateOf(a: Stripe.Account): ConnectedAccountState {
  return {
    accountRef: a.id,
    detailsSubmitted: !!a.details_submitted,
    chargesEnabled: !!a.charges_enabled,
    payoutsEnabled: !!a.payouts_enabled,
    requirementsDue: [...(a.requirements?.currently_due ?? [])],
  };
}

/** Stripe's event → what the platform acts on. Everything else is acknowledged and ignored. */
export function toGatewayEvent(event: Stripe.Event): GatewayEvent {
  const base = { id: event.id, gatewayType: event.type, paymentId: null, checkoutRef: null, intentRef: null };
  switch (event.type) {
    case "checkout.session.completed":
    case "checkout.session.expired": {
      const s = event.data.object;
      const common = {
        ...base,
        paymentId: s.metadata?.paymentId ?? s.client_reference_id ?? null,
        checkoutRef: s.id,
        intentRef: typeof s.payment_intent === "string" ? s.payment_intent : (s.payment_intent?.id ?? null),
      };
      if (event.type === "checkout.session.expired") return { ...common, type: "hold.failed" };
      if (s.status !== "complete" || !common.intentRef) return { ...common, type: "ignored" };
      // Paid at once (automatic capture): the money is taken. A hold (manual capture) stays
      // "unpaid" with its PaymentIntent in requires_capture; PaymentIntent events below confirm it.
      if (s.payment_status === "paid") return { ...common, type: "paid", amountFen: s.amount_total };
      return { ...common, type: "hold.succeeded" };
    }
    case "payment_intent.amount_capturable_updated":
    case "payment_intent.payment_failed":
    case "payment_intent.succeeded":
    case "payment_intent.canceled": {
      const pi = event.data.object;
      const common = { ...base, paymentId: pi.metadata?.paymentId ?? null, intentRef: pi.id };
      if (event.type === "payment_intent.amount_capturable_updated") {
        return { ...common, type: pi.status === "requires_capture" ? "hold.succeeded" : "ignored" };
      }
      if (event.type === "payment_intent.payment_failed") return { ...common, type: "hold.failed" };
      if (event.type === "payment_intent.canceled") return { ...common, type: "released" };
      // A captured hold, or a checkout paid at once.
      return { ...common, type: pi.capture_method === "manual" ? "captured" : "paid", amountFen: pi.amount_received };
    }
    case "refund.created":
    case "refund.updated": {
      const r = event.data.object;
      // Only refunds made through this adapter carry our Payment id; Stripe's own bookkeeping
      // refunds (the uncaptured part of a partial capture) do not, and charge.refunded covers the rest.
      const paymentId = r.metadata?.paymentId ?? null;
      if (!paymentId || r.status === "failed" || r.status === "canceled") return { ...base, type: "ignored" };
      const intentRef = typeof r.payment_intent === "string" ? r.payment_intent : (r.payment_intent?.id ?? null);
      return { ...base, type: "refunded", paymentId, intentRef, refundRef: r.id, amountFen: r.amount };
    }
    case "charge.refunded": {
      const c = event.data.object;
      const total = refundedOfCaptured(c);
      const intentRef = typeof c.payment_intent === "string" ? c.payment_intent : (c.payment_intent?.id ?? null);
      if (total <= 0 || !intentRef) return { ...base, type: "ignored" };
      return { ...base, type: "refunded", paymentId: c.metadata?.paymentId ?? null, intentRef, refundedTotalFen: total };
    }
    case "transfer.created": {
      const t = event.data.object;
      return { ...base, type: "transfer.created", paymentId: t.metadata?.paymentId ?? null, transferRef: t.id, amountFen: t.amount };
    }
    case "account.updated":
      return { ...base, type: "account.updated", account: accountStateOf(event.data.object) };
    default:
      return { ...base, type: "ignored" };
  }
}

function toGatewayError(e: unknown): PaymentGatewayError {
  if (e instanceof PaymentGatewayError) return e;
  if (e instanceof Stripe.errors.StripeError) {
    const se = e as StripeErrorLike;
    const pi = se.payment_intent as { status?: string } | undefined;
    const code = se.code ?? (se.type === "StripeConnectionError" ? "api_connection_error" : (se.rawType ?? null));
    return new PaymentGatewayError(se.message, code ?? null, se.statusCode ?? null, pi?.status ?? null);
  }
  return new PaymentGatewayError((e as Error)?.message ?? String(e), null, null);
}
