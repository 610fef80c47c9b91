import { Achievement } from "~/models/achievement.server.ts";
import type { BuyNowInput } from "~/schemas/offers.ts";
import { type Actor, type Via } from "~/services/kernel/actor.ts";
import { parseId } from "~/services/kernel/ids.server.ts";
import { withTransaction } from "~/services/kernel/tx.server.ts";
import { relationsOf } from "~/services/listings/access.ts";
import { ConflictError, ForbiddenError, NotFoundError, ValidationError, type FieldErrors } from "~/utils/errors.ts";
import { isPublic, type ListingStatus } from "~/utils/listing-workflow.ts";
import { can } from "~/utils/permissions.ts";
import { TRANSACTION_MODES, type LicenseExclusivity, type PriceMode, type TransactionMode } from "~/utils/taxonomy.ts";
import { openDeal } from "./deals/open.server.ts";
import { assertTrading, LISTING_FIELDS, resolveExclusivity, SOLD_STATUSES } from "./listing.server.ts";

/**
 * 挂牌 buy-now: a fixed-price listing in `trading` is sold to the first buyer who confirms its
 * price. The price is the listing's at that moment; the buyer states the amount they saw, and a
 * price changed meanwhile is refused rather than charged. Two buyers at the same moment: both
 * transactions move the listing trading → deal (openDeal), MongoDB lets one commit, the other
 * retries, finds the listing sold and is told so.
 */

export interface BuyNowQuote {
  listing: {
    id: string;
    title: string;
    status: ListingStatus;
    seller: { name: string; type: string | null };
    price: { mode: PriceMode; amount: number | null; currency: string };
    transactionModes: TransactionMode[];
    licenseExclusivity: LicenseExclusivity[];
  };
  /** Why this person cannot buy it now (an i18n key), or null when they can. */
  problem: string | null;
}

/**
 * What the confirmation page shows: the listing's price, modes and seller, and whether the
 * actor may buy it. A listing the actor may not see is a 404.
 */
export async function buyNowQuote(actor: Actor, listingId: string): Promise<BuyNowQuote> {
  const doc = await Achievement.findById(parseId(listingId), { ...LISTING_FIELDS, ownerType: 1 }).lean();
  if (!doc) throw new NotFoundError();
  const relations = relationsOf(actor, doc);
  const status = doc.status as ListingStatus;
  if (!isPublic(status) && relations.size === 0) throw new NotFoundError();
  let problem: string | null = null;
  if (relations.has("owner")) problem = "trading.ownListing";
  else if (SOLD_STATUSES.includes(status)) problem = "trading.alreadySold";
  else if (status !== "trading") problem = "trading.notTrading";
  else if (doc.price?.mode !== "fixed" || !doc.price?.amount) problem = "trading.notFixedPrice";
  else if (!can(actor, "offer:make")) problem = "trading.buyerRoleRequired";
  return {
    listing: {
      id: String(doc._id),
      title: doc.title,
      status,
      seller: { name: doc.ownerName, type: doc.ownerType ?? null },
      price: {
        mode: (doc.price?.mode ?? "negotiable") as PriceMode,
        amount: doc.price?.amount ?? null,
        currency: doc.price?.currency ?? "CNY",
      },
      transactionModes: (doc.transactionModes ?? []) as TransactionMode[],
      licenseExclusivity: (doc.licenseExclusivity ?? []) as LicenseExclusivity[],
    },
    problem,
  };
}

/**
 * Buys a fixed-price listing at its current price: one transaction that checks everything again,
 * opens the deal and moves the listing to `deal`. Returns the deal's id.
 */
export async function buyNow(actor: Actor, listingId: string, input: BuyNowInput, opts: { via?: Via; now?: Date } = {}): Promise<string> {
  const now = opts.now ?? new Date();
  if (!can(actor, "offer:make")) throw new ForbiddenError("trading.buyerRoleRequired");
  if (!actor.id) throw new ForbiddenError("offers.errors.personRequired");
  const expected = input.expectedAmountFen;
  if (!Number.isSafeInteger(expected) || expected <= 0) throw new ValidationError({ amount: ["offers.errors.amountPositive"] });
  const buyerId = actor.id;
  return withTransaction(async (session) => {
    const listing = await Achievement.findById(parseId(listingId), LISTING_FIELDS).session(session).lean();
    if (!listing) throw new NotFoundError();
    const relations = relationsOf(actor, listing);
    if (!isPublic(listing.status as ListingStatus) && relations.size === 0) throw new NotFoundError();
    if (relations.has("owner")) throw new ForbiddenError("trading.ownListing");
    assertTrading(listing.status);
    if (listing.price?.mode !== "fixed" || !listing.price.amount) throw new ConflictError("trading.notFixedPrice");
    if (listing.price.amount !== expected) throw new ConflictError("trading.priceChanged");
    const errors: FieldErrors = {};
    const mode = input.transactionMode;
    if (!TRANSACTION_MODES.includes(mode)) errors.transactionMode = ["offers.errors.transactionMode"];
    else if (!(listing.transactionModes ?? []).includes(mode)) errors.transactionMode = ["trading.modeNotOffered"];
    const exclusivity = resolveExclusivity(listing as { licenseExclusivity?: string[] }, mode, input.licenseExclusivity);
    if (exclusivity.error) errors.licenseExclusivity = [exclusivity.error];
    if (Object.keys(errors).length) throw new ValidationError(errors);
    return openDeal(session, {
      listingId: String(listing._id),
      buyer: {
        userId: buyerId,
        name: actor.name,
        organization: actor.organization ? { id: actor.organization.id, name: actor.organization.name } : null,
      },
      source: "buy-now",
      terms: { price: listing.price.amount, transactionMode: mode, licenseExclusivity: exclusivity.value },
      actor,
      via: opts.via ?? "ui",
      now,
    });
  });
}
