import { MeilisearchApiError } from "meilisearch";
import { Achievement } from "~/models/achievement.server.ts";
import { Demand } from "~/models/demand.server.ts";
import { MATCH_LIMIT_DEFAULT, MATCH_LIMIT_MAX } from "~/schemas/matching.ts";
import type { ListingKind } from "~/schemas/listing.ts";
import type { ApiPrincipal } from "../accounts/api-tokens.server.ts";
import { canView, canViewViaApi } from "../listings/access.ts";
import { DomainError, NotFoundError } from "~/utils/errors.ts";
import { CLOSED_DEMAND_STATUSES, isPublic, type ListingStatus } from "~/utils/listing-workflow.ts";
import { logger } from "~/utils/logger.server.ts";
import type { MatchReason } from "~/utils/match-reasons.ts";
import { matchAchievement, matchDemand, MATCH_MIN_SCORE, satisfiesHardConstraints, type Match } from "../../../search/matching/index.ts";
import type { Actor } from "../kernel/actor.ts";
import { oid, parseId } from "../kernel/ids.server.ts";
import { feedbackOfAchievement, feedbackOfDemand, judgeRole } from "./feedback.server.ts";
import { boosted, feedbackReason, type PairSignals } from "./feedback-rules.ts";
import {
  ACHIEVEMENT_PROJECTION,
  DEMAND_PROJECTION,
  matchAchievementOf,
  matchDemandOf,
  type AchievementRow,
  type DemandRow,
} from "./listing-rows.ts";
import { liveVocabulary } from "../../../search/live-vocabulary.ts";
import { keywordVocabulary } from "./vocabulary.server.ts";

/**
 * Matching as the platform offers it: the matches of one demand or achievement for whoever may
 * see that listing (pages, API). The algorithm lives in search/matching/; this file loads the
 * listing, checks visibility and turns Meilisearch failures into one typed error.
 */

/** Meilisearch cannot be reached or failed: 503 on the API, "匹配暂不可用" on the pages. */
export class MatchingUnavailableError extends DomainError {
  override readonly status = 503;
  constructor(message = "matching.errors.unavailable") {
    super(message);
  }
}

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
  /** the pair's latest mark when it is 相关 (decision 031), and who made it (a user id) */
  marked?: "relevant";
  markedBy?: string | null;
}

/** The listings module's visibility rule, for whoever asks: a page's viewer, an API token, or the system. */
function mayView(viewer: MatchViewer | undefined, item: DemandRow | AchievementRow): boolean {
  if (viewer?.type === "system") return true;
  if (viewer?.type === "api") return canViewViaApi(viewer.principal, item);
  return canView(viewer?.actor ?? null, item);
}

/** How long a page or an API call waits for Meilisearch before saying matching is unavailable. */
const MATCH_TIMEOUT_MS = 3_000;

