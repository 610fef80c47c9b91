import type { ZodError } from "zod";
import type mongoose from "mongoose";
import { type ClientSession, type Types } from "mongoose";
import { Achievement, type AchievementDoc } from "~/models/achievement.server.ts";
import { Demand, type DemandDoc } from "~/models/demand.server.ts";
import { Objection } from "~/models/objection.server.ts";
import { enqueueIndexing } from "~/models/search-outbox.server.ts";
import {
  AchievementDataSchema,
  DemandDataSchema,
  flattenZodErrors,
  type AchievementData,
  type AchievementDataInput,
  type DemandData,
  type DemandDataInput,
  type ListingKind,
} from "~/schemas/listing.ts";
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from "~/utils/errors.ts";
import {
  availableActions,
  decide,
  EDITABLE_STATUSES,
  isPublic,
  NOTICE_DAYS,
  PUBLIC_STATUSES,
  type ListingAction,
  type ListingStatus,
  type Relation,
} from "~/utils/listing-workflow.ts";
import { can, hasRole } from "~/utils/permissions.ts";
import { regionName } from "~/utils/regions.server.ts";
import { normalizePatentNumber } from "~/utils/patent.ts";
import { maturityStage } from "~/utils/taxonomy.ts";
import { SYSTEM_ACTOR, type Actor, type Via } from "./kernel/actor.ts";
import { withTransaction } from "~/services/kernel/tx.server.ts";
import { auditTrail, recordAudit } from "./kernel/audit.server.ts";
import { oid, parseId } from "./kernel/ids.server.ts";

/**
 * Achievements and demands: create and edit drafts, move them through the one workflow, and read
 * them with the visibility rules. Authorization lives here, next to the data.
 */

type Model = mongoose.Model<AchievementDoc> | mongoose.Model<DemandDoc>;
const modelOf = (kind: ListingKind): Model => (kind === "achievement" ? Achievement : Demand);
const ownerFieldOf = (kind: ListingKind) => (kind === "achievement" ? "owner" : "enterprise");

interface OwnedItem {
  createdBy?: Types.ObjectId | null;
  owner?: Types.ObjectId | null;
  enterprise?: Types.ObjectId | null;
}

/** How the actor relates to the item (see Relation in listing-workflow). */
export function relationsOf(actor: Actor | null, item: OwnedItem): Set<Relation> {
  const r = new Set<Relation>();
  if (!actor) return r;
  if (actor.system) return r.add("system");
  const orgId = String(item.owner ?? item.enterprise ?? "");
  const isOwner = (!!actor.id && String(item.createdBy ?? "") === actor.id) || (!!actor.organization && actor.organization.id === orgId);
  if (isOwner) r.add("owner");
  // A reviewer never reviews their own item: a broker who is also the owner is only the owner.
  else if (can(actor, "listing:review")) r.add("reviewer");
  if (hasRole(actor, "bureau")) r.add("bureau");
  return r;
}

function validate<T>(
  schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: ZodError } },
  data: unknown,
): T {
  const r = schema.safeParse(data);
  if (!r.success) throw new ValidationError(flattenZodErrors(r.error));
  return r.data;
}

function regionOrError(code: string): string {
  const name = regionName(code);
  if (!name) throw new ValidationError({ region: ["errors.regionUnknown"] });
  return name;
}

/** The stored content of an achievement (what an edit or a re-import replaces). */
export function achievementFields(d: AchievementData) {
  return {
    title: d.title,
    summary: d.summary,
    description: d.description,
    field: d.field,
    keywords: d.keywords,
    ipType: d.ipType,
    patentNumbers: d.patentNumbers.map(normalizePatentNumber),
    trl: d.trl,
    transactionModes: d.transactionModes,
    licenseExclusivity: d.transactionModes.includes("license") ? d.licenseExclusivity : [],
    price: { mode: d.price.mode, amount: d.price.amount, currency: "CNY" },
    inventors: d.inventors,
    region: d.region,
    regionName: regionOrError(d.region),
    fiscalFunding: d.fiscalFunding,
    expiresAt: d.expiresAt,
  };
}

/** The stored content of a demand. */
export function demandFields(d: DemandData) {
  return {
    title: d.title,
    description: d.description,
    field: d.field,
    keywords: d.keywords,
    budget: { min: d.budget.min, max: d.budget.max, currency: "CNY" },
    transactionModes: d.transactionModes,
    minTrl: d.minTrl,
    deadline: d.deadline,
    region: d.region,
    regionName: regionOrError(d.region),
  };
}

