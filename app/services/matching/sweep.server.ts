import type mongoose from "mongoose";
import { type Types } from "mongoose";
import { Achievement, type AchievementDoc } from "~/models/achievement.server.ts";
import { Demand } from "~/models/demand.server.ts";
import { MatchRecord, MatchState } from "~/models/match-record.server.ts";
import type { NotificationType } from "~/models/notification.server.ts";
import { SearchOutbox } from "~/models/search-outbox.server.ts";
import { User } from "~/models/user.server.ts";
import type { ListingKind } from "~/schemas/listing.ts";
import { CLOSED_DEMAND_STATUSES, PUBLIC_STATUSES, type ListingStatus } from "~/utils/listing-workflow.ts";
import { SOLD_STATUSES } from "../../../search/matching/index.ts";
import type { Job } from "../kernel/jobs.ts";
import { isDuplicateKey } from "../kernel/mongo-errors.ts";
import { oid } from "../kernel/ids.server.ts";
import { withTransaction } from "../kernel/tx.server.ts";
import { notify, type NotifyInput } from "../notifications/notify.server.ts";
import { ACHIEVEMENT_PROJECTION, DEMAND_PROJECTION, type AchievementRow, type DemandRow } from "./listing-rows.ts";
import { rankAchievementMatches, rankDemandMatches } from "./matches.server.ts";

/**
 * The sweep that tells both owners about new good matches, and its policy. Matching keeps its own
 * bookkeeping (MatchRecord: pairs announced; MatchState: listing versions matched) and writes the
 * notifications through the notifications module, in the same transaction as the pair's record.
 */

/** Pairs at or above this score are worth telling both owners about (shown from MATCH_MIN_SCORE). */
export const NOTIFY_MIN_SCORE = 0.45;
/** Per listing, only its best matches are announced (a popular item must not flood anyone). */
export const NOTIFY_TOP = 10;
/** Listings changed this long before the sweep's position are looked at again (late commits). */
export const SWEEP_LAG_MS = 5 * 60_000;
/** Listings matched per run, at most. */
const SWEEP_MAX_LISTINGS = 200;
const SWEEP_PAGE = 200;

export interface MatchSweepResult {
  /** listings whose matches were computed */
  listings: number;
  /** new pairs announced */
  pairs: number;
  notifications: number;
  /** listings left for a later run (their search-index entry is not up to date yet) */
  deferred: number;
}

/** Every minute: new matches above the threshold notify both owners (each pair once, ever). */
export const matchNotifyJob: Job = {
  name: "matching.notify",
  everyMs: 60_000,
  run: async (now) => {
    const r = await runMatchNotifications({ now, maxListings: SWEEP_MAX_LISTINGS });
    return r.pairs ? r : null;
  },
};

/** Demands still asking: public and not solved (a solved demand leaves matching). */
const OPEN_DEMAND_STATUSES: readonly ListingStatus[] = PUBLIC_STATUSES.filter((s) => !CLOSED_DEMAND_STATUSES.includes(s));

interface Owner {
  org: string | null;
  createdBy: string | null;
}

/**
 * Finds public listings whose matches have not been computed since their last change, computes
 * them, and for every pair at or above NOTIFY_MIN_SCORE that was never announced creates one
 * notification for each user of the demand's organisation and of the achievement's owner
 * organisation. Each pair is announced once ever (unique index), also with several instances
 * running the sweep at the same time. At most `maxListings` listings per call; call it
 * periodically. Throws when Meilisearch is unavailable (what was done so far is kept).
 */
