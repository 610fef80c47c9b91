import type mongoose from "mongoose";
import { Achievement, type AchievementDoc } from "~/models/achievement.server.ts";
import { Demand } from "~/models/demand.server.ts";
import { Objection } from "~/models/objection.server.ts";
import { enqueueIndexing } from "~/models/search-outbox.server.ts";
import {
  AchievementDataSchema,
  DemandDataSchema,
  type AchievementData,
  type AchievementDataInput,
  type DemandData,
  type DemandDataInput,
  type ListingKind,
} from "~/schemas/listing.ts";
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from "~/utils/errors.ts";
import { EDITABLE_STATUSES, isPublic, type ListingStatus } from "~/utils/listing-workflow.ts";
import { can, hasRole } from "~/utils/permissions.ts";
import type { Actor, Via } from "../kernel/actor.ts";
import { recordAudit } from "../kernel/audit.server.ts";
import { oid, parseId } from "../kernel/ids.server.ts";
import { withTransaction } from "../kernel/tx.server.ts";
import { notify, settleNotifications } from "../notifications/notify.server.ts";
import { relationsOf, type OwnedItem } from "./access.ts";
import { modelOf } from "./collections.server.ts";
import { achievementFields, demandFields, validate } from "./content.server.ts";
import { reviewersOf } from "./workflow-notices.server.ts";
import { transitionListingInSession } from "./workflow.server.ts";

/**
 * What people do to achievements and demands besides moving them along the workflow: create and
 * edit drafts, object during the public notice and resolve objections, feature items. Each checks
 * the actor's permission and the item's state, and writes in one transaction with its audit entry.
 */

function requireOrganization(actor: Actor) {
  if (!actor.organization) throw new ValidationError({ "": ["errors.organizationRequired"] });
  return actor.organization;
}

export async function createAchievement(actor: Actor, input: AchievementDataInput, via: Via = "ui"): Promise<string> {
  if (!can(actor, "achievement:create")) throw new ForbiddenError();
  const data = validate<AchievementData>(AchievementDataSchema, input);
  const org = requireOrganization(actor);
  return withTransaction(async (session) => {
    const [doc] = await Achievement.create(
      [
        {
          ...achievementFields(data),
          owner: org.id,
          ownerName: org.name ?? actor.name,
          ownerType: org.type ?? "individual",
          createdBy: actor.id,
          status: "draft",
        },
      ],
      { session },
    );
    await recordAudit(session, { subjectType: "achievement", subject: doc!._id, action: "create", to: "draft", actor, via });
    return String(doc!._id);
  });
}

export async function createDemand(actor: Actor, input: DemandDataInput, via: Via = "ui"): Promise<string> {
  if (!can(actor, "demand:create")) throw new ForbiddenError();
  const data = validate<DemandData>(DemandDataSchema, input);
  const org = requireOrganization(actor);
  return withTransaction(async (session) => {
    const [doc] = await Demand.create(
      [{ ...demandFields(data), enterprise: org.id, enterpriseName: org.name ?? actor.name, createdBy: actor.id, status: "draft" }],
      { session },
    );
    await recordAudit(session, { subjectType: "demand", subject: doc!._id, action: "create", to: "draft", actor, via });
    return String(doc!._id);
  });
}

/** Replaces the content of a draft (or a rejected item) the actor owns. */
export async function updateListing(
  actor: Actor,
  kind: ListingKind,
  id: string,
  input: AchievementDataInput | DemandDataInput,
  via: Via = "ui",
): Promise<void> {
  const fields =
    kind === "achievement"
      ? achievementFields(validate<AchievementData>(AchievementDataSchema, input))
      : demandFields(validate<DemandData>(DemandDataSchema, input));
  const Model = modelOf(kind) as mongoose.Model<AchievementDoc>;
  await withTransaction(async (session) => {
    const item = await Model.findById(parseId(id), { status: 1, createdBy: 1, owner: 1, enterprise: 1 }).session(session).lean();
    if (!item) throw new NotFoundError();
    if (!relationsOf(actor, item as OwnedItem).has("owner")) throw new ForbiddenError();
    if (!EDITABLE_STATUSES.includes(item.status as ListingStatus)) throw new ConflictError("workflow.notEditable");
    const res = await Model.updateOne({ _id: item._id, status: item.status }, { $set: fields }, { session });
    if (res.matchedCount === 0) throw new ConflictError("workflow.changedMeanwhile");
    await recordAudit(session, { subjectType: kind, subject: item._id, action: "edit", from: item.status, to: item.status, actor, via });
    await enqueueIndexing(session, kind, [item._id]);
  });
}

// ---------------------------------------------------------------------------------------------
// Objections during the public-notice period

