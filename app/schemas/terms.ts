import { z } from "zod";
import { LICENSE_EXCLUSIVITY, TRANSACTION_MODES } from "~/utils/taxonomy.ts";

/**
 * The one shape of agreed terms: what an offer version, an offer card and a deal carry, and what
 * a contract will be drafted from (decision 009). Money in fen. An offer fills the price, the mode
 * and the exclusivity; a room card may add territory, term, royalty and milestones.
 */
export const TermsMilestoneSchema = z.object({
  title: z.string().min(1),
  /** fen */
  amount: z.number().int().min(0),
  dueInDays: z.number().int().min(0).nullish(),
});

export const TermsSchema = z.object({
  /** fen */
  price: z.number().int().min(0),
  currency: z.string().default("CNY"),
  transactionMode: z.enum(TRANSACTION_MODES),
  /** Required for a licence, absent otherwise. */
  licenseExclusivity: z.enum(LICENSE_EXCLUSIVITY).nullish(),
  /** 许可/转让地域, e.g. "中国大陆" or "云南省". */
  territory: z.string().nullish(),
  /** 期限 in months. */
  termMonths: z.number().int().nullish(),
  /** 提成 as a percentage of sales, on top of the price. */
  royaltyPercent: z.number().nullish(),
  milestones: z.array(TermsMilestoneSchema).default([]),
});

export type Terms = z.output<typeof TermsSchema>;
export type TermsMilestone = z.output<typeof TermsMilestoneSchema>;

/** What is wrong with a set of terms, whatever channel proposed them. */
export type TermsProblem =
  { field: "licenseExclusivity"; code: "exclusivityRequired" } | { field: "milestones"; code: "milestonesExceedPrice" };

/** The validity rules every set of terms obeys: a licence names its exclusivity; milestones add up to at most the price. */
export function termsProblems(
  t: Pick<Terms, "price" | "transactionMode" | "licenseExclusivity"> & { milestones?: readonly { amount: number }[] },
): TermsProblem[] {
  const problems: TermsProblem[] = [];
  if (t.transactionMode === "license" && !t.licenseExclusivity) problems.push({ field: "licenseExclusivity", code: "exclusivityRequired" });
  const milestones = t.milestones ?? [];
  const total = milestones.reduce((s, m) => s + m.amount, 0);
  if (milestones.length && total > t.price) problems.push({ field: "milestones", code: "milestonesExceedPrice" });
  return problems;
}

/** Terms as stored: exclusivity only on a licence, empty optional parts left out, currency CNY. */
export function normalizeTerms(t: {
  price: number;
  currency?: string | null;
  transactionMode: Terms["transactionMode"];
  licenseExclusivity?: Terms["licenseExclusivity"];
  territory?: string | null;
  termMonths?: number | null;
  royaltyPercent?: number | null;
  milestones?: readonly { title: string; amount: number; dueInDays?: number | null }[] | null;
}): Terms {
  const out: Terms = {
    price: t.price,
    currency: t.currency ?? "CNY",
    transactionMode: t.transactionMode,
    milestones: (t.milestones ?? []).map((m) => ({
      title: m.title,
      amount: m.amount,
      ...(m.dueInDays != null ? { dueInDays: m.dueInDays } : {}),
    })),
  };
  if (t.transactionMode === "license" && t.licenseExclusivity) out.licenseExclusivity = t.licenseExclusivity;
  if (t.territory != null) out.territory = t.territory;
  if (t.termMonths != null) out.termMonths = t.termMonths;
  if (t.royaltyPercent != null) out.royaltyPercent = t.royaltyPercent;
  return out;
}
