/**
 * `npm run bench:payment-roundtrip [-- --runs 50 --warmup 5]`
 *
 * How long a payment takes to go round through the local Stripe-compatible server
 * (server/stripe-local/) that the keyless app uses, against a fresh embedded mongod (replica set)
 * and Meilisearch and the real app (built like `npm start` if build/ is missing) started keyless,
 * so that it runs the local Stripe server in its own process and registers its webhook endpoint
 * there, as `npm start` does. Two paths, measured in the same run, interleaved (A then B, B then A)
 * so that machine noise hits both alike:
 *   - A, app round-trip: a signed contract's first stage (one per run, made beforehand through the
 *     real services: buy-now, contract saved and signed by both sides, schedule made). Timed from
 *     startStageCheckout (what the stage's pay page calls: Payment recorded, Checkout Session made
 *     through the SDK with purpose deal-stage) → the payer on the hosted page (payCheckout, as the
 *     tests do; the redirect back is not followed, so nothing but the webhook records the payment)
 *     → the app's POST /webhooks/stripe verifies and applies the event (stage paid, receipt and
 *     ledger posting in one transaction) → until the stage reads `paid` in MongoDB (a point read
 *     every 2 ms, so the figures are that much coarse).
 *   - B, raw SDK: the bare `stripe` SDK on the same server, no app code: checkout.sessions.create
 *     (the same parameters the app sends) → payCheckout → checkout.sessions.retrieve reading
 *     `payment_status: paid`.
 * After each run, outside the timing, the server's webhook queue is left to empty (the run's
 * checkout.session.completed delivered) and the app's mail outbox too (the stage.paid mails), so
 * every run starts on an idle app. Prints n, p50/p95/max and the p50 of
 * each step per path, and the ratios A/B of p50 and p95; after the runs, whether every A stage was
 * paid by the webhook and its deal's books balance.
 */
import type { ChildProcess } from "node:child_process";
import fs from "node:fs/promises";
import os from "node:os";
import { parseArgs } from "node:util";
import cliProgress from "cli-progress";
import Stripe from "stripe";
import { reportResults, startBenchApp, startBenchServices } from "./support.ts";