export async function fileObjection(actor: Actor, kind: ListingKind, id: string, text: string, now = new Date()): Promise<string> {
  const body = text.trim();
  const actorId = actor.id;
  if (!actorId) throw new ForbiddenError();
  if (body.length < 5 || body.length > 2000) throw new ValidationError({ text: ["errors.objectionLength"] });
  const Model = modelOf(kind) as mongoose.Model<AchievementDoc>;
  return withTransaction(async (session) => {
    const item = await Model.findById(parseId(id), { status: 1, title: 1, noticeEndsAt: 1, createdBy: 1, owner: 1, enterprise: 1 })
      .session(session)
      .lean();
    if (!item || !isPublic(item.status as ListingStatus)) throw new NotFoundError();
    if (relationsOf(actor, item as OwnedItem).has("owner")) throw new ForbiddenError("workflow.ownObjection");
    if (item.status !== "published" || !item.noticeEndsAt || item.noticeEndsAt <= now) {
      throw new ConflictError("workflow.noticeOver");
    }
    const [o] = await Objection.create([{ subjectType: kind, subject: item._id, by: oid(actorId), byName: actor.name, text: body }], {
      session,
    });
    await Model.updateOne({ _id: item._id }, { $inc: { openObjections: 1 } }, { session });
    await recordAudit(session, {
      subjectType: kind,
      subject: item._id,
      action: "objection",
      from: item.status,
      to: item.status,
      actor,
      via: "ui",
      reason: body,
    });
    // The owner learns of it at once (the objection's gist; who filed it stays with the reviewers),
    // and the reviewers, who must decide it before the listing can trade.
    const subject = { kind, id: item._id, title: item.title };
    const reviewers = await reviewersOf(session, item);
    await notify(session, [
      ...(item.createdBy ? [{ user: item.createdBy, type: "objection.filed" as const, subject, params: { gist: gist(body) } }] : []),
      ...reviewers
        .filter((r) => String(r) !== actorId)
        .map((user) => ({ user, type: "objection.toReview" as const, subject, params: { gist: gist(body), by: actor.name } })),
    ]);
    return String(o!._id);
  });
}

/** The start of an objection's text, for a notification. */
const gist = (text: string) => {
  const one = text.replace(/\s+/g, " ");
  return one.length > 120 ? `${one.slice(0, 119)}…` : one;
};

/**
 * A reviewer upholds (the item goes back to the owner as rejected) or dismisses an objection, in
 * one transaction with the owner's and the objector's notifications.
 */
export async function resolveObjection(
  actor: Actor,
  objectionId: string,
  decision: { uphold: boolean; resolution: string },
): Promise<void> {
  if (!can(actor, "listing:review")) throw new ForbiddenError();
  const resolution = decision.resolution.trim();
  if (!resolution) throw new ValidationError({ resolution: ["errors.required"] });
  const objection = await Objection.findById(parseId(objectionId)).lean();
  if (!objection) throw new NotFoundError();
  const kind = objection.subjectType as ListingKind;
  const Model = modelOf(kind) as mongoose.Model<AchievementDoc>;
  const item = await Model.findById(objection.subject, { title: 1, createdBy: 1, owner: 1, enterprise: 1 }).lean();
  if (!item || !relationsOf(actor, item as OwnedItem).has("reviewer")) throw new ForbiddenError();
  await withTransaction(async (session) => {
    if (decision.uphold) {
      await transitionListingInSession(session, actor, kind, String(objection.subject), "upholdObjection", { reason: resolution });
    }
    const res = await Objection.updateOne(
      { _id: objection._id, status: "open" },
      { $set: { status: decision.uphold ? "upheld" : "dismissed", resolvedBy: actor.id, resolution, resolvedAt: new Date() } },
      { session },
    );
    if (res.modifiedCount === 0) throw new ConflictError("workflow.objectionResolved");
    await Model.updateOne({ _id: objection.subject, openObjections: { $gt: 0 } }, { $inc: { openObjections: -1 } }, { session });
    const left = await Model.findById(objection.subject, { openObjections: 1 }).session(session).lean();
    // The last open objection decided: nothing about it waits for the reviewers any more.
    if (!left?.openObjections) await settleNotifications(session, "objection.toReview", { kind, id: item._id });
    if (!decision.uphold) {
      await recordAudit(session, {
        subjectType: kind,
        subject: objection.subject,
        action: "objectionDismissed",
        actor,
        via: "ui",
        reason: resolution,
      });
    }
    const subject = { kind, id: item._id, title: item.title };
    await notify(session, [
      ...(item.createdBy
        ? [
            {
              user: item.createdBy,
              type: decision.uphold ? ("objection.upheld" as const) : ("objection.dismissed" as const),
              subject,
              params: { resolution },
            },
          ]
        : []),
      {
        user: objection.by,
        type: decision.uphold ? "objection.yoursUpheld" : "objection.yoursDismissed",
        subject,
        params: { resolution },
      },
    ]);
  });
}

/** Admins mark items for the home page. */
export async function setFeatured(actor: Actor, kind: ListingKind, id: string, featured: boolean): Promise<void> {
  if (!hasRole(actor, "admin")) throw new ForbiddenError();
  await withTransaction(async (session) => {
    const res = await (modelOf(kind) as mongoose.Model<AchievementDoc>).updateOne(
      { _id: parseId(id) },
      { $set: { featured } },
      { session },
    );
    if (res.matchedCount === 0) throw new NotFoundError();
    await enqueueIndexing(session, kind, [id]);
  });
}
