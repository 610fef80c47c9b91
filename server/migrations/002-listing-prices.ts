import type { Db, ObjectId } from "mongodb";
import type { Migration } from "./runner.ts";

/**
 * Issue 13, point 5 (decision 009, amended): a fixed-price achievement lists a price per
 * transaction mode and licence kind (`prices`), and a non-exclusive licence deal leaves the listing
 * trading. Before, a listing had one `price.amount` for every mode, and every deal ended trading.
 *
 * - achievements: a fixed-price listing without `prices` gets its one amount for every option it
 *   offers (each mode; a licence once per offered kind, non-exclusive when none is named) — what
 *   the one price meant, and what the app reads for such a listing anyway.
 * - deals: every deal without `endsTrading` ended its listing's trading: `endsTrading: true`.
 * - the unnamed unique index `listing_1` (one open deal per listing, whatever its kind) is dropped;
 *   the named `one_open_sale_per_listing` (open deals that end trading) replaces it.
 *
 * Works on the raw collections with conditional updates, so it is idempotent.
 */
const MODES = ["transfer", "license", "equity", "cooperation"] as const;
const KINDS = ["exclusive", "sole", "non-exclusive"] as const;

interface OldAchievement {
  _id: ObjectId;
  transactionModes?: string[];
  licenseExclusivity?: string[];
  price?: { mode?: string; amount?: number };
}

/** The price list an old fixed-price achievement meant: its one amount for each option it offers. */
type PriceEntry = { transactionMode: string; licenseExclusivity?: string; amount: number };
export function pricesOf(a: OldAchievement): PriceEntry[] {
  const amount = a.price?.amount;
  if (a.price?.mode !== "fixed" || !amount) return [];
  const modes = a.transactionModes ?? [];
  const kinds = a.licenseExclusivity?.length ? a.licenseExclusivity : ["non-exclusive"];
  return MODES.filter((m) => modes.includes(m)).flatMap((m): PriceEntry[] =>
    m === "license"
      ? KINDS.filter((k) => kinds.includes(k)).map((k) => ({ transactionMode: m, licenseExclusivity: k, amount }))
      : [{ transactionMode: m, amount }],
  );
}

export const listingPrices: Migration = {
  id: "002-listing-prices",
  description: "achievements: one fixed price → a price per mode and licence kind; deals: endsTrading",
  async up(db: Db) {
    const achievements = db.collection<OldAchievement>("achievements");
    const old = achievements.find({ "price.mode": "fixed", "price.amount": { $gt: 0 }, prices: { $exists: false } });
    for await (const a of old) {
      await achievements.updateOne({ _id: a._id, prices: { $exists: false } }, { $set: { prices: pricesOf(a) } });
    }
    const deals = db.collection("deals");
    await deals.updateMany({ endsTrading: { $exists: false } }, { $set: { endsTrading: true } });
    const indexes = await deals.indexes().catch(() => []);
    if (indexes.some((i) => i.name === "listing_1")) await deals.dropIndex("listing_1");
  },
};
