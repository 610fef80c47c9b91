import type mongoose from "mongoose";
import { type Types } from "mongoose";
import { Achievement, type AchievementDoc } from "~/models/achievement.server.ts";
import { Demand, type DemandDoc } from "~/models/demand.server.ts";
import { Organization } from "~/models/organization.server.ts";
import type { ExportQuery, ListQuery } from "~/schemas/api.ts";
import type { ListingKind } from "~/schemas/listing.ts";
import type { ApiPrincipal } from "../accounts/api-tokens.server.ts";
import { canViewViaApi, seesAll } from "../listings/access.ts";
import { achievementView, demandView } from "../listings/views.ts";
import { NotFoundError, ValidationError } from "~/utils/errors.ts";
import { PUBLIC_STATUSES } from "~/utils/listing-workflow.ts";
import { fenToYuanOrNull } from "~/utils/money.ts";
import { isIdString, oid, parseId } from "../kernel/ids.server.ts";

/**
 * Reading side of the open data API: one item, pages for incremental sync, and the full export
 * as JSON lines. Items come out in the import's own format (public field names, money in yuan),
 * so an export line can be imported elsewhere as it is.
 */

export type Reader = Pick<ApiPrincipal, "roles" | "actor">;

const MATURITY_LABELS = {
  research: "正在研发",
  sample: "已有样品",
  "lab-trial": "通过小试",
  pilot: "通过中试",
  "mass-production": "可以量产",
} as const;

type AchievementRow = AchievementDoc & { _id: Types.ObjectId };
type DemandRow = DemandDoc & { _id: Types.ObjectId };

export function apiAchievement(doc: AchievementRow, creditCodes: ReadonlyMap<string, string>) {
  const v = achievementView(doc);
  return {
    type: "achievement" as const,
    id: v.id,
    source: v.source,
    externalId: v.externalId,
    status: v.status,
    title: v.title,
    summary: v.summary,
    description: v.description,
    field: v.field,
    keywords: v.keywords,
    ipType: v.ipType,
    patentNumbers: v.patentNumbers,
    trl: v.trl,
    maturity: v.maturity,
    maturityLabel: MATURITY_LABELS[v.maturity],
    transactionModes: v.transactionModes,
    licenseExclusivity: v.licenseExclusivity,
    price: { mode: v.price.mode, amount: fenToYuanOrNull(v.price.amount), currency: v.price.currency },
    prices: v.prices.map((p) => ({
      transactionMode: p.transactionMode,
      licenseExclusivity: p.licenseExclusivity,
      amount: fenToYuanOrNull(p.amount),
    })),
    owner: { name: v.owner.name, type: v.owner.type, creditCode: creditCodes.get(v.owner.id) ?? null },
    inventors: v.inventors,
    fiscalFunding: v.fiscalFunding,
    region: v.region,
    regionName: v.regionName,
    expiresAt: v.expiresAt,
    publishedAt: v.publishedAt,
    noticeEndsAt: v.noticeEndsAt,
    createdAt: v.createdAt,
    updatedAt: v.updatedAt,
  };
}
export type ApiAchievement = ReturnType<typeof apiAchievement>;

export function apiDemand(doc: DemandRow, creditCodes: ReadonlyMap<string, string>, orgTypes: ReadonlyMap<string, string>) {
  const v = demandView(doc);
  return {
    type: "demand" as const,
    id: v.id,
    source: v.source,
    externalId: v.externalId,
    status: v.status,
    title: v.title,
    description: v.description,
    field: v.field,
    keywords: v.keywords,
    budget: { min: fenToYuanOrNull(v.budget.min), max: fenToYuanOrNull(v.budget.max), currency: v.budget.currency },
    transactionModes: v.transactionModes,
    minTrl: v.minTrl,
    deadline: v.deadline,
    enterprise: {
      name: v.enterprise.name,
      type: orgTypes.get(v.enterprise.id) ?? "enterprise",
      creditCode: creditCodes.get(v.enterprise.id) ?? null,
    },
    region: v.region,
    regionName: v.regionName,
    publishedAt: v.publishedAt,
    noticeEndsAt: v.noticeEndsAt,
    createdAt: v.createdAt,
    updatedAt: v.updatedAt,
  };
}
export type ApiDemand = ReturnType<typeof apiDemand>;
export type ApiItem = ApiAchievement | ApiDemand;

/** Credit codes and types of the owning organisations of a batch of items, in one query. */
async function organizationsOf(kind: ListingKind, docs: readonly Record<string, unknown>[]) {
  const field = kind === "achievement" ? "owner" : "enterprise";
  const ids = [...new Set(docs.map((d) => String(d[field])))].filter(isIdString);
  const orgs = ids.length ? await Organization.find({ _id: { $in: ids } }, { creditCode: 1, type: 1 }).lean() : [];
  const creditCodes = new Map<string, string>();
  const types = new Map<string, string>();
  for (const o of orgs) {
    if (o.creditCode) creditCodes.set(String(o._id), o.creditCode);
    types.set(String(o._id), o.type);
  }
  return { creditCodes, types };
}

