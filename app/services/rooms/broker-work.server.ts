import type { Types } from "mongoose";
import { Achievement } from "~/models/achievement.server.ts";
import { BrokerHelpOffer } from "~/models/broker-help-offer.server.ts";
import { Deal } from "~/models/deal.server.ts";
import { DealRoom } from "~/models/deal-room.server.ts";
import { User } from "~/models/user.server.ts";
import type { BrokerPreferences, OfferHelpTarget } from "~/schemas/broker-work.ts";
import { ConflictError, NotFoundError } from "~/utils/errors.ts";
import { assertCan } from "~/utils/permissions.ts";
import type { Actor } from "../kernel/actor.ts";
import { recordAudit } from "../kernel/audit.server.ts";
import { isDuplicateKey } from "../kernel/mongo-errors.ts";
import { oid, parseId } from "../kernel/ids.server.ts";
import { withTransaction } from "../kernel/tx.server.ts";
import { notify } from "../notifications/notify.server.ts";
import { sideOf } from "./membership.server.ts";
import type { RoomRow } from "./views.ts";

/**
 * Work for technology brokers (/work, issue 13, point 12): the negotiations (deal rooms) and open
 * deals that have no broker yet, in the fields and regions a broker follows, and the broker's
 * offer to help. Rooms take brokers by a party's invitation (brokers.server.ts), so an offer tells
 * the parties, who may invite the broker by email. The list shows a stranger to those rooms and
 * deals only what the listing shows in public: its title, field and region, and when it started.
 */

export interface Opportunity {
  target: "room" | "deal";
  id: string;
  listing: { id: string; title: string; field: string; regionName: string };
  /** When the negotiation started, or when the deal was made. */
  since: string;
  /** The broker already offered help here. */
  offered: boolean;
}

/** How many candidates are read and shown (newest first). */
const SCAN_LIMIT = 500;
const SHOW_LIMIT = 50;
/** Listings a negotiation can still lead somewhere on. */
const NEGOTIABLE_STATUSES = ["published", "trading"];

/** A listing's region (6 or 9 digits) lies in one of the prefectures (4 digits); none chosen = anywhere. */
function inRegions(region: string | null | undefined, prefectures: readonly string[]): boolean {
  return prefectures.length === 0 || (!!region && prefectures.some((p) => region.startsWith(p)));
}

type ListingFacts = { _id: Types.ObjectId; title: string; field: string; region: string; regionName?: string | null; status: string };

async function listingsById(ids: Types.ObjectId[]): Promise<Map<string, ListingFacts>> {
  const docs = (await Achievement.find(
    { _id: { $in: ids } },
    { title: 1, field: 1, region: 1, regionName: 1, status: 1 },
  ).lean()) as ListingFacts[];
  return new Map(docs.map((d) => [String(d._id), d]));
}

const matches = (l: ListingFacts | undefined, prefs: BrokerPreferences): l is ListingFacts =>
  !!l && (prefs.fields.length === 0 || prefs.fields.includes(l.field as never)) && inRegions(l.region, prefs.regions);

const listingOf = (l: ListingFacts) => ({ id: String(l._id), title: l.title, field: l.field, regionName: l.regionName ?? l.region });

