import mongoose, { type ClientSession, type Types } from "mongoose";
import { Achievement, type AchievementDoc } from "~/models/achievement.server.ts";
import { Demand, type DemandDoc } from "~/models/demand.server.ts";
import { Organization } from "~/models/organization.server.ts";
import { enqueueIndexing } from "~/models/search-outbox.server.ts";
import {
  ImportRequestSchema,
  MAX_IMPORT_RECORDS,
  prepareAchievement,
  prepareDemand,
  type FieldErrors,
  type ImportOwner,
  type PreparedAchievement,
  type PreparedDemand,
  type PreparedRecord,
  type Warning,
} from "~/schemas/api.ts";
import { flattenZodErrors, type ListingKind } from "~/schemas/listing.ts";
import type { ApiPrincipal } from "~/services/accounts/api-tokens.server.ts";
import { achievementFields, demandFields } from "~/services/listings/content.server.ts";
import { DomainError, ForbiddenError, ValidationError } from "~/utils/errors.ts";
import { PUBLIC_STATUSES, type ListingStatus } from "~/utils/listing-workflow.ts";
import { noticeEndFor } from "../settings/rules.ts";
import { readSettings } from "../settings/settings.server.ts";
import { hasRole } from "~/utils/permissions.ts";
import { regionName } from "~/utils/regions.server.ts";
import { withTransaction } from "~/services/kernel/tx.server.ts";
import { recordAudit, type AuditEntry } from "../kernel/audit.server.ts";
import { newId, oid } from "../kernel/ids.server.ts";
import { isDuplicateKey } from "../kernel/mongo-errors.ts";

/**
 * 信息汇交 import: achievements and demands from another platform, upserted by (source,
 * externalId). Every record is checked fully first; the good ones are then written together —
 * listings, their owner organisations and one audit event each — in one transaction with bulk
 * writes, so a bad record refuses only itself and a failure never leaves half a batch behind.
 */

export class TooManyRecordsError extends DomainError {
  override readonly status = 413;
  constructor(public readonly received: number) {
    super("apiErrors.tooManyRecords", { params: { received } });
  }
}

export type ImportRecordStatus = "created" | "updated" | "unchanged" | "refused";

export interface ImportRecordResult {
  /** Position in its list (`achievements` or `demands`) of the request, from 0. */
  index: number;
  externalId: string | null;
  status: ImportRecordStatus;
  id?: string;
  /** Field path → i18n keys (resolved to text by the API layer). */
  errors?: FieldErrors;
  warnings?: Warning[];
}

export interface ImportTotals {
  received: number;
  created: number;
  updated: number;
  unchanged: number;
  refused: number;
  /** Records that carry at least one warning. */
  withWarnings: number;
}

export interface ImportResult {
  source: string;
  totals: ImportTotals;
  achievements: ImportRecordResult[];
  demands: ImportRecordResult[];
}

export type Importer = Pick<ApiPrincipal, "name" | "roles" | "actor">;

export function mayImport(importer: Pick<ApiPrincipal, "roles">): boolean {
  return hasRole(importer, "admin") || hasRole(importer, "broker");
}

interface Candidate {
  kind: ListingKind;
  index: number;
  record: PreparedRecord;
  regionName: string;
  warnings: Warning[];
}