async function toApiItems(kind: ListingKind, docs: Record<string, unknown>[]): Promise<ApiItem[]> {
  const { creditCodes, types } = await organizationsOf(kind, docs);
  return kind === "achievement"
    ? docs.map((d) => apiAchievement(d as unknown as AchievementRow, creditCodes))
    : docs.map((d) => apiDemand(d as unknown as DemandRow, creditCodes, types));
}

const modelOf = (kind: ListingKind) => (kind === "achievement" ? Achievement : Demand) as unknown as mongoose.Model<AchievementDoc>;

/**
 * One item. Public items to any token; others to admin and broker tokens, and to a personal
 * token of the item's owner. Anyone else gets 404, so an id reveals nothing.
 */
export async function getApiItem(reader: Reader, kind: ListingKind, id: string): Promise<ApiItem> {
  const doc = await modelOf(kind).findById(parseId(id), { attachments: 0 }).lean();
  if (!doc) throw new NotFoundError();
  if (!canViewViaApi(reader, doc as never)) throw new NotFoundError();
  const [item] = await toApiItems(kind, [doc as unknown as Record<string, unknown>]);
  return item!;
}

// ---------------------------------------------------------------------------------------------
// Incremental sync: (updatedAt, _id) ascending, with an opaque cursor after the last item.

export interface Position {
  updatedAt: Date;
  id: Types.ObjectId;
}

export function encodeCursor(p: Position): string {
  return Buffer.from(`${p.updatedAt.getTime()}.${String(p.id)}`, "utf8").toString("base64url");
}

export function decodeCursor(cursor: string): Position {
  const m = /^(\d{1,15})\.([a-f0-9]{24})$/.exec(Buffer.from(cursor, "base64url").toString("utf8"));
  if (!m) throw new ValidationError({ cursor: ["apiErrors.cursor"] });
  return { updatedAt: new Date(Number(m[1])), id: oid(m[2]!) };
}

function syncFilter(reader: Reader, q: { updatedSince?: Date; after?: Position }) {
  const and: Record<string, unknown>[] = [];
  if (!seesAll(reader)) and.push({ status: { $in: PUBLIC_STATUSES } });
  if (q.updatedSince) and.push({ updatedAt: { $gte: q.updatedSince } });
  if (q.after) {
    and.push({
      $or: [{ updatedAt: { $gt: q.after.updatedAt } }, { updatedAt: q.after.updatedAt, _id: { $gt: q.after.id } }],
    });
  }
  return and.length ? { $and: and } : {};
}

const SYNC_SORT = { updatedAt: 1, _id: 1 } as const;

export interface ApiPage {
  items: ApiItem[];
  /** Pass as `cursor` to continue; keep it to resume the next sync from here. */
  nextCursor: string | null;
  hasMore: boolean;
}

export async function listApiItems(reader: Reader, kind: ListingKind, q: ListQuery): Promise<ApiPage> {
  const after = q.cursor ? decodeCursor(q.cursor) : undefined;
  const docs = await modelOf(kind)
    .find(syncFilter(reader, { updatedSince: q.updatedSince, after }), { attachments: 0 })
    .sort(SYNC_SORT)
    .limit(q.limit + 1)
    .lean();
  const hasMore = docs.length > q.limit;
  const page = (hasMore ? docs.slice(0, q.limit) : docs) as unknown as Record<string, unknown>[];
  const last = page.at(-1) as { updatedAt: Date; _id: Types.ObjectId } | undefined;
  return {
    items: await toApiItems(kind, page),
    nextCursor: last ? encodeCursor({ updatedAt: last.updatedAt, id: last._id }) : (q.cursor ?? null),
    hasMore,
  };
}

/** Documents read from the database cursor per step of the export. */
const EXPORT_BATCH = 500;

/**
 * The whole export as JSON lines: achievements, then demands, each in sync order. Reads with a
 * database cursor a batch at a time, so memory stays flat however many items there are.
 */
export async function* exportLines(reader: Reader, q: ExportQuery): AsyncGenerator<string> {
  const kinds: ListingKind[] = q.type ? [q.type] : ["achievement", "demand"];
  for (const kind of kinds) {
    const cursor = modelOf(kind)
      .find(syncFilter(reader, { updatedSince: q.updatedSince }), { attachments: 0 })
      .sort(SYNC_SORT)
      .lean()
      .cursor({ batchSize: EXPORT_BATCH });
    try {
      let batch: Record<string, unknown>[] = [];
      const flush = async () => {
        const items = await toApiItems(kind, batch);
        batch = [];
        return items.map((i) => `${JSON.stringify(i)}\n`).join("");
      };
      for await (const doc of cursor) {
        batch.push(doc as unknown as Record<string, unknown>);
        if (batch.length >= EXPORT_BATCH) yield await flush();
      }
      if (batch.length) yield await flush();
    } finally {
      await cursor.close();
    }
  }
}
