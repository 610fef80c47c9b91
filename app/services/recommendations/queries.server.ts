import type { Types } from "mongoose";
import { Achievement } from "~/models/achievement.server.ts";
import { Demand } from "~/models/demand.server.ts";
import { Recommendation, type RecommenderSide } from "~/models/recommendation.server.ts";
import { ForbiddenError, NotFoundError } from "~/utils/errors.ts";
import { CLOSED_DEMAND_STATUSES, type ListingStatus } from "~/utils/listing-workflow.ts";
import { can, hasRole } from "~/utils/permissions.ts";
import type { Field } from "~/utils/taxonomy.ts";
import type { Actor } from "../kernel/actor.ts";
import { oid, parseId } from "../kernel/ids.server.ts";
import { canView, relationsOf } from "../listings/access.ts";
import { isMember } from "../rooms/membership.server.ts";
import { roomsOfDemand } from "../rooms/recommended.server.ts";
import { mayRecommend, RECOMMENDABLE_STATUSES } from "./commands.server.ts";

/** What the demand page shows of recommendations: to its owner (and reviewers) all of them, to a recommender theirs and the form. */

export interface RecommendationView {
  id: string;
  achievement: { id: string; title: string; status: ListingStatus | null };
  by: { name: string; organizationName: string | null; side: RecommenderSide };
  note: string | null;
  createdAt: string;
  /** The deal room, when the reader is one of its members. */
  roomId: string | null;
}

type RecRow = {
  _id: Types.ObjectId;
  achievement: Types.ObjectId;
  achievementTitle: string;
  recommendedBy: { user: Types.ObjectId; name: string; organizationName?: string | null; side: string };
  note?: string | null;
  room: Types.ObjectId;
  createdAt: Date;
};

async function views(actor: Actor | null, rows: RecRow[]): Promise<RecommendationView[]> {
  const statuses = new Map(
    (await Achievement.find({ _id: { $in: rows.map((r) => r.achievement) } }, { status: 1 }).lean()).map((a) => [
      String(a._id),
      a.status as ListingStatus,
    ]),
  );
  return Promise.all(
    rows.map(async (r) => ({
      id: String(r._id),
      achievement: { id: String(r.achievement), title: r.achievementTitle, status: statuses.get(String(r.achievement)) ?? null },
      by: {
        name: r.recommendedBy.name,
        organizationName: r.recommendedBy.organizationName ?? null,
        side: r.recommendedBy.side as RecommenderSide,
      },
      note: r.note ?? null,
      createdAt: r.createdAt.toISOString(),
      roomId: (await isMember(actor, String(r.room))) ? String(r.room) : null,
    })),
  );
}

type DemandRow = { _id: Types.ObjectId; status: string; field: Field; enterprise: Types.ObjectId; createdBy?: Types.ObjectId | null };

async function loadDemand(actor: Actor | null, demandId: string): Promise<DemandRow | null> {
  const d = (await Demand.findById(parseId(demandId), { status: 1, field: 1, enterprise: 1, createdBy: 1 }).lean()) as DemandRow | null;
  return d && canView(actor, d) ? d : null;
}

/**
 * Every recommendation of a demand, newest first, for its owner's organisation, reviewers (brokers,
 * admins) and the bureau; null for anyone else (they see only their own, in `recommendPanel`).
 */
export async function recommendationsOf(actor: Actor | null, demandId: string): Promise<RecommendationView[] | null> {
  try {
    return await listRecommendations(actor, demandId);
  } catch (e) {
    if (e instanceof NotFoundError || e instanceof ForbiddenError) return null;
    throw e;
  }
}

/** The same list for the API: 404 for a demand the reader may not see, 403 for one that is not theirs to follow. */
export async function listRecommendations(actor: Actor | null, demandId: string): Promise<RecommendationView[]> {
  const demand = await loadDemand(actor, demandId);
  if (!demand) throw new NotFoundError();
  if (relationsOf(actor, demand).size === 0) throw new ForbiddenError("recommendations.errors.listOwnerOnly");
  const rows = (await Recommendation.find({ demand: demand._id }).sort({ createdAt: -1, _id: -1 }).limit(200).lean()) as RecRow[];
  return views(actor, rows);
}

