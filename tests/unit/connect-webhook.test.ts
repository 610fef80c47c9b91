import Stripe from "stripe";
import { describe, expect, it } from "vitest";
import { StripeGateway } from "~/services/payments/stripe.server.ts";
import { PaymentSignatureError } from "~/services/payments/types.ts";

/**
 * The Connect endpoint's own signing secret (issue 14, point 9): `account.updated` signed with
 * STRIPE_CONNECT_WEBHOOK_SECRET verifies on the Connect endpoint only; without that secret the
 * Connect endpoint takes the main one (the local server signs every delivery with one secret).
 */
const event = JSON.stringify({
  id: "evt_acct_1",
  object: "event",
  type: "account.updated",
  created: 1_760_000_000,
  livemode: false,
  api_version: "2024-06-20",
  pending_webhooks: 1,
  request: { id: null, idempotency_key: null },
  data: {
    object: {
      id: "acct_123",
      object: "account",
      details_submitted: true,
      charges_enabled: true,
      payouts_enabled: false,
      requirements: { currently_due: ["external_account"] },
    },
  },
});
const signed = (secret: string) => Stripe.webhooks.generateTestHeaderString({ payload: event, secret });

describe("the Connect webhook secret", () => {
  it("verifies account.updated with the Connect secret on the Connect endpoint, not on the main one", () => {
    const gw = new StripeGateway({ secretKey: "sk_test_x", webhookSecret: "whsec_main", connectWebhookSecret: "whsec_connect" });
    expect(gw.parseConnectWebhook(event, signed("whsec_connect"))).toMatchObject({
      id: "evt_acct_1",
      type: "account.updated",
      account: { accountRef: "acct_123", detailsSubmitted: true, payoutsEnabled: false, requirementsDue: ["external_account"] },
    });
    expect(() => gw.parseWebhook(event, signed("whsec_connect"))).toThrow(PaymentSignatureError);
    expect(() => gw.parseConnectWebhook(event, signed("whsec_main"))).toThrow(PaymentSignatureError);
  });

  it("falls back to the main secret when no Connect secret is set", () => {
    const gw = new StripeGateway({ secretKey: "sk_test_x", webhookSecret: "whsec_main" });
    expect(gw.parseConnectWebhook(event, signed("whsec_main")).type).toBe("account.updated");
    expect(() => gw.parseConnectWebhook(event, null)).toThrow(PaymentSignatureError);
  });
});
