import { z } from "zod";
import { MAX_YUAN } from "~/utils/money.ts";
import { LICENSE_EXCLUSIVITY, TRANSACTION_MODES, type LicenseExclusivity, type TransactionMode } from "~/utils/taxonomy.ts";

/**
 * 分项挂牌价: a fixed-price achievement lists a price per transaction mode and, for a licence, per
 * exclusivity (转让 ¥300,000 · 独占许可 ¥200,000 · 普通许可 ¥50,000). An option the listing offers
 * without a price is 面议 (talked over in a deal room). Money in fen. Before issue 13 a listing had
 * one price for every mode; `listingPrices` reads such a listing as that price for each option it
 * offers, which is what the one price meant (migration 002 writes the same list).
 */

/** One way of buying: a transaction mode and, for a licence, its exclusivity. */
export interface PriceOption {
  transactionMode: TransactionMode;
  licenseExclusivity: LicenseExclusivity | null;
}

export interface ListingPrice extends PriceOption {
  /** fen */
  amount: number;
}

/** Every option in display order: 转让, 独占许可, 排他许可, 普通许可, 作价入股, 合作. */
export const PRICE_OPTIONS: readonly PriceOption[] = TRANSACTION_MODES.flatMap((mode): PriceOption[] =>
  mode === "license"
    ? LICENSE_EXCLUSIVITY.map((e) => ({ transactionMode: mode, licenseExclusivity: e }))
    : [{ transactionMode: mode, licenseExclusivity: null }],
);

/** `transfer`, `license.exclusive` …: an option as one string (links, form values, React keys). */
export function priceOptionKey(o: { transactionMode: string; licenseExclusivity?: string | null }): string {
  return o.transactionMode === "license" ? `license.${o.licenseExclusivity ?? "non-exclusive"}` : o.transactionMode;
}

/** The option a key names, or null. */
export function parsePriceOptionKey(key: string | null | undefined): PriceOption | null {
  return PRICE_OPTIONS.find((o) => priceOptionKey(o) === key) ?? null;
}

export const sameOption = (a: PriceOption, b: { transactionMode: string; licenseExclusivity?: string | null }) =>
  priceOptionKey(a) === priceOptionKey(b);

/** The options a listing offers: each mode, a licence once per exclusivity (non-exclusive if none is named). */
export function offeredOptions(modes: readonly string[], exclusivities: readonly string[]): PriceOption[] {
  const excl = exclusivities.length ? exclusivities : ["non-exclusive"];
  return PRICE_OPTIONS.filter(
    (o) => modes.includes(o.transactionMode) && (o.transactionMode !== "license" || excl.includes(o.licenseExclusivity!)),
  );
}

/** The fields of a stored or submitted achievement these rules read. */
export interface PricedListing {
  transactionModes?: readonly string[] | null;
  licenseExclusivity?: readonly string[] | null;
  price?: { mode?: string | null; amount?: number | null } | null;
  prices?: readonly { transactionMode: string; licenseExclusivity?: string | null; amount: number }[] | null;
}

/**
 * A listing's prices, in display order. Only a fixed-price (挂牌) listing has any. Stored prices
 * when there are; else (a listing from before per-option prices, or an import with one amount) its
 * one price for every option it offers.
 */
export function listingPrices(l: PricedListing): ListingPrice[] {
  if (l.price?.mode !== "fixed") return [];
  const offered = offeredOptions(l.transactionModes ?? [], l.licenseExclusivity ?? []);
  const stored = l.prices ?? [];
  if (stored.length) {
    return offered.flatMap((o) => {
      const p = stored.find((s) => sameOption(o, s));
      return p ? [{ ...o, amount: p.amount }] : [];
    });
  }
  const amount = l.price?.amount;
  return amount ? offered.map((o) => ({ ...o, amount })) : [];
}

/** Whether the options are priced apart (the lowest is then shown as "… 起"). */
export function severalPrices(prices: readonly { amount: number }[] | null | undefined): boolean {
  return new Set((prices ?? []).map((p) => p.amount)).size > 1;
}

/** The listed price of one option (fen), or null: 面议 or not offered. */
export function priceOf(l: PricedListing, option: { transactionMode: string; licenseExclusivity?: string | null }): number | null {
  return listingPrices(l).find((p) => sameOption(p, option))?.amount ?? null;
}

// ---------------------------------------------------------------------------------------------
// Validation (the core schema in ~/schemas/listing.ts and the form use these)

export const ListingPriceSchema = z.object({
  transactionMode: z.enum(TRANSACTION_MODES, { errorMap: () => ({ message: "errors.transactionMode" }) }),
  licenseExclusivity: z.enum(LICENSE_EXCLUSIVITY, { errorMap: () => ({ message: "prices.errors.exclusivity" }) }).nullish(),
  amount: z
    .number({ invalid_type_error: "errors.amount", required_error: "errors.required" })
    .int("errors.amount")
    .min(1, "prices.errors.positive")
    .max(MAX_YUAN * 100, "errors.amountTooLarge"),
});
export type ListingPriceInput = z.input<typeof ListingPriceSchema>;

export interface PriceProblem {
  /** The entry's position, or null for the list as a whole. */
  index: number | null;
  field: "transactionMode" | "licenseExclusivity" | null;
  message: string;
}

/**
 * What is wrong with a listing's price list: a price for a mode or a licence kind the listing does
 * not offer, a licence price without its kind, the same option twice, prices on a listing that is
 * not fixed-price (面议 and 竞价 have no per-option prices).
 */
export function pricesProblems(
  priceMode: string,
  modes: readonly string[],
  exclusivities: readonly string[],
  prices: readonly { transactionMode: string; licenseExclusivity?: string | null }[],
): PriceProblem[] {
  const out: PriceProblem[] = [];
  if (prices.length && priceMode !== "fixed") out.push({ index: null, field: null, message: "prices.errors.onlyFixed" });
  const seen = new Set<string>();
  prices.forEach((p, index) => {
    if (!modes.includes(p.transactionMode)) {
      out.push({ index, field: "transactionMode", message: "prices.errors.modeNotOffered" });
      return;
    }
    if (p.transactionMode === "license") {
      if (!p.licenseExclusivity) return void out.push({ index, field: "licenseExclusivity", message: "errors.exclusivityRequired" });
      if (!exclusivities.includes(p.licenseExclusivity)) {
        return void out.push({ index, field: "licenseExclusivity", message: "prices.errors.exclusivityNotOffered" });
      }
    }
    const key = priceOptionKey(p);
    if (seen.has(key)) out.push({ index, field: null, message: "prices.errors.duplicate" });
    seen.add(key);
  });
  return out;
}

/** The stored list: licence kinds only on licences, display order. */
export function normalizePrices(
  prices: readonly { transactionMode: TransactionMode; licenseExclusivity?: LicenseExclusivity | null; amount: number }[],
): ListingPrice[] {
  return PRICE_OPTIONS.flatMap((o) => {
    const p = prices.find((x) => sameOption(o, x));
    return p ? [{ ...o, amount: p.amount }] : [];
  });
}