/** Imports one request body (already parsed from JSON). */
export async function importListings(importer: Importer, body: unknown, now = new Date()): Promise<ImportResult> {
  if (!mayImport(importer)) throw new ForbiddenError("apiErrors.importForbidden");
  const envelope = ImportRequestSchema.safeParse(body);
  if (!envelope.success) throw new ValidationError(flattenZodErrors(envelope.error));
  const rawAchievements = envelope.data.achievements ?? [];
  const rawDemands = envelope.data.demands ?? [];
  const received = rawAchievements.length + rawDemands.length;
  if (received > MAX_IMPORT_RECORDS) throw new TooManyRecordsError(received);
  const source = envelope.data.source ?? importer.name.trim();
  if (source === "platform") throw new ValidationError({ source: ["apiErrors.sourceReserved"] });

  const results: Record<ListingKind, ImportRecordResult[]> = { achievement: [], demand: [] };
  const candidates: Candidate[] = [];
  const check = (kind: ListingKind, list: unknown[]) => {
    const seen = new Set<string>();
    list.forEach((raw, index) => {
      const prepared = kind === "achievement" ? prepareAchievement(raw, { regionName }) : prepareDemand(raw, { regionName });
      if (!prepared.ok) {
        results[kind][index] = refused(index, prepared.externalId, prepared.errors, prepared.warnings);
        return;
      }
      const record = prepared.value;
      if (seen.has(record.externalId)) {
        results[kind][index] = refused(index, record.externalId, { externalId: ["apiErrors.duplicateExternalId"] }, prepared.warnings);
        return;
      }
      seen.add(record.externalId);
      candidates.push({ kind, index, record, regionName: record.regionName!, warnings: prepared.warnings });
    });
  };
  check("achievement", rawAchievements);
  check("demand", rawDemands);

  if (candidates.length > 0) {
    const written = await writeWithRetry(importer, source, candidates, now);
    for (const r of written) results[r.kind][r.result.index] = r.result;
  }

  const all = [...results.achievement, ...results.demand];
  const count = (s: ImportRecordStatus) => all.filter((r) => r.status === s).length;
  return {
    source,
    totals: {
      received,
      created: count("created"),
      updated: count("updated"),
      unchanged: count("unchanged"),
      refused: count("refused"),
      withWarnings: all.filter((r) => r.warnings?.length).length,
    },
    achievements: results.achievement,
    demands: results.demand,
  };
}

function refused(index: number, externalId: string | null, errors: FieldErrors, warnings: Warning[]): ImportRecordResult {
  return { index, externalId, status: "refused", errors, ...(warnings.length ? { warnings } : {}) };
}

/**
 * Another import of the same source may create the same records (or organisations) meanwhile;
 * the unique indexes refuse the second insert and the whole write is planned again, this time
 * seeing those records as existing.
 */
async function writeWithRetry(importer: Importer, source: string, candidates: Candidate[], now: Date) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await withTransaction((session) => writeBatch(session, importer, source, candidates, now));
    } catch (e) {
      if (attempt >= 3 || !isDuplicateKey(e)) throw e;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Organisations

const ownerKey = (o: ImportOwner) => (o.creditCode ? `cc:${o.creditCode}` : `nt:${o.type}:${o.name}`);

interface OrgRef {
  _id: Types.ObjectId;
  name: string;
  type: string;
}

/** Owners by credit code if given, else by (name, type); created when missing. */
async function resolveOrganizations(session: ClientSession, candidates: Candidate[]): Promise<Map<string, OrgRef>> {
  const wanted = new Map<string, { owner: ImportOwner; region: string }>();
  for (const c of candidates) {
    const key = ownerKey(c.record.owner);
    if (!wanted.has(key)) wanted.set(key, { owner: c.record.owner, region: c.record.data.region });
  }
  const codes = [...wanted.values()].flatMap((w) => (w.owner.creditCode ? [w.owner.creditCode] : []));
  const names = [...new Set([...wanted.values()].filter((w) => !w.owner.creditCode).map((w) => w.owner.name))];
  const or: Record<string, unknown>[] = [];
  if (codes.length) or.push({ creditCode: { $in: codes } });
  if (names.length) or.push({ name: { $in: names } });
  const found = await Organization.find({ $or: or }, { name: 1, type: 1, creditCode: 1 })
    .sort({ createdAt: 1, _id: 1 })
    .session(session)
    .lean();
  const map = new Map<string, OrgRef>();
  for (const o of found) {
    const ref = { _id: o._id, name: o.name, type: o.type };
    if (o.creditCode) map.set(`cc:${o.creditCode}`, ref);
    const k = `nt:${o.type}:${o.name}`;
    if (!map.has(k)) map.set(k, ref); // the oldest organisation of that name and type
  }
  const missing = [...wanted.entries()].filter(([key]) => !map.has(key));
  if (missing.length) {
    const docs = missing.map(([key, w]) => ({
      key,
      doc: {
        _id: newId(),
        name: w.owner.name,
        type: w.owner.type,
        ...(w.owner.creditCode ? { creditCode: w.owner.creditCode } : {}),
        region: w.region,
      },
    }));
    await Organization.insertMany(
      docs.map((d) => d.doc),
      { session },
    );
    for (const d of docs) map.set(d.key, { _id: d.doc._id, name: d.doc.name, type: d.doc.type });
  }
  return map;
}

// ---------------------------------------------------------------------------------------------
// Listing content

/** The stored content of an imported achievement: the core's content plus the owner. */
function achievementContent(r: PreparedAchievement, _region: string, org: OrgRef) {
  return { ...achievementFields(r.data), owner: org._id, ownerName: org.name, ownerType: org.type };
}

function demandContent(r: PreparedDemand, _region: string, org: OrgRef) {
  return { ...demandFields(r.data), enterprise: org._id, enterpriseName: org.name };
}

/** JSON with sorted keys, no undefined/null members and ids as strings: for "did it change?". */
function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, value) => {
    if (value instanceof mongoose.Types.ObjectId) return String(value);
    if (value && typeof value === "object" && !Array.isArray(value) && !(value instanceof Date)) {
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(value).sort()) {
        const x = (value as Record<string, unknown>)[key];
        if (x !== undefined && x !== null) out[key] = x;
      }
      return out;
    }
    return value;
  });
}