interface Run {
  total: number;
  create: number;
  pay: number;
  paid: number;
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main() {
  const { values } = parseArgs({
    options: {
      runs: { type: "string", default: "50" },
      warmup: { type: "string", default: "5" },
    },
  });
  const runs = Number(values.runs);
  const warmup = Number(values.warmup);
  if (!Number.isInteger(runs) || runs < 1 || !Number.isInteger(warmup) || warmup < 0) {
    console.error("--runs must be a positive whole number, --warmup a whole number");
    process.exit(2);
  }
  process.env.LOG_LEVEL ??= "warn";

  const mongoose = (await import("mongoose")).default;
  const { setPaymentEndpoints, setMailEndpoints } = await import("~/utils/env.server.ts");
  const { freePort } = await import("../server/embedded/process.ts");
  const { LOCAL_STRIPE_KEY } = await import("../server/embedded/stripe.ts");
  const { payCheckout } = await import("../server/stripe-local/pay-checkout.ts");
  const { connectDb, disconnectDb } = await import("~/utils/db.server.ts");
  const { initLedger } = await import("~/services/ledger/book.server.ts");
  const { accountBalance, dealBooks } = await import("~/services/ledger/queries.server.ts");
  const { saveContract, signContract } = await import("~/services/contracts/commands.server.ts");
  // Loading it registers the "deal-stage" purpose in this process, as the app's does in its own.
  const { startStageCheckout } = await import("~/services/settlement/receipts.server.ts");
  const { DealStage } = await import("~/models/deal-stage.server.ts");
  const { Payment } = await import("~/models/payment.server.ts");
  const { OutgoingMail } = await import("~/models/outgoing-mail.server.ts");
  const { mailPassesSettled } = await import("~/services/mail/outbox.server.ts");
  const { person, listingAt, achievementContent, buyNowDeal } = await import("../seeds/trading-fixtures.ts");

  const { dataDir, services } = await startBenchServices("payment");
  let app: ChildProcess | undefined;
  let base = "";
  try {
    // The keyless app: no STRIPE_* in its environment, so it starts the local server on this port.
    const stripePort = await freePort();
    const smtpPort = await freePort();
    console.error("[bench] starting the app (keyless: it runs the local Stripe-compatible server)");
    ({ app, base } = await startBenchApp({
      dataDir,
      services,
      env: {
        EMBEDDED_STRIPE_PORT: String(stripePort),
        EMBEDDED_MAIL_SMTP_PORT: String(smtpPort),
        STRIPE_SECRET_KEY: undefined,
        STRIPE_API_BASE: undefined,
        STRIPE_WEBHOOK_SECRET: undefined,
        SMTP_URL: undefined,
      },
    }));
    const stripeBase = `http://127.0.0.1:${stripePort}`;
    // This process only starts checkouts (the app verifies the webhooks with its own secret).
    setPaymentEndpoints({ apiBase: stripeBase, secretKey: LOCAL_STRIPE_KEY, webhookSecret: "whsec_bench_unused" });
    // The mail the setup causes (contract saved and signed) goes out from here to the app's mail
    // catcher at once, rather than in a burst of the app's mail.deliver job during the runs.
    setMailEndpoints({ smtpUrl: `smtp://127.0.0.1:${smtpPort}` });
    const stripe = new Stripe(LOCAL_STRIPE_KEY, {
      host: "127.0.0.1",
      port: stripePort,
      protocol: "http",
      // As the app's gateway (services/payments/stripe.server.ts).
      maxNetworkRetries: 2,
      timeout: 15_000,
      telemetry: false,
    });

    await connectDb(services.mongoUri);
    await Promise.all(Object.values(mongoose.models).map((m) => m.init()));
    await initLedger();

    // 1. One signed deal per A run, its whole price due in stage 1.
    const priceFen = 300_000_00;
    const seller = await person("seller@bench-pay.cn", ["seller"], "基准测试科技有限公司", "enterprise");
    const buyer = await person("buyer@bench-pay.cn", ["buyer"], "基准测试种植专业合作社");
    const broker = await person("broker@bench-pay.cn", ["broker"], "基准测试转移转化中心", "service-agency");
    const total = warmup + runs;
    const bar = new cliProgress.SingleBar(
      { format: " deals   [{bar}] {value}/{total} signed, stage 1 due · {duration_formatted}" },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0);
    const deals: { id: string; stage: string }[] = [];
    for (let i = 0; i < total; i++) {
      const listing = await listingAt(
        seller,
        broker,
        "trading",
        achievementContent({
          title: `三七种苗脱毒快繁技术 ${i + 1}`,
          transactionModes: ["transfer"],
          price: { mode: "fixed", amount: priceFen },
        }),
      );
      const id = await buyNowDeal(buyer, listing, { expectedAmountFen: priceFen, transactionMode: "transfer", licenseExclusivity: null });
      await saveContract(seller, id, null);
      await signContract(seller, id, { version: 1, ip: "198.51.100.1" });
      await signContract(buyer, id, { version: 1, ip: "198.51.100.2" });
      const stage = await DealStage.findOne({ deal: id, number: 1 }, { _id: 1, amount: 1, status: 1 }).lean();
      if (stage?.status !== "due" || stage.amount !== priceFen) throw new Error(`deal ${id}: stage 1 is not due with the price`);
      deals.push({ id, stage: String(stage._id) });
      bar.update(i + 1);
    }
    bar.stop();

    // The app is idle when its mail outbox is empty (the stage.paid notifications an A run causes
    // are sent by the app right after the commit).
    const mailSent = async () => {
      await mailPassesSettled();
      for (let i = 0; (await OutgoingMail.countDocuments({ status: "queued" })) > 0; i++) {
        if (i > 12_000) throw new Error("the mail outbox does not empty");
        await sleep(5);
      }
    };
    await mailSent();

    // The webhook queue is empty once this session's last event (checkout.session.completed) is delivered.
    const delivered = async (sessionId: string) => {
      for (let i = 0; i < 1000; i++) {
        const events = (await (await fetch(`${stripeBase}/_local/events?type=checkout.session.completed&object=${sessionId}`)).json()) as {
          data: { id: string }[];
        };
        const eventId = events.data[0]?.id;
        if (eventId) {
          const log = (await (await fetch(`${stripeBase}/_local/deliveries?type=checkout.session.completed`)).json()) as {
            data: { event: string; status: number | null }[];
          };
          if (log.data.some((d) => d.event === eventId && d.status !== null && d.status >= 200 && d.status < 300)) return;
        }
        await sleep(10);
      }
      throw new Error(`checkout.session.completed of ${sessionId} not delivered`);
    };

    // Where the pay page sends the payer back (not followed: the payer never returns here).
    const urls = (dealId: string) => {
      const here = `${base}/deals/${dealId}/stages/1`;
      return { successUrl: `${here}?checkout=done`, cancelUrl: `${here}?checkout=cancelled` };
    };

    const appRun = async (deal: { id: string; stage: string }): Promise<Run> => {
      const t0 = performance.now();
      const started = await startStageCheckout(buyer, deal.id, 1, urls(deal.id));
      const t1 = performance.now();
      const paid = await payCheckout(started.redirectUrl);
      if (paid.status !== 303) throw new Error(`A: the hosted page answered ${paid.status}`);
      const t2 = performance.now();
      for (let i = 0; !(await DealStage.exists({ _id: deal.stage, status: "paid" })); i++) {
        if (i > 5000) throw new Error(`A: stage of deal ${deal.id} not paid`);
        await sleep(2);
      }
      const t3 = performance.now();
      const ref = (await Payment.findById(started.paymentId, { checkoutRef: 1 }).lean())!.checkoutRef!;
      await delivered(ref);
      await mailSent();
      return { total: t3 - t0, create: t1 - t0, pay: t2 - t1, paid: t3 - t2 };
    };

    let rawN = 0;
    const rawRun = async (): Promise<Run> => {
      const ref = new mongoose.Types.ObjectId().toHexString();
      const description = `第 1 期 首付款 · 基准裸 SDK ${++rawN}`;
      const t0 = performance.now();
      const session = await stripe.checkout.sessions.create(
        {
          mode: "payment",
          line_items: [{ quantity: 1, price_data: { currency: "cny", unit_amount: priceFen, product_data: { name: description } } }],
          payment_intent_data: { description, metadata: { paymentId: ref } },
          metadata: { paymentId: ref },
          client_reference_id: ref,
          success_url: urls(ref).successUrl,
          cancel_url: urls(ref).cancelUrl,
          customer_email: buyer.email,
        },
        { idempotencyKey: `bench:${ref}` },
      );
      const t1 = performance.now();
      const paid = await payCheckout(session.url!);
      if (paid.status !== 303) throw new Error(`B: the hosted page answered ${paid.status}`);
      const t2 = performance.now();
      const after = await stripe.checkout.sessions.retrieve(session.id);
      if (after.payment_status !== "paid") throw new Error(`B: session ${session.id} reads ${after.payment_status}`);
      const t3 = performance.now();
      await delivered(session.id);
      await mailSent();
      return { total: t3 - t0, create: t1 - t0, pay: t2 - t1, paid: t3 - t2 };
    };

    // 2. Warm-up, then the measured runs, A and B alternating which goes first.
    const loadBefore = os.loadavg();
    const a: Run[] = [];
    const b: Run[] = [];
    const runBar = new cliProgress.SingleBar(
      { format: " runs    [{bar}] {value}/{total} (A + B each, {warm} warm-up) · {duration_formatted}" },
      cliProgress.Presets.shades_classic,
    );
    runBar.start(total, 0, { warm: warmup });
    for (let i = 0; i < total; i++) {
      const deal = deals[i]!;
      let ra: Run, rb: Run;
      if (i % 2 === 0) {
        ra = await appRun(deal);
        rb = await rawRun();
      } else {
        rb = await rawRun();
        ra = await appRun(deal);
      }
      if (i >= warmup) {
        a.push(ra);
        b.push(rb);
      }
      runBar.update(i + 1);
    }
    runBar.stop();
    const loadAfter = os.loadavg();

    // 3. What the app did: every A stage paid by the webhook, one receipt, the books balanced.
    let byWebhook = 0;
    let balanced = 0;
    let oneReceipt = 0;
    for (const deal of deals) {
      const stage = (await DealStage.findById(deal.stage, { receipts: 1, checkoutPayment: 1 }).lean())!;
      const payment = await Payment.findById(stage.checkoutPayment, { history: 1 }).lean();
      const success = payment?.history?.find((h) => h.status === "succeeded");
      if (success?.source?.startsWith("webhook:")) byWebhook++;
      if (stage.receipts.length === 1 && stage.receipts[0]!.via === "stripe") oneReceipt++;
      if ((await dealBooks(deal.id)).balanced && (await accountBalance("cashStripe", { deal: deal.id })) === priceFen) balanced++;
    }

    const row = (name: string, list: Run[]) => {
      const sorted = (k: keyof Run) => list.map((r) => r[k]).sort((x, y) => x - y);
      const t = sorted("total");
      return {
        name,
        n: t.length,
        p50: pct(t, 50),
        p95: pct(t, 95),
        max: t[t.length - 1]!,
        create: pct(sorted("create"), 50),
        pay: pct(sorted("pay"), 50),
        paid: pct(sorted("paid"), 50),
      };
    };
    const ra = row("A app round-trip (stage checkout → webhook → stage paid)", a);
    const rb = row("B raw SDK (sessions.create → hosted page → retrieve)", b);
    const load = (l: number[]) => l.map((x) => x.toFixed(2)).join(" ");
    console.log(
      `\nbench:payment-roundtrip — ${runs} runs per path after ${warmup} warm-up, interleaved; local Stripe-compatible server in the keyless app's process; ${os.cpus().length} cores, load ${load(loadBefore)} → ${load(loadAfter)}\n`,
    );
    console.log("| path | n | p50 ms | p95 ms | max ms | p50 create | p50 hosted page | p50 pay → paid |");
    console.log("|---|---|---|---|---|---|---|---|");
    for (const r of [ra, rb]) {
      console.log(
        `| ${r.name} | ${r.n} | ${r.p50.toFixed(1)} | ${r.p95.toFixed(1)} | ${r.max.toFixed(1)} | ${r.create.toFixed(1)} | ${r.pay.toFixed(1)} | ${r.paid.toFixed(1)} |`,
      );
    }
    console.log(`\nA/B: p50 × ${(ra.p50 / rb.p50).toFixed(2)}, p95 × ${(ra.p95 / rb.p95).toFixed(2)}`);
    await reportResults({
      bench: "payment-roundtrip",
      title: "A payment's round trip through the local Stripe-compatible server",
      params: { runs, warmup },
      rows: [
        {
          path: "stage Checkout → hosted page → webhook → stage paid (app)",
          concurrency: 1,
          n: ra.n,
          p50: ra.p50,
          p95: ra.p95,
          p99: pct(
            a.map((x) => x.total).sort((x, y) => x - y),
            99,
          ),
          raw: { name: "bare SDK: sessions.create → pay → retrieve", p50: rb.p50, p95: rb.p95 },
          note: `A/B p50 × ${(ra.p50 / rb.p50).toFixed(2)}, p95 × ${(ra.p95 / rb.p95).toFixed(2)}`,
        },
      ],
    });
    console.log(
      `A stages (warm-up included, ${deals.length}): paid by the webhook ${byWebhook}, one Stripe receipt ${oneReceipt}, books balanced with the cash ${balanced}`,
    );
    if (byWebhook !== deals.length || oneReceipt !== deals.length || balanced !== deals.length) {
      console.error("[bench] some stages were not paid by the webhook as expected!");
      process.exitCode = 1;
    }
  } finally {
    if (app && app.exitCode === null) {
      const exited = new Promise((r) => app!.once("exit", r));
      app.kill("SIGTERM");
      await exited;
    }
    await disconnectDb().catch(() => {});
    await services.stop();
    await fs.rm(dataDir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
