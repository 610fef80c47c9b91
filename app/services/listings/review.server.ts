import type mongoose from "mongoose";
import type { Types } from "mongoose";
import { Achievement, type AchievementDoc } from "~/models/achievement.server.ts";
import { User } from "~/models/user.server.ts";
import type { ListingKind } from "~/schemas/listing.ts";
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from "~/utils/errors.ts";
import { LISTING_STATUSES, PUBLIC_STATUSES } from "~/utils/listing-workflow.ts";
import { assertCan, can, type Role } from "~/utils/permissions.ts";
import type { Actor } from "../kernel/actor.ts";
import { recordAudit } from "../kernel/audit.server.ts";
import { maybeId, oid, parseId } from "../kernel/ids.server.ts";
import { withTransaction } from "../kernel/tx.server.ts";
import { verifiedOrganizations } from "../accounts/organizations.server.ts";
import { notify } from "../notifications/notify.server.ts";
import { canView, relationsOf, type OwnedItem } from "./access.ts";
import { modelOf } from "./collections.server.ts";

/**
 * Reviewing a submission (issue 13, point 12): who it is assigned to, who opened its review page
 * (approving needs that: no one-click approve from the queue, decision 014), and the warnings a
 * reviewer should read before deciding. The workflow move itself is workflow.server.ts.
 */

type ReviewedItem = OwnedItem & {
  _id: Types.ObjectId;
  status: string;
  title: string;
  submittedAt?: Date | null;
  reviewOpenings?: { user: Types.ObjectId; at: Date }[] | null;
  reviewAssignee?: { user: Types.ObjectId; name?: string | null; assignedBy?: string | null; assignedAt?: Date | null } | null;
};

const REVIEW_FIELDS = {
  status: 1,
  title: 1,
  createdBy: 1,
  owner: 1,
  enterprise: 1,
  submittedAt: 1,
  reviewOpenings: 1,
  reviewAssignee: 1,
} as const;

const model = (kind: ListingKind) => modelOf(kind) as mongoose.Model<AchievementDoc>;

/** Whether `userId` opened the item's review page since it was last submitted. */
export function openedSinceSubmission(item: Pick<ReviewedItem, "submittedAt" | "reviewOpenings">, userId: string | null): boolean {
  if (!userId) return false;
  const since = item.submittedAt ? new Date(item.submittedAt).getTime() : 0;
  return (item.reviewOpenings ?? []).some((o) => String(o.user) === userId && new Date(o.at).getTime() >= since);
}

/**
 * A reviewer opened a submitted item's review page (its detail page): recorded once per reviewer
 * and submission, server-side, so an approval can be refused until it happened. Anyone else, or
 * an item not awaiting review, records nothing. Returns whether the actor has opened it now.
 */
export async function recordReviewOpened(actor: Actor | null, kind: ListingKind, id: string, now = new Date()): Promise<boolean> {
  if (!actor?.id) return false;
  const item = (await model(kind).findById(parseId(id), REVIEW_FIELDS).lean()) as ReviewedItem | null;
  if (!item || item.status !== "submitted" || !relationsOf(actor, item).has("reviewer")) return false;
  if (openedSinceSubmission(item, actor.id)) return true;
  // The last 50 openings are plenty: only one since the latest submission counts.
  await model(kind).updateOne(
    { _id: item._id, status: "submitted" },
    { $push: { reviewOpenings: { $each: [{ user: oid(actor.id), at: now }], $slice: -50 } } },
  );
  return true;
}

/** People who may review (brokers and admins, not disabled), for the assignment form. */
export async function reviewerChoices(): Promise<{ id: string; name: string }[]> {
  const reviewerRoles: Role[] = ["broker", "admin"];
  const rows = await User.find({ roles: { $in: reviewerRoles }, disabled: { $ne: true } }, { name: 1 })
    .sort({ name: 1 })
    .limit(200)
    .lean();
  return rows.map((u) => ({ id: String(u._id), name: u.name }));
}

/**
 * A reviewer or admin assigns a submitted item to a reviewer (a broker or admin who is not its
 * owner): audited, and the assignee is told in-app. Assigning it again to the same person changes
 * nothing.
 */
