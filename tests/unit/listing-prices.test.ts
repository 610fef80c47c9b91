import { describe, expect, it } from "vitest";
import { listingPrices, offeredOptions, priceOf, pricesProblems } from "~/schemas/listing-prices.ts";
import { dealEndsTrading, excludedByLicensees } from "~/services/trading/deals/rules.ts";

/** Issue 13, point 5: per-option prices and what a deal does to its listing, as pure rules. */
describe("listing prices", () => {
  const listing = {
    transactionModes: ["license", "transfer"],
    licenseExclusivity: ["non-exclusive", "exclusive"],
    price: { mode: "fixed", amount: 5_000_000 },
  };

  it("reads a listing with one price as that price for every offered option, in display order", () => {
    expect(listingPrices(listing)).toEqual([
      { transactionMode: "transfer", licenseExclusivity: null, amount: 5_000_000 },
      { transactionMode: "license", licenseExclusivity: "exclusive", amount: 5_000_000 },
      { transactionMode: "license", licenseExclusivity: "non-exclusive", amount: 5_000_000 },
    ]);
    expect(offeredOptions(["license"], [])).toEqual([{ transactionMode: "license", licenseExclusivity: "non-exclusive" }]);
  });

  it("reads stored prices, an option without one being 面议 (null), and no prices unless the price is fixed", () => {
    const priced = { ...listing, prices: [{ transactionMode: "license", licenseExclusivity: "non-exclusive", amount: 100 }] };
    expect(priceOf(priced, { transactionMode: "license", licenseExclusivity: "non-exclusive" })).toBe(100);
    expect(priceOf(priced, { transactionMode: "transfer" })).toBeNull();
    expect(listingPrices({ ...priced, price: { mode: "negotiable" } })).toEqual([]);
  });

  it("names what is wrong with a price list", () => {
    expect(
      pricesProblems(
        "fixed",
        ["license"],
        ["exclusive"],
        [
          { transactionMode: "transfer" },
          { transactionMode: "license" },
          { transactionMode: "license", licenseExclusivity: "sole" },
          { transactionMode: "license", licenseExclusivity: "exclusive" },
          { transactionMode: "license", licenseExclusivity: "exclusive" },
        ],
      ).map((p) => [p.index, p.field, p.message]),
    ).toEqual([
      [0, "transactionMode", "prices.errors.modeNotOffered"],
      [1, "licenseExclusivity", "errors.exclusivityRequired"],
      [2, "licenseExclusivity", "prices.errors.exclusivityNotOffered"],
      [4, null, "prices.errors.duplicate"],
    ]);
    expect(pricesProblems("auction", ["transfer"], [], [{ transactionMode: "transfer" }])[0]!.message).toBe("prices.errors.onlyFixed");
  });
});

describe("what a deal does to its listing", () => {
  it("keeps it trading only for a non-exclusive licence not won at auction", () => {
    expect(dealEndsTrading({ source: "buy-now", transactionMode: "license", licenseExclusivity: "non-exclusive" })).toBe(false);
    expect(dealEndsTrading({ source: "offer", transactionMode: "license", licenseExclusivity: null })).toBe(false);
    expect(dealEndsTrading({ source: "negotiation", transactionMode: "license", licenseExclusivity: "sole" })).toBe(true);
    expect(dealEndsTrading({ source: "buy-now", transactionMode: "transfer" })).toBe(true);
    expect(dealEndsTrading({ source: "auction", transactionMode: "license", licenseExclusivity: "non-exclusive" })).toBe(true);
  });

  it("refuses exclusive and sole licences over licensees, never a transfer", () => {
    expect(excludedByLicensees({ transactionMode: "license", licenseExclusivity: "exclusive" }, 1)).toBe(true);
    expect(excludedByLicensees({ transactionMode: "license", licenseExclusivity: "sole" }, 2)).toBe(true);
    expect(excludedByLicensees({ transactionMode: "license", licenseExclusivity: "exclusive" }, 0)).toBe(false);
    expect(excludedByLicensees({ transactionMode: "transfer" }, 3)).toBe(false);
  });
});
