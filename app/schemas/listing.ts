import { z } from "zod";
import { ListingPriceSchema, listingPrices, normalizePrices, pricesProblems } from "~/schemas/listing-prices.ts";
import { fieldErrorList, fieldErrors } from "~/utils/errors.ts";
import { MAX_YUAN } from "~/utils/money.ts";
import { patentProblem } from "~/utils/patent.ts";
import {
  FIELDS,
  IP_TYPES,
  LICENSE_EXCLUSIVITY,
  PATENT_IP_TYPES,
  PRICE_MODES,
  TRANSACTION_MODES,
  TRL_MAX,
  TRL_MIN,
} from "~/utils/taxonomy.ts";

/**
 * The canonical content of an achievement and a demand, money in fen. Every way in — the forms,
 * the import API, the seeds — maps its input to these and the listing service validates with them
 * again before writing. Messages are i18n keys.
 */
const MAX_FEN = MAX_YUAN * 100;

export const RegionCodeSchema = z.string().regex(/^\d{6}(\d{3})?$/, "errors.region");

const text = (max: number) =>
  z
    .string({ required_error: "errors.required", invalid_type_error: "errors.required" })
    .trim()
    .min(1, "errors.required")
    .max(max, "errors.tooLong");

export const KeywordsSchema = z
  .array(z.string().trim().min(1).max(30, "errors.keywordTooLong"))
  .max(20, "errors.tooManyKeywords")
  .transform((list) => [...new Set(list)]);

export const FenSchema = z.number().int("errors.amount").min(0, "errors.amount").max(MAX_FEN, "errors.amountTooLarge");

export const InventorSchema = z.object({
  name: text(40),
  /** Share of the inventors' part of the revenue, in percent (科技成果转化收益分配). */
  share: z.number().min(0).max(100).optional(),
});

export const AchievementDataSchema = z
  .object({
    title: text(120),
    summary: text(500),
    description: text(20_000),
    field: z.enum(FIELDS, { errorMap: () => ({ message: "errors.field" }) }),
    keywords: KeywordsSchema.default([]),
    ipType: z.enum(IP_TYPES, { errorMap: () => ({ message: "errors.ipType" }) }),
    patentNumbers: z.array(z.string().trim().min(1)).max(50).default([]),
    trl: z
      .number({ invalid_type_error: "errors.trl", required_error: "errors.required" })
      .int("errors.trl")
      .min(TRL_MIN, "errors.trl")
      .max(TRL_MAX, "errors.trl"),
    transactionModes: z
      .array(z.enum(TRANSACTION_MODES, { errorMap: () => ({ message: "errors.transactionMode" }) }))
      .min(1, "errors.transactionModesRequired")
      .transform((l) => [...new Set(l)]),
    licenseExclusivity: z
      .array(z.enum(LICENSE_EXCLUSIVITY))
      .default([])
      .transform((l) => [...new Set(l)]),
    price: z.object({
      mode: z.enum(PRICE_MODES, { errorMap: () => ({ message: "errors.priceMode" }) }),
      amount: FenSchema.optional(),
    }),
    /** 分项挂牌价 (fixed price only): a price per mode and licence kind; see ~/schemas/listing-prices.ts. */
    prices: z.array(ListingPriceSchema).max(12).default([]),
    inventors: z.array(InventorSchema).max(30).default([]),
    region: RegionCodeSchema,
    fiscalFunding: z.object({ funded: z.boolean(), project: z.string().trim().max(200).optional() }).default({ funded: false }),
    expiresAt: z.date().optional(),
  })
  .superRefine((a, ctx) => {
    const priced = a.price.mode === "fixed" && a.prices.length > 0;
    if ((a.price.mode === "fixed" || a.price.mode === "auction") && !a.price.amount && !priced) {
      ctx.addIssue({ code: "custom", path: ["price", "amount"], message: "errors.priceRequired" });
    }
    for (const p of pricesProblems(a.price.mode, a.transactionModes, a.licenseExclusivity, a.prices)) {
      const path = p.index === null ? ["prices"] : p.field ? ["prices", p.index, p.field] : ["prices", p.index];
      ctx.addIssue({ code: "custom", path, message: p.message });
    }
    if (a.transactionModes.includes("license") && a.licenseExclusivity.length === 0) {
      ctx.addIssue({ code: "custom", path: ["licenseExclusivity"], message: "errors.exclusivityRequired" });
    }
    if (PATENT_IP_TYPES.includes(a.ipType) && a.patentNumbers.length === 0) {
      ctx.addIssue({ code: "custom", path: ["patentNumbers"], message: "errors.patentRequired" });
    }
    // A wrong check character alone is not refused here: records imported from other platforms
    // carry such typos and should not be lost for them. Forms refuse it (see patentCheckIssues);
    // the import API reports it as a warning.
    a.patentNumbers.forEach((n, i) => {
      const problem = patentProblem(n);
      if (problem && problem !== "check") {
        ctx.addIssue({ code: "custom", path: ["patentNumbers", i], message: `errors.patent.${problem}` });
      }
    });
    const shares = a.inventors.reduce((s, i) => s + (i.share ?? 0), 0);
    if (shares > 100) ctx.addIssue({ code: "custom", path: ["inventors"], message: "errors.sharesOver100" });
  })
  .transform((a) => {
    // A fixed price is stored as its list (one amount for every offered option when only one was
    // given, as before per-option prices); `price.amount` is then the lowest, for lists and search.
    if (a.price.mode !== "fixed") return { ...a, prices: [] };
    const prices = a.prices.length ? normalizePrices(a.prices) : listingPrices({ ...a, prices: [] });
    const amount = prices.length ? Math.min(...prices.map((p) => p.amount)) : a.price.amount;
    return { ...a, prices, price: { ...a.price, amount } };
  });