export async function assignReview(actor: Actor, kind: ListingKind, id: string, assigneeId: string, now = new Date()): Promise<void> {
  assertCan(actor, "listing:review");
  await withTransaction(async (session) => {
    const item = (await model(kind).findById(parseId(id), REVIEW_FIELDS).session(session).lean()) as ReviewedItem | null;
    if (!item || !canView(actor, item)) throw new NotFoundError();
    if (!relationsOf(actor, item).has("reviewer")) throw new ForbiddenError("review.errors.ownItem");
    if (item.status !== "submitted") throw new ConflictError("review.errors.notSubmitted");
    const assigneeOid = maybeId(assigneeId);
    const assignee = assigneeOid
      ? await User.findOne({ _id: assigneeOid, disabled: { $ne: true } }, { name: 1, roles: 1, organization: 1 })
          .session(session)
          .lean()
      : null;
    const roles = (assignee?.roles ?? []) as Role[];
    if (!assignee || !can({ roles }, "listing:review")) throw new ValidationError({ assignee: ["review.errors.notAReviewer"] });
    const assigneeActor: Actor = {
      id: String(assignee._id),
      name: assignee.name,
      roles,
      organization: assignee.organization ? { id: String(assignee.organization) } : null,
    };
    if (!relationsOf(assigneeActor, item).has("reviewer")) throw new ValidationError({ assignee: ["review.errors.assigneeOwns"] });
    if (item.reviewAssignee && String(item.reviewAssignee.user) === String(assignee._id)) return;
    const res = await model(kind).updateOne(
      { _id: item._id, status: "submitted" },
      { $set: { reviewAssignee: { user: assignee._id, name: assignee.name, assignedBy: actor.name, assignedAt: now } } },
      { session },
    );
    if (res.matchedCount === 0) throw new ConflictError("workflow.changedMeanwhile");
    await recordAudit(session, {
      subjectType: kind,
      subject: item._id,
      action: "assignReview",
      from: item.status,
      to: item.status,
      actor,
      via: "ui",
      reason: assignee.name,
      at: now,
    });
    await notify(
      session,
      [
        {
          user: assignee._id,
          type: "review.assigned",
          subject: { kind, id: item._id, title: item.title },
          link: `/${kind}s/${String(item._id)}`,
          params: { by: actor.name },
        },
      ],
      { at: now },
    );
  });
}

/** Something a reviewer should look at before deciding (a message key under `review.warnings`, with its values). */
export interface ReviewWarning {
  code: "noEvidence" | "sameTitle" | "highTrlNoReport" | "priceFarAbove" | "priceFarBelow" | "deadlinePassed" | "ownerUnverified";
  /** Another listing the warning is about (sameTitle). */
  other?: { id: string; title: string; ownerName: string; status: string };
  /** Amounts in fen (the price warnings: the field's median fixed price). */
  medianFen?: number;
}

/** How far from the field's median a fixed price must be to be flagged, and how many prices make a median. */
export const PRICE_OUTLIER_FACTOR = 10;
export const PRICE_MEDIAN_MIN_SAMPLES = 3;
const REPORT_KINDS = ["test-report", "pilot-report"];
const SAME_TITLE_STATUSES = LISTING_STATUSES.filter((s) => !["draft", "withdrawn", "expired"].includes(s));

function median(values: number[]): number {
  const v = [...values].sort((a, b) => a - b);
  const mid = Math.floor(v.length / 2);
  return v.length % 2 ? v[mid]! : Math.round((v[mid - 1]! + v[mid]!) / 2);
}

type WarnedItem = {
  _id: Types.ObjectId;
  owner?: Types.ObjectId | null;
  enterprise?: Types.ObjectId | null;
  title: string;
  field?: string | null;
  trl?: number | null;
  price?: { mode?: string | null; amount?: number | null } | null;
  deadline?: Date | null;
  attachments?: { kind?: string | null }[] | null;
};

