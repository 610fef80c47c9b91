import type mongoose from "mongoose";
import { Achievement, type AchievementDoc } from "~/models/achievement.server.ts";
import { Demand } from "~/models/demand.server.ts";
import { Objection } from "~/models/objection.server.ts";
import type { ListingKind } from "~/schemas/listing.ts";
import { ForbiddenError, NotFoundError } from "~/utils/errors.ts";
import { availableActions, LISTING_STATUSES, PUBLIC_STATUSES, type ListingStatus } from "~/utils/listing-workflow.ts";
import { can } from "~/utils/permissions.ts";
import type { Actor } from "../kernel/actor.ts";
import { auditTrail } from "../kernel/audit.server.ts";
import { oid, parseId } from "../kernel/ids.server.ts";
import { canView, relationsOf, type OwnedItem } from "./access.ts";
import { modelOf, ownerFieldOf } from "./collections.server.ts";
import { achievementView, demandView, listingView, type ListingView, type ObjectionView } from "./views.ts";

/** Reading listings with the visibility rules: one item, the public lists, the owner's items, the review queue. */

/**
 * An item as the viewer may see it: public items to everyone; others only to the owner,
 * reviewers and the bureau (404 for anyone else, so the id reveals nothing). The audit log and
 * objections go to the owner and reviewers.
 */
export async function getListing(viewer: Actor | null, kind: ListingKind, id: string, now = new Date()) {
  const doc = await (modelOf(kind) as mongoose.Model<AchievementDoc>).findById(parseId(id)).lean();
  if (!doc) throw new NotFoundError();
  if (!canView(viewer, doc as OwnedItem & { status: string })) throw new NotFoundError();
  const relations = relationsOf(viewer, doc as OwnedItem);
  const status = doc.status as ListingStatus;
  const insider = relations.has("owner") || relations.has("reviewer");
  // The 公示 runs: objections may be filed, trading waits for its end.
  const inNotice = status === "published" && !!doc.noticeEndsAt && doc.noticeEndsAt > now;
  // Reviewers and the bureau see every other claim on the item's patents; the owner only public ones
  // (another organisation's unpublished listing is not theirs to see).
  const conflictScope = relations.has("reviewer") || relations.has("bureau") ? "all" : relations.has("owner") ? "public" : null;
  const conflicts =
    kind === "achievement" && conflictScope
      ? ((await patentConflicts([doc as ClaimingItem], conflictScope)).get(String(doc._id)) ?? [])
      : [];
  const [auditLog, objections] = insider
    ? await Promise.all([auditTrail(kind, doc._id), Objection.find({ subjectType: kind, subject: doc._id }).sort({ createdAt: 1 }).lean()])
    : [[], []];
  return {
    item: listingView(kind, doc),
    relations: [...relations],
    actions: availableActions(status, relations, { now, kind, noticeEndsAt: doc.noticeEndsAt, openObjections: doc.openObjections }),
    inNotice,
    patentConflicts: conflicts,
    canObject: !!viewer?.id && !relations.has("owner") && inNotice,
    audit: auditLog,
    objections: objections.map((o): ObjectionView => ({
      id: String(o._id),
      byName: o.byName,
      text: o.text,
      status: o.status,
      resolution: o.resolution ?? undefined,
      createdAt: o.createdAt.toISOString(),
    })),
  };
}

/** Another organisation's achievement that lists one of the same patent numbers. */
export interface PatentConflict {
  patentNumber: string;
  id: string;
  title: string;
  ownerName: string;
  status: ListingStatus;
}

type ClaimingItem = { _id: mongoose.Types.ObjectId; owner: mongoose.Types.ObjectId; patentNumbers?: string[] | null };

/** A listing claims its patents once it leaves the draft, until it is withdrawn or expires (a returned one still claims them). */
const CLAIMING_STATUSES = LISTING_STATUSES.filter((s) => !["draft", "withdrawn", "expired"].includes(s));

/**
 * For each item, the other organisations' achievements that carry one of its patent numbers (one
 * query on the patentNumbers index). `public` limits them to public listings, for the owner's eyes.
 * A warning only: the second claimant may be the real owner, so nothing is refused for it.
 */
export async function patentConflicts(items: ClaimingItem[], scope: "all" | "public"): Promise<Map<string, PatentConflict[]>> {
  const result = new Map<string, PatentConflict[]>();
  const numbers = [...new Set(items.flatMap((i) => i.patentNumbers ?? []))];
  if (numbers.length === 0) return result;
  const statuses = scope === "public" ? PUBLIC_STATUSES : CLAIMING_STATUSES;
  const others = await Achievement.find(
    { patentNumbers: { $in: numbers }, status: { $in: statuses } },
    { title: 1, ownerName: 1, owner: 1, status: 1, patentNumbers: 1 },
  )
    .sort({ submittedAt: 1, _id: 1 })
    .limit(500)
    .lean();
  for (const item of items) {
    const mine = new Set(item.patentNumbers ?? []);
    const found: PatentConflict[] = [];
    for (const o of others) {
      if (String(o._id) === String(item._id) || String(o.owner) === String(item.owner)) continue;
      for (const n of o.patentNumbers ?? []) {
        if (mine.has(n))
          found.push({ patentNumber: n, id: String(o._id), title: o.title, ownerName: o.ownerName, status: o.status as ListingStatus });
      }
    }
    if (found.length) result.set(String(item._id), found);
  }
  return result;
}

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
  pages: number;
}

