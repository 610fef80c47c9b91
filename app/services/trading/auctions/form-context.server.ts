import { Achievement } from "~/models/achievement.server.ts";
import { Auction } from "~/models/auction.server.ts";
import { relationsOf } from "~/services/listings/access.ts";
import { NotFoundError } from "~/utils/errors.ts";
import { can, hasRole } from "~/utils/permissions.ts";
import type { LicenseExclusivity, TransactionMode } from "~/utils/taxonomy.ts";
import type { Actor } from "../../kernel/actor.ts";
import { parseId } from "../../kernel/ids.server.ts";

/** What the "start an auction" form needs: the listing's modes and price, and whether the actor may start one now (and if not, why). */

export interface AuctionFormContext {
  listing: {
    id: string;
    title: string;
    transactionModes: TransactionMode[];
    licenseExclusivity: LicenseExclusivity[];
    priceAmount: number | null;
  };
  /** null when the actor may start an auction now; else why not (an i18n key). */
  refusal: string | null;
  runningAuctionId: string | null;
}

export async function auctionFormContext(actor: Actor, listingId: string): Promise<AuctionFormContext> {
  const listing = await Achievement.findById(parseId(listingId)).lean();
  if (!listing) throw new NotFoundError();
  const rel = relationsOf(actor, listing);
  const running = await Auction.findOne({ listing: listing._id, status: { $in: ["open", "closing"] } }, { _id: 1 }).lean();
  let refusal: string | null = null;
  if (!can(actor, "auction:run") || (!rel.has("owner") && !hasRole(actor, "broker"))) refusal = "auction.errors.notSeller";
  else if (listing.status !== "trading") refusal = "auction.errors.listingNotTrading";
  else if (listing.price?.mode !== "auction") refusal = "auction.errors.notAuctionPriced";
  else if (running) refusal = "auction.errors.alreadyRunning";
  // Someone with no business with a non-public listing learns nothing about it.
  if (refusal === "auction.errors.notSeller" && !["published", "trading", "deal", "contracted", "registered"].includes(listing.status))
    throw new NotFoundError();
  return {
    listing: {
      id: String(listing._id),
      title: listing.title,
      transactionModes: (listing.transactionModes ?? []) as TransactionMode[],
      licenseExclusivity: (listing.licenseExclusivity ?? []) as LicenseExclusivity[],
      priceAmount: listing.price?.amount ?? null,
    },
    refusal,
    runningAuctionId: running ? String(running._id) : null,
  };
}
