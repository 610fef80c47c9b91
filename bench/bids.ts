/**
 * `npm run bench:bids [-- --bidders 50 --concurrency 16 --seconds 15]`
 *
 * Bids under contention on one auction, against a fresh embedded mongod (replica set) and the
 * local Stripe-compatible server for the deposits, measured in the same run next to a raw
 * conditional-update loop on the same MongoDB:
 *   - placeBid: the real service (transaction: read the head, conditional update on the head's
 *     sequence, insert the hash-chained bid; retry on a lost race, refuse when outbid),
 *   - the same without the per-process queue (every bid races into MongoDB, as if each bidder
 *     were on another instance),
 *   - raw loop: one `findOneAndUpdate({ price < amount })` per bid on a bare document (no
 *     transaction, no bid log, no hash, no rules) — the floor of what MongoDB can do here.
 * Each of `concurrency` workers bids, as a person would, just above the price it last saw. The
 * two loads run alternately in rounds so machine noise hits both alike. Prints accepted bids per
 * second, p50/p95 latency of every bid call, and the ratios to the raw loop.
 */
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import cliProgress from "cli-progress";
import { percentiles, reportResults, type BenchRow } from "./support.ts";

/** Issue 17's goal: accepted bids/s of the service under contention ≥ this × the raw conditional update's. */
const GOAL_RATIO = 0.5;

interface Series {
  name: string;
  accepted: number;
  refused: number;
  ms: number[];
  wallMs: number;
}

