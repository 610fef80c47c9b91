import { describe, expect, it } from "vitest";
import { BidSchema, CreateAuctionSchema } from "~/schemas/auctions.ts";
import { parseChinaTime } from "~/utils/china-time.ts";
import {
  bidHash,
  extendedEnd,
  genesisHash,
  incrementAt,
  isLargeBid,
  lowestMinimumFrom,
  minimumBid,
  phaseOf,
} from "~/services/trading/auctions/rules.ts";

/** The auction's pure rules and its input schemas: what a bidder or a seller types, and what it means. */

describe("bid amounts in yuan", () => {
  it.each([
    ["80000", 80_000_00],
    ["80,000.5", 80_000_50],
    [" 81000.25 ", 81_000_25],
    [81000, 81_000_00],
    [0.01, 1],
  ])("reads %j as %i fen", (amount, fen) => {
    expect(BidSchema.parse({ amount })).toEqual({ amount: fen });
  });

  it.each([["abc"], [1.005], ["1.005"], [-5], ["-5"], [0], [""], [null], [Infinity], [1e12]])("refuses %j, naming the field", (amount) => {
    const r = BidSchema.safeParse({ amount });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]!.path).toEqual(["amount"]);
  });
});

describe("the auction form", () => {
  const base = {
    startPrice: "80000",
    incrementKind: "fixed",
    increment: "1000",
    deposit: "5000",
    startNow: "on",
    endsAt: "2026-12-01T18:30",
    antiSnipeWindowMinutes: "5",
    antiSnipeCapMinutes: "30",
    transactionMode: "license",
    licenseExclusivity: "non-exclusive",
  };

  it("turns yuan into fen, minutes into seconds and a datetime-local into Beijing time", () => {
    const v = CreateAuctionSchema.parse(base);
    expect(v).toMatchObject({
      startPrice: 80_000_00,
      reservePrice: null,
      increments: [{ from: 0, increment: 1_000_00 }],
      deposit: 5_000_00,
      startsAt: null,
      antiSnipeWindowSec: 300,
      antiSnipeCapSec: 1800,
    });
    expect(v.endsAt.toISOString()).toBe("2026-12-01T10:30:00.000Z");
  });

  it("reads tiered increments and reports every bad field at once", () => {
    const tiered = CreateAuctionSchema.parse({
      ...base,
      incrementKind: "tiered",
      increment: "",
      tiers: [
        { from: "0", increment: "1000" },
        { from: "100000", increment: "5000" },
        { from: "", increment: "" },
      ],
    });
    expect(tiered.increments).toEqual([
      { from: 0, increment: 1_000_00 },
      { from: 100_000_00, increment: 5_000_00 },
    ]);
    const bad = CreateAuctionSchema.safeParse({
      ...base,
      startPrice: "八万",
      increment: "",
      deposit: "",
      startNow: false,
      startsAt: "",
      endsAt: "tomorrow",
    });
    expect(bad.success).toBe(false);
    const paths = bad.error!.issues.map((i) => i.path.join("."));
    expect(paths).toEqual(expect.arrayContaining(["startPrice", "deposit", "endsAt"]));
  });

  it("parses Beijing time and ISO strings", () => {
    expect(parseChinaTime("2026-12-01T08:00")!.toISOString()).toBe("2026-12-01T00:00:00.000Z");
    expect(parseChinaTime("2026-12-01T08:00:30")!.toISOString()).toBe("2026-12-01T00:00:30.000Z");
    expect(parseChinaTime("2026-12-01T08:00:00Z")!.toISOString()).toBe("2026-12-01T08:00:00.000Z");
    expect(parseChinaTime("nonsense")).toBeNull();
  });
});

