import type { ZodError } from "zod";
import { flattenZodErrors, type AchievementData, type DemandData } from "~/schemas/listing.ts";
import { ValidationError } from "~/utils/errors.ts";
import { normalizePatentNumber } from "~/utils/patent.ts";
import { regionName } from "~/utils/regions.server.ts";

/** A listing's stored content from its checked data (what a create, an edit or a re-import writes). */

export function validate<T>(
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
    // Only a fixed price has a list; left out otherwise, so a re-import of an unchanged record
    // from before per-option prices still reads as unchanged (a stale list is never read: see
    // listingPrices).
    prices: d.prices.length
      ? d.prices.map((p) => ({
          transactionMode: p.transactionMode,
          ...(p.licenseExclusivity ? { licenseExclusivity: p.licenseExclusivity } : {}),
          amount: p.amount,
        }))
      : undefined,
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
