import type { Types } from "mongoose";
import { Achievement } from "~/models/achievement.server.ts";
import { Deal } from "~/models/deal.server.ts";
import { DealRoom, type RoomOrigin } from "~/models/deal-room.server.ts";
import { Demand } from "~/models/demand.server.ts";
import { Offer } from "~/models/offer.server.ts";
import type { Actor } from "~/services/kernel/actor.ts";
import { oid, parseId } from "~/services/kernel/ids.server.ts";
import { isDuplicateKey } from "~/services/kernel/mongo-errors.ts";
import { relationsOf } from "~/services/listings/access.ts";
import { ForbiddenError, NotFoundError } from "~/utils/errors.ts";
import { isPublic, type ListingStatus } from "~/utils/listing-workflow.ts";
import { can } from "~/utils/permissions.ts";
import { recordEngagement } from "~/services/matching/feedback.server.ts";
import { appendSystem } from "./messages.server.ts";

/** Opening (or finding) the room of a listing and a buyer, from a listing, a match, an offer or a deal. */

export type OpenRoomInput =
  | { from: "listing"; listingId: string }
  | { from: "match"; listingId: string; demandId: string }
  | { from: "offer"; offerId: string }
  | { from: "deal"; dealId: string };

/**
 * Opens (or finds) the room of a listing and a buyer. From a listing or a match the actor is the
 * buyer; from an offer or a deal either party may open it, and the buyer is the offer's or deal's.
 */
export async function openRoom(actor: Actor, input: OpenRoomInput): Promise<string> {
  if (!actor.id) throw new ForbiddenError();
  let listingId: string;
  let buyer: { user: Types.ObjectId; name: string; organization?: Types.ObjectId | null; organizationName?: string | null };
  const link: { origin: RoomOrigin; demand?: Types.ObjectId; offerThread?: Types.ObjectId; deal?: Types.ObjectId } = { origin: input.from };

  if (input.from === "listing" || input.from === "match") {
    if (!can(actor, "offer:make")) throw new ForbiddenError("rooms.errors.buyerRoleRequired");
    listingId = input.listingId;
    buyer = {
      user: oid(actor.id),
      name: actor.name,
      organization: actor.organization ? oid(actor.organization.id) : null,
      organizationName: actor.organization?.name ?? null,
    };
    if (input.from === "match") {
      const demand = await Demand.findById(parseId(input.demandId), { enterprise: 1, createdBy: 1 }).lean();
      if (!demand || !relationsOf(actor, demand).has("owner")) throw new NotFoundError();
      link.demand = demand._id;
    }
  } else if (input.from === "offer") {
    const offer = await Offer.findById(parseId(input.offerId), { listing: 1, thread: 1, buyer: 1, seller: 1 }).lean();
    if (!offer) throw new NotFoundError();
    const isBuyer = String(offer.buyer?.user) === actor.id;
    const isSeller = can(actor, "trading:sell") && !!actor.organization && String(offer.seller?.organization) === actor.organization.id;
    if (!isBuyer && !isSeller) throw new NotFoundError();
    listingId = String(offer.listing);
    buyer = {
      user: offer.buyer!.user!,
      name: offer.buyer!.name!,
      organization: offer.buyer!.organization,
      organizationName: offer.buyer!.organizationName,
    };
    link.offerThread = offer.thread;
  } else {
    const deal = await Deal.findById(parseId(input.dealId)).lean();
    if (!deal) throw new NotFoundError();
    const isBuyer = String(deal.buyer.user) === actor.id;
    const isSeller =
      can(actor, "trading:sell") &&
      ((!!actor.organization && String(deal.seller.organization) === actor.organization.id) || String(deal.seller.user ?? "") === actor.id);
    if (!isBuyer && !isSeller) throw new NotFoundError();
    listingId = String(deal.listing);
    buyer = {
      user: deal.buyer.user!,
      name: deal.buyer.name,
      organization: deal.buyer.organization,
      organizationName: deal.buyer.organizationName,
    };
    link.deal = deal._id;
  }

  const listing = await Achievement.findById(parseId(listingId), { title: 1, owner: 1, ownerName: 1, createdBy: 1, status: 1 }).lean();
  if (!listing) throw new NotFoundError();
  if (!isPublic(listing.status as ListingStatus)) throw new NotFoundError();
  if (String(buyer.user) === actor.id && relationsOf(actor, listing).has("owner")) throw new ForbiddenError("rooms.errors.ownListing");

  // A room opened from a match is a positive signal for that demand–achievement pair (decision 031).
  if (link.origin === "match" && link.demand) {
    await recordEngagement(null, {
      kind: "room",
      achievementId: listing._id,
      demandIds: [link.demand],
      buyer: { userId: String(buyer.user), organizationId: buyer.organization ? String(buyer.organization) : null },
    });
  }
  const filter = { listing: listing._id, "buyer.user": buyer.user };
  const links: Record<string, unknown> = {};
  if (link.demand) links.demand = link.demand;
  if (link.offerThread) links.offerThread = link.offerThread;
  if (link.deal) links.deal = link.deal;
  for (let attempt = 0; ; attempt++) {
    const existing = await DealRoom.findOne(filter, { _id: 1 }).lean();
    if (existing) {
      if (Object.keys(links).length) await DealRoom.updateOne({ _id: existing._id }, { $set: links });
      return String(existing._id);
    }
    try {
      const [room] = await DealRoom.create([
        {
          listing: listing._id,
          listingTitle: listing.title,
          origin: link.origin,
          ...links,
          buyer,
          seller: {
            user: listing.createdBy ?? undefined,
            name: listing.ownerName,
            organization: listing.owner,
            organizationName: listing.ownerName,
          },
        },
      ]);
      await appendSystem(String(room!._id), "rooms.system.opened", { by: actor.name });
      return String(room!._id);
    } catch (e) {
      // Two first clicks at once: the unique index lets one create it; the other finds it.
      if (!isDuplicateKey(e) || attempt > 2) throw e;
    }
  }
}