describe("auction rules", () => {
  const tiers = [
    { from: 0, increment: 1_000_00 },
    { from: 100_000_00, increment: 5_000_00 },
  ];

  it("asks for the start price first, then the current price plus the increment of its tier", () => {
    expect(minimumBid({ startPrice: 80_000_00, currentPrice: null, increments: tiers })).toBe(80_000_00);
    expect(minimumBid({ startPrice: 80_000_00, currentPrice: 99_000_00, increments: tiers })).toBe(100_000_00);
    expect(minimumBid({ startPrice: 80_000_00, currentPrice: 100_000_00, increments: tiers })).toBe(105_000_00);
    expect(incrementAt(tiers, 0)).toBe(1_000_00);
  });

  it("knows the least any later price can ask, even when a higher tier has a smaller increment", () => {
    expect(lowestMinimumFrom(tiers, 99_000_00)).toBe(100_000_00);
    const shrinking = [
      { from: 0, increment: 10_000_00 },
      { from: 100_000_00, increment: 1_000_00 },
    ];
    // At ¥95,000 the next bid must be ¥105,000, but had the price moved to ¥100,000 it would be ¥101,000.
    expect(minimumBid({ startPrice: 1, currentPrice: 95_000_00, increments: shrinking })).toBe(105_000_00);
    expect(lowestMinimumFrom(shrinking, 95_000_00)).toBe(101_000_00);
  });

  it("extends only inside the window, by the window, up to the cap", () => {
    const endsAt = new Date("2026-12-01T10:00:00Z");
    const a = { endsAt, currentEndsAt: endsAt, antiSnipeWindowSec: 300, antiSnipeCapSec: 600 };
    expect(extendedEnd(a, new Date("2026-12-01T09:54:59Z"))).toEqual(endsAt);
    expect(extendedEnd(a, new Date("2026-12-01T09:55:00Z"))).toEqual(new Date("2026-12-01T10:05:00Z"));
    const later = { ...a, currentEndsAt: new Date("2026-12-01T10:05:00Z") };
    expect(extendedEnd(later, new Date("2026-12-01T10:04:00Z"))).toEqual(new Date("2026-12-01T10:10:00Z"));
    const capped = { ...a, currentEndsAt: new Date("2026-12-01T10:10:00Z") };
    expect(extendedEnd(capped, new Date("2026-12-01T10:09:00Z"))).toEqual(new Date("2026-12-01T10:10:00Z"));
  });

  it("chains hashes: any change to a bid's content or its predecessor changes its hash", () => {
    const placedAt = new Date("2026-12-01T09:00:00Z");
    const g = genesisHash("674300000000000000000001");
    const h = bidHash({ auction: "674300000000000000000001", seq: 1, bidderNumber: 2, amount: 80_000_00, placedAt, prevHash: g });
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(bidHash({ auction: "674300000000000000000001", seq: 1, bidderNumber: 2, amount: 80_000_01, placedAt, prevHash: g })).not.toBe(h);
    expect(bidHash({ auction: "674300000000000000000001", seq: 1, bidderNumber: 3, amount: 80_000_00, placedAt, prevHash: g })).not.toBe(h);
    expect(bidHash({ auction: "674300000000000000000001", seq: 1, bidderNumber: 2, amount: 80_000_00, placedAt, prevHash: h })).not.toBe(h);
    expect(genesisHash("674300000000000000000002")).not.toBe(g);
  });

  it("tells the phase from the status and the clock", () => {
    const startsAt = new Date("2026-12-01T08:00:00Z");
    const currentEndsAt = new Date("2026-12-01T10:00:00Z");
    expect(phaseOf({ status: "open", startsAt, currentEndsAt }, new Date("2026-12-01T07:00:00Z"))).toBe("scheduled");
    expect(phaseOf({ status: "open", startsAt, currentEndsAt }, new Date("2026-12-01T09:00:00Z"))).toBe("live");
    expect(phaseOf({ status: "open", startsAt, currentEndsAt }, currentEndsAt)).toBe("ended");
    expect(phaseOf({ status: "closed", startsAt, currentEndsAt }, new Date("2026-12-01T09:00:00Z"))).toBe("closed");
  });

  it("calls a bid large (to be confirmed) above twice the minimum or more than ¥100,000 over it", () => {
    expect(isLargeBid(200_000_00, 100_000_00)).toBe(false); // exactly twice
    expect(isLargeBid(200_000_01, 100_000_00)).toBe(true);
    expect(isLargeBid(1_000_000_00, 100_000_00)).toBe(true); // a digit too many
    expect(isLargeBid(600_000_00, 500_000_00)).toBe(false); // ¥100,000 over: not more
    expect(isLargeBid(600_000_01, 500_000_00)).toBe(true);
    expect(isLargeBid(1_000_00, 1_000_00)).toBe(false);
  });
});
