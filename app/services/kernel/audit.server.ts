import { AuditEvent, type AuditSubjectType } from "~/models/audit-event.server.ts";
import type { Actor, Via } from "./actor.ts";
import { oid, type ObjectId } from "./ids.server.ts";
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