/** The rooms and deals without a broker that fit the broker's fields and regions. */
export async function brokerOpportunities(actor: Actor, prefs: BrokerPreferences): Promise<{ rooms: Opportunity[]; deals: Opportunity[] }> {
  assertCan(actor, "deal:mediate");
  const [rooms, deals, offers] = await Promise.all([
    DealRoom.find(
      { "brokers.0": { $exists: false }, deal: null, "agreedTerms.acceptedAt": null },
      { listing: 1, buyer: 1, seller: 1, brokers: 1, createdAt: 1, lastMessageAt: 1 },
    )
      .sort({ lastMessageAt: -1, createdAt: -1 })
      .limit(SCAN_LIMIT)
      .lean(),
    Deal.find({ status: "open" }, { listing: 1, buyer: 1, seller: 1, createdAt: 1 }).sort({ createdAt: -1 }).limit(SCAN_LIMIT).lean(),
    BrokerHelpOffer.find({ broker: oid(actor.id!) }, { room: 1, deal: 1 }).lean(),
  ]);
  const offeredRooms = new Set(offers.filter((o) => o.room).map((o) => String(o.room)));
  const offeredDeals = new Set(offers.filter((o) => o.deal).map((o) => String(o.deal)));

  // A deal's negotiation is the room of its listing and buyer; a deal whose room has a broker has one.
  const brokeredRooms = await DealRoom.find(
    { listing: { $in: deals.map((d) => d.listing) }, "brokers.0": { $exists: true } },
    { listing: 1, buyer: 1 },
  ).lean();
  const brokered = new Set(brokeredRooms.map((r) => `${String(r.listing)}:${String(r.buyer?.user)}`));
  const listings = await listingsById([...rooms.map((r) => r.listing), ...deals.map((d) => d.listing)]);

  const roomItems: Opportunity[] = [];
  for (const r of rooms) {
    const l = listings.get(String(r.listing));
    if (!matches(l, prefs) || !NEGOTIABLE_STATUSES.includes(l.status)) continue;
    if (sideOf(actor, r as unknown as RoomRow)) continue; // one's own negotiation
    roomItems.push({
      target: "room",
      id: String(r._id),
      listing: listingOf(l),
      since: (r.createdAt ?? new Date()).toISOString(),
      offered: offeredRooms.has(String(r._id)),
    });
    if (roomItems.length >= SHOW_LIMIT) break;
  }
  const dealItems: Opportunity[] = [];
  for (const d of deals) {
    const l = listings.get(String(d.listing));
    if (!matches(l, prefs) || brokered.has(`${String(d.listing)}:${String(d.buyer?.user)}`)) continue;
    if (String(d.buyer?.user) === actor.id || String(d.seller?.user) === actor.id) continue;
    dealItems.push({
      target: "deal",
      id: String(d._id),
      listing: listingOf(l),
      since: (d.createdAt ?? new Date()).toISOString(),
      offered: offeredDeals.has(String(d._id)),
    });
    if (dealItems.length >= SHOW_LIMIT) break;
  }
  return { rooms: roomItems, deals: dealItems };
}

/**
 * A broker offers to help in a negotiation or a deal that has no broker: recorded once, audited,
 * and both parties are told in-app (with the broker's email, by which a party invites a broker into
 * the room). A room or deal that has a broker meanwhile, or is not there, is "not found".
 */
export async function offerBrokerHelp(actor: Actor, target: OfferHelpTarget, now = new Date()): Promise<void> {
  assertCan(actor, "deal:mediate");
  const me = await User.findById(oid(actor.id!), { email: 1, name: 1 }).lean();
  if (!me) throw new NotFoundError("brokerWork.errors.notFound");
  await withTransaction(async (session) => {
    let listing: { id: Types.ObjectId; title: string };
    let recipients: (Types.ObjectId | null | undefined)[];
    let link: string;
    if (target.target === "room") {
      const room = (await DealRoom.findById(parseId(target.id)).session(session).lean()) as RoomRow | null;
      if (!room || (room.brokers ?? []).length > 0 || room.deal || room.agreedTerms?.acceptedAt) {
        throw new NotFoundError("brokerWork.errors.notFound");
      }
      if (sideOf(actor, room)) throw new ConflictError("brokerWork.errors.alreadyMember");
      listing = { id: room.listing as Types.ObjectId, title: room.listingTitle };
      recipients = [room.buyer?.user as Types.ObjectId, room.seller?.user as Types.ObjectId];
      link = `/rooms/${String(room._id)}`;
    } else {
      const deal = await Deal.findOne({ _id: parseId(target.id), status: "open" })
        .session(session)
        .lean();
      if (!deal) throw new NotFoundError("brokerWork.errors.notFound");
      const room = await DealRoom.findOne({ listing: deal.listing, "buyer.user": deal.buyer?.user }, { brokers: 1 })
        .session(session)
        .lean();
      if ((room?.brokers ?? []).length > 0) throw new NotFoundError("brokerWork.errors.notFound");
      listing = { id: deal.listing, title: deal.listingTitle };
      recipients = [deal.buyer?.user, deal.seller?.user];
      link = room ? `/rooms/${String(room._id)}` : `/deals/${String(deal._id)}`;
    }
    try {
      await BrokerHelpOffer.create([{ broker: oid(actor.id!), brokerName: actor.name, [target.target]: parseId(target.id), at: now }], {
        session,
      });
    } catch (e) {
      if (isDuplicateKey(e)) throw new ConflictError("brokerWork.errors.alreadyOffered");
      throw e;
    }
    await recordAudit(session, {
      subjectType: target.target,
      subject: target.id,
      action: "brokerHelpOffered",
      actor,
      via: "ui",
      at: now,
    });
    const people = [...new Set(recipients.filter((u): u is Types.ObjectId => !!u).map(String))].filter((u) => u !== actor.id);
    await notify(
      session,
      people.map((user) => ({
        user,
        type: "room.brokerOffer" as const,
        subject: { kind: "achievement" as const, id: listing.id, title: listing.title },
        link,
        params: { broker: actor.name, email: me.email },
      })),
      { at: now },
    );
  });
}
