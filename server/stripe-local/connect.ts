import type Stripe from "stripe";
import type { Core, Handler } from "./core.ts";
import { ApiError, invalid, missing, noSuch } from "./errors.ts";
import type { AccountObject, TransferObject } from "./objects.ts";
import { allowOnly, clone, currency as currencyParam, expandList, int, metadata, now, obj, randomId, str } from "./params.ts";
import { refundedOf } from "./refunds.ts";

/**
 * Connect, the part a marketplace pays out with: connected accounts (`express` or `custom`) and
 * transfers from the platform's balance to them (`transfer.created`).
 *
 * Test-mode simplifications: an account is created onboarded (details submitted, payouts on), and
 * a capability asked for is active at once — an account without an active `transfers` capability
 * is refused as a destination, as on Stripe. Captured money is available at once (Stripe keeps it
 * pending for days unless the charge used 4000 0000 0000 0077); the platform's available balance
 * is what was captured, less refunds and transfers, and a transfer beyond it is refused.
 */

const ACCOUNT_TYPES = ["express", "custom"];
const CAPABILITIES = ["transfers", "card_payments"];

function noAccount(id: string): ApiError {
  return new ApiError(
    403,
    {
      type: "invalid_request_error",
      code: "account_invalid",
      message: `The provided key does not have access to account '${id}' (or that account does not exist). Application access may have been revoked.`,
    },
    false,
  );
}

export const createAccount: Handler = (core, _ctx, params) => {
  allowOnly(params, ["type", "country", "email", "capabilities", "business_type", "default_currency", "metadata", "expand"]);
  const type = str(params, "type");
  if (!type) throw missing("type");
  if (!ACCOUNT_TYPES.includes(type)) {
    throw invalid(`This local Stripe-compatible server creates express and custom accounts only (got ${type}).`, { param: "type" });
  }
  const country = str(params, "country")?.toUpperCase() ?? "CN";
  if (!/^[A-Z]{2}$/.test(country)) throw invalid(`Invalid country: ${country}`, { param: "country" });
  const email = str(params, "email") ?? null;
  if (email !== null && !/^[^\s@]+@[^\s@]+$/.test(email))
    throw invalid(`Invalid email address: ${email}`, { param: "email", code: "email_invalid" });
  const businessType = str(params, "business_type") ?? null;
  if (businessType !== null && !["individual", "company", "non_profit", "government_entity"].includes(businessType)) {
    throw invalid(`Invalid business_type: ${businessType}`, { param: "business_type" });
  }
  const capabilities: Record<string, "active" | "inactive"> = {};
  const asked = obj(params, "capabilities") ?? {};
  for (const name of Object.keys(asked)) {
    if (!CAPABILITIES.includes(name)) throw invalid(`Invalid capability: ${name}`, { param: `capabilities[${name}]` });
    const c = obj(asked, name, `capabilities[${name}]`) ?? {};
    allowOnly(c, ["requested"], `capabilities[${name}]`);
    const requested = c.requested === "true" ? true : c.requested === "false" ? false : undefined;
    if (requested === undefined) throw missing(`capabilities[${name}][requested]`);
    if (requested) capabilities[name] = "active";
  }
  const account: AccountObject = {
    id: randomId("acct_", 16),
    object: "account",
    business_type: businessType as AccountObject["business_type"],
    capabilities: capabilities as Stripe.Account.Capabilities,
    charges_enabled: capabilities.card_payments === "active",
    country,
    created: now(),
    default_currency: currencyParam(params, "default_currency") ?? "cny",
    details_submitted: true,
    email,
    metadata: metadata(params),
    payouts_enabled: true,
    type: type as AccountObject["type"],
  };
  core.state.accounts[account.id] = account;
  return { body: clone(account) };
};

export const retrieveAccount: Handler = (core, _ctx, params, id) => {
  allowOnly(params, ["expand"]);
  const a = core.state.accounts[id!];
  if (!a) throw noAccount(id!);
  return { body: clone(a) };
};

