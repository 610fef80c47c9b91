import { Achievement } from "~/models/achievement.server.ts";
import { CommissionerActivity } from "~/models/commissioner-activity.server.ts";
import { CommissionerAssignment } from "~/models/commissioner-assignment.server.ts";
import { Commissioner } from "~/models/commissioner.server.ts";
import { DealRoom } from "~/models/deal-room.server.ts";
import { Deal } from "~/models/deal.server.ts";
import { Demand } from "~/models/demand.server.ts";
import { Organization } from "~/models/organization.server.ts";
import { Registration } from "~/models/registration.server.ts";
import { User } from "~/models/user.server.ts";
import { startOfChinaDay } from "~/utils/china-time.ts";
import { townsOf, XICHOU } from "~/utils/regions.server.ts";
import type { ScorecardKind } from "~/utils/scorecards.ts";
import type { ObjectId } from "../kernel/ids.server.ts";

/**
 * The yearly figures behind the scorecards (issue 15, point 6), read from the platform's own
 * records with MongoDB aggregations. A year is a China-time calendar year. What counts:
 * - listings: achievements and demands published that year (by owner / enterprise, or by the
 *   listing's own 9-digit region for a town); demands: the demands among them;
 * - matches taken up: deal rooms opened from a match that year, for each party's organisation;
 * - deals: deals made that year and not cancelled or lapsed, for each party's organisation;
 * - registered 技术交易额: registrations registered that year (status registered — a change
 *   keeps it), summed once per party, in 万元 (fen ÷ 1,000,000); by a party's organisation, or
 *   by a party's town;
 * - commissioner activity: the activity log's entries of the year (count, people reached), by
 *   commissioner or by the town where they took place; assignments: that year's;
 * - brokers: deals of the year with them as broker of record, the 技术交易额 registered for those
 *   deals, and deal rooms they were invited into that year.
 */
export interface Subject {
  id: string;
  name: string;
  values: Record<string, number>;
}

function yearRange(year: number) {
  return { $gte: startOfChinaDay(`${year}-01-01`), $lt: startOfChinaDay(`${year + 1}-01-01`) };
}

type Counts = Map<string, number>;
const toMap = (rows: { _id: unknown; n: number }[]): Counts => new Map(rows.filter((r) => r._id != null).map((r) => [String(r._id), r.n]));
const add = (a: Counts, b: Counts): Counts => {
  const out = new Map(a);
  for (const [k, v] of b) out.set(k, (out.get(k) ?? 0) + v);
  return out;
};
const wan = (fen: number) => fen / 1_000_000;

/** Per organisation: achievements published (owner) plus demands published (enterprise). */
async function listingsBy(key: "org" | "region", year: number) {
  const publishedAt = yearRange(year);
  const group = (field: string) => [
    { $match: { publishedAt } },
    { $group: { _id: key === "org" ? `$${field}` : { $substrCP: ["$region", 0, 9] }, n: { $sum: 1 } } },
  ];
  const [a, d] = await Promise.all([Achievement.aggregate(group("owner")), Demand.aggregate(group("enterprise"))]);
  return { listings: add(toMap(a), toMap(d)), demands: toMap(d) };
}

/** Rooms opened from a match, counted once for each distinct party organisation. */
async function matchRoomsByOrg(year: number): Promise<Counts> {
  return toMap(
    await DealRoom.aggregate([
      { $match: { origin: "match", createdAt: yearRange(year) } },
      { $project: { parties: { $setUnion: [["$buyer.organization"], ["$seller.organization"]] } } },
      { $unwind: "$parties" },
      { $match: { parties: { $ne: null } } },
      { $group: { _id: "$parties", n: { $sum: 1 } } },
    ]),
  );
}

/** Deals of the year still standing, counted once for each distinct party organisation. */
async function dealsByOrg(year: number): Promise<Counts> {
  return toMap(
    await Deal.aggregate([
      { $match: { status: "open", createdAt: yearRange(year) } },
      { $project: { parties: { $setUnion: [["$buyer.organization"], ["$seller.organization"]] } } },
      { $unwind: "$parties" },
      { $match: { parties: { $ne: null } } },
      { $group: { _id: "$parties", n: { $sum: 1 } } },
    ]),
  );
}

/** 技术交易额 (fen) registered that year, once for each distinct party organisation or town. */
async function registeredFenBy(key: "organization" | "town", year: number): Promise<Counts> {
  return toMap(
    await Registration.aggregate([
      { $match: { status: "registered", year } },
      { $project: { amount: "$technologyAmount", parties: { $setUnion: [[`$seller.${key}`], [`$buyer.${key}`]] } } },
      { $unwind: "$parties" },
      { $match: { parties: { $ne: null } } },
      { $group: { _id: "$parties", n: { $sum: "$amount" } } },
    ]),
  );
}

/** Organisations' towns (9-digit regions only). */
async function orgTowns(): Promise<Map<string, string>> {
  const orgs = await Organization.find({ region: /^\d{9}$/ })
    .select("region")
    .lean();
  return new Map(orgs.map((o) => [String(o._id), o.region!]));
}

/** Per-organisation counts of things with two parties → per town, each thing once per town. */
async function byPartyTown(model: "room" | "deal", year: number, towns: Map<string, string>): Promise<Counts> {
  const rows =
    model === "room"
      ? await DealRoom.find({ origin: "match", createdAt: yearRange(year) })
          .select("buyer.organization seller.organization")
          .lean()
      : await Deal.find({ status: "open", createdAt: yearRange(year) })
          .select("buyer.organization seller.organization")
          .lean();
  const out: Counts = new Map();
  for (const r of rows) {
    const set = new Set(
      [r.buyer?.organization, r.seller?.organization].map((o) => (o ? towns.get(String(o)) : undefined)).filter(Boolean) as string[],
    );
    for (const t of set) out.set(t, (out.get(t) ?? 0) + 1);
  }
  return out;
}