async function main() {
  const { values } = parseArgs({
    options: {
      bidders: { type: "string", default: "50" },
      concurrency: { type: "string", default: "16" },
      seconds: { type: "string", default: "15" },
      rounds: { type: "string", default: "3" },
    },
  });
  const nBidders = Number(values.bidders);
  const concurrency = Number(values.concurrency);
  const seconds = Number(values.seconds);
  const rounds = Number(values.rounds);
  if (![nBidders, concurrency, seconds, rounds].every((v) => Number.isInteger(v) && v > 0)) {
    console.error("--bidders, --concurrency, --seconds and --rounds must be positive whole numbers");
    process.exit(2);
  }

  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "chengguo-bench-bids-"));
  const { startStripeServer } = await import("../server/stripe-local/index.ts");
  const { payCheckout } = await import("../server/stripe-local/pay-checkout.ts");
  const stripe = await startStripeServer({ port: 0 });
  // The deposits go through the real SDK to the local Stripe-compatible server, like the demo.
  process.env.STRIPE_API_BASE = stripe.url;
  process.env.STRIPE_SECRET_KEY = "sk_test_chengguo_bench";
  process.env.STRIPE_WEBHOOK_SECRET = "whsec_bench";

  const mongoose = (await import("mongoose")).default;
  const { parseEnv, setServiceEndpoints } = await import("~/utils/env.server.ts");
  const { startServices } = await import("../server/embedded/index.ts");
  const { freePort } = await import("../server/embedded/process.ts");
  const { connectDb } = await import("~/utils/db.server.ts");
  const auctions = {
    ...(await import("~/services/trading/auctions/create.server.ts")),
    ...(await import("~/services/trading/auctions/registration.server.ts")),
    ...(await import("~/services/trading/auctions/bidding.server.ts")),
    ...(await import("~/services/trading/auctions/chain.server.ts")),
    ...(await import("~/services/trading/auctions/errors.ts")),
  };
  const { Auction } = await import("~/models/auction.server.ts");
  const { person, tradingAchievement } = await import("../seeds/trading-fixtures.ts");

  console.error(`[bench] starting mongod in ${dataDir}`);
  const services = await startServices(
    parseEnv({ DATA_DIR: dataDir, EMBEDDED_MONGO_PORT: String(await freePort()), EMBEDDED_MEILI_PORT: String(await freePort()) }),
  );
  setServiceEndpoints(services);
  try {
    await connectDb(services.mongoUri);
    await Promise.all(Object.values(mongoose.models).map((m) => m.init()));

    const seller = await person("seller@bench.cn", ["seller"], "基准测试研究所", "institute");
    const broker = await person("broker@bench.cn", ["broker"], "基准测试中心", "service-agency");
    const listingId = await tradingAchievement(seller, broker);
    const increment = 100; // ¥1: small, so that most bids stay valid and contention is real
    const auctionId = await auctions.createAuction(seller, listingId, {
      startPrice: 100_00,
      reservePrice: null,
      increments: [{ from: 0, increment }],
      deposit: 100_00,
      startsAt: null,
      endsAt: new Date(Date.now() + 6 * 3600_000),
      antiSnipeWindowSec: 0,
      antiSnipeCapSec: 0,
      transactionMode: "transfer",
      licenseExclusivity: null,
    });

    const bar = new cliProgress.SingleBar(
      { format: " bidders [{bar}] {value}/{total} registered, deposits held · {duration_formatted}" },
      cliProgress.Presets.shades_classic,
    );
    bar.start(nBidders, 0);
    const bidders: Awaited<ReturnType<typeof person>>[] = [];
    for (let i = 0; i < nBidders; i++) {
      const b = await person(`bidder${i}@bench.cn`, ["buyer"], `竞买企业${i}`);
      const { redirectUrl } = await auctions.registerBidder(b, auctionId, {
        successUrl: "http://localhost/ok",
        cancelUrl: "http://localhost/no",
      });
      await payCheckout(redirectUrl!);
      if ((await auctions.confirmDeposit(b, auctionId)) !== "held") throw new Error("deposit not held");
      bidders.push(b);
      bar.update(i + 1);
    }
    bar.stop();

    // The raw loop's document, in the same database.
    const raw = mongoose.connection.db!.collection("bench_raw_bids");
    await raw.deleteMany({});
    const rawId = new mongoose.Types.ObjectId();
    await raw.insertOne({ _id: rawId, price: 100_00 - increment, seq: 0 });

    const service: Series = { name: "placeBid (service)", accepted: 0, refused: 0, ms: [], wallMs: 0 };
    const racing: Series = { name: "placeBid, no per-process queue", accepted: 0, refused: 0, ms: [], wallMs: 0 };
    const rawSeries: Series = { name: "raw conditional update", accepted: 0, refused: 0, ms: [], wallMs: 0 };

    const runFor = async (series: Series, ms: number, bid: (worker: number, seen: number) => Promise<{ ok: boolean; seen: number }>) => {
      const end = performance.now() + ms;
      const t0 = performance.now();
      await Promise.all(
        Array.from({ length: concurrency }, async (_, w) => {
          let seen = 0;
          while (performance.now() < end) {
            const s = performance.now();
            const r = await bid(w, seen);
            series.ms.push(performance.now() - s);
            if (r.ok) series.accepted++;
            else series.refused++;
            seen = r.seen;
          }
        }),
      );
      series.wallMs += performance.now() - t0;
    };

    // A person bids one to three increments above the price they last saw.
    const above = (seen: number) => seen + increment * (1 + Math.floor(Math.random() * 3));

    const serviceBid = (queue: boolean) => async (w: number, seen: number) => {
      const bidder = bidders[(w * 7 + Math.floor(Math.random() * nBidders)) % nBidders]!;
      try {
        const b = await auctions.placeBid(bidder, auctionId, Math.max(above(seen), 100_00), { via: "api", queue });
        return { ok: true, seen: b.amount };
      } catch (e) {
        const err = e as InstanceType<typeof auctions.AuctionError>;
        if (err.code !== "bid_too_low") throw e;
        return { ok: false, seen: Number(err.params.minimumFen) - increment };
      }
    };
    const rawBid = async (_w: number, seen: number) => {
      const amount = Math.max(above(seen), 100_00);
      const r = await raw.findOneAndUpdate(
        { _id: rawId, price: { $lte: amount - increment } },
        { $set: { price: amount }, $inc: { seq: 1 } },
        { returnDocument: "after" },
      );
      if (r) return { ok: true, seen: r.price as number };
      // Outbid: learn the price, as the service's refusal tells the minimum.
      const doc = await raw.findOne({ _id: rawId });
      return { ok: false, seen: doc!.price as number };
    };

    console.error(`[bench] ${rounds} rounds × ${seconds}s per load, ${concurrency} concurrent bidders of ${nBidders}`);
    const perRound = (seconds * 1000) / rounds;
    for (let r = 0; r < rounds; r++) {
      await runFor(service, perRound, serviceBid(true));
      await runFor(racing, perRound, serviceBid(false));
      await runFor(rawSeries, perRound, rawBid);
      console.error(`[bench] round ${r + 1}/${rounds}: service ${service.accepted} accepted, raw ${rawSeries.accepted} accepted`);
    }

    const chain = await auctions.verifyBidChain(auctionId);
    const a = await Auction.findById(auctionId).lean();

    const figures = (s: Series) => ({
      ...percentiles(s.ms),
      throughput: s.accepted / (s.wallMs / 1000),
      callsPerSec: s.ms.length / (s.wallMs / 1000),
      refusedShare: s.refused / Math.max(1, s.ms.length),
    });
    const rawF = figures(rawSeries);
    console.log(
      `\nbench:bids — ${concurrency} concurrent bidders (${nBidders} registered), ${seconds}s per load, ${os.cpus().length} cores, MongoDB ${services.mongoUri.includes("127.0.0.1") ? "embedded" : "external"} replica set\n`,
    );
    console.log("| | accepted bids/s | bid calls/s | outbid share | p50 ms | p95 ms | accepted/s ÷ raw | p95 × raw |");
    console.log("|---|---|---|---|---|---|---|---|");
    for (const s of [service, racing, rawSeries]) {
      const f = figures(s);
      console.log(
        `| ${s.name} | ${f.throughput.toFixed(0)} | ${f.callsPerSec.toFixed(0)} | ${(f.refusedShare * 100).toFixed(0)}% | ${f.p50.toFixed(1)} | ${f.p95.toFixed(1)} | ${(f.throughput / rawF.throughput).toFixed(2)} | ${(f.p95 / rawF.p95).toFixed(2)} |`,
      );
    }
    // Throughput is accepted bids/s; the percentiles are of every bid call (accepted or outbid).
    const row = (s: Series, goal: boolean): BenchRow => {
      const f = figures(s);
      return {
        path: s.name,
        concurrency,
        n: s.ms.length,
        throughput: f.throughput,
        throughputUnit: "accepted bids/s",
        p50: f.p50,
        p95: f.p95,
        p99: f.p99,
        raw: { name: rawSeries.name, p50: rawF.p50, p95: rawF.p95, p99: rawF.p99, throughput: rawF.throughput },
        note: `${(f.throughput / rawF.throughput).toFixed(2)}× raw, ${(f.refusedShare * 100).toFixed(0)}% outbid`,
        ...(goal ? { goal: { text: `accepted bids/s ≥ ${GOAL_RATIO}× raw`, met: f.throughput >= GOAL_RATIO * rawF.throughput } } : {}),
      };
    };
    await reportResults({
      bench: "bids",
      title: "Bids under contention on one auction",
      params: { bidders: nBidders, concurrency, seconds, rounds },
      rows: [
        row(service, true),
        // Every bid racing into MongoDB, as if each bidder were on another instance: shown, not judged.
        row(racing, false),
        {
          path: rawSeries.name,
          concurrency,
          n: rawSeries.ms.length,
          throughput: rawF.throughput,
          throughputUnit: "accepted bids/s",
          p50: rawF.p50,
          p95: rawF.p95,
          p99: rawF.p99,
        },
      ],
      notes: [
        "The raw loop is one findOneAndUpdate({ price below the bid }) per bid on a bare document: no transaction, no bid log, no hash chain, no rules.",
        "p50/p95/p99 are of every bid call, accepted or refused as outbid.",
      ],
    });
    console.log(
      `\nchain after the run: ${chain.bids} bids, intact: ${chain.intact}; auction lastSeq ${a!.lastSeq}, price ¥${(a!.currentPrice ?? 0) / 100}`,
    );
    if (!chain.intact || chain.bids !== service.accepted + racing.accepted) {
      console.error("[bench] the bid log does not match the accepted bids!");
      process.exitCode = 1;
    }
  } finally {
    await mongoose.disconnect().catch(() => {});
    await services.stop();
    await stripe.close();
    await fs.rm(dataDir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
