import { Auction, AuctionRegistration } from "~/models/auction.server.ts";
import { Deal } from "~/models/deal.server.ts";
import { Offer } from "~/models/offer.server.ts";
import type { ObjectId } from "../kernel/ids.server.ts";
import type { ClientSession } from "../kernel/tx.server.ts";

/**
 * A merge of duplicate organisations: offers, deals, auctions and auction registrations of `from`
 * now belong to `to`. The names they carry stay as they were at the time (a record of what was
 * agreed); only the reference moves, so the surviving organisation's members act for them.
 */
export async function moveTradingToOrganization(session: ClientSession, from: ObjectId, to: ObjectId) {
  // One after another: operations of one transaction never run concurrently.
  const opts = { session, timestamps: false } as const;
  let offers = 0;
  let deals = 0;
  let auctions = 0;
  offers += (await Offer.updateMany({ "seller.organization": from }, { $set: { "seller.organization": to } }, opts)).modifiedCount;
  offers += (await Offer.updateMany({ "buyer.organization": from }, { $set: { "buyer.organization": to } }, opts)).modifiedCount;
  deals += (await Deal.updateMany({ "seller.organization": from }, { $set: { "seller.organization": to } }, opts)).modifiedCount;
  deals += (await Deal.updateMany({ "buyer.organization": from }, { $set: { "buyer.organization": to } }, opts)).modifiedCount;
  auctions += (await Auction.updateMany({ sellerOrganization: from }, { $set: { sellerOrganization: to } }, opts)).modifiedCount;
  auctions += (await AuctionRegistration.updateMany({ organization: from }, { $set: { organization: to } }, opts)).modifiedCount;
  return { offers, deals, auctions };
}
