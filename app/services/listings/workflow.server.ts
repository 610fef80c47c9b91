import type mongoose from "mongoose";
import type { ClientSession } from "mongoose";
import type { AchievementDoc } from "~/models/achievement.server.ts";
import { enqueueIndexing } from "~/models/search-outbox.server.ts";
import type { ListingKind } from "~/schemas/listing.ts";
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from "~/utils/errors.ts";
import { decide, type ListingAction, type ListingStatus } from "~/utils/listing-workflow.ts";
import type { Actor, Via } from "../kernel/actor.ts";
import { recordAudit } from "../kernel/audit.server.ts";
import { parseId } from "../kernel/ids.server.ts";
import { withTransaction } from "../kernel/tx.server.ts";
import { noticeEndFor } from "../settings/rules.ts";
import { readSettings } from "../settings/settings.server.ts";
import { canView, relationsOf } from "./access.ts";
import { modelOf } from "./collections.server.ts";
import { openedSinceSubmission } from "./review.server.ts";
import { tellAboutMove } from "./workflow-notices.server.ts";

/**
 * Moving a listing through the one workflow (app/utils/listing-workflow.ts decides; this writes the
 * move with its audit entry and the search outbox entry, in one transaction).
 */

export interface TransitionOptions {
  reason?: string | null;
  via?: Via;
  now?: Date;
  /**
   * Approving needs the reviewer to have opened the item's review page since its submission
   * (review.server.ts, decision 014). The site's forms ask for it; seeds and fixtures do not.
   */
  requireOpened?: boolean;
}

/** Moves an item along the workflow if the state machine and the actor's relation allow it. */
export async function transitionListing(
  actor: Actor,
  kind: ListingKind,
  id: string,
  action: ListingAction,
  opts: TransitionOptions = {},
): Promise<{ from: ListingStatus; to: ListingStatus }> {
  return withTransaction((session) => transitionListingInSession(session, actor, kind, id, action, opts));
}

/**
 * The same transition inside the caller's transaction: trading opens a deal and moves the listing
 * trading → deal in one commit, so a listing is sold once even when two buyers click together.
 */
export async function transitionListingInSession(
  session: ClientSession,
  actor: Actor,
  kind: ListingKind,
  id: string,
  action: ListingAction,
  opts: TransitionOptions = {},
): Promise<{ from: ListingStatus; to: ListingStatus }> {
  const now = opts.now ?? new Date();
  const Model = modelOf(kind) as mongoose.Model<AchievementDoc>;
  {
    const item = await Model.findById(parseId(id)).session(session).lean();
    if (!item) throw new NotFoundError();
    // Someone with no business with a non-public item learns nothing about it.
    if (!canView(actor, item)) throw new NotFoundError();
    const relations = relationsOf(actor, item);
    if (action === "approve" && opts.requireOpened && item.status === "submitted" && relations.has("reviewer")) {
      if (!openedSinceSubmission(item as Parameters<typeof openedSinceSubmission>[0], actor.id))
        throw new ConflictError("review.errors.openFirst");
    }
    const decision = decide(item.status as ListingStatus, action, relations, {
      now,
      kind,
      noticeEndsAt: item.noticeEndsAt,
      openObjections: item.openObjections,
      reason: opts.reason,
    });
    if (!decision.ok) {
      if (decision.reason === "notAllowed") throw new ForbiddenError(decision.message);
      if (decision.reason === "reasonRequired") throw new ValidationError({ reason: [decision.message] });
      throw new ConflictError(decision.message);
    }
    const set: Record<string, unknown> = { status: decision.to };
    if (action === "submit") set.submittedAt = now;
    if (action === "approve") {
      set.publishedAt = now;
      // The 公示 length is a platform setting, read now in this transaction (never a stale cache).
      const settings = await readSettings(session);
      set.noticeEndsAt = noticeEndFor(settings, { kind, ownerType: item.ownerType, priceMode: item.price?.mode }, now);
      set.rejectionReason = null;
    }
    if (action === "reject" || action === "upholdObjection") set.rejectionReason = opts.reason!.trim();
    const res = await Model.updateOne({ _id: item._id, status: decision.from }, { $set: set }, { session });
    if (res.matchedCount === 0) throw new ConflictError("workflow.changedMeanwhile");
    await recordAudit(session, {
      subjectType: kind,
      subject: item._id,
      action,
      from: decision.from,
      to: decision.to,
      actor,
      via: opts.via ?? (actor.system ? "system" : "ui"),
      reason: opts.reason?.trim() || null,
    });
    // The search index follows MongoDB: published items appear, everything else disappears.
    await enqueueIndexing(session, kind, [item._id]);
    // The people concerned are told in the same transaction (in-app and by email).
    await tellAboutMove(session, {
      kind,
      item,
      action,
      byOwner: relations.has("owner"),
      bySystem: !!actor.system,
      reason: opts.reason,
      set,
      now,
    });
    return { from: decision.from, to: decision.to };
  }
}
