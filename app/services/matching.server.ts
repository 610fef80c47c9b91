import { MeilisearchApiError } from "meilisearch";
import mongoose, { type Types } from "mongoose";
import { z } from "zod";
import { Achievement, type AchievementDoc } from "~/models/achievement.server.ts";
import { Demand, type DemandDoc } from "~/models/demand.server.ts";
import { MatchRecord, MatchState } from "~/models/match-record.server.ts";
import { Notification, type NotificationType } from "~/models/notification.server.ts";
import { SearchOutbox } from "~/models/search-outbox.server.ts";
import { User } from "~/models/user.server.ts";
import { reasonText } from "~/components/matching/reason-text.ts";
import type { ListingKind } from "~/schemas/listing.ts";
import type { ApiPrincipal } from "~/services/api-tokens.server.ts";
import { seesAll } from "~/services/export.server.ts";
import { relationsOf } from "~/services/listings.server.ts";
import { DomainError, NotFoundError } from "~/utils/errors.ts";
import { createI18n } from "~/utils/i18n.ts";
import { isPublic, PUBLIC_STATUSES, type ListingStatus } from "~/utils/listing-workflow.ts";
import { logger } from "~/utils/logger.server.ts";
import {
  matchAchievement,
  matchDemand,
  NOTIFY_MIN_SCORE,
  type Match,
  type MatchAchievement,
  type MatchDemand,
  type MatchReason,
} from "../../search/matching.ts";
import { fenToYuanOrNull } from "~/utils/money.ts";
import { withTransaction } from "~/services/kernel/tx.server.ts";
import { type Actor } from "~/services/kernel/actor.ts";
import { oid, parseId } from "./kernel/ids.server.ts";

/**
 * Matching as the platform offers it: the matches of one demand or achievement for whoever may
 * see that listing (pages, API), and the sweep that tells both owners about new good matches.
 * The algorithm lives in search/matching.ts; this file loads listings, checks visibility,
 * turns Meilisearch failures into one typed error, and keeps the notification bookkeeping.
 */

/** Meilisearch cannot be reached or failed: 503 on the API, "匹配暂不可用" on the pages. */
export class MatchingUnavailableError extends DomainError {
  override readonly status = 503;
  constructor(message = "matching.errors.unavailable") {
    super(message);
  }
}

export const MATCH_LIMIT_DEFAULT = 10;
export const MATCH_LIMIT_MAX = 50;

/** `?limit=` of the match endpoints. */
export const MatchQuerySchema = z.object({
  limit: z.coerce
    .number({ invalid_type_error: "matching.errors.limit" })
    .int("matching.errors.limit")
    .min(1, "matching.errors.limit")
    .max(MATCH_LIMIT_MAX, "matching.errors.limit")
    .default(MATCH_LIMIT_DEFAULT),
});

/**
 * Who asks, for the visibility of the listing whose matches are wanted (the matches themselves
 * are always public listings: the index holds nothing else).
 * - `user`: the site's rule (getListing): public items for everyone, others for the owner's
 *   organisation, reviewers and the bureau.
 * - `api`: the open API's rule (getApiItem): public items, every item for admin and broker
 *   tokens, and the owner's items for a personal token.
 * - `system`: the notification sweep.
 */
export type MatchViewer =
  { type: "user"; actor: Actor | null } | { type: "api"; principal: Pick<ApiPrincipal, "roles" | "actor"> } | { type: "system" };

export interface MatchView {
  id: string;
  externalId: string | null;
  title: string;
  /** 0–1, three decimals */
  score: number;
  reasons: MatchReason[];
}

/** The API's form: reasons as Chinese sentences. */
export interface ApiMatch {
  id: string;
  externalId: string | null;
  title: string;
  score: number;
  reasons: string[];
}

let zhT: ReturnType<typeof createI18n>["t"] | undefined;
export function reasonsInChinese(reasons: MatchReason[]): string[] {
  if (!zhT) {
    const i18n = createI18n("zh-CN");
    zhT = i18n.t.bind(i18n);
  }
  return reasons.map((r) => reasonText(r, zhT!));
}

export function toApiMatch(m: MatchView): ApiMatch {
  return { id: m.id, externalId: m.externalId, title: m.title, score: m.score, reasons: reasonsInChinese(m.reasons) };
}

// ---------------------------------------------------------------------------------------------
// Listings as the matcher sees them (money in yuan, like the index)

type DemandRow = Pick<
  DemandDoc,
  | "title"
  | "description"
  | "keywords"
  | "field"
  | "transactionModes"
  | "minTrl"
  | "budget"
  | "status"
  | "externalId"
  | "enterprise"
  | "createdBy"
