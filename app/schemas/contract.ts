import { z } from "zod";

/**
 * Technology contracts (技术合同, issue 14): the five categories of the Civil Code and their
 * sub-categories, and what the drafting, editing and signing forms may contain. Money in fen.
 */
import { CONTRACT_CATEGORIES, type ContractCategory } from "~/utils/contracts.ts";
import type { FieldErrors } from "~/utils/errors.ts";
import { MAX_FEN, yuanToFen } from "~/utils/money.ts";

export {
  CONTRACT_CATEGORIES,
  CONTRACT_SIDES,
  CONTRACT_STATUSES,
  CONTRACT_SUB_CATEGORIES,
  type ContractCategory,
  type ContractSide,
  type ContractStatus,
  type ContractSubCategory,
} from "~/utils/contracts.ts";

/** The clauses every template carries, in order (parties and price are written from the deal). */
export const CLAUSE_KEYS = [
  "definitions",
  "parties",
  "subject",
  "deliverables",
  "schedule",
  "price",
  "confidentiality",
  "improvements",
  "warranties",
  "liability",
  "disputes",
] as const;
export type ClauseKey = (typeof CLAUSE_KEYS)[number];
/** Clauses the platform writes from the deal and the amounts; the others are free text. */
export const GENERATED_CLAUSES: readonly ClauseKey[] = ["parties", "price"];
export const EDITABLE_CLAUSES = CLAUSE_KEYS.filter((k) => !GENERATED_CLAUSES.includes(k));

export const MAX_NON_TECH_ITEMS = 4;
export const CLAUSE_MAX = 5000;

/** 团队/发明人 share of the conversion income that a university or institute must give (县方案 §2). */
export const TEAM_MIN_PERCENT = 60;

export const NonTechItemSchema = z.object({
  label: z.string().trim().min(1).max(60),
  /** fen */
  amount: z.number().int().min(0),
});

export const ContractDraftSchema = z.object({
  category: z.enum(CONTRACT_CATEGORIES),
  subCategory: z.string().min(1),
  /** fen: 成交额 */
  contractAmount: z.number().int().min(0),
  /** fen: 技术交易额 */
  technologyAmount: z.number().int().min(0),
  nonTechItems: z.array(NonTechItemSchema).max(MAX_NON_TECH_ITEMS).default([]),
  /** Free clauses by key; a missing key keeps the current (or template) text. */
  clauses: z.record(z.string().max(CLAUSE_MAX)).default({}),
});
export type ContractDraftInput = z.input<typeof ContractDraftSchema>;

export const DistributionShareSchema = z.object({
  name: z.string().trim().min(1).max(60),
  /** Whole percent of the conversion income. */
  percent: z.number().min(0).max(100),
});
export const DistributionSchema = z.array(DistributionShareSchema).max(30);
export type DistributionShare = z.output<typeof DistributionShareSchema>;

/** The edit form's field names: one select for category and sub-category, amounts in yuan, items, free clauses. */
export const KIND_FIELD = "kind";
export const itemLabelField = (i: number) => `item${i}Label`;
export const itemAmountField = (i: number) => `item${i}Amount`;
export const clauseField = (key: string) => `clause_${key}`;
export const distNameField = (i: number) => `dist${i}Name`;
export const distPercentField = (i: number) => `dist${i}Percent`;
export const MAX_DIST_ROWS = 8;

function fen(v: string | undefined, field: string, errors: FieldErrors): number {
  try {
    return yuanToFen((v ?? "").trim());
  } catch {
    errors[field] = ["contracts.errors.amount"];
    return 0;
  }
}

/** The edit form as the service's input (amounts yuan → fen), or the fields that are not readable. */
export function contractFormToInput(v: Record<string, string>): { input: ContractDraftInput } | { errors: FieldErrors } {
  const errors: FieldErrors = {};
  const [category, subCategory] = (v[KIND_FIELD] ?? "").split(".");
  if (!category || !(CONTRACT_CATEGORIES as readonly string[]).includes(category) || !subCategory)
    errors[KIND_FIELD] = ["contracts.errors.subCategory"];
  const contractAmount = fen(v.contractAmount, "contractAmount", errors);
  const technologyAmount = fen(v.technologyAmount, "technologyAmount", errors);
  const nonTechItems: { label: string; amount: number }[] = [];
  for (let i = 0; i < MAX_NON_TECH_ITEMS; i++) {
    const label = (v[itemLabelField(i)] ?? "").trim();
    const amount = (v[itemAmountField(i)] ?? "").trim();
    if (!label && !amount) continue;
    if (!label) errors[itemLabelField(i)] = ["errors.required"];
    const a = fen(amount, itemAmountField(i), errors);
    nonTechItems.push({ label: label.slice(0, 60), amount: a });
  }
  const clauses: Record<string, string> = {};
  for (const key of EDITABLE_CLAUSES) {
    const text = v[clauseField(key)];
    if (text === undefined) continue;
    if (text.length > CLAUSE_MAX) errors[clauseField(key)] = ["errors.tooLong"];
    clauses[key] = text.replace(/\r\n?/g, "\n");
  }
  if (Object.keys(errors).length) return { errors };
  return {
    input: { category: category as ContractCategory, subCategory: subCategory!, contractAmount, technologyAmount, nonTechItems, clauses },
  };
}

