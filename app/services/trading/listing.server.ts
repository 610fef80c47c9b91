import { type ClientSession, type Types } from "mongoose";
import { Achievement } from "~/models/achievement.server.ts";
import { ConflictError, NotFoundError } from "~/utils/errors.ts";
import type { ListingStatus } from "~/utils/listing-workflow.ts";
import { LICENSE_EXCLUSIVITY, type LicenseExclusivity, type TransactionMode } from "~/utils/taxonomy.ts";
import { parseId } from "../kernel/ids.server.ts";

/**
 * The listing as every way of trading sees it (buy-now, offers, the trading panel): the fields it
 * reads, whether it is on offer or sold, and which licence exclusivity a buyer gets.
 */

/** Listing statuses after a sale: trading on such a listing is told "already sold". */
export const SOLD_STATUSES: readonly ListingStatus[] = ["deal", "contracted", "registered"];

export interface TradingListing {
  _id: Types.ObjectId;
  title: string;
  owner: Types.ObjectId;
  ownerName: string;
  createdBy?: Types.ObjectId | null;
  status: string;
  price?: { mode?: string | null; amount?: number | null; currency?: string | null } | null;
  transactionModes?: string[] | null;
  licenseExclusivity?: string[] | null;
  prices?: { transactionMode: string; licenseExclusivity?: string | null; amount: number }[] | null;
  nonExclusiveLicences?: number | null;
}

export const LISTING_FIELDS = {
  title: 1,
  owner: 1,
  ownerName: 1,
  createdBy: 1,
  status: 1,
  price: 1,
  prices: 1,
  nonExclusiveLicences: 1,
  transactionModes: 1,
  licenseExclusivity: 1,
  noticeEndsAt: 1,
  openObjections: 1,
};

/** The listing's trading fields (404 when there is none). */
export async function loadTradingListing(id: string | Types.ObjectId, session: ClientSession | null = null): Promise<TradingListing> {
  const listing = await Achievement.findById(parseId(id), LISTING_FIELDS).session(session).lean();
  if (!listing) throw new NotFoundError();
  return listing as unknown as TradingListing;
}

/** `trading` or a clear conflict: sold already, or not (yet / any more) on offer. */
export function assertTrading(status: string): void {
  if (status === "trading") return;
  if (SOLD_STATUSES.includes(status as ListingStatus)) throw new ConflictError("trading.alreadySold");
  throw new ConflictError("trading.notTrading");
}

/** The exclusivity a licence gets: the one asked for (if the listing offers it), or its only one. */
export function resolveExclusivity(
  listing: Pick<TradingListing, "licenseExclusivity">,
  mode: TransactionMode,
  asked: LicenseExclusivity | null | undefined,
): { value: LicenseExclusivity | null; error?: string } {
  if (mode !== "license") return { value: null };
  const offered = (listing.licenseExclusivity?.length ? listing.licenseExclusivity : ["non-exclusive"]) as LicenseExclusivity[];
  if (asked) {
    if (!LICENSE_EXCLUSIVITY.includes(asked)) return { value: null, error: "offers.errors.licenseExclusivity" };
    if (!offered.includes(asked)) return { value: null, error: "trading.exclusivityNotOffered" };
    return { value: asked };
  }
  if (offered.length === 1) return { value: offered[0]! };
  return { value: null, error: "trading.exclusivityRequired" };
}
