import type { ClientSession, Types } from "mongoose";
import { Achievement } from "~/models/achievement.server.ts";
import { DealRoom } from "~/models/deal-room.server.ts";
import { Demand } from "~/models/demand.server.ts";
import { MatchFeedback } from "~/models/match-feedback.server.ts";
import { MatchRecord } from "~/models/match-record.server.ts";
import { MatchFeedbackBodySchema, type MatchFeedbackBody, type MatchFeedbackVerdict } from "~/schemas/match-feedback.ts";
import { flattenZodErrors } from "~/schemas/listing.ts";
import { ForbiddenError, NotFoundError, ValidationError } from "~/utils/errors.ts";
import { logger } from "~/utils/logger.server.ts";
import { hasRole } from "~/utils/permissions.ts";
import type { Actor, Via } from "../kernel/actor.ts";
import { oid, parseId } from "../kernel/ids.server.ts";
import { isTransientTransactionError } from "../kernel/mongo-errors.ts";
import { canView, relationsOf, type OwnedItem } from "../listings/access.ts";
import { signalsByCounterpart, type EngagementKind, type FeedbackRow, type PairSignals } from "./feedback-rules.ts";

/**
 * What people do with matches (issue 16 point 5, decision 031): the 相关 / 不相关 marks of a
 * demand's owner organisation and of brokers (admins too), and the engagements — a room opened
 * from a match, an offer, a deal — recorded by the rooms and trading modules through
 * `recordEngagement`. Matching reads them back (`feedbackOfDemand`, `feedbackOfAchievement`) to
 * re-rank in matches.server.ts. This module owns the MatchFeedback collection.
 */

/** In what capacity someone may judge a demand's matches; null: not at all. */
export function judgeRole(actor: Actor | null, demand: OwnedItem): "owner" | "broker" | "admin" | null {
  if (!actor?.id) return null;
  if (relationsOf(actor, demand).has("owner")) return "owner";
  if (hasRole(actor, "broker")) return "broker";
  if (hasRole(actor, "admin")) return "admin";
  return null;
}

export interface MarkResult {
  demandId: string;
  achievementId: string;
  /** the actor's mark now (null: withdrawn) */
  verdict: MatchFeedbackVerdict | null;
}

/**
 * Marks a pair 相关 / 不相关 for the actor, or withdraws the actor's mark (`verdict: null`). Only
 * members of the demand's owner organisation (or its author), brokers and admins may: anyone else
 * who can see the demand gets 403, anyone who cannot (or for an unknown demand or achievement) 404.
 */
export async function markMatch(
  actor: Actor,
  demandId: string,
  achievementId: string,
  input: MatchFeedbackBody,
  opts: { via?: Via; now?: Date } = {},
): Promise<MarkResult> {
  const parsed = MatchFeedbackBodySchema.safeParse(input ?? {});
  if (!parsed.success) throw new ValidationError(flattenZodErrors(parsed.error));
  const { verdict } = parsed.data;
  const demand = await Demand.findById(parseId(demandId), { enterprise: 1, createdBy: 1, status: 1 }).lean();
  if (!demand) throw new NotFoundError();
  const role = judgeRole(actor, demand);
  if (!role) {
    if (canView(actor, demand)) throw new ForbiddenError("matchFeedback.errors.notAJudge");
    throw new NotFoundError();
  }
  const achievement = await Achievement.exists({ _id: parseId(achievementId) });
  if (!achievement) throw new NotFoundError();
  const key = { demand: demand._id, achievement: achievement._id, by: oid(actor.id!), kind: "mark" as const };
  if (verdict === null) {
    await MatchFeedback.deleteOne(key);
  } else {
    await MatchFeedback.updateOne(key, { $set: { verdict, role, at: opts.now ?? new Date() } }, { upsert: true });
  }
  logger.info({ demand: demandId, achievement: achievementId, verdict, role, via: opts.via ?? "ui" }, "matching: a match was judged");
  return { demandId: String(demand._id), achievementId: String(achievement._id), verdict };
}

