import { AuditEvent, type AuditSubjectType } from "~/models/audit-event.server.ts";
import type { Actor, Via } from "./actor.ts";
import { endOfChinaDay, startOfChinaDay } from "~/utils/china-time.ts";
import { assertCan, type RoleHolder } from "~/utils/permissions.ts";
import { literalPattern } from "~/utils/regex.ts";
import { maybeId, oid, type ObjectId } from "./ids.server.ts";
import type { ClientSession } from "./tx.server.ts";

export type { AuditSubjectType };

/**
 * The audit log, once: who did what to which object, when, from which state to which, and why.
 * Append-only (the model refuses updates and deletes). Written in the caller's transaction, so an
 * entry exists exactly when the change it records was committed.
 */
export interface AuditEntry {
  subjectType: AuditSubjectType;
  subject: ObjectId | string;
  action: string;
  from?: string | null;
  to?: string | null;
  /** null: the platform itself. */
  actor: Pick<Actor, "id" | "name" | "roles"> | null;
  via: Via;
  reason?: string | null;
  at?: Date;
}

/** The stored form of an entry (for bulk inserts next to other documents). */
export function auditDocument(e: AuditEntry) {
  return {
    subjectType: e.subjectType,
    subject: oid(e.subject),
    action: e.action,
    ...(e.from ? { from: e.from } : {}),
    ...(e.to ? { to: e.to } : {}),
    ...(e.actor?.id ? { actor: oid(e.actor.id) } : {}),
    actorName: e.actor?.name ?? "系统",
    actorRoles: e.actor ? [...e.actor.roles] : [],
    via: e.via,
    ...(e.reason ? { reason: e.reason } : {}),
    at: e.at ?? new Date(),
  };
}

/**
 * Appends one or more entries, in order, inside `session` when given. `bulk` skips mongoose's
 * per-document casting (the entries are built fully typed above): for imports of thousands.
 */
export async function recordAudit(
  session: ClientSession | null,
  entries: AuditEntry | readonly AuditEntry[],
  opts: { bulk?: boolean } = {},
): Promise<void> {
  const list = Array.isArray(entries) ? entries : [entries as AuditEntry];
  if (!list.length) return;
  if (opts.bulk) await AuditEvent.insertMany(list.map(auditDocument), { session, ordered: true, lean: true });
  else await AuditEvent.create(list.map(auditDocument), { session, ordered: true });
}

/** One line of an object's history, for pages (the owner's and reviewers' audit log). */
export interface AuditLine {
  action: string;
  from?: string;
  to?: string;
  actorName: string;
  actorRoles: string[];
  via: string;
  reason?: string;
  at: string;
}

/** The history of one object, oldest first. */
export async function auditTrail(subjectType: AuditSubjectType, subject: ObjectId | string): Promise<AuditLine[]> {
  const rows = await AuditEvent.find({ subjectType, subject: oid(subject) })
    .sort({ at: 1, _id: 1 })
    .lean();
  return rows.map((e) => ({
    action: e.action,
    from: e.from ?? undefined,
    to: e.to ?? undefined,
    actorName: e.actorName,
    actorRoles: e.actorRoles ?? [],
    via: e.via,
    reason: e.reason ?? undefined,
    at: e.at.toISOString(),
  }));
}

/** The admin's search of the whole log (issue 13, point 11). Every field optional. */
export interface AuditQuery {
  /** An actor: their user id, or part of their name as recorded. */
  actor?: string;
  action?: string;
  subjectType?: AuditSubjectType;
  /** The object's id (a listing, a user, an organisation …). */
  subject?: string;
  /** China-time calendar days, inclusive. */
  fromDate?: string;
  toDate?: string;
  /** Words anywhere in the reason, the actor's name, the action or the states. */
  q?: string;
  page: number;
}

export const AUDIT_PAGE_SIZE = 50;

export interface AuditRow extends AuditLine {
  id: string;
  subjectType: string;
  subject: string;
  actorId: string | null;
}

/** Entries matching every given filter, newest first, one page. */
export async function searchAudit(actor: RoleHolder, query: AuditQuery) {
  assertCan(actor, "audit:view");
  const filter: Record<string, unknown> = {};
  const and: Record<string, unknown>[] = [];
  if (query.actor) {
    const id = maybeId(query.actor);
    and.push(id ? { actor: id } : { actorName: new RegExp(literalPattern(query.actor), "i") });
  }
  if (query.action) filter.action = query.action;
  if (query.subjectType) filter.subjectType = query.subjectType;
  if (query.subject) {
    const id = maybeId(query.subject);
    // An id that cannot be one matches nothing (not everything).
    filter.subject = id ?? oid("000000000000000000000000");
  }
  if (query.fromDate || query.toDate) {
    filter.at = {
      ...(query.fromDate ? { $gte: startOfChinaDay(query.fromDate) } : {}),
      ...(query.toDate ? { $lte: endOfChinaDay(query.toDate) } : {}),
    };
  }
  if (query.q) {
    const rx = new RegExp(literalPattern(query.q), "i");
    and.push({ $or: [{ reason: rx }, { actorName: rx }, { action: rx }, { from: rx }, { to: rx }] });
  }
  if (and.length) filter.$and = and;
  const [total, rows] = await Promise.all([
    AuditEvent.countDocuments(filter),
    AuditEvent.find(filter)
      .sort({ at: -1, _id: -1 })
      .skip((query.page - 1) * AUDIT_PAGE_SIZE)
      .limit(AUDIT_PAGE_SIZE)
      .lean(),
  ]);
  return {
    total,
    page: query.page,
    pageCount: Math.max(1, Math.ceil(total / AUDIT_PAGE_SIZE)),
    entries: rows.map((e): AuditRow => ({
      id: String(e._id),
      subjectType: e.subjectType,
      subject: String(e.subject),
      actorId: e.actor ? String(e.actor) : null,
      action: e.action,
      from: e.from ?? undefined,
      to: e.to ?? undefined,
      actorName: e.actorName,
      actorRoles: e.actorRoles ?? [],
      via: e.via,
      reason: e.reason ?? undefined,
      at: e.at.toISOString(),
    })),
  };
}

/** The actions the log holds, for the search form's list. */
export async function auditActions(actor: RoleHolder): Promise<string[]> {
  assertCan(actor, "audit:view");
  return ((await AuditEvent.distinct("action")) as string[]).sort();
}
