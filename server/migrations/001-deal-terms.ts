import type { Db, ObjectId } from "mongodb";
import type { Migration } from "./runner.ts";

/**
 * Decision 009: a deal carries its full agreed terms in `terms` and where they were agreed in
 * `termsSource`. Before, a deal had `price { amount, currency }`, `terms { transactionMode,
 * licenseExclusivity }` and — for terms accepted on a room's offer card — `agreedTerms { card,
 * room, terms, acceptedAt }`. A deal with `termsSource` is converted already and left alone.
 */
interface OldDeal {
  _id: ObjectId;
  source?: string;
  offer?: ObjectId;
  auction?: ObjectId;
  price?: { amount?: number; currency?: string };
  terms?: { transactionMode?: string; licenseExclusivity?: string | null; price?: number };
  agreedTerms?: {
    card?: ObjectId;
    room?: ObjectId;
    terms?: Record<string, unknown> & { price: number; transactionMode: string; licenseExclusivity?: string | null };
    acceptedAt?: Date;
  };
  createdAt?: Date;
}

/** The new `terms` and `termsSource` of an old-shape deal. */
export function convertDeal(d: OldDeal): { terms: Record<string, unknown>; termsSource: Record<string, unknown> } {
  const agreed = d.agreedTerms?.terms ? d.agreedTerms : null;
  let terms: Record<string, unknown>;
  if (agreed) {
    const t = agreed.terms!;
    terms = {
      price: t.price,
      currency: (t.currency as string | undefined) ?? "CNY",
      transactionMode: t.transactionMode,
      ...(t.transactionMode === "license" && t.licenseExclusivity ? { licenseExclusivity: t.licenseExclusivity } : {}),
      ...(t.territory != null ? { territory: t.territory } : {}),
      ...(t.termMonths != null ? { termMonths: t.termMonths } : {}),
      ...(t.royaltyPercent != null ? { royaltyPercent: t.royaltyPercent } : {}),
      milestones: Array.isArray(t.milestones) ? t.milestones : [],
    };
  } else {
    const mode = d.terms?.transactionMode ?? "transfer";
    terms = {
      price: d.price?.amount ?? d.terms?.price ?? 0,
      currency: d.price?.currency ?? "CNY",
      transactionMode: mode,
      ...(mode === "license" ? { licenseExclusivity: d.terms?.licenseExclusivity ?? "non-exclusive" } : {}),
      milestones: [],
    };
  }
  const termsSource: Record<string, unknown> = agreed
    ? {
        kind: "negotiation",
        ...(agreed.card ? { card: agreed.card } : {}),
        ...(agreed.room ? { room: agreed.room } : {}),
        acceptedAt: agreed.acceptedAt ?? d.createdAt ?? new Date(0),
      }
    : {
        kind: d.source ?? "buy-now",
        ...(d.offer ? { offer: d.offer } : {}),
        ...(d.auction ? { auction: d.auction } : {}),
        acceptedAt: d.createdAt ?? new Date(0),
      };
  return { terms, termsSource };
}

export const dealTerms: Migration = {
  id: "001-deal-terms",
  description: "deals: price + terms + agreedTerms → full terms + termsSource",
  async up(db: Db) {
    const deals = db.collection<OldDeal>("deals");
    const old = deals.find({ termsSource: { $exists: false } });
    for await (const d of old) {
      const { terms, termsSource } = convertDeal(d);
      // Conditional: a deal converted meanwhile (another instance) is left as it is.
      await deals.updateOne(
        { _id: d._id, termsSource: { $exists: false } },
        { $set: { terms, termsSource }, $unset: { price: "", agreedTerms: "" } },
      );
    }
  },
};
