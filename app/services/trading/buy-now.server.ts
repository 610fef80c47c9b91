import type { ClientSession, Types } from "mongoose";
import { Achievement } from "~/models/achievement.server.ts";
import { Deal } from "~/models/deal.server.ts";
import { listingPrices, priceOf, priceOptionKey, type ListingPrice } from "~/schemas/listing-prices.ts";
import type { BuyNowInput } from "~/schemas/offers.ts";
import { type Actor } from "~/services/kernel/actor.ts";
import { oid, parseId } from "~/services/kernel/ids.server.ts";
import { relationsOf } from "~/services/listings/access.ts";
import { ConflictError, ForbiddenError, NotFoundError, ValidationError, type FieldErrors } from "~/utils/errors.ts";
import { isPublic, type ListingStatus } from "~/utils/listing-workflow.ts";
import { can } from "~/utils/permissions.ts";
import { TRANSACTION_MODES, type LicenseExclusivity, type PriceMode, type TransactionMode } from "~/utils/taxonomy.ts";
import { excludedByLicensees, isNonExclusiveLicence } from "./deals/rules.ts";
import { assertTrading, LISTING_FIELDS, resolveExclusivity, SOLD_STATUSES } from "./listing.server.ts";

/**
 * 挂牌 buy-now: a fixed-price listing in `trading` is sold at its price — through a buy request
 * (./buy-requests/, decision 023) that opens the deal once the buyer's deposit is captured or the
 * seller side confirms, so one click alone never takes a listing off the market. The buyer chooses an option (a mode and, for a licence, its exclusivity) among those the
 * listing prices (分项挂牌价, ~/schemas/listing-prices.ts); the price is that option's at that
 * moment; the buyer states the amount they saw, and a price changed meanwhile is refused rather
 * than charged. Two deals at the same moment: both transactions move the listing trading → deal
 * (openDeal), MongoDB lets one commit, the other retries, finds the listing sold and is told so.
 * A non-exclusive licence (普通许可) leaves the listing trading: other buyers can take one too,
 * each buyer once (issue 13, point 5).
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
    /** Non-exclusive licences granted so far. */
    nonExclusiveLicences: number;
  };
  /** The options the buyer may buy at their listed price (fen), in display order. */
  options: (ListingPrice & { key: string; unavailable: string | null })[];
  /** Why this person cannot buy it now (an i18n key), or null when they can. */
  problem: string | null;
}

/** Why this option cannot be bought by this buyer now (an i18n key), or null. */
function optionProblem(option: ListingPrice, licensees: number, holdsLicence: boolean): string | null {
  if (excludedByLicensees(option, licensees)) return "trading.licenseesExist";
  if (holdsLicence && isNonExclusiveLicence(option)) return "trading.licenceHeld";
  return null;
}

/** Whether the buyer already holds an open non-exclusive licence of this listing. */
async function holdsLicence(listingId: Types.ObjectId, userId: string | null | undefined, session: ClientSession | null = null) {
  if (!userId) return false;
  return !!(await Deal.exists({ listing: listingId, "buyer.user": oid(userId), status: "open", endsTrading: false }).session(session));
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
  const prices = listingPrices(doc);
  const licensees = doc.nonExclusiveLicences ?? 0;
  const held = await holdsLicence(doc._id, actor.id);
  const options = prices.map((p) => ({ ...p, key: priceOptionKey(p), unavailable: optionProblem(p, licensees, held) }));
  if (!problem) {
    if (doc.price?.mode !== "fixed" || prices.length === 0) problem = "trading.notFixedPrice";
    else if (!can(actor, "offer:make")) problem = "trading.buyerRoleRequired";
    else if (options.every((o) => o.unavailable)) problem = options[0]!.unavailable;
  }
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
      nonExclusiveLicences: licensees,
    },
    options,
    problem,
  };
}

/** What a buy-now request checked: the listing as it is now and the option at its listed price. */
export interface CheckedBuyNow {
  listing: { _id: Types.ObjectId; title: string; owner: Types.ObjectId; ownerName: string; createdBy?: Types.ObjectId | null };
  terms: { price: number; transactionMode: TransactionMode; licenseExclusivity: LicenseExclusivity | null };
}

/**
 * Checks, in the caller's transaction, that `actor` may buy `listingId` now at the price they
 * confirm (`expectedAmountFen`): the listing is public and trading, not their own, fixed-price,
 * the option offered and priced at that amount, and not excluded by licences granted. Writes
 * nothing; a buy request (./buy-requests/) is stored on this, and the deal opens later — when the
 * buyer's deposit is captured or the seller side confirms (decision 023).
 */
export async function checkBuyNow(session: ClientSession, actor: Actor, listingId: string, input: BuyNowInput): Promise<CheckedBuyNow> {
  if (!can(actor, "offer:make")) throw new ForbiddenError("trading.buyerRoleRequired");
  if (!actor.id) throw new ForbiddenError("offers.errors.personRequired");
  const expected = input.expectedAmountFen;
  if (!Number.isSafeInteger(expected) || expected <= 0) throw new ValidationError({ amount: ["offers.errors.amountPositive"] });
  const buyerId = actor.id;
  const listing = await Achievement.findById(parseId(listingId), LISTING_FIELDS).session(session).lean();
  if (!listing) throw new NotFoundError();
  const relations = relationsOf(actor, listing);
  if (!isPublic(listing.status as ListingStatus) && relations.size === 0) throw new NotFoundError();
  if (relations.has("owner")) throw new ForbiddenError("trading.ownListing");
  assertTrading(listing.status);
  if (listing.price?.mode !== "fixed" || listingPrices(listing).length === 0) throw new ConflictError("trading.notFixedPrice");
  const errors: FieldErrors = {};
  const mode = input.transactionMode;
  if (!TRANSACTION_MODES.includes(mode)) errors.transactionMode = ["offers.errors.transactionMode"];
  else if (!(listing.transactionModes ?? []).includes(mode)) errors.transactionMode = ["trading.modeNotOffered"];
  const exclusivity = resolveExclusivity(listing as { licenseExclusivity?: string[] }, mode, input.licenseExclusivity);
  if (exclusivity.error) errors.licenseExclusivity = [exclusivity.error];
  if (Object.keys(errors).length) throw new ValidationError(errors);
  // The chosen option's listed price: an option without one is 面议 (negotiated, not bought).
  const option = { transactionMode: mode, licenseExclusivity: exclusivity.value };
  const price = priceOf(listing, option);
  if (price === null)
    throw new ValidationError({ [mode === "license" ? "licenseExclusivity" : "transactionMode"]: ["trading.optionNotPriced"] });
  if (price !== expected) throw new ConflictError("trading.priceChanged");
  const problem = optionProblem(
    { ...option, amount: price },
    listing.nonExclusiveLicences ?? 0,
    await holdsLicence(listing._id, buyerId, session),
  );
  if (problem) throw new ConflictError(problem);
  return {
    listing: { _id: listing._id, title: listing.title, owner: listing.owner, ownerName: listing.ownerName, createdBy: listing.createdBy },
    terms: { price, transactionMode: mode, licenseExclusivity: exclusivity.value },
  };
}
