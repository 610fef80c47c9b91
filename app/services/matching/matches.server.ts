import { MeilisearchApiError } from "meilisearch";
import { Achievement } from "~/models/achievement.server.ts";
import { Demand } from "~/models/demand.server.ts";
import { MATCH_LIMIT_DEFAULT, MATCH_LIMIT_MAX } from "~/schemas/matching.ts";
import type { ListingKind } from "~/schemas/listing.ts";
import type { ApiPrincipal } from "../accounts/api-tokens.server.ts";
import { canView, canViewViaApi } from "../listings/access.ts";
import { DomainError, NotFoundError } from "~/utils/errors.ts";
import { CLOSED_DEMAND_STATUSES, type ListingStatus } from "~/utils/listing-workflow.ts";
import { logger } from "~/utils/logger.server.ts";
import type { MatchReason } from "~/utils/match-reasons.ts";
import { matchAchievement, matchDemand, type Match } from "../../../search/matching/index.ts";
import type { Actor } from "../kernel/actor.ts";
import { parseId } from "../kernel/ids.server.ts";
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
}

/** The listings module's visibility rule, for whoever asks: a page's viewer, an API token, or the system. */
function mayView(viewer: MatchViewer | undefined, item: DemandRow | AchievementRow): boolean {
  if (viewer?.type === "system") return true;
  if (viewer?.type === "api") return canViewViaApi(viewer.principal, item);
  return canView(viewer?.actor ?? null, item);
}

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

/**
 * The public achievements that can solve this demand, best first. NotFoundError when the viewer
 * may not see the demand (without a viewer: only public demands); MatchingUnavailableError when
 * Meilisearch fails.
 */
export async function findMatchesForDemand(id: string, opts: FindMatchesOptions = {}): Promise<MatchView[]> {
  const d = await loadDemand(id, opts.viewer);
  // A solved demand asks for nothing any more.
  if (CLOSED_DEMAND_STATUSES.includes(d.status as ListingStatus)) return [];
  const [words, { lexicon }] = await Promise.all([keywordVocabulary(), liveVocabulary()]);
  const matches = await guarded((signal) =>
    matchDemand(matchDemandOf(d), { limit: clampLimit(opts.limit), minScore: opts.minScore, vocabulary: words, lexicon, signal }),
  );
  return matches.map(view);
}

/** The public demands this achievement could serve, best first (same rules as above). */
export async function findMatchesForAchievement(id: string, opts: FindMatchesOptions = {}): Promise<MatchView[]> {
  const a = await loadAchievement(id, opts.viewer);
  const [words, { lexicon }] = await Promise.all([keywordVocabulary(), liveVocabulary()]);
  const matches = await guarded((signal) =>
    matchAchievement(matchAchievementOf(a), {
      limit: clampLimit(opts.limit),
      minScore: opts.minScore,
      vocabulary: words,
      lexicon,
      signal,
    }),
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