export type AchievementData = z.infer<typeof AchievementDataSchema>;
export type AchievementDataInput = z.input<typeof AchievementDataSchema>;

export const DemandDataSchema = z
  .object({
    title: text(120),
    description: text(20_000),
    field: z.enum(FIELDS, { errorMap: () => ({ message: "errors.field" }) }),
    keywords: KeywordsSchema.default([]),
    budget: z.object({ min: FenSchema.optional(), max: FenSchema.optional() }).default({}),
    transactionModes: z
      .array(z.enum(TRANSACTION_MODES, { errorMap: () => ({ message: "errors.transactionMode" }) }))
      .min(1, "errors.transactionModesRequired")
      .transform((l) => [...new Set(l)]),
    minTrl: z.number().int("errors.trl").min(TRL_MIN, "errors.trl").max(TRL_MAX, "errors.trl").optional(),
    deadline: z.date().optional(),
    region: RegionCodeSchema,
  })
  .superRefine((d, ctx) => {
    if (d.budget.min !== undefined && d.budget.max !== undefined && d.budget.min > d.budget.max) {
      ctx.addIssue({ code: "custom", path: ["budget", "max"], message: "errors.budgetOrder" });
    }
  });
export type DemandData = z.infer<typeof DemandDataSchema>;
export type DemandDataInput = z.input<typeof DemandDataSchema>;

/** Indexes of patent numbers whose check character is wrong (format already valid). */
export function patentCheckIssues(numbers: readonly string[]): number[] {
  return numbers.flatMap((n, i) => (patentProblem(n) === "check" ? [i] : []));
}

export const LISTING_KINDS = ["achievement", "demand"] as const;
export type ListingKind = (typeof LISTING_KINDS)[number];

/** Field errors keyed by dotted path (`price.amount`, `patentNumbers.1`), as forms and the API report them. */
export function flattenZodErrors(error: z.ZodError): Record<string, string[]> {
  const out = fieldErrors();
  for (const issue of error.issues) {
    fieldErrorList(out, issue.path.join(".")).push(issue.message);
  }
  return out;
}