> & {
  _id: Types.ObjectId;
  updatedAt: Date;
};
type AchievementRow = Pick<
  AchievementDoc,
  | "title"
  | "summary"
  | "description"
  | "keywords"
  | "field"
  | "trl"
  | "transactionModes"
  | "price"
  | "status"
  | "externalId"
  | "owner"
  | "createdBy"
> & { _id: Types.ObjectId; updatedAt: Date };

const DEMAND_PROJECTION = {
  title: 1,
  description: 1,
  keywords: 1,
  field: 1,
  transactionModes: 1,
  minTrl: 1,
  budget: 1,
  status: 1,
  externalId: 1,
  enterprise: 1,
  createdBy: 1,
  updatedAt: 1,
};
const ACHIEVEMENT_PROJECTION = {
  title: 1,
  summary: 1,
  description: 1,
  keywords: 1,
  field: 1,
  trl: 1,
  transactionModes: 1,
  price: 1,
  status: 1,
  externalId: 1,
  owner: 1,
  createdBy: 1,
  updatedAt: 1,
};

function matchDemandOf(d: DemandRow): MatchDemand {
  return {
    id: String(d._id),
    externalId: d.externalId ?? null,
    title: d.title,
    description: d.description.slice(0, 3000),
    keywords: d.keywords ?? [],
    field: d.field,
    transactionModes: d.transactionModes ?? [],
    minTrl: d.minTrl ?? null,
    budgetMax: fenToYuanOrNull(d.budget?.max),
  };
}

function matchAchievementOf(a: AchievementRow): MatchAchievement {
  return {
    id: String(a._id),
    externalId: a.externalId ?? null,
    title: a.title,
    summary: a.summary ?? "",
    description: a.description.slice(0, 3000),
    keywords: a.keywords ?? [],
    field: a.field,
    trl: a.trl,
    transactionModes: a.transactionModes ?? [],
    priceMode: a.price?.mode ?? "negotiable",
    price: fenToYuanOrNull(a.price?.amount),
  };
}

function mayView(viewer: MatchViewer | undefined, item: DemandRow | AchievementRow): boolean {
  if (isPublic(item.status as ListingStatus)) return true;
  if (!viewer) return false;
  if (viewer.type === "system") return true;
  if (viewer.type === "user") return relationsOf(viewer.actor, item).size > 0;
  const reader = viewer.principal;
  return seesAll(reader) || (!!reader.actor.id && relationsOf(reader.actor, item).has("owner"));
}

// ---------------------------------------------------------------------------------------------
// The platform's keyword vocabulary: words people here actually use, to find terms in free text

const VOCABULARY_TTL_MS = 10 * 60_000;
const VOCABULARY_MAX = 200_000;
let vocabulary: { words: Set<string>; at: number; dbName: string } | undefined;
let vocabularyLoading: Promise<Set<string>> | undefined;

async function loadVocabulary(): Promise<Set<string>> {
  const filter = { status: { $in: PUBLIC_STATUSES } };
  const [a, d] = await Promise.all([Achievement.distinct("keywords", filter), Demand.distinct("keywords", filter)]);
  const words = new Set<string>();
  for (const k of [...a, ...d] as string[]) {
    const w = String(k).normalize("NFKC").toLowerCase().trim();
    if (w.length >= 2 && w.length <= 10) words.add(w);
    if (words.size >= VOCABULARY_MAX) break;
  }
  return words;
}

/** Cached; refreshed in the background once stale (the first call waits for it). */
export async function keywordVocabulary(): Promise<Set<string>> {
  const dbName = mongoose.connection.name;
  const fresh = vocabulary && vocabulary.dbName === dbName;
  if (fresh && Date.now() - vocabulary!.at < VOCABULARY_TTL_MS) return vocabulary!.words;
  vocabularyLoading ??= loadVocabulary()
    .then((words) => {
      vocabulary = { words, at: Date.now(), dbName };
      return words;
    })
    .finally(() => {
      vocabularyLoading = undefined;
    });
  if (fresh) {
    vocabularyLoading.catch(() => {});
    return vocabulary!.words;
  }
  return vocabularyLoading;
}

/** Forget the cached vocabulary (tests, the bench after an import). */
export function resetMatchingVocabulary(): void {
  vocabulary = undefined;
}

// ---------------------------------------------------------------------------------------------
// Matches of one listing

/** How long a page or an API call waits for Meilisearch before saying matching is unavailable. */
const MATCH_TIMEOUT_MS = 3_000;

