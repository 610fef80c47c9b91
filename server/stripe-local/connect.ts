import type Stripe from "stripe";
import type { Core, Handler } from "./core.ts";
import { accountDefaults } from "./defaults.ts";
import { ApiError, invalid, missing, noSuch } from "./errors.ts";
import type {
  AccountLinkObject,
  AccountLinkRecord,
  AccountObject,
  BalanceObject,
  Ctx,
  TransferObject,
  TransferReversalObject,
} from "./objects.ts";
import {
  absoluteUrl,
  allowOnly,
  clone,
  currency as currencyParam,
  expandList,
  formatAmount,
  int,
  listOf,
  metadata,
  now,
  obj,
  randomId,
  str,
} from "./params.ts";
import { refundedOf } from "./refunds.ts";

/**
 * Connect, the part a marketplace pays out with: connected accounts (`express` or `custom`) and
 * transfers from the platform's balance to them (`transfer.created`).
 *
 * An `express` account starts with nothing enabled; its owner completes it on the local onboarding
 * page an account link opens (account.updated: details submitted, charges and payouts enabled, the
 * requested capabilities active). A `custom` account (the platform gives the details) is verified
 * at once. An account without an active `transfers` capability is refused as a destination, as on
 * Stripe. A transfer to an account whose metadata has `local_transfer_failure=true` — or while a
 * failure is armed through POST /_local/transfers/fail — is refused with `transfers_not_allowed`. Captured money is available at once (Stripe keeps it
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
  // An express account is onboarded by its owner through an account link (account.updated then);
  // a custom one is created with its details given by the platform, so it is verified at once.
  const onboarded = type === "custom";
  const capabilities: Record<string, "active" | "inactive"> = {};
  const asked = obj(params, "capabilities") ?? {};
  for (const name of Object.keys(asked)) {
    if (!CAPABILITIES.includes(name)) throw invalid(`Invalid capability: ${name}`, { param: `capabilities[${name}]` });
    const c = obj(asked, name, `capabilities[${name}]`) ?? {};
    allowOnly(c, ["requested"], `capabilities[${name}]`);
    const requested = c.requested === "true" ? true : c.requested === "false" ? false : undefined;
    if (requested === undefined) throw missing(`capabilities[${name}][requested]`);
    if (requested) capabilities[name] = onboarded ? "active" : "inactive";
  }
  const id = randomId("acct_", 16);
  const account: AccountObject = {
    ...accountDefaults(id, onboarded),
    id,
    object: "account",
    business_type: businessType as AccountObject["business_type"],
    capabilities: capabilities as Stripe.Account.Capabilities,
    charges_enabled: capabilities.card_payments === "active",
    country,
    created: now(),
    default_currency: currencyParam(params, "default_currency") ?? "cny",
    details_submitted: onboarded,
    email,
    metadata: metadata(params),
    payouts_enabled: onboarded,
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
  if (failsNow(core, account)) {
    throw invalid(
      "The requested transfer cannot be created. Contact us if you are receiving this error.",
      { param: "destination", code: "transfers_not_allowed" },
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

/** A forced failure (tests): the account's metadata flag, or one armed through /_local/transfers/fail. */
function failsNow(core: Core, account: AccountObject): boolean {
  if (account.metadata?.local_transfer_failure === "true") return true;
  const armed = core.controls.failTransfers[account.id] ?? 0;
  if (armed <= 0) return false;
  core.controls.failTransfers[account.id] = armed - 1;
  return true;
}

export const listAccounts: Handler = (core, _ctx, params) => {
  allowOnly(params, ["limit", "starting_after", "ending_before", "created", "expand"]);
  return { body: listOf(params, Object.values(core.state.accounts), "/v1/accounts") };
};

export const listTransfers: Handler = (core, _ctx, params) => {
  allowOnly(params, ["destination", "transfer_group", "limit", "starting_after", "ending_before", "created", "expand"]);
  const destination = str(params, "destination");
  const group = str(params, "transfer_group");
  const items = Object.values(core.state.transfers).filter(
    (t) => (!destination || t.destination === destination) && (!group || t.transfer_group === group),
  );
  return { body: listOf(params, items, "/v1/transfers") };
};