export async function runMatchNotifications(
  opts: { now?: Date; maxListings?: number; threshold?: number } = {},
): Promise<MatchSweepResult> {
  const result: MatchSweepResult = { listings: 0, pairs: 0, notifications: 0, deferred: 0 };
  const budget = { left: opts.maxListings ?? SWEEP_MAX_LISTINGS };
  const threshold = opts.threshold ?? NOTIFY_MIN_SCORE;
  const now = opts.now ?? new Date();
  const recipients = new Map<string, string[]>();
  for (const kind of ["demand", "achievement"] as const) {
    await sweepKind(kind, { now, threshold, budget, result, recipients });
    if (budget.left <= 0) break;
  }
  return result;
}
async function sweepKind(
  kind: ListingKind,
  ctx: { now: Date; threshold: number; budget: { left: number }; result: MatchSweepResult; recipients: Map<string, string[]> },
) {
  const Model = (kind === "demand" ? Demand : Achievement) as unknown as mongoose.Model<DemandRow | AchievementRow>;
  const position = await MatchState.findOne({ kind, listing: null }).lean();
  const from = position ? new Date(position.listingUpdatedAt.getTime() - SWEEP_LAG_MS) : new Date(0);
  let advance: Date | null = null;
  let contiguous = true;
  let after: { updatedAt: Date; id: Types.ObjectId } | null = null;
  try {
    for (;;) {
      const filter: Record<string, unknown> = {
        status: { $in: kind === "demand" ? OPEN_DEMAND_STATUSES : PUBLIC_STATUSES },
        updatedAt: { $gte: from },
      };
      if (after) {
        filter.$or = [{ updatedAt: { $gt: after.updatedAt } }, { updatedAt: after.updatedAt, _id: { $gt: after.id } }];
      }
      const page = (await Model.find(filter, kind === "demand" ? DEMAND_PROJECTION : ACHIEVEMENT_PROJECTION)
        .sort({ updatedAt: 1, _id: 1 })
        .limit(SWEEP_PAGE)
        .lean()) as unknown as (DemandRow | AchievementRow)[];
      if (page.length === 0) return;
      const ids = page.map((p) => p._id);
      const [states, pending] = await Promise.all([
        MatchState.find({ kind, listing: { $in: ids } }, { listing: 1, listingUpdatedAt: 1 }).lean(),
        SearchOutbox.distinct("listingId", { listingId: { $in: ids } }),
      ]);
      const doneAt = new Map(states.map((s) => [String(s.listing), s.listingUpdatedAt.getTime()]));
      const waiting = new Set(pending.map(String));
      for (const item of page) {
        after = { updatedAt: item.updatedAt, id: item._id };
        const done = (doneAt.get(String(item._id)) ?? -1) >= item.updatedAt.getTime();
        if (!done) {
          if (ctx.budget.left <= 0) return;
          if (waiting.has(String(item._id))) {
            // Its index entry is behind: its counterparts would not find it yet. Next time.
            ctx.result.deferred++;
            contiguous = false;
            continue;
          }
          ctx.budget.left--;
          await matchAndNotify(kind, item, ctx);
          await MatchState.updateOne(
            { kind, listing: item._id },
            { $set: { listingUpdatedAt: item.updatedAt, matchedAt: ctx.now } },
            { upsert: true },
          );
          ctx.result.listings++;
        }
        if (contiguous) advance = item.updatedAt;
      }
    }
  } finally {
    if (advance) {
      await MatchState.updateOne(
        { kind, listing: null },
        { $max: { listingUpdatedAt: advance }, $set: { matchedAt: ctx.now } },
        { upsert: true },
      );
    }
  }
}