async function guarded<T>(fn: (signal: AbortSignal) => Promise<T[]>): Promise<T[]> {
  try {
    return await fn(AbortSignal.timeout(MATCH_TIMEOUT_MS));
  } catch (e) {
    // No index yet (nothing was ever published): nothing to match.
    if (e instanceof MeilisearchApiError && e.cause?.code === "index_not_found") return [];
    logger.warn({ err: (e as Error).message }, "matching: Meilisearch failed");
    throw new MatchingUnavailableError();
  }
}

function view<T extends { id: string; externalId: string | null; title: string }>(m: Match<T>): MatchView {
  return { id: m.item.id, externalId: m.item.externalId, title: m.item.title, score: m.score, reasons: m.reasons };
}

export interface FindMatchesOptions {
  limit?: number;
  viewer?: MatchViewer;
  /** Only pairs at or above this score (default: the display threshold of search/matching.ts). */
  minScore?: number;
}

async function loadDemand(id: string, viewer: MatchViewer | undefined): Promise<DemandRow> {
  const d = (await Demand.findById(parseId(id), DEMAND_PROJECTION).lean()) as DemandRow | null;
  if (!d || !mayView(viewer, d)) throw new NotFoundError();
  return d;
}

async function loadAchievement(id: string, viewer: MatchViewer | undefined): Promise<AchievementRow> {
  const a = (await Achievement.findById(parseId(id), ACHIEVEMENT_PROJECTION).lean()) as AchievementRow | null;
  if (!a || !mayView(viewer, a)) throw new NotFoundError();
  return a;
}

const clampLimit = (limit: number | undefined) => Math.min(Math.max(Math.trunc(limit ?? MATCH_LIMIT_DEFAULT), 1), MATCH_LIMIT_MAX);

/**
 * The public achievements that can solve this demand, best first. NotFoundError when the viewer
 * may not see the demand (without a viewer: only public demands); MatchingUnavailableError when
 * Meilisearch fails.
 */
export async function findMatchesForDemand(id: string, opts: FindMatchesOptions = {}): Promise<MatchView[]> {
  const d = await loadDemand(id, opts.viewer);
  const words = await keywordVocabulary();
  const matches = await guarded((signal) =>
    matchDemand(matchDemandOf(d), { limit: clampLimit(opts.limit), minScore: opts.minScore, vocabulary: words, signal }),
  );
  return matches.map(view);
}

/** The public demands this achievement could serve, best first (same rules as above). */
export async function findMatchesForAchievement(id: string, opts: FindMatchesOptions = {}): Promise<MatchView[]> {
  const a = await loadAchievement(id, opts.viewer);
  const words = await keywordVocabulary();
  const matches = await guarded((signal) =>
    matchAchievement(matchAchievementOf(a), { limit: clampLimit(opts.limit), minScore: opts.minScore, vocabulary: words, signal }),
  );
  return matches.map(view);
}

/** What a detail page shows: the matches, or that matching is unavailable (never a failed page). */
export type PageMatches = { status: "ok"; items: MatchView[] } | { status: "unavailable" } | { status: "hidden" };

export async function matchesForPage(
  actor: Actor | null,
  kind: ListingKind,
  id: string,
  limit = MATCH_LIMIT_DEFAULT,
): Promise<PageMatches> {
  try {
    const viewer: MatchViewer = { type: "user", actor };
    const items =
      kind === "demand" ? await findMatchesForDemand(id, { limit, viewer }) : await findMatchesForAchievement(id, { limit, viewer });
    return { status: "ok", items };
  } catch (e) {
    if (e instanceof NotFoundError) return { status: "hidden" };
    if (!(e instanceof MatchingUnavailableError)) logger.error({ err: e }, "matching for a detail page failed");
    return { status: "unavailable" };
  }
}

// ---------------------------------------------------------------------------------------------
// Notifications of new matches

/** Listings changed this long before the sweep's position are looked at again (late commits). */
const SWEEP_LAG_MS = 5 * 60_000;
const SWEEP_PAGE = 200;
/** Per listing, only its best matches are announced (a popular item must not flood anyone). */
const NOTIFY_TOP = 10;