function requireOrganization(actor: Actor) {
  if (!actor.organization) throw new ValidationError({ "": ["errors.organizationRequired"] });
  return actor.organization;
}

// ---------------------------------------------------------------------------------------------
// Create and edit

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
// Workflow

export interface TransitionOptions {
  reason?: string | null;
  via?: Via;
  now?: Date;
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
    const relations = relationsOf(actor, item as OwnedItem);
    // Someone with no business with a non-public item learns nothing about it.
    if (relations.size === 0 && !isPublic(item.status as ListingStatus)) throw new NotFoundError();
    const decision = decide(item.status as ListingStatus, action, relations, {
      now,
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
      set.noticeEndsAt = new Date(now.getTime() + NOTICE_DAYS * 86_400_000);
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
    return { from: decision.from, to: decision.to };
  }
}

/** Expires published items past their validity (achievements) or deadline (demands). */
export async function expireOverdue(now = new Date()): Promise<number> {
  let count = 0;
  for (const [kind, field] of [
    ["achievement", "expiresAt"],
    ["demand", "deadline"],
  ] as const) {
    const Model = modelOf(kind) as mongoose.Model<AchievementDoc>;
    const due = await Model.find({ status: "published", [field]: { $lte: now } }, { _id: 1 })
      .limit(1000)
      .lean();
    for (const d of due) {
      try {
        await transitionListing(SYSTEM_ACTOR, kind, String(d._id), "expire", { now, via: "system" });
        count++;
      } catch (e) {
        if (!(e instanceof ConflictError)) throw e; // moved on meanwhile: fine
      }
    }
  }
  return count;
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
    const item = await Model.findById(parseId(id), { status: 1, noticeEndsAt: 1, createdBy: 1, owner: 1, enterprise: 1 })
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
    return String(o!._id);
  });
}

/** A reviewer upholds (the item goes back to the owner as rejected) or dismisses an objection. */
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
  const item = await Model.findById(objection.subject, { createdBy: 1, owner: 1, enterprise: 1 }).lean();
  if (!item || !relationsOf(actor, item as OwnedItem).has("reviewer")) throw new ForbiddenError();
  if (decision.uphold) {
    await transitionListing(actor, kind, String(objection.subject), "upholdObjection", { reason: resolution });
  }
  await withTransaction(async (session) => {
    const res = await Objection.updateOne(
      { _id: objection._id, status: "open" },
      { $set: { status: decision.uphold ? "upheld" : "dismissed", resolvedBy: actor.id, resolution, resolvedAt: new Date() } },
      { session },
    );
    if (res.modifiedCount === 0) throw new ConflictError("workflow.objectionResolved");
    await Model.updateOne({ _id: objection.subject, openObjections: { $gt: 0 } }, { $inc: { openObjections: -1 } }, { session });
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
  });
}

// ---------------------------------------------------------------------------------------------
// Reading

export interface ObjectionView {
  id: string;
  byName: string;
  text: string;
  status: string;
  resolution?: string;
  createdAt: string;
}

const iso = (d: Date | null | undefined) => (d ? new Date(d).toISOString() : null);

export function achievementView(a: AchievementDoc & { _id: Types.ObjectId }) {
  return {
    kind: "achievement" as const,
    id: String(a._id),
    title: a.title,
    summary: a.summary,
    description: a.description,
    field: a.field,
    keywords: a.keywords ?? [],
    ipType: a.ipType,
    patentNumbers: a.patentNumbers ?? [],
    trl: a.trl,
    maturity: maturityStage(a.trl),
    transactionModes: a.transactionModes ?? [],
    licenseExclusivity: a.licenseExclusivity ?? [],
    price: { mode: a.price?.mode ?? "negotiable", amount: a.price?.amount ?? null, currency: a.price?.currency ?? "CNY" },
    owner: { id: String(a.owner), name: a.ownerName, type: a.ownerType },
    createdBy: a.createdBy ? String(a.createdBy) : null,
    inventors: (a.inventors ?? []).map((i) => ({ name: i.name, share: i.share ?? null })),
    region: a.region,
    regionName: a.regionName ?? a.region,
    fiscalFunding: { funded: !!a.fiscalFunding?.funded, project: a.fiscalFunding?.project ?? null },
    status: a.status as ListingStatus,
    featured: !!a.featured,
    source: a.source,
    externalId: a.externalId ?? null,
    attachments: (a.attachments ?? []).map((f) => ({
      id: String(f._id),
      filename: f.filename,
      contentType: f.contentType,
      size: f.size,
      kind: f.kind,
    })),
    rejectionReason: a.rejectionReason ?? null,
    openObjections: a.openObjections ?? 0,
    submittedAt: iso(a.submittedAt),
    publishedAt: iso(a.publishedAt),
    noticeEndsAt: iso(a.noticeEndsAt),
    expiresAt: iso(a.expiresAt),
    createdAt: iso(a.createdAt)!,
    updatedAt: iso(a.updatedAt)!,
  };
}
export type AchievementView = ReturnType<typeof achievementView>;