function sameContent(content: Record<string, unknown>, existing: Record<string, unknown>): boolean {
  for (const key of Object.keys(content)) {
    const a = content[key];
    const b = existing[key];
    const norm = (x: unknown) => (x instanceof Date ? x.toISOString() : x);
    if (canonical(norm(a) ?? null) !== canonical(norm(b) ?? null)) return false;
  }
  return true;
}

/** $set for what is given, $unset for optional fields the record no longer has. */
function updateOf(content: Record<string, unknown>, extra: Record<string, unknown>) {
  const $set: Record<string, unknown> = { ...extra };
  const $unset: Record<string, ""> = {};
  for (const [key, value] of Object.entries(content)) {
    if (value === undefined) $unset[key] = "";
    else $set[key] = stripUndefined(value);
  }
  return Object.keys($unset).length ? { $set, $unset } : { $set };
}

function stripUndefined(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stripUndefined);
  if (v && typeof v === "object" && !(v instanceof Date) && !(v instanceof mongoose.Types.ObjectId)) {
    return Object.fromEntries(
      Object.entries(v)
        .filter(([, x]) => x !== undefined)
        .map(([k, x]) => [k, stripUndefined(x)]),
    );
  }
  return v;
}

// ---------------------------------------------------------------------------------------------
// The write

type ExistingDoc = Record<string, unknown> & { _id: Types.ObjectId; externalId: string; status: ListingStatus };

