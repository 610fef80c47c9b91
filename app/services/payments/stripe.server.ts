import Stripe from "stripe";
import {
  PaymentGatewayError,
  PaymentSignatureError,
  type GatewayEvent,
  type HoldRequest,
  type HoldStarted,
  type HoldState,
  type PaymentGateway,
} from "./types.ts";

/**
 * The Stripe adapter. A deposit hold is a Checkout Session in payment mode whose PaymentIntent
 * uses manual capture: the payer authorises on Stripe's page, the money stays on the card until
 * we capture it (winner) or cancel the PaymentIntent (everyone else). Production talks to
 * api.stripe.com; tests and the keyless demo point the same SDK at the local Stripe-compatible
 * server (server/stripe-local/) through `apiBase`.
 */
export interface StripeGatewayOptions {
  secretKey: string;
  webhookSecret: string;
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
  }

  async startHold(req: HoldRequest): Promise<HoldStarted> {
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
            capture_method: "manual",
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
        { idempotencyKey: `hold:${req.paymentId}` },
      );
      if (!session.url) throw new PaymentGatewayError("Stripe returned a Checkout Session without a URL", null, null);
      return { checkoutRef: session.id, redirectUrl: session.url };
    } catch (e) {
      throw toGatewayError(e);
    }
  }

  async holdState(checkoutRef: string): Promise<HoldState> {
    try {
      const session = await this.stripe.checkout.sessions.retrieve(checkoutRef, { expand: ["payment_intent"] });
      return stateOf(session);
    } catch (e) {
      throw toGatewayError(e);
    }
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

  parseWebhook(rawBody: string, signatureHeader: string | null): GatewayEvent {
    if (!signatureHeader) throw new PaymentSignatureError("missing Stripe-Signature header");
    let event: Stripe.Event;
    try {
      event = this.stripe.webhooks.constructEvent(rawBody, signatureHeader, this.webhookSecret);
    } catch (e) {
      throw new PaymentSignatureError((e as Error).message);
    }
    return toGatewayEvent(event);
  }
}

/** Where a hold stands, from the Checkout Session with its PaymentIntent expanded. */
function stateOf(session: Stripe.Checkout.Session): HoldState {
  const pi = session.payment_intent && typeof session.payment_intent === "object" ? session.payment_intent : null;
  const intentRef = pi?.id ?? (typeof session.payment_intent === "string" ? session.payment_intent : null);
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
      // A completed card session with manual capture means the PaymentIntent is in requires_capture
      // (the event carries its id, not the object); PaymentIntent events below confirm it.
      return { ...common, type: common.intentRef && s.status === "complete" ? "hold.succeeded" : "ignored" };
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
      // Automatic-capture payments are not ours to track as deposits; only a captured hold counts.
      return { ...common, type: pi.capture_method === "manual" ? "captured" : "ignored", amountFen: pi.amount_received };
    }
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
