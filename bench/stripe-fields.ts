/**
 * `npm run bench:stripe-fields -- <path to stripe/openapi's openapi/fixtures3.json> [--missing]`
 *
 * How much of each Stripe object the local Stripe-compatible server (server/stripe-local/) fills
 * in, measured against Stripe's own example objects (the `stripe/openapi` repository's
 * `openapi/fixtures3.json`, not kept here: get it with
 * `git clone --depth 1 https://github.com/stripe/openapi` or `git show HEAD:openapi/fixtures3.json`
 * in a copy of it). Starts a server in memory, makes one object of each kind through the real SDK
 * (Checkout Session, PaymentIntent, Charge, Refund, Account, AccountLink, Transfer,
 * TransferReversal, Balance, Event) and prints, per object, how many of the fixture's top-level
 * fields it carries; `--missing` lists the fields it lacks. An object the server cannot make is
 * shown as 0 with the error.
 */
import fs from "node:fs/promises";
import { parseArgs } from "node:util";
import Stripe from "stripe";
import { payCheckout } from "../server/stripe-local/pay-checkout.ts";
import { startStripeServer } from "../server/stripe-local/index.ts";
import { reportResults, type BenchRow } from "./support.ts";

const { values, positionals } = parseArgs({ allowPositionals: true, options: { missing: { type: "boolean", default: false } } });
const fixturesPath = positionals[0];
if (!fixturesPath) {
  console.error("usage: npm run bench:stripe-fields -- <path/to/openapi/fixtures3.json> [--missing]");
  process.exit(2);
}
const fixtures = (JSON.parse(await fs.readFile(fixturesPath, "utf8")) as { resources: Record<string, Record<string, unknown>> }).resources;

const server = await startStripeServer({ port: 0 });
const u = new URL(server.url);
const stripe = new Stripe("sk_test_chengguo_local", {
  host: u.hostname,
  port: Number(u.port),
  protocol: "http",
  maxNetworkRetries: 0,
  telemetry: false,
});

type Made = Record<string, unknown>;
const objects: Array<[string, () => Promise<Made>]> = [];
const state: { session?: Stripe.Checkout.Session; pi?: Stripe.PaymentIntent; account?: Stripe.Account; transfer?: Stripe.Transfer } = {};

objects.push([
  "checkout.session",
  async () => {
    const s = await stripe.checkout.sessions.create({
      mode: "payment",
      line_items: [{ quantity: 1, price_data: { currency: "cny", unit_amount: 100_000, product_data: { name: "bench" } } }],
      success_url: "http://127.0.0.1:9/ok",
      cancel_url: "http://127.0.0.1:9/cancel",
      customer_email: "bench@example.cn",
    });
    await payCheckout(s.url!);
    state.session = await stripe.checkout.sessions.retrieve(s.id);
    return state.session as unknown as Made;
  },
]);
objects.push([
  "payment_intent",
  async () => {
    state.pi = await stripe.paymentIntents.retrieve(state.session!.payment_intent as string);
    return state.pi as unknown as Made;
  },
]);
objects.push(["charge", async () => (await stripe.charges.retrieve(state.pi!.latest_charge as string)) as unknown as Made]);
objects.push(["refund", async () => (await stripe.refunds.create({ payment_intent: state.pi!.id, amount: 1_000 })) as unknown as Made]);
objects.push([
  "account",
  async () => {
    state.account = await stripe.accounts.create({ type: "custom", country: "CN", capabilities: { transfers: { requested: true } } });
    return state.account as unknown as Made;
  },
]);
objects.push([
  "account_link",
  async () =>
    (await stripe.accountLinks.create({
      account: state.account!.id,
      type: "account_onboarding",
      refresh_url: "http://127.0.0.1:9/r",
      return_url: "http://127.0.0.1:9/d",
    })) as unknown as Made,
]);
objects.push([
  "transfer",
  async () => {
    state.transfer = await stripe.transfers.create({ amount: 10_000, currency: "cny", destination: state.account!.id });
    return state.transfer as unknown as Made;
  },
]);
objects.push([
  "transfer_reversal",
  async () => (await stripe.transfers.createReversal(state.transfer!.id, { amount: 1_000 })) as unknown as Made,
]);
objects.push(["balance", async () => (await stripe.balance.retrieve()) as unknown as Made]);
objects.push([
  "event",
  async () => {
    const res = await fetch(`${server.url}/_local/events`);
    const list = (await res.json()) as { data: Made[] };
    return list.data[list.data.length - 1]!;
  },
]);

const rows: BenchRow[] = [];
let carried = 0;
let total = 0;
console.log(`${"object".padEnd(20)} ${"fields".padStart(9)}  missing`);
for (const [name, make] of objects) {
  const fixture = fixtures[name];
  if (!fixture) {
    console.log(`${name.padEnd(20)} (no fixture)`);
    continue;
  }
  const want = Object.keys(fixture);
  let have: string[] = [];
  let error = "";
  try {
    const made = await make();
    // The SDK adds lastResponse (not a field of the object).
    have = Object.keys(made).filter((k) => k !== "lastResponse");
  } catch (e) {
    error = (e as Error).message;
  }
  const present = want.filter((k) => have.includes(k));
  const missing = want.filter((k) => !have.includes(k));
  carried += present.length;
  total += want.length;
  const extra = have.filter((k) => !want.includes(k));
  rows.push({ path: name, note: error ? `cannot make it: ${error}` : `${present.length}/${want.length} fields` });
  console.log(
    `${name.padEnd(20)} ${`${present.length}/${want.length}`.padStart(9)}  ${error ? `cannot make it: ${error}` : values.missing ? missing.join(" ") : missing.length}${extra.length ? `  (not in the fixture: ${extra.join(" ")})` : ""}`,
  );
}
console.log(`${"total".padEnd(20)} ${`${carried}/${total}`.padStart(9)}`);
rows.push({ path: "total", note: `${carried}/${total} fields` });
await reportResults({ bench: "stripe-fields", title: "Stripe objects' fields the local server fills in", rows });
await server.close();