async function guarded<T>(fn: (signal: AbortSignal) => Promise<T>, empty: T): Promise<T> {
  try {
    return await fn(AbortSignal.timeout(MATCH_TIMEOUT_MS));
  } catch (e) {
    // No index yet (nothing was ever published): nothing to match.
    if (e instanceof MeilisearchApiError && e.cause?.code === "index_not_found") return empty;
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
  /** Only pairs at or above this score (default: the display threshold of search/matching/score.ts). */
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

/** A pair marked 不相关 (latest mark), listed apart on the demand's page for those who may undo it. */
export interface HiddenMatch {
  id: string;
  title: string;
  /** who made the mark that hides it (a user id) */
  markedBy: string;
}

/** A demand's matches after feedback: what is shown, best first, and what its judges marked 不相关. */
export interface RankedDemandMatches {
  items: MatchView[];
  hidden: HiddenMatch[];
}

export interface RankOptions {
  limit: number;
  minScore?: number;
  signal?: AbortSignal;
}

/** The matcher's match as the platform shows it, with the pair's feedback applied (boost and reason). */
function judgedView<T extends { id: string; externalId: string | null; title: string }>(
  m: Match<T>,
  s: PairSignals | undefined,
): MatchView {
  const v = view(m);
  if (!s) return v;
  const reason = feedbackReason(s);
  return {
    ...v,
    score: boosted(m.score, s),
    reasons: reason ? [reason, ...v.reasons] : v.reasons,
    ...(s.verdict === "relevant" ? { marked: "relevant" as const, markedBy: s.markedBy } : {}),
  };
}

const byScore = (x: MatchView, y: MatchView) => y.score - x.score;

/**
 * THE ranking of a demand's matches, used by its page, the API and the notification sweep: the
 * matcher's list with what people did applied (decision 031). A pair whose latest mark is 不相关
 * is left out (and listed in `hidden`); pairs with positive signals get a bounded boost and a
 * reason; a pair marked 相关 stays even below the threshold or when the matcher no longer
 * retrieves it (then shown at the threshold plus its boost, if it is still on offer and meets the
 * demand's hard constraints). Without feedback it is exactly the matcher's list. One MongoDB query
 * for the feedback; one more only when judged achievements must be looked up.
 */
export async function rankDemandMatches(d: DemandRow, opts: RankOptions): Promise<RankedDemandMatches> {
  const [words, feedback, { lexicon }] = await Promise.all([keywordVocabulary(), feedbackOfDemand(d._id), liveVocabulary()]);
  const md = matchDemandOf(d);
  if (feedback.size === 0) {
    const matches = await matchDemand(md, { limit: opts.limit, minScore: opts.minScore, vocabulary: words, lexicon, signal: opts.signal });
    return { items: matches.map(view), hidden: [] };
  }
  const min = opts.minScore ?? MATCH_MIN_SCORE;
  // Every scored candidate (scoring them costs nothing more): judged pairs below the threshold
  // stay, and pairs hidden as 不相关 do not shorten the list.
  const all = await matchDemand(md, { limit: Number.POSITIVE_INFINITY, minScore: 0, vocabulary: words, lexicon, signal: opts.signal });
  const items: MatchView[] = [];
  const hidden: HiddenMatch[] = [];
  const seen = new Set<string>();
  for (const m of all) {
    const s = feedback.get(m.item.id);
    seen.add(m.item.id);
    if (s?.verdict === "irrelevant") {
      hidden.push({ id: m.item.id, title: m.item.title, markedBy: s.markedBy! });
      continue;
    }
    const v = judgedView(m, s);
    if (v.score >= min || s?.verdict === "relevant") items.push(v);
  }
  // Judged pairs the matcher did not retrieve this time.
  const missing = [...feedback].filter(([id, s]) => !seen.has(id) && s.verdict !== null).map(([id]) => id);
  if (missing.length) {
    const rows = (await Achievement.find(
      { _id: { $in: missing.map((id) => oid(id)) } },
      ACHIEVEMENT_PROJECTION,
    ).lean()) as AchievementRow[];
    for (const a of rows) {
      const s = feedback.get(String(a._id))!;
      if (s.verdict === "irrelevant") {
        hidden.push({ id: String(a._id), title: a.title, markedBy: s.markedBy! });
        continue;
      }
      const ma = matchAchievementOf(a);
      // Still on offer and within the demand's hard constraints: people's word never overrides those.
      if (!isPublic(a.status as ListingStatus) || !satisfiesHardConstraints(md, ma)) continue;
      const reason = feedbackReason(s);
      items.push({
        id: ma.id,
        externalId: ma.externalId,
        title: ma.title,
        score: boosted(MATCH_MIN_SCORE, s),
        reasons: reason ? [reason] : [],
        marked: "relevant",
        markedBy: s.markedBy,
      });
    }
  }
  return { items: items.sort(byScore).slice(0, opts.limit), hidden };
}

/**
 * THE ranking of an achievement's matching demands (page, API, sweep): the matcher's list without
 * the pairs marked 不相关 (latest mark), with the boost and reason of positive signals.
 */
export async function rankAchievementMatches(a: AchievementRow, opts: RankOptions): Promise<MatchView[]> {
  const [words, feedback, { lexicon }] = await Promise.all([keywordVocabulary(), feedbackOfAchievement(a._id), liveVocabulary()]);
  const hiddenCount = [...feedback.values()].filter((s) => s.verdict === "irrelevant").length;
  const matches = await matchAchievement(matchAchievementOf(a), {
    limit: opts.limit + hiddenCount,
    minScore: opts.minScore,
    vocabulary: words,
    lexicon,
    signal: opts.signal,
  });
  if (feedback.size === 0) return matches.map(view);
  return matches
    .filter((m) => feedback.get(m.item.id)?.verdict !== "irrelevant")
    .map((m) => judgedView(m, feedback.get(m.item.id)))
    .sort(byScore)
    .slice(0, opts.limit);
}

/**
 * The public achievements that can solve this demand, best first. NotFoundError when the viewer
 * may not see the demand (without a viewer: only public demands); MatchingUnavailableError when
 * Meilisearch fails.
 */
export async function findMatchesForDemand(id: string, opts: FindMatchesOptions = {}): Promise<MatchView[]> {
  return (await demandMatches(await loadDemand(id, opts.viewer), opts)).items;
}

async function demandMatches(d: DemandRow, opts: FindMatchesOptions): Promise<RankedDemandMatches> {
  // A solved demand asks for nothing any more.
  if (CLOSED_DEMAND_STATUSES.includes(d.status as ListingStatus)) return { items: [], hidden: [] };
  return guarded((signal) => rankDemandMatches(d, { limit: clampLimit(opts.limit), minScore: opts.minScore, signal }), {
    items: [],
    hidden: [],
  });
}

/** The public demands this achievement could serve, best first (same rules as above). */
export async function findMatchesForAchievement(id: string, opts: FindMatchesOptions = {}): Promise<MatchView[]> {
  const a = await loadAchievement(id, opts.viewer);
  return guarded((signal) => rankAchievementMatches(a, { limit: clampLimit(opts.limit), minScore: opts.minScore, signal }), []);
}

/** A match on a detail page: may the viewer mark it 相关 / 不相关, and is the 相关 mark the viewer's own. */
export interface PageMatch extends Omit<MatchView, "markedBy"> {
  canJudge?: boolean;
  markedByMe?: boolean;
}
/** A pair marked 不相关, for the demand's judges (with an undo when the mark is the viewer's). */
export interface PageHiddenMatch {
  id: string;
  title: string;
  markedByMe: boolean;
}

/** What a detail page shows: the matches, or that matching is unavailable (never a failed page). */
export type PageMatches =
  { status: "ok"; items: PageMatch[]; hidden?: PageHiddenMatch[] } | { status: "unavailable" } | { status: "hidden" };

const pageMatch = (m: MatchView, canJudge: boolean, me: string | null): PageMatch => {
  const { markedBy, ...rest } = m;
  return { ...rest, canJudge, markedByMe: !!me && markedBy === me };
};

/** Which of these demands the actor may judge the matches of (their organisation's; every one for brokers and admins). */
async function judgeableDemands(actor: Actor | null, ids: string[]): Promise<Set<string>> {
  if (!actor?.id || ids.length === 0) return new Set();
  if (judgeRole(actor, {}) !== null) return new Set(ids);
  const rows = await Demand.find({ _id: { $in: ids.map((id) => oid(id)) } }, { enterprise: 1, createdBy: 1 }).lean();
  return new Set(rows.filter((d) => judgeRole(actor, d) !== null).map((d) => String(d._id)));
}

export async function matchesForPage(
  actor: Actor | null,
  kind: ListingKind,
  id: string,
  limit = MATCH_LIMIT_DEFAULT,
): Promise<PageMatches> {
  try {
    const viewer: MatchViewer = { type: "user", actor };
    const me = actor?.id ?? null;
    if (kind === "demand") {
      const d = await loadDemand(id, viewer);
      const ranked = await demandMatches(d, { limit, viewer });
      const judge = judgeRole(actor, d) !== null;
      return {
        status: "ok",
        items: ranked.items.map((m) => pageMatch(m, judge, me)),
        hidden: judge ? ranked.hidden.map((h) => ({ id: h.id, title: h.title, markedByMe: h.markedBy === me })) : [],
      };
    }
    const items = await findMatchesForAchievement(id, { limit, viewer });
    const judgeable = await judgeableDemands(
      actor,
      items.map((m) => m.id),
    );
    return { status: "ok", items: items.map((m) => pageMatch(m, judgeable.has(m.id), me)), hidden: [] };
  } catch (e) {
    if (e instanceof NotFoundError) return { status: "hidden" };
    if (!(e instanceof MatchingUnavailableError)) logger.error({ err: e }, "matching for a detail page failed");
    return { status: "unavailable" };
  }
}