export interface PublicListQuery {
  field?: string;
  page?: number;
  pageSize?: number;
}

/** Public browse list, newest first. */
export async function listPublic(kind: ListingKind, q: PublicListQuery = {}): Promise<Page<ListingView>> {
  const pageSize = Math.min(Math.max(q.pageSize ?? 20, 1), 100);
  const filter: Record<string, unknown> = { status: { $in: PUBLIC_STATUSES } };
  if (q.field) filter.field = q.field;
  const Model = modelOf(kind) as mongoose.Model<AchievementDoc>;
  const total = await Model.countDocuments(filter);
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const page = Math.min(Math.max(q.page ?? 1, 1), pages);
  const docs = await Model.find(filter, { description: 0, attachments: 0 })
    .sort({ publishedAt: -1, _id: -1 })
    .skip((page - 1) * pageSize)
    .limit(pageSize)
    .lean();
  return { items: docs.map((d) => listingView(kind, { ...d, description: "" })), total, page, pageSize, pages };
}

/** Featured on the home page: still on offer (公示 or trading) — a sold item is no advertisement. */
const FEATURABLE_STATUSES: readonly ListingStatus[] = ["published", "trading"];

/** Home page: featured first (those still on offer), then the latest. */
export async function homeListings(limit = 6) {
  const [featuredA, latestA, latestD] = await Promise.all([
    Achievement.find({ status: { $in: FEATURABLE_STATUSES }, featured: true })
      .sort({ publishedAt: -1 })
      .limit(limit)
      .lean(),
    Achievement.find({ status: { $in: PUBLIC_STATUSES } })
      .sort({ publishedAt: -1, _id: -1 })
      .limit(limit)
      .lean(),
    Demand.find({ status: { $in: PUBLIC_STATUSES } })
      .sort({ publishedAt: -1, _id: -1 })
      .limit(limit)
      .lean(),
  ]);
  return {
    featured: featuredA.map((d) => achievementView(d)),
    latestAchievements: latestA.map((d) => achievementView(d)),
    latestDemands: latestD.map((d) => demandView(d)),
  };
}

/** The actor's own items (created by them or owned by their organisation), any status. */
export async function listMine(actor: Actor, kind: ListingKind, status?: ListingStatus): Promise<ListingView[]> {
  const or: Record<string, unknown>[] = [];
  if (actor.id) or.push({ createdBy: oid(actor.id) });
  if (actor.organization) or.push({ [ownerFieldOf(kind)]: oid(actor.organization.id) });
  if (or.length === 0) return [];
  const filter: Record<string, unknown> = { $or: or };
  if (status) filter.status = status;
  const docs = await (modelOf(kind) as mongoose.Model<AchievementDoc>)
    .find(filter, { description: 0 })
    .sort({ updatedAt: -1 })
    .limit(200)
    .lean();
  return docs.map((d) => listingView(kind, { ...d, description: "" }));
}

/** Brokers' and admins' queue: submitted items oldest first, and open objections. */
export async function reviewQueue(actor: Actor) {
  if (!can(actor, "listing:review")) throw new ForbiddenError();
  const [achievements, demands, objections] = await Promise.all([
    Achievement.find({ status: "submitted" }, { description: 0 }).sort({ submittedAt: 1 }).limit(200).lean(),
    Demand.find({ status: "submitted" }, { description: 0 }).sort({ submittedAt: 1 }).limit(200).lean(),
    Objection.find({ status: "open" }).sort({ createdAt: 1 }).limit(200).lean(),
  ]);
  const conflicts = await patentConflicts(achievements as ClaimingItem[], "all");
  const titles = new Map<string, string>();
  for (const kind of ["achievement", "demand"] as const) {
    const ids = objections.filter((o) => o.subjectType === kind).map((o) => o.subject);
    if (ids.length === 0) continue;
    const docs = await (modelOf(kind) as mongoose.Model<AchievementDoc>).find({ _id: { $in: ids } }, { title: 1 }).lean();
    for (const d of docs) titles.set(String(d._id), d.title);
  }
  return {
    achievements: achievements.map((d) => achievementView({ ...d, description: "" })),
    demands: demands.map((d) => demandView({ ...d, description: "" })),
    /** Per queued achievement id: other organisations' claims on its patent numbers. */
    patentConflicts: Object.fromEntries(conflicts),
    /** Per queued item id: the reviewer it is assigned to (review.server.ts `assignReview`). */
    assignees: Object.fromEntries(
      [...achievements, ...demands]
        .filter((d) => d.reviewAssignee?.user)
        .map((d) => [String(d._id), { id: String(d.reviewAssignee!.user), name: d.reviewAssignee!.name ?? "" }]),
    ),
    objections: objections.map((o) => ({
      id: String(o._id),
      kind: o.subjectType as ListingKind,
      subjectId: String(o.subject),
      subjectTitle: titles.get(String(o.subject)) ?? "",
      byName: o.byName,
      text: o.text,
      createdAt: o.createdAt.toISOString(),
    })),
  };
}
