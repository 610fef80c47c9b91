import { z } from "zod";

/**
 * Technology contracts (技术合同, issue 14): the five categories of the Civil Code and their
 * sub-categories, and what the drafting, editing and signing forms may contain. Money in fen.
 */
import { CONTRACT_CATEGORIES } from "~/utils/contracts.ts";

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