export function demandView(d: DemandDoc & { _id: Types.ObjectId }) {
  return {
    kind: "demand" as const,
    id: String(d._id),
    title: d.title,
    description: d.description,
    field: d.field,
    keywords: d.keywords ?? [],
    budget: { min: d.budget?.min ?? null, max: d.budget?.max ?? null, currency: d.budget?.currency ?? "CNY" },
    transactionModes: d.transactionModes ?? [],
    minTrl: d.minTrl ?? null,
    deadline: iso(d.deadline),
    enterprise: { id: String(d.enterprise), name: d.enterpriseName },
    createdBy: d.createdBy ? String(d.createdBy) : null,
    region: d.region,
    regionName: d.regionName ?? d.region,
    status: d.status as ListingStatus,
    featured: !!d.featured,
    source: d.source,
    externalId: d.externalId ?? null,
    attachments: (d.attachments ?? []).map((f) => ({
      id: String(f._id),
      filename: f.filename,
      contentType: f.contentType,
      size: f.size,
      kind: f.kind,
    })),
    rejectionReason: d.rejectionReason ?? null,
    openObjections: d.openObjections ?? 0,
    submittedAt: iso(d.submittedAt),
    publishedAt: iso(d.publishedAt),
    noticeEndsAt: iso(d.noticeEndsAt),
    createdAt: iso(d.createdAt)!,
    updatedAt: iso(d.updatedAt)!,
  };
}
export type DemandView = ReturnType<typeof demandView>;
export type ListingView = AchievementView | DemandView;

function view(kind: ListingKind, doc: unknown): ListingView {
  return kind === "achievement"
    ? achievementView(doc as AchievementDoc & { _id: Types.ObjectId })
    : demandView(doc as DemandDoc & { _id: Types.ObjectId });
}

/**
 * An item as the viewer may see it: public items to everyone; others only to the owner,
 * reviewers and the bureau (404 for anyone else, so the id reveals nothing). The audit log and
 * objections go to the owner and reviewers.
 */
export async function getListing(viewer: Actor | null, kind: ListingKind, id: string, now = new Date()) {
  const doc = await (modelOf(kind) as mongoose.Model<AchievementDoc>).findById(parseId(id)).lean();
  if (!doc) throw new NotFoundError();
  const relations = relationsOf(viewer, doc as OwnedItem);
  const status = doc.status as ListingStatus;
  if (!isPublic(status) && relations.size === 0) throw new NotFoundError();
  const insider = relations.has("owner") || relations.has("reviewer");
  const [auditLog, objections] = insider
    ? await Promise.all([auditTrail(kind, doc._id), Objection.find({ subjectType: kind, subject: doc._id }).sort({ createdAt: 1 }).lean()])
    : [[], []];
  return {
    item: view(kind, doc),
    relations: [...relations],
    actions: availableActions(status, relations, { now, noticeEndsAt: doc.noticeEndsAt, openObjections: doc.openObjections }),
    canObject: !!viewer?.id && !relations.has("owner") && status === "published" && !!doc.noticeEndsAt && doc.noticeEndsAt > now,
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
  return { items: docs.map((d) => view(kind, { ...d, description: "" })), total, page, pageSize, pages };
}

/** Home page: featured first, then the latest. */
export async function homeListings(limit = 6) {
  const [featuredA, latestA, latestD] = await Promise.all([
    Achievement.find({ status: { $in: PUBLIC_STATUSES }, featured: true })
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
  return docs.map((d) => view(kind, { ...d, description: "" }));
}

/** Brokers' and admins' queue: submitted items oldest first, and open objections. */
export async function reviewQueue(actor: Actor) {
  if (!can(actor, "listing:review")) throw new ForbiddenError();
  const [achievements, demands, objections] = await Promise.all([
    Achievement.find({ status: "submitted" }, { description: 0 }).sort({ submittedAt: 1 }).limit(200).lean(),
    Demand.find({ status: "submitted" }, { description: 0 }).sort({ submittedAt: 1 }).limit(200).lean(),
    Objection.find({ status: "open" }).sort({ createdAt: 1 }).limit(200).lean(),
  ]);
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