async function activityBy(key: "commissioner" | "town", year: number) {
  const rows = await CommissionerActivity.aggregate<{ _id: ObjectId | string; n: number; people: number }>([
    { $match: { year } },
    { $group: { _id: `$${key}`, n: { $sum: 1 }, people: { $sum: "$peopleReached" } } },
  ]);
  return {
    count: new Map(rows.map((r) => [String(r._id), r.n])),
    people: new Map(rows.map((r) => [String(r._id), r.people])),
  };
}

async function townSubjects(year: number): Promise<Subject[]> {
  const towns = townsOf(XICHOU);
  const orgTown = await orgTowns();
  const [listings, rooms, deals, registered, activity] = await Promise.all([
    listingsBy("region", year),
    byPartyTown("room", year, orgTown),
    byPartyTown("deal", year, orgTown),
    registeredFenBy("town", year),
    activityBy("town", year),
  ]);
  return towns.map((t) => ({
    id: t.code,
    name: t.name,
    values: {
      registeredTechWan: wan(registered.get(t.code) ?? 0),
      deals: deals.get(t.code) ?? 0,
      matchesTakenUp: rooms.get(t.code) ?? 0,
      listings: listings.listings.get(t.code) ?? 0,
      demands: listings.demands.get(t.code) ?? 0,
      commissionerActivities: activity.count.get(t.code) ?? 0,
      peopleReached: activity.people.get(t.code) ?? 0,
    },
  }));
}

async function enterpriseSubjects(year: number): Promise<Subject[]> {
  const [orgs, listings, rooms, deals, registered] = await Promise.all([
    Organization.find({ type: "enterprise" }).select("name").lean(),
    listingsBy("org", year),
    matchRoomsByOrg(year),
    dealsByOrg(year),
    registeredFenBy("organization", year),
  ]);
  return orgs.map((o) => {
    const id = String(o._id);
    return {
      id,
      name: o.name,
      values: {
        registeredTechWan: wan(registered.get(id) ?? 0),
        deals: deals.get(id) ?? 0,
        matchesTakenUp: rooms.get(id) ?? 0,
        listings: listings.listings.get(id) ?? 0,
        demands: listings.demands.get(id) ?? 0,
      },
    };
  });
}

async function commissionerSubjects(year: number): Promise<Subject[]> {
  const [people, assignments, activity] = await Promise.all([
    Commissioner.find({}).select("name unit").lean(),
    CommissionerAssignment.aggregate<{ _id: ObjectId; n: number }>([
      { $match: { year } },
      { $group: { _id: "$commissioner", n: { $sum: 1 } } },
    ]),
    activityBy("commissioner", year),
  ]);
  const assigned = toMap(assignments);
  return people.map((c) => {
    const id = String(c._id);
    return {
      id,
      name: `${c.name}（${c.unit}）`,
      values: { assignments: assigned.get(id) ?? 0, activities: activity.count.get(id) ?? 0, peopleReached: activity.people.get(id) ?? 0 },
    };
  });
}

async function brokerSubjects(year: number): Promise<Subject[]> {
  const range = yearRange(year);
  const [brokers, deals, registered, rooms] = await Promise.all([
    User.find({ roles: "broker" }).select("name").lean(),
    Deal.aggregate<{ _id: ObjectId; n: number }>([
      { $match: { status: "open", createdAt: range, "broker.user": { $exists: true } } },
      { $group: { _id: "$broker.user", n: { $sum: 1 } } },
    ]),
    Registration.aggregate<{ _id: ObjectId; n: number }>([
      { $match: { status: "registered", year, deal: { $exists: true } } },
      {
        $lookup: { from: Deal.collection.name, localField: "deal", foreignField: "_id", as: "d", pipeline: [{ $project: { broker: 1 } }] },
      },
      { $unwind: "$d" },
      { $match: { "d.broker.user": { $exists: true } } },
      { $group: { _id: "$d.broker.user", n: { $sum: "$technologyAmount" } } },
    ]),
    DealRoom.aggregate<{ _id: ObjectId; n: number }>([
      { $match: { "brokers.0": { $exists: true } } },
      { $unwind: "$brokers" },
      { $match: { $or: [{ "brokers.invitedAt": range }, { "brokers.invitedAt": { $exists: false }, createdAt: range }] } },
      { $group: { _id: "$brokers.user", n: { $sum: 1 } } },
    ]),
  ]);
  const [d, r, j] = [toMap(deals), toMap(registered), toMap(rooms)];
  return brokers.map((b) => {
    const id = String(b._id);
    return {
      id,
      name: b.name,
      values: { dealsBrokered: d.get(id) ?? 0, brokeredTechWan: wan(r.get(id) ?? 0), roomsJoined: j.get(id) ?? 0 },
    };
  });
}

/** Every subject of one scorecard kind with its raw figures for the year. */
export function subjectsOf(kind: ScorecardKind, year: number): Promise<Subject[]> {
  switch (kind) {
    case "town":
      return townSubjects(year);
    case "enterprise":
      return enterpriseSubjects(year);
    case "commissioner":
      return commissionerSubjects(year);
    case "broker":
      return brokerSubjects(year);
  }
}