/** The platform's available balance in a currency: captured, less refunded, less transferred. */
function available(core: Core, currency: string): number {
  let total = 0;
  for (const c of Object.values(core.state.charges)) {
    if (c.currency === currency && c.captured) total += c.amount_captured - refundedOf(core, c.id);
  }
  for (const t of Object.values(core.state.transfers)) if (t.currency === currency) total -= t.amount - t.amount_reversed;
  return total;
}

function transferView(core: Core, t: TransferObject, expand: string[]): unknown {
  const out = clone(t) as Record<string, unknown>;
  for (const field of expand) {
    if (field === "destination") out.destination = clone(core.state.accounts[t.destination] ?? null);
    else throw invalid(`This property cannot be expanded (${field}).`, { param: "expand" });
  }
  return out;
}

export const createTransfer: Handler = (core, ctx, params) => {
  allowOnly(params, ["amount", "currency", "destination", "description", "metadata", "transfer_group", "source_transaction", "expand"]);
  const amount = int(params, "amount");
  if (amount === undefined) throw missing("amount");
  if (amount < 1) throw invalid("This value must be greater than or equal to 1.", { param: "amount", code: "amount_too_small" });
  const currency = currencyParam(params, "currency");
  if (!currency) throw missing("currency");
  const destination = str(params, "destination");
  if (!destination) throw missing("destination");
  const account = core.state.accounts[destination];
  if (!account) throw invalid(`No such destination: '${destination}'`, { param: "destination", code: "resource_missing" });
  if (account.capabilities?.transfers !== "active") {
    throw invalid(
      "Your destination account needs to have at least one of the following capabilities enabled: transfers, crypto_transfers, legacy_payments",
      { param: "destination", code: "insufficient_capabilities_for_transfer" },
      true,
    );
  }
  const sourceTransaction = str(params, "source_transaction") ?? null;
  if (sourceTransaction !== null && !core.state.charges[sourceTransaction]) {
    throw invalid(`No such charge: '${sourceTransaction}'`, { param: "source_transaction", code: "resource_missing" });
  }
  if (amount > available(core, currency)) {
    throw invalid(
      "You have insufficient available funds in your Stripe account. Try adding funds directly to your available balance by creating Charges using the 4000000000000077 test card. See: https://stripe.com/docs/testing#available-balance",
      { code: "balance_insufficient" },
      true,
    );
  }
  const id = randomId("tr_");
  const transfer: TransferObject = {
    id,
    object: "transfer",
    amount,
    amount_reversed: 0,
    balance_transaction: null,
    created: now(),
    currency,
    description: str(params, "description") ?? null,
    destination,
    destination_payment: randomId("py_"),
    livemode: false,
    metadata: metadata(params),
    reversals: { object: "list", data: [], has_more: false, total_count: 0, url: `/v1/transfers/${id}/reversals` },
    reversed: false,
    source_transaction: sourceTransaction,
    source_type: "card",
    transfer_group: str(params, "transfer_group") ?? null,
  };
  core.state.transfers[id] = transfer;
  core.events.emit(ctx, "transfer.created", transfer);
  return { body: transferView(core, transfer, expandList(params)) };
};

export const retrieveTransfer: Handler = (core, _ctx, params, id) => {
  allowOnly(params, ["expand"]);
  const t = core.state.transfers[id!];
  if (!t) throw noSuch("transfer", id!, "id");
  return { body: transferView(core, t, expandList(params)) };
};

export const retrieveBalance: Handler = (core, _ctx, params) => {
  allowOnly(params, ["expand"]);
  const currencies = new Set<string>(["cny"]);
  for (const c of Object.values(core.state.charges)) currencies.add(c.currency);
  const available_ = [...currencies].map((currency) => {
    const amount = available(core, currency);
    return { amount, currency, source_types: { card: amount } };
  });
  return {
    body: {
      object: "balance",
      available: available_,
      pending: [...currencies].map((currency) => ({ amount: 0, currency, source_types: { card: 0 } })),
      livemode: false,
    },
  };
};