export interface MatchSweepResult {
  /** listings whose matches were computed */
  listings: number;
  /** new pairs announced */
  pairs: number;
  notifications: number;
  /** listings left for a later run (their search-index entry is not up to date yet) */
  deferred: number;
}

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
  const budget = { left: opts.maxListings ?? 200 };
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
      const filter: Record<string, unknown> = { status: { $in: PUBLIC_STATUSES }, updatedAt: { $gte: from } };
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
  const words = await keywordVocabulary();
  const matches =
    kind === "demand"
      ? await matchDemand(matchDemandOf(item as DemandRow), { limit: NOTIFY_TOP, minScore: ctx.threshold, vocabulary: words })
      : await matchAchievement(matchAchievementOf(item as AchievementRow), {
          limit: NOTIFY_TOP,
          minScore: ctx.threshold,
          vocabulary: words,
        });
  if (matches.length === 0) return;
  // The counterparts as MongoDB has them now (the index may lag): still public, and their owners.
  const ids = matches.map((m) => oid(m.item.id));
  const Other = (kind === "demand" ? Achievement : Demand) as unknown as mongoose.Model<AchievementDoc>;
  const others = (await Other.find(
    { _id: { $in: ids }, status: { $in: PUBLIC_STATUSES } },
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
    const other = byId.get(m.item.id);
    if (!other || known.has(m.item.id)) continue;
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
  const notification = (user: string, type: NotificationType, subject: ReturnType<typeof ref>, counterpart: ReturnType<typeof ref>) => ({
    user: oid(user),
    type,
    subject,
    counterpart,
    score,
    readAt: null,
    createdAt: ctx.now,
  });
  const docs = [
    ...demandUsers.map((u) => notification(u, "match.demand", ref("demand", demand), ref("achievement", achievement))),
    ...achievementUsers.map((u) => notification(u, "match.achievement", ref("achievement", achievement), ref("demand", demand))),
  ];
  try {
    await withTransaction(async (session) => {
      await MatchRecord.create([{ demand: demand.id, achievement: achievement.id, score, notifiedAt: ctx.now }], { session });
      if (docs.length) await Notification.insertMany(docs, { session });
    });
    return docs.length;
  } catch (e) {
    if ((e as { code?: number }).code === 11000) return -1; // another instance announced it first
    throw e;
  }
}

// ---------------------------------------------------------------------------------------------
// A user's notifications

export interface NotificationView {
  id: string;
  type: NotificationType;
  subject: { kind: ListingKind; id: string; title: string };
  counterpart: { kind: ListingKind; id: string; title: string } | null;
  link: string | null;
  params: Record<string, string>;
  score: number | null;
  read: boolean;
  createdAt: string;
}

export const NOTIFICATIONS_PAGE_SIZE = 30;

/** Newest first, a page at a time, with the number of unread ones. */
export async function listNotifications(userId: string, opts: { page?: number } = {}) {
  const user = parseId(userId);
  const [total, unread] = await Promise.all([Notification.countDocuments({ user }), unreadCount(userId)]);
  const pages = Math.max(1, Math.ceil(total / NOTIFICATIONS_PAGE_SIZE));
  const page = Math.min(Math.max(Math.trunc(opts.page ?? 1), 1), pages);
  const docs = await Notification.find({ user })
    .sort({ createdAt: -1, _id: -1 })
    .skip((page - 1) * NOTIFICATIONS_PAGE_SIZE)
    .limit(NOTIFICATIONS_PAGE_SIZE)
    .lean();
  const items: NotificationView[] = docs.map((n) => ({
    id: String(n._id),
    type: n.type as NotificationType,
    subject: { kind: n.subject.kind as ListingKind, id: String(n.subject.id), title: n.subject.title },
    counterpart: n.counterpart
      ? { kind: n.counterpart.kind as ListingKind, id: String(n.counterpart.id), title: n.counterpart.title }
      : null,
    link: n.link ?? null,
    params: (n.params ?? {}) as Record<string, string>,
    score: n.score ?? null,
    read: !!n.readAt,
    createdAt: (n.createdAt as Date).toISOString(),
  }));
  return { items, total, unread, page, pages };
}

/** For the header badge. */
export async function unreadCount(userId: string): Promise<number> {
  if (!/^[a-f0-9]{24}$/i.test(userId)) return 0;
  return Notification.countDocuments({ user: oid(userId), readAt: null });
}

export async function markAllNotificationsRead(userId: string, now = new Date()): Promise<number> {
  const res = await Notification.updateMany({ user: parseId(userId), readAt: null }, { $set: { readAt: now } });
  return res.modifiedCount;
}

/** Only the user's own notification; someone else's id is a NotFoundError. */
export async function markNotificationRead(userId: string, notificationId: string, now = new Date()): Promise<void> {
  const res = await Notification.updateOne({ _id: parseId(notificationId), user: parseId(userId) }, [
    { $set: { readAt: { $ifNull: ["$readAt", now] } } },
  ]);
  if (res.matchedCount === 0) throw new NotFoundError();
}