/**
 * The warnings on a submission, besides other organisations' claims on its patents (shown apart,
 * queries.server.ts `patentConflicts`): no evidence at all; an owner organisation no admin has
 * verified (已认证); another listing of the same kind with
 * the same title; a mature technology (TRL 7+) without a test or pilot report; a fixed price ten
 * times above or below the median fixed price of public achievements in its field; a demand whose
 * deadline has passed. Warnings only — the reviewer decides.
 */
export async function reviewWarnings(kind: ListingKind, item: WarnedItem, now = new Date()): Promise<ReviewWarning[]> {
  const warnings: ReviewWarning[] = [];
  const files = item.attachments ?? [];
  if (files.length === 0) warnings.push({ code: "noEvidence" });
  // The owning organisation has not been checked by an admin (已认证) yet.
  const org = String(item.owner ?? item.enterprise ?? "");
  if (org && !(await verifiedOrganizations([org])).has(org)) warnings.push({ code: "ownerUnverified" });

  // Titles are stored trimmed (the schema's `trim`), so the same title is an equal string.
  const twin = await model(kind)
    .findOne(
      { _id: { $ne: item._id }, title: item.title.trim(), status: { $in: SAME_TITLE_STATUSES } },
      { title: 1, ownerName: 1, enterpriseName: 1, status: 1 },
    )
    .lean();
  if (twin) {
    const t = twin as typeof twin & { enterpriseName?: string };
    warnings.push({
      code: "sameTitle",
      other: { id: String(t._id), title: t.title, ownerName: t.ownerName ?? t.enterpriseName ?? "", status: t.status },
    });
  }

  if (kind === "achievement") {
    if ((item.trl ?? 0) >= 7 && !files.some((f) => REPORT_KINDS.includes(f.kind ?? ""))) warnings.push({ code: "highTrlNoReport" });
    const amount = item.price?.mode === "fixed" ? (item.price.amount ?? 0) : 0;
    if (amount > 0 && item.field) {
      const peers = await Achievement.find(
        {
          _id: { $ne: item._id },
          field: item.field as AchievementDoc["field"],
          status: { $in: PUBLIC_STATUSES },
          "price.mode": "fixed",
          "price.amount": { $gt: 0 },
        },
        { price: 1 },
      )
        .limit(500)
        .lean();
      const prices = peers.map((p) => p.price?.amount ?? 0).filter((n) => n > 0);
      if (prices.length >= PRICE_MEDIAN_MIN_SAMPLES) {
        const m = median(prices);
        if (amount >= m * PRICE_OUTLIER_FACTOR) warnings.push({ code: "priceFarAbove", medianFen: m });
        else if (amount * PRICE_OUTLIER_FACTOR <= m) warnings.push({ code: "priceFarBelow", medianFen: m });
      }
    }
  } else if (item.deadline && new Date(item.deadline) < now) {
    warnings.push({ code: "deadlinePassed" });
  }
  return warnings;
}

/** What the review page shows a reviewer about a submission: its assignee, whether they opened it, the warnings. */
export interface ReviewState {
  assignee: { id: string; name: string; assignedBy: string | null; assignedAt: string | null } | null;
  assignedToMe: boolean;
  openedByMe: boolean;
  warnings: ReviewWarning[];
}

/** The review state of an item for a reviewer (null for anyone else, or an item not awaiting review). */
export async function reviewState(actor: Actor | null, kind: ListingKind, id: string, now = new Date()): Promise<ReviewState | null> {
  if (!actor?.id) return null;
  const doc = await model(kind).findById(parseId(id), { description: 0 }).lean();
  if (!doc) return null;
  const item = doc as unknown as ReviewedItem & WarnedItem;
  if (item.status !== "submitted" || !relationsOf(actor, item).has("reviewer")) return null;
  const a = item.reviewAssignee;
  return {
    assignee: a
      ? {
          id: String(a.user),
          name: a.name ?? "",
          assignedBy: a.assignedBy ?? null,
          assignedAt: a.assignedAt ? a.assignedAt.toISOString() : null,
        }
      : null,
    assignedToMe: !!a && String(a.user) === actor.id,
    openedByMe: openedSinceSubmission(item, actor.id),
    warnings: await reviewWarnings(kind, item, now),
  };
}