/** The signing form's distribution rows (empty rows skipped); an unreadable percentage names its row. */
export function distributionFromForm(v: Record<string, string>): { shares: DistributionShare[] } | { errors: FieldErrors } {
  const shares: DistributionShare[] = [];
  for (let i = 0; i < MAX_DIST_ROWS; i++) {
    const name = (v[distNameField(i)] ?? "").trim();
    const raw = (v[distPercentField(i)] ?? "").trim();
    if (!name && !raw) continue;
    const percent = Number(raw);
    if (!name || raw === "" || !Number.isFinite(percent) || percent < 0 || percent > 100)
      return { errors: { distribution: ["contracts.errors.distributionInvalid"] } };
    shares.push({ name, percent });
  }
  return { shares };
}

/**
 * The API's body for drafting or saving a version (`PUT|POST /api/v1/deals/:id/contract`): the
 * form's schema (ContractDraftSchema, which the service checks again) with money in yuan, as
 * everywhere in the API, and unknown fields refused. Amounts leave it in fen.
 */
const yuanToFenField = z.unknown().transform((v, ctx): number => {
  const fail = () => {
    ctx.addIssue({ code: "custom", message: "contracts.errors.amount" });
    return z.NEVER;
  };
  if (typeof v !== "number" && typeof v !== "string") return fail();
  if (typeof v === "number" && !Number.isFinite(v)) return fail();
  try {
    // Numbers through their shortest decimal form: 0.1 + 0.2 is refused, not rounded.
    const fen = yuanToFen(typeof v === "number" ? String(v) : v.trim());
    return fen > MAX_FEN ? fail() : fen;
  } catch {
    return fail();
  }
});

export const ContractApiSchema = ContractDraftSchema.extend({
  // Only the free clauses: the parties and the price are written from the deal and the amounts.
  clauses: z
    .record(z.string().max(CLAUSE_MAX, "errors.tooLong"))
    .superRefine((clauses, ctx) => {
      for (const key of Object.keys(clauses))
        if (!(EDITABLE_CLAUSES as readonly string[]).includes(key))
          ctx.addIssue({ code: "custom", path: [key], message: "contracts.errors.clauseNotEditable" });
    })
    .default({}),
  contractAmount: yuanToFenField,
  technologyAmount: yuanToFenField,
  nonTechItems: z
    .array(NonTechItemSchema.extend({ amount: yuanToFenField }).strict())
    .max(MAX_NON_TECH_ITEMS)
    .default([]),
}).strict();

/** The API's body for signing (`POST /api/v1/deals/:id/contract/signatures`). */
export const SignApiSchema = z
  .object({
    /** The version read and signed; an older one is refused (409 stale_version). */
    version: z.number().int().min(1),
    /** The seller's plan of the conversion income, when the seller is a university or institute. */
    distribution: DistributionSchema.nullish(),
  })
  .strict();

/** Machine-readable API codes for the contract's conflicts. */
const CONTRACT_ERROR_CODES: Record<string, string> = {
  "contracts.errors.dealCancelled": "deal_cancelled",
  "contracts.errors.dealLapsed": "deal_lapsed",
  "contracts.errors.dealClosed": "deal_closed",
  "contracts.errors.frozen": "contract_signed",
  "contracts.errors.staleVersion": "stale_version",
  "contracts.errors.alreadySigned": "already_signed",
  "contracts.errors.changedMeanwhile": "contract_changed",
  "contracts.errors.notParty": "not_a_party",
  "contracts.errors.readOnly": "read_only",
};
export const contractErrorCode = (message: string): string | undefined => CONTRACT_ERROR_CODES[message];