export interface RecommendPanel {
  /** The form is offered (with at least one achievement to choose). */
  open: boolean;
  /** Why not, when the reader could recommend in general but not here (solved, no achievement left …). */
  reason: string | null;
  options: { id: string; title: string; status: ListingStatus }[];
  /** What the reader (or, for a seller, their organisation) already recommended to this demand. */
  mine: RecommendationView[];
}

const BROKER_OPTIONS = 50;

/** The 推荐我的成果 form's data for a seller or broker on a demand page; null when the reader may not recommend here at all. */
export async function recommendPanel(actor: Actor | null, demandId: string): Promise<RecommendPanel | null> {
  if (!actor || !mayRecommend(actor)) return null;
  const demand = await loadDemand(actor, demandId);
  if (!demand || relationsOf(actor, demand).has("owner")) return null;
  // One's own, and (for a seller) those of one's organisation's achievements: a colleague's recommendation leads to the same room.
  const ours: Record<string, unknown>[] = [{ "recommendedBy.user": oid(actor.id!) }];
  if (can(actor, "trading:sell") && actor.organization) ours.push({ achievementOwner: oid(actor.organization.id) });
  const mineRows = (await Recommendation.find({ demand: demand._id, $or: ours }).sort({ createdAt: -1 }).lean()) as RecRow[];
  const mine = await views(actor, mineRows);
  if (CLOSED_DEMAND_STATUSES.includes(demand.status as ListingStatus)) {
    return { open: false, reason: "recommendations.errors.demandSolved", options: [], mine };
  }
  if (demand.status !== "published") return { open: false, reason: "recommendations.errors.demandNotOpen", options: [], mine };
  const taken = (await Recommendation.find({ demand: demand._id }, { achievement: 1 }).lean()).map((r) => r.achievement);
  const base = { status: { $in: RECOMMENDABLE_STATUSES }, _id: { $nin: taken }, owner: { $ne: demand.enterprise } };
  const own: Record<string, unknown>[] = [];
  if (can(actor, "trading:sell")) {
    if (actor.organization) own.push({ owner: oid(actor.organization.id) });
    own.push({ createdBy: oid(actor.id!) });
  }
  const projection = { title: 1, status: 1 };
  const [mineOnOffer, brokerOptions] = await Promise.all([
    own.length
      ? Achievement.find({ ...base, $or: own }, projection)
          .sort({ publishedAt: -1 })
          .limit(100)
          .lean()
      : [],
    // A broker may recommend any achievement on offer; the choice lists the demand's own field first.
    hasRole(actor, "broker")
      ? Promise.all([
          Achievement.find({ ...base, field: demand.field }, projection)
            .sort({ publishedAt: -1, _id: -1 })
            .limit(BROKER_OPTIONS)
            .lean(),
          Achievement.find({ ...base, field: { $ne: demand.field } }, projection)
            .sort({ publishedAt: -1, _id: -1 })
            .limit(BROKER_OPTIONS)
            .lean(),
        ]).then(([same, other]) => [...same, ...other])
      : [],
  ]);
  const seen = new Set<string>();
  const options = [...mineOnOffer, ...brokerOptions]
    .filter((a) => !seen.has(String(a._id)) && seen.add(String(a._id)))
    .map((a) => ({ id: String(a._id), title: a.title, status: a.status as ListingStatus }));
  return { open: options.length > 0, reason: options.length ? null : "recommendations.noOptions", options, mine };
}

/** What the demand's owner may name as the solution: the recommended achievements and those of their rooms about it. */
export async function solutionOptions(actor: Actor | null, demandId: string): Promise<{ id: string; title: string }[]> {
  const demand = await loadDemand(actor, demandId);
  if (!demand || !actor?.id || !relationsOf(actor, demand).has("owner")) return [];
  const [recs, rooms] = await Promise.all([
    Recommendation.find({ demand: demand._id }, { achievement: 1, achievementTitle: 1 }).sort({ createdAt: -1 }).lean(),
    roomsOfDemand(actor.id, demand._id),
  ]);
  const out = new Map<string, string>();
  for (const r of recs) out.set(String(r.achievement), r.achievementTitle);
  for (const r of rooms) if (!out.has(r.listing)) out.set(r.listing, r.listingTitle);
  return [...out].map(([id, title]) => ({ id, title }));
}