const FEEDBACK_PROJECTION = { demand: 1, achievement: 1, kind: 1, verdict: 1, by: 1, at: 1 };

/** A demand's judged pairs, by achievement id (one query). */
export async function feedbackOfDemand(demand: Types.ObjectId): Promise<Map<string, PairSignals>> {
  const rows = (await MatchFeedback.find({ demand }, FEEDBACK_PROJECTION).lean()) as FeedbackRow[];
  return signalsByCounterpart(rows, "achievement");
}

/** An achievement's judged pairs, by demand id (one query). */
export async function feedbackOfAchievement(achievement: Types.ObjectId): Promise<Map<string, PairSignals>> {
  const rows = (await MatchFeedback.find({ achievement }, FEEDBACK_PROJECTION).lean()) as FeedbackRow[];
  return signalsByCounterpart(rows, "demand");
}

export interface EngagementInput {
  kind: EngagementKind;
  achievementId: Types.ObjectId | string;
  buyer: { userId: string; organizationId: string | null };
  /**
   * The demands it came from when known (a room opened from a match). Otherwise they are looked
   * up: the demands linked to the buyer's rooms on this achievement and the demands announced as
   * its matches — in both cases only demands of the buyer's own organisation (or by the buyer).
   */
  demandIds?: (Types.ObjectId | string)[];
  now?: Date;
}

/**
 * Records an engagement (a room from a match, an offer, a deal) as a positive signal for every
 * demand–achievement pair of this buyer: the demand must belong to the buyer's organisation (or
 * be the buyer's own). Runs in the caller's transaction when given one. Never fails the caller's
 * action: an error is logged and swallowed (a transient transaction error is passed on so the
 * caller's transaction is retried, as it would be anyway). Returns how many pairs were recorded.
 */
export async function recordEngagement(session: ClientSession | null, input: EngagementInput): Promise<number> {
  try {
    const achievement = oid(String(input.achievementId));
    const user = oid(input.buyer.userId);
    const org = input.buyer.organizationId ? oid(input.buyer.organizationId) : null;
    let candidates = (input.demandIds ?? []).map((d) => oid(String(d)));
    if (!input.demandIds) {
      // One after the other: a transaction's session runs one operation at a time.
      const buyerFilter = org ? { $or: [{ "buyer.user": user }, { "buyer.organization": org }] } : { "buyer.user": user };
      const rooms = await DealRoom.find({ listing: achievement, demand: { $exists: true }, ...buyerFilter }, { demand: 1 })
        .session(session)
        .limit(50)
        .lean();
      const announced = await MatchRecord.find({ achievement }, { demand: 1 }).session(session).limit(500).lean();
      candidates = [...rooms.map((r) => r.demand!), ...announced.map((r) => r.demand)];
    }
    if (candidates.length === 0) return 0;
    const owner = org ? { $or: [{ enterprise: org }, { createdBy: user }] } : { createdBy: user };
    const demands = await Demand.find({ _id: { $in: candidates }, ...owner }, { _id: 1 })
      .session(session)
      .lean();
    if (demands.length === 0) return 0;
    const at = input.now ?? new Date();
    // Upserts by the unique key: a second room or offer on the same pair changes nothing but the time.
    await MatchFeedback.bulkWrite(
      demands.map((d) => ({
        updateOne: {
          filter: { demand: d._id, achievement, by: user, kind: input.kind },
          update: { $set: { verdict: "relevant", role: "buyer", at } },
          upsert: true,
        },
      })),
      { session: session ?? undefined, ordered: false },
    );
    return demands.length;
  } catch (e) {
    if (session && isTransientTransactionError(e)) throw e;
    logger.error({ err: e, kind: input.kind }, "matching: recording an engagement as match feedback failed");
    return 0;
  }
}