async function writeBatch(session: ClientSession, importer: Importer, source: string, candidates: Candidate[], now: Date) {
  const orgs = await resolveOrganizations(session, candidates);
  const out: { kind: ListingKind; result: ImportRecordResult }[] = [];
  const audits: AuditEntry[] = [];
  const actorId = importer.actor.id ? oid(importer.actor.id) : undefined;
  // The 公示 length is a platform setting, per item (协议定价 by a public institution may be longer).
  const settings = await readSettings(session);

  for (const kind of ["achievement", "demand"] as const) {
    const mine = candidates.filter((c) => c.kind === kind);
    if (mine.length === 0) continue;
    const Model = (kind === "achievement" ? Achievement : Demand) as unknown as mongoose.Model<AchievementDoc | DemandDoc>;
    const existingDocs = (await Model.find({ source, externalId: { $in: mine.map((c) => c.record.externalId) } }, { attachments: 0 })
      .session(session)
      .lean()) as unknown as ExistingDoc[];
    const existing = new Map(existingDocs.map((d) => [d.externalId, d]));
    const ops: mongoose.AnyBulkWriteOperation[] = [];

    for (const c of mine) {
      const warnings = [...c.warnings];
      const org = orgs.get(ownerKey(c.record.owner))!;
      const ownerField = kind === "achievement" ? "owner" : "enterprise";
      if (c.record.owner.creditCode && org.name !== c.record.owner.name) {
        warnings.push({ field: `${ownerField}.name`, message: "apiWarnings.ownerNameRegistered", params: { name: org.name } });
      }
      const content: Record<string, unknown> =
        c.record.kind === "achievement" ? achievementContent(c.record, c.regionName, org) : demandContent(c.record, c.regionName, org);
      const old = existing.get(c.record.externalId);
      const noticeEndsAt = noticeEndFor(
        settings,
        { kind, ownerType: org.type, priceMode: (content.price as { mode?: string } | undefined)?.mode },
        now,
      );
      const base = { index: c.index, externalId: c.record.externalId };
      const withWarnings = (r: ImportRecordResult): ImportRecordResult => (warnings.length ? { ...r, warnings } : r);

      if (!old) {
        const _id = newId();
        const published = c.record.status === "published";
        const document = {
          ...(stripUndefined(content) as Record<string, unknown>),
          _id,
          source,
          externalId: c.record.externalId,
          status: c.record.status,
          ...(published ? { publishedAt: now, noticeEndsAt } : {}),
          ...(actorId ? { createdBy: actorId } : {}),
        };
        ops.push({ insertOne: { document } });
        audits.push(auditEvent(kind, _id, undefined, c.record.status, importer, actorId, now));
        out.push({ kind, result: withWarnings({ ...base, status: "created", id: String(_id) }) });
        continue;
      }

      const publish = old.status === "draft" && c.record.status === "published";
      if (
        !publish &&
        c.record.statusGiven &&
        c.record.status !== old.status &&
        !(c.record.status === "published" && PUBLIC_STATUSES.includes(old.status))
      ) {
        warnings.push({ field: "status", message: "apiWarnings.statusKept", params: { status: old.status } });
      }
      if (!publish && sameContent(content, old)) {
        out.push({ kind, result: withWarnings({ ...base, status: "unchanged", id: String(old._id) }) });
        continue;
      }
      const to = publish ? "published" : old.status;
      ops.push({
        updateOne: {
          filter: { _id: old._id },
          update: updateOf(content, publish ? { status: "published", publishedAt: now, noticeEndsAt } : {}),
        },
      });
      audits.push(auditEvent(kind, old._id, old.status, to, importer, actorId, now));
      out.push({ kind, result: withWarnings({ ...base, status: "updated", id: String(old._id) }) });
    }
    // The records passed the core zod schemas (stricter than the mongoose ones) just above, so
    // mongoose only casts here; validating each document again would double the write time.
    if (ops.length) await Model.bulkWrite(ops as never, { session, ordered: true, skipValidation: true });
  }
  // The search index follows: every created or updated listing, in this same transaction.
  for (const kind of ["achievement", "demand"] as const) {
    const ids = audits.filter((a) => a.subjectType === kind).map((a) => oid(a.subject));
    await enqueueIndexing(session, kind, ids);
  }
  // Plain, fully typed events (ids, dates, enums set above): inserted without hydrating documents.
  await recordAudit(session, audits, { bulk: true });
  return out;
}

function auditEvent(
  kind: ListingKind,
  subject: Types.ObjectId,
  from: string | undefined,
  to: string,
  importer: Importer,
  actorId: Types.ObjectId | undefined,
  at: Date,
): AuditEntry {
  return {
    subjectType: kind,
    subject,
    action: "import",
    from,
    to,
    actor: { id: actorId ? String(actorId) : null, name: importer.name, roles: importer.roles },
    via: "api",
    at,
  };
}