/** Takes money back from a connected account: in part or in full, as often as something is left (transfer.reversed). */
export const createReversal: Handler = (core, ctx, params, id) => {
  allowOnly(params, ["amount", "description", "metadata", "refund_application_fee", "expand"]);
  const t = core.state.transfers[id!];
  if (!t) throw noSuch("transfer", id!, "id");
  const left = t.amount - t.amount_reversed;
  if (left <= 0) throw invalid(`Transfer ${t.id} has already been fully reversed.`, { code: "transfer_already_reversed" }, true);
  const amount = int(params, "amount") ?? left;
  if (amount < 1) throw invalid("This value must be greater than or equal to 1.", { param: "amount" });
  if (amount > left) {
    throw invalid(
      `Reversal amount (${formatAmount(amount, t.currency)}) is greater than the amount of the transfer not yet reversed (${formatAmount(left, t.currency)})`,
      { param: "amount", code: "amount_too_large" },
      true,
    );
  }
  const reversal: TransferReversalObject = {
    id: randomId("trr_"),
    object: "transfer_reversal",
    amount,
    balance_transaction: randomId("txn_"),
    created: now(),
    currency: t.currency,
    destination_payment_refund: randomId("pyr_"),
    metadata: metadata(params),
    source_refund: null,
    transfer: t.id,
  };
  const previous = { amount_reversed: t.amount_reversed, reversed: t.reversed };
  t.reversals.data.unshift(reversal);
  t.reversals.total_count = t.reversals.data.length;
  t.amount_reversed += amount;
  t.reversed = t.amount_reversed >= t.amount;
  core.events.emit(ctx, "transfer.reversed", t, previous);
  return { body: clone(reversal) };
};

export const listReversals: Handler = (core, _ctx, params, id) => {
  allowOnly(params, ["limit", "starting_after", "ending_before", "expand"]);
  const t = core.state.transfers[id!];
  if (!t) throw noSuch("transfer", id!, "id");
  return { body: listOf(params, t.reversals.data, `/v1/transfers/${t.id}/reversals`) };
};

export const retrieveReversal: Handler = (core, _ctx, params, id) => {
  allowOnly(params, ["expand"]);
  const [transferId, , reversalId] = id!.split("/");
  const t = core.state.transfers[transferId!];
  if (!t) throw noSuch("transfer", transferId!, "id");
  const r = t.reversals.data.find((x) => x.id === reversalId);
  if (!r) throw noSuch("transfer_reversal", reversalId!, "id");
  return { body: clone(r) };
};

const LINK_TYPES = ["account_onboarding", "account_update"];

/** An account link: a single-use URL (5 minutes) to the local onboarding page of a connected account. */
export const createAccountLink: Handler = (core, _ctx, params) => {
  allowOnly(params, ["account", "type", "refresh_url", "return_url", "collect", "collection_options", "expand"]);
  const accountId = str(params, "account");
  if (!accountId) throw missing("account");
  const account = core.state.accounts[accountId];
  if (!account) throw noAccount(accountId);
  const type = str(params, "type");
  if (!type) throw missing("type");
  if (!LINK_TYPES.includes(type)) throw invalid(`Invalid type: must be one of ${LINK_TYPES.join(", ")}`, { param: "type" });
  if (type === "account_update" && account.type !== "custom") {
    throw invalid("You cannot create `account_update` type Account Links for Express accounts.", { param: "type" });
  }
  const refreshUrl = absoluteUrl(params, "refresh_url");
  if (!refreshUrl) throw missing("refresh_url");
  const returnUrl = absoluteUrl(params, "return_url");
  if (!returnUrl) throw missing("return_url");
  const created = now();
  const token = randomId("", 32);
  core.state.accountLinks[token] = {
    account: accountId,
    type: type as AccountLinkRecord["type"],
    refreshUrl,
    returnUrl,
    expiresAt: created + 300,
    used: false,
  };
  const link: AccountLinkObject = {
    object: "account_link",
    created,
    expires_at: created + 300,
    url: `${core.baseUrl()}/connect/onboarding/${token}`,
  };
  return { body: link };
};

/** What the onboarding page's 提交 / Submit does: the account becomes able to take payments and be paid (account.updated). */
export function completeOnboarding(core: Core, ctx: Ctx, account: AccountObject) {
  const previous = {
    capabilities: clone(account.capabilities),
    charges_enabled: account.charges_enabled,
    details_submitted: account.details_submitted,
    payouts_enabled: account.payouts_enabled,
    requirements: clone(account.requirements),
  };
  const caps = (account.capabilities ?? {}) as Record<string, string>;
  for (const name of Object.keys(caps)) caps[name] = "active";
  account.capabilities = caps as Stripe.Account.Capabilities;
  account.charges_enabled = true;
  account.details_submitted = true;
  account.payouts_enabled = true;
  const done = accountDefaults(account.id, true);
  account.requirements = done.requirements;
  account.tos_acceptance = done.tos_acceptance;
  core.events.emit(ctx, "account.updated", account, previous);
}

export const retrieveBalance: Handler = (core, _ctx, params) => {
  allowOnly(params, ["expand"]);
  const currencies = new Set<string>(["cny"]);
  for (const c of Object.values(core.state.charges)) currencies.add(c.currency);
  const available_ = [...currencies].map((currency) => {
    const amount = available(core, currency);
    return { amount, currency, source_types: { card: amount } };
  });
  const balance: BalanceObject = {
    object: "balance",
    available: available_,
    pending: [...currencies].map((currency) => ({ amount: 0, currency, source_types: { card: 0 } })),
    connect_reserved: [...currencies].map((currency) => ({ amount: 0, currency })),
    livemode: false,
  };
  return { body: balance };
};