async function matchAndNotify(
  kind: ListingKind,
  item: DemandRow | AchievementRow,
  ctx: { now: Date; threshold: number; result: MatchSweepResult; recipients: Map<string, string[]> },
) {
  // The same ranking as the pages and the API (matches.server.ts): a pair marked 不相关 is never announced.
  const opts = { limit: NOTIFY_TOP, minScore: ctx.threshold };
  const matches =
    kind === "demand"
      ? (await rankDemandMatches(item as DemandRow, opts)).items
      : await rankAchievementMatches(item as AchievementRow, opts);
  if (matches.length === 0) return;
  // The counterparts as MongoDB has them now (the index may lag): still public, and their owners.
  const ids = matches.map((m) => oid(m.id));
  const Other = (kind === "demand" ? Achievement : Demand) as unknown as mongoose.Model<AchievementDoc>;
  const others = (await Other.find(
    // A sold achievement is no longer on offer (search/matching's SOLD_STATUSES).
    // A solved demand asks for nothing any more (OPEN_DEMAND_STATUSES).
    {
      _id: { $in: ids },
      status: { $in: kind === "demand" ? PUBLIC_STATUSES.filter((s) => !SOLD_STATUSES.includes(s)) : OPEN_DEMAND_STATUSES },
    },
    { title: 1, owner: 1, enterprise: 1, createdBy: 1 },
  ).lean()) as unknown as {
    _id: Types.ObjectId;
    title: string;
    owner?: Types.ObjectId;
    enterprise?: Types.ObjectId;
    createdBy?: Types.ObjectId;
  }[];
  const byId = new Map(others.map((o) => [String(o._id), o]));
  const pairFilter = kind === "demand" ? { demand: item._id, achievement: { $in: ids } } : { achievement: item._id, demand: { $in: ids } };
  const known = new Set(
    (await MatchRecord.find(pairFilter, { demand: 1, achievement: 1 }).lean()).map((r) =>
      String(kind === "demand" ? r.achievement : r.demand),
    ),
  );
  const self = {
    id: item._id,
    title: item.title,
    owner: {
      org: String((item as DemandRow).enterprise ?? (item as AchievementRow).owner ?? "") || null,
      createdBy: item.createdBy ? String(item.createdBy) : null,
    },
  };
  for (const m of matches) {
    const other = byId.get(m.id);
    if (!other || known.has(m.id)) continue;
    const otherSide = {
      id: other._id,
      title: other.title,
      owner: { org: String(other.enterprise ?? other.owner ?? "") || null, createdBy: other.createdBy ? String(other.createdBy) : null },
    };
    // An organisation that both offers and asks is not told about itself.
    if (self.owner.org && self.owner.org === otherSide.owner.org) continue;
    const [demand, achievement] = kind === "demand" ? [self, otherSide] : [otherSide, self];
    const created = await announcePair(demand, achievement, m.score, ctx);
    if (created >= 0) {
      ctx.result.pairs++;
      ctx.result.notifications += created;
    }
  }
}

interface Side {
  id: Types.ObjectId;
  title: string;
  owner: Owner;
}

async function usersOf(owner: Owner, cache: Map<string, string[]>): Promise<string[]> {
  const key = `${owner.org ?? ""}|${owner.createdBy ?? ""}`;
  const cached = cache.get(key);
  if (cached) return cached;
  const or: Record<string, unknown>[] = [];
  if (owner.org) or.push({ organization: oid(owner.org) });
  if (owner.createdBy) or.push({ _id: oid(owner.createdBy) });
  const users = or.length ? await User.find({ $or: or, disabled: { $ne: true } }, { _id: 1 }).lean() : [];
  const ids = [...new Set(users.map((u) => String(u._id)))];
  cache.set(key, ids);
  return ids;
}

/** Records the pair and writes the notifications in one transaction; -1 when it was already announced. */
async function announcePair(
  demand: Side,
  achievement: Side,
  score: number,
  ctx: { now: Date; recipients: Map<string, string[]> },
): Promise<number> {
  const [demandUsers, achievementUsers] = await Promise.all([
    usersOf(demand.owner, ctx.recipients),
    usersOf(achievement.owner, ctx.recipients),
  ]);
  const ref = (kind: ListingKind, s: Side) => ({ kind, id: s.id, title: s.title });
  const notification = (user: string, type: NotificationType, subject: ReturnType<typeof ref>, counterpart: ReturnType<typeof ref>) =>
    ({ user, type, subject, counterpart, score }) satisfies NotifyInput;
  const items = [
    ...demandUsers.map((u) => notification(u, "match.demand", ref("demand", demand), ref("achievement", achievement))),
    ...achievementUsers.map((u) => notification(u, "match.achievement", ref("achievement", achievement), ref("demand", demand))),
  ];
  try {
    await withTransaction(async (session) => {
      await MatchRecord.create([{ demand: demand.id, achievement: achievement.id, score, notifiedAt: ctx.now }], { session });
      await notify(session, items, { at: ctx.now });
    });
    return items.length;
  } catch (e) {
    if (isDuplicateKey(e)) return -1; // another instance announced it first
    throw e;
  }
}
