import { listingPrices } from "~/schemas/listing-prices.ts";
import type { Types } from "mongoose";
import type { AchievementDoc } from "~/models/achievement.server.ts";
import type { DemandDoc } from "~/models/demand.server.ts";
import type { ListingKind } from "~/schemas/listing.ts";
import type { ListingStatus } from "~/utils/listing-workflow.ts";
import { maturityStage } from "~/utils/taxonomy.ts";

/** What pages and the API see of a stored listing (plain data, dates as ISO strings). */

export interface ObjectionView {
  id: string;
  byName: string;
  text: string;
  status: string;
  resolution?: string;
  createdAt: string;
}

const iso = (d: Date | null | undefined) => (d ? new Date(d).toISOString() : null);

/** What both kinds show of their place in the workflow: status, notice, review, evidence files. */
function workflowView(l: (AchievementDoc | DemandDoc) & { _id: Types.ObjectId }) {
  return {
    status: l.status as ListingStatus,
    featured: !!l.featured,
    source: l.source,
    externalId: l.externalId ?? null,
    attachments: (l.attachments ?? []).map((f) => ({
      id: String(f._id),
      filename: f.filename,
      contentType: f.contentType,
      size: f.size,
      kind: f.kind,
    })),
    rejectionReason: l.rejectionReason ?? null,
    openObjections: l.openObjections ?? 0,
    submittedAt: iso(l.submittedAt),
    publishedAt: iso(l.publishedAt),
    noticeEndsAt: iso(l.noticeEndsAt),
  };
}

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
    /** 分项挂牌价 (fen), in display order; an offered option not listed is 面议. */
    prices: listingPrices(a),
    /** Non-exclusive licences granted so far (the listing stays trading for other licensees). */
    nonExclusiveLicences: a.nonExclusiveLicences ?? 0,
    owner: { id: String(a.owner), name: a.ownerName, type: a.ownerType },
    createdBy: a.createdBy ? String(a.createdBy) : null,
    inventors: (a.inventors ?? []).map((i) => ({ name: i.name, share: i.share ?? null })),
    region: a.region,
    regionName: a.regionName ?? a.region,
    fiscalFunding: { funded: !!a.fiscalFunding?.funded, project: a.fiscalFunding?.project ?? null },
    ...workflowView(a),
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
    ...workflowView(d),
    /** Once solved (已解决): when, and the achievement that solved it if its owner named one. */
    solution: d.solution?.solvedAt
      ? {
          solvedAt: iso(d.solution.solvedAt)!,
          achievement: d.solution.achievement ? { id: String(d.solution.achievement), title: d.solution.achievementTitle ?? "" } : null,
        }
      : null,
    createdAt: iso(d.createdAt)!,
    updatedAt: iso(d.updatedAt)!,
  };
}
export type DemandView = ReturnType<typeof demandView>;
export type ListingView = AchievementView | DemandView;

export function listingView(kind: ListingKind, doc: unknown): ListingView {
  return kind === "achievement"
    ? achievementView(doc as AchievementDoc & { _id: Types.ObjectId })
    : demandView(doc as DemandDoc & { _id: Types.ObjectId });
}
