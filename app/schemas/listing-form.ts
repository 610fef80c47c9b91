import { formMessage } from "~/utils/messages.ts";
import { z } from "zod";
import { fieldErrorList, fieldErrors } from "~/utils/errors.ts";
import { patentCheckIssues, type AchievementDataInput, type DemandDataInput, type ListingKind } from "~/schemas/listing.ts";
import { offeredOptions, PRICE_OPTIONS, priceOptionKey, type PriceOption } from "~/schemas/listing-prices.ts";
import { fenToYuanText, MAX_YUAN, yuanToFen } from "~/utils/money.ts";
import { normalizePatentNumber, patentProblem } from "~/utils/patent.ts";
import { FIELDS, IP_TYPES, LICENSE_EXCLUSIVITY, PATENT_IP_TYPES, PRICE_MODES, TRANSACTION_MODES, type IpType } from "~/utils/taxonomy.ts";
import { chinaDate, chinaToday, endOfChinaDay, isCalendarDate } from "~/utils/china-time.ts";

/**
 * One file of ~420 lines because the two forms share their text parsers (keywords, patent numbers,
 * inventors, money, dates) and the mapping of service errors back to form fields; split, each half
 * would import most of the other.
 *
 * The achievement and demand forms as people fill them in: money in yuan, keywords in one box,
 * patent numbers and inventors in textareas, dates as YYYY-MM-DD (China time). Each schema checks
 * everything the core schemas in ~/schemas/listing.ts check, but names the form field (and the bad
 * value) so the error shows where the person typed it; `achievementFormToInput` /
 * `demandFormToInput` then map a valid form to the core input shape in fen.
 *
 * Why every field is a plain string with a default: zod skips an object's `superRefine` as soon
 * as one field is missing, so cross-field rules (price amount, licence kind, patent numbers) would
 * only appear after the other fields were fixed. With defaults no field aborts the object, and a
 * person sees every problem in one round trip.
 *
 * Messages are i18n keys; a key may carry parameters after `?` in URL query form
 * (`listingForm.errors.patentCheck?number=ZL…`), see `formMessage` and the form components.
 */

export const DEFAULT_REGION = "532623"; // 西畴县
export const MAX_KEYWORDS = 20;
export const MAX_KEYWORD_LENGTH = 30;
export const MAX_PATENTS = 50;
export const MAX_INVENTORS = 30;
export const LIMITS = { title: 120, summary: 500, description: 20_000, fiscalProject: 200, inventorName: 40 } as const;

// ---------------------------------------------------------------------------------------------
// Parsing the free-text fields (shared by the schemas and the mapping to the core input)

/** `三七, 根腐病、生物防治；菌剂` → ["三七", "根腐病", "生物防治", "菌剂"] (order kept, duplicates dropped). */
export function splitKeywords(text: string | undefined): string[] {
  const parts = (text ?? "")
    .split(/[,，、;；\s\u3000]+/)
    .map((k) => k.trim())
    .filter(Boolean);
  return [...new Set(parts)];
}

/**
 * One patent number per line or separated by commas (also “、” and semicolons). Spaces inside a
 * number are allowed (`ZL 2019 1012 3456.X`), so a space only separates when the next number
 * starts with ZL. Numbers come back normalised (`ZL201910123456.X`), duplicates dropped.
 */
export function splitPatentNumbers(text: string | undefined): string[] {
  const parts = (text ?? "")
    .split(/[\n\r,，、;；]+|[\s\u3000]+(?=[Zz][Ll])/)
    .map((p) => p.trim())
    .filter(Boolean)
    .map(normalizePatentNumber);
  return [...new Set(parts)];
}

export interface InventorEntry {
  name: string;
  share?: number;
}

/**
 * Inventors, one per line (`张三 40%`, `李四：30`, `王五`) or several names on a line separated by
 * commas or “、”. Returns the entries and the lines that could not be read.
 */
export function parseInventors(text: string | undefined): { inventors: InventorEntry[]; bad: string[] } {
  const inventors: InventorEntry[] = [];
  const bad: string[] = [];
  const entries = (text ?? "")
    .split(/[\n\r,，、;；]+/)
    .map((e) => e.trim().replace(/\s+/g, " "))
    .filter(Boolean);
  for (const entry of entries) {
    const withPercent = /^(.*?\S)\s*[:：]?\s*(\d{1,3}(?:\.\d{1,2})?)\s*[%％]$/.exec(entry);
    const withNumber = /^(.*?\S)(?:\s+|\s*[:：]\s*)(\d{1,3}(?:\.\d{1,2})?)$/.exec(entry);
    const m = withPercent ?? withNumber;
    if (m) {
      inventors.push({ name: m[1]!.replace(/[:：]$/, "").trim(), share: Number(m[2]) });
    } else if (/[%％]/.test(entry) || /^\d/.test(entry)) {
      bad.push(entry);
    } else {
      inventors.push({ name: entry });
    }
  }
  return { inventors, bad };
}

/** Yuan as typed (`300000`, `1,234.5`) → fen, exactly; null if it is not an amount. */
export function parseYuan(text: string | undefined): number | null {
  const s = (text ?? "").trim().replace(/^[¥￥]/, "");
  if (!s) return null;
  try {
    return yuanToFen(s);
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------
// Field schemas that never abort the object (see the comment at the top)

const text = (max: number, required = true) => {
  const s = z.string().trim().max(max, "errors.tooLong");
  return (required ? s.min(1, "errors.required") : s).default("");
};
const choice = <T extends string>(values: readonly T[], message: string) =>
  z
    .string()
    .trim()
    .default("")
    .refine((v) => (values as readonly string[]).includes(v), message);
const choices = <T extends string>(values: readonly T[], message: string) =>
  z
    .array(z.string())
    .default([])
    .refine((l) => l.every((v) => (values as readonly string[]).includes(v)), message);

type Ctx = z.RefinementCtx;
const issue = (ctx: Ctx, path: string, message: string) => ctx.addIssue({ code: "custom", path: [path], message });

function checkKeywords(raw: string, ctx: Ctx) {
  const list = splitKeywords(raw);
  for (const k of list) {
    if (k.length > MAX_KEYWORD_LENGTH) issue(ctx, "keywords", formMessage("listingForm.errors.keywordTooLong", { keyword: k }));
  }
  if (list.length > MAX_KEYWORDS) issue(ctx, "keywords", "errors.tooManyKeywords");
}

function checkAmount(raw: string, path: string, ctx: Ctx): number | null {
  if (!raw.trim()) return null;
  const fen = parseYuan(raw);
  if (fen === null) {
    issue(ctx, path, "errors.amount");
    return null;
  }
  if (fen > MAX_YUAN * 100) {
    issue(ctx, path, "errors.amountTooLarge");
    return null;
  }
  return fen;
}

function checkFutureDate(raw: string, path: string, ctx: Ctx, now = new Date()) {
  if (!raw) return;
  if (!isCalendarDate(raw) || raw > "2100-12-31") return issue(ctx, path, "listingForm.errors.date");
  if (raw <= chinaToday(now)) issue(ctx, path, "listingForm.errors.dateNotFuture");
}

function checkRegion(region: string, town: string, ctx: Ctx) {
  if (!/^\d{6}$/.test(region)) issue(ctx, "region", "errors.region");
  else if (town && (!/^\d{9}$/.test(town) || !town.startsWith(region))) issue(ctx, "town", "listingForm.errors.townMismatch");
}

/** 分项挂牌价: one form field per option (转让 · 独占/排他/普通许可 · 作价入股 · 合作), amounts in yuan. */
export const PRICE_FIELDS = {
  transfer: "priceTransfer",
  "license.exclusive": "priceExclusive",
  "license.sole": "priceSole",
  "license.non-exclusive": "priceNonExclusive",
  equity: "priceEquity",
  cooperation: "priceCooperation",
} as const;
export type PriceField = (typeof PRICE_FIELDS)[keyof typeof PRICE_FIELDS];
export const priceFieldOf = (o: PriceOption): PriceField => PRICE_FIELDS[priceOptionKey(o) as keyof typeof PRICE_FIELDS];
const priceFieldShape = Object.fromEntries(Object.values(PRICE_FIELDS).map((f) => [f, z.string().trim().default("")])) as Record<
  PriceField,
  z.ZodDefault<z.ZodString>
>;

function checkModes(modes: string[], ctx: Ctx) {
  if (modes.length === 0) issue(ctx, "transactionModes", "errors.transactionModesRequired");
}

// ---------------------------------------------------------------------------------------------
// 科技成果

export const AchievementFormSchema = z
  .object({
    title: text(LIMITS.title),
    summary: text(LIMITS.summary),
    description: text(LIMITS.description),
    field: choice(FIELDS, "errors.field"),
    keywords: text(2_000, false),
    ipType: choice(IP_TYPES, "errors.ipType"),
    patentNumbers: text(5_000, false),
    trl: z.string().trim().default(""),
    transactionModes: choices(TRANSACTION_MODES, "errors.transactionMode"),
    licenseExclusivity: choices(LICENSE_EXCLUSIVITY, "errors.transactionMode"),
    priceMode: choice(PRICE_MODES, "errors.priceMode"),
    priceAmount: z.string().trim().default(""),
    ...priceFieldShape,
    inventors: text(3_000, false),
    region: z.string().trim().default(""),
    town: z.string().trim().default(""),
    fiscalFunded: z.boolean().default(false),
    fiscalProject: text(LIMITS.fiscalProject, false),
    expiresAt: z.string().trim().default(""),
  })
  .superRefine((v, ctx) => {
    checkKeywords(v.keywords, ctx);

    const patents = splitPatentNumbers(v.patentNumbers);
    for (const n of patents) {
      const problem = patentProblem(n);
      if (problem === "format") issue(ctx, "patentNumbers", formMessage("listingForm.errors.patentFormat", { number: n }));
      if (problem === "type") issue(ctx, "patentNumbers", formMessage("listingForm.errors.patentType", { number: n }));
    }
    for (const i of patentCheckIssues(patents)) {
      issue(ctx, "patentNumbers", formMessage("listingForm.errors.patentCheck", { number: patents[i]! }));
    }
    if (patents.length > MAX_PATENTS) issue(ctx, "patentNumbers", formMessage("listingForm.errors.tooManyPatents", { max: MAX_PATENTS }));
    if (PATENT_IP_TYPES.includes(v.ipType as IpType) && patents.length === 0) issue(ctx, "patentNumbers", "errors.patentRequired");

    if (!v.trl) issue(ctx, "trl", "errors.required");
    else if (!/^[1-9]$/.test(v.trl)) issue(ctx, "trl", "errors.trl");

    checkModes(v.transactionModes, ctx);
    if (v.transactionModes.includes("license") && v.licenseExclusivity.length === 0) {
      issue(ctx, "licenseExclusivity", "errors.exclusivityRequired");
    }

    // 分项挂牌价: each optional (blank = 面议), only for options the listing offers, only for 挂牌.
    const offered = offeredOptions(v.transactionModes, v.licenseExclusivity).map(priceOptionKey);
    let priced = 0;
    for (const o of PRICE_OPTIONS) {
      const name = priceFieldOf(o);
      const raw = v[name];
      if (!raw) continue;
      if (v.priceMode !== "fixed") issue(ctx, name, "prices.errors.onlyFixed");
      else if (!offered.includes(priceOptionKey(o))) issue(ctx, name, "prices.errors.optionNotOffered");
      const fen = checkAmount(raw, name, ctx);
      if (fen === 0) issue(ctx, name, "prices.errors.positive");
      if (fen) priced++;
    }
    const amount = checkAmount(v.priceAmount, "priceAmount", ctx);
    const amountError = v.priceAmount.trim() !== "" && amount === null;
    if ((v.priceMode === "fixed" || v.priceMode === "auction") && !amountError && !amount && !priced) {
      issue(ctx, "priceAmount", "errors.priceRequired");
    }

    const { inventors, bad } = parseInventors(v.inventors);
    for (const line of bad) issue(ctx, "inventors", formMessage("listingForm.errors.inventorLine", { line }));
    for (const i of inventors) {
      if (i.name.length > LIMITS.inventorName) issue(ctx, "inventors", formMessage("listingForm.errors.inventorName", { name: i.name }));
      if (i.share !== undefined && i.share > 100)
        issue(ctx, "inventors", formMessage("listingForm.errors.inventorShare", { name: i.name }));
    }
    if (inventors.length > MAX_INVENTORS)
      issue(ctx, "inventors", formMessage("listingForm.errors.tooManyInventors", { max: MAX_INVENTORS }));
    if (inventors.reduce((s, i) => s + (i.share ?? 0), 0) > 100) issue(ctx, "inventors", "errors.sharesOver100");

    checkRegion(v.region, v.town, ctx);
    if (v.fiscalFunded && !v.fiscalProject) issue(ctx, "fiscalProject", "listingForm.errors.fiscalProjectRequired");
    checkFutureDate(v.expiresAt, "expiresAt", ctx);
  });
export type AchievementFormInput = z.input<typeof AchievementFormSchema>;
export type AchievementFormValue = z.output<typeof AchievementFormSchema>;

/** A valid achievement form → the core input (fen, arrays, dates). */
export function achievementFormToInput(v: AchievementFormValue): AchievementDataInput {
  const amount = parseYuan(v.priceAmount);
  const modes = v.transactionModes as AchievementDataInput["transactionModes"];
  const prices =
    v.priceMode === "fixed"
      ? PRICE_OPTIONS.flatMap((o) => {
          const fen = parseYuan(v[priceFieldOf(o)]);
          return fen ? [{ ...o, amount: fen }] : [];
        })
      : [];
  return {
    title: v.title,
    summary: v.summary,
    description: v.description,
    field: v.field as AchievementDataInput["field"],
    keywords: splitKeywords(v.keywords),
    ipType: v.ipType as AchievementDataInput["ipType"],
    patentNumbers: splitPatentNumbers(v.patentNumbers),
    trl: Number(v.trl),
    transactionModes: modes,
    licenseExclusivity: modes.includes("license") ? (v.licenseExclusivity as AchievementDataInput["licenseExclusivity"]) : [],
    price: {
      mode: v.priceMode as NonNullable<AchievementDataInput["price"]>["mode"],
      ...(amount !== null ? { amount } : {}),
    },
    // A fixed price given per option; none given → the one amount for every option (as before).
    ...(prices.length ? { prices } : {}),
    inventors: parseInventors(v.inventors).inventors,
    region: v.town || v.region,
    fiscalFunding: v.fiscalFunded ? { funded: true, project: v.fiscalProject || undefined } : { funded: false },
    ...(v.expiresAt ? { expiresAt: endOfChinaDay(v.expiresAt) } : {}),
  };
}

/** What the edit form starts with, from a stored achievement (see achievementView). */
export interface AchievementLike {
  title: string;
  summary: string;
  description: string;
  field: string;
  keywords: string[];
  ipType: string;
  patentNumbers: string[];
  trl: number;
  transactionModes: string[];
  licenseExclusivity: string[];
  price: { mode: string; amount: number | null };
  prices: { transactionMode: string; licenseExclusivity: string | null; amount: number }[];
  inventors: { name: string; share: number | null }[];
  region: string;
  fiscalFunding: { funded: boolean; project: string | null };
  expiresAt: string | null;
}

/**
 * The price fields of the edit form: one price for every offered option (as before per-option
 * prices) in the one amount field; different prices, or some options 面议, per option.
 */
function priceDefaults(a: AchievementLike): Pick<AchievementFormInput, "priceAmount" | PriceField> {
  const offered = offeredOptions(a.transactionModes, a.licenseExclusivity);
  const amounts = new Set(a.prices.map((p) => p.amount));
  const uniform = a.price.mode !== "fixed" || (a.prices.length === offered.length && amounts.size <= 1);
  if (uniform) return { priceAmount: fenToYuanText(a.price.amount) };
  return {
    priceAmount: "",
    ...Object.fromEntries(
      PRICE_OPTIONS.map((o) => [
        priceFieldOf(o),
        fenToYuanText(a.prices.find((p) => priceOptionKey(p) === priceOptionKey(o))?.amount ?? null),
      ]),
    ),
  };
}

export function achievementFormDefaults(a: AchievementLike): AchievementFormInput {
  return {
    title: a.title,
    summary: a.summary,
    description: a.description,
    field: a.field,
    keywords: a.keywords.join("，"),
    ipType: a.ipType,
    patentNumbers: a.patentNumbers.join("\n"),
    trl: String(a.trl),
    transactionModes: a.transactionModes,
    licenseExclusivity: a.licenseExclusivity,
    priceMode: a.price.mode,
    ...priceDefaults(a),
    inventors: a.inventors.map((i) => (i.share === null ? i.name : `${i.name} ${i.share}%`)).join("\n"),
    ...regionDefaults(a.region),
    fiscalFunded: a.fiscalFunding.funded,
    fiscalProject: a.fiscalFunding.project ?? "",
    expiresAt: chinaDate(a.expiresAt),
  };
}

export function newAchievementDefaults(region = DEFAULT_REGION): AchievementFormInput {
  return { priceMode: "negotiable", transactionModes: [], licenseExclusivity: [], ...regionDefaults(region) };
}

// ---------------------------------------------------------------------------------------------
// 技术需求

export const DemandFormSchema = z
  .object({
    title: text(LIMITS.title),
    description: text(LIMITS.description),
    field: choice(FIELDS, "errors.field"),
    keywords: text(2_000, false),
    budgetMin: z.string().trim().default(""),
    budgetMax: z.string().trim().default(""),
    transactionModes: choices(TRANSACTION_MODES, "errors.transactionMode"),
    minTrl: z.string().trim().default(""),
    deadline: z.string().trim().default(""),
    region: z.string().trim().default(""),
    town: z.string().trim().default(""),
  })
  .superRefine((v, ctx) => {
    checkKeywords(v.keywords, ctx);
    const min = checkAmount(v.budgetMin, "budgetMin", ctx);
    const max = checkAmount(v.budgetMax, "budgetMax", ctx);
    if (min !== null && max !== null && min > max) issue(ctx, "budgetMax", "errors.budgetOrder");
    checkModes(v.transactionModes, ctx);
    if (v.minTrl && !/^[1-9]$/.test(v.minTrl)) issue(ctx, "minTrl", "errors.trl");
    checkFutureDate(v.deadline, "deadline", ctx);
    checkRegion(v.region, v.town, ctx);
  });
export type DemandFormInput = z.input<typeof DemandFormSchema>;
export type DemandFormValue = z.output<typeof DemandFormSchema>;

export function demandFormToInput(v: DemandFormValue): DemandDataInput {
  const min = parseYuan(v.budgetMin);
  const max = parseYuan(v.budgetMax);
  return {
    title: v.title,
    description: v.description,
    field: v.field as DemandDataInput["field"],
    keywords: splitKeywords(v.keywords),
    budget: { ...(min !== null ? { min } : {}), ...(max !== null ? { max } : {}) },
    transactionModes: v.transactionModes as DemandDataInput["transactionModes"],
    ...(v.minTrl ? { minTrl: Number(v.minTrl) } : {}),
    ...(v.deadline ? { deadline: endOfChinaDay(v.deadline) } : {}),
    region: v.town || v.region,
  };
}

export interface DemandLike {
  title: string;
  description: string;
  field: string;
  keywords: string[];
  budget: { min: number | null; max: number | null };
  transactionModes: string[];
  minTrl: number | null;
  deadline: string | null;
  region: string;
}

export function demandFormDefaults(d: DemandLike): DemandFormInput {
  return {
    title: d.title,
    description: d.description,
    field: d.field,
    keywords: d.keywords.join("，"),
    budgetMin: fenToYuanText(d.budget.min),
    budgetMax: fenToYuanText(d.budget.max),
    transactionModes: d.transactionModes,
    minTrl: d.minTrl ? String(d.minTrl) : "",
    deadline: chinaDate(d.deadline),
    ...regionDefaults(d.region),
  };
}

export function newDemandDefaults(region = DEFAULT_REGION): DemandFormInput {
  return { transactionModes: [], ...regionDefaults(region) };
}

/** A stored 6- or 9-digit code → the county select and the town select. */
export function regionDefaults(code: string): { region: string; town: string } {
  return /^\d{9}$/.test(code) ? { region: code.slice(0, 6), town: code } : { region: code, town: "" };
}

// ---------------------------------------------------------------------------------------------
// Service errors → form fields

const ACHIEVEMENT_FIELDS = new Set(Object.keys(AchievementFormSchema.innerType().shape));
const DEMAND_FIELDS = new Set(Object.keys(DemandFormSchema.innerType().shape));

const SPECIAL_PATHS = new Map<string, string>(
  Object.entries({
    "price.mode": "priceMode",
    "price.amount": "priceAmount",
    price: "priceAmount",
    prices: "priceAmount",
    "fiscalFunding.project": "fiscalProject",
    "fiscalFunding.funded": "fiscalFunded",
    fiscalFunding: "fiscalProject",
    "budget.min": "budgetMin",
    "budget.max": "budgetMax",
    budget: "budgetMax",
  }),
);

/**
 * The service reports errors by the core schema's paths (`price.amount`, `patentNumbers.1`,
 * `inventors.0.name`); the form has its own field names. Unknown paths become form-level errors
 * (key ""), so nothing is dropped.
 */
export function serviceErrorsToForm(kind: ListingKind, errors: Record<string, string[]>): Record<string, string[]> {
  const known = kind === "achievement" ? ACHIEVEMENT_FIELDS : DEMAND_FIELDS;
  const out = fieldErrors();
  for (const [path, messages] of Object.entries(errors)) {
    const parts = path.split(".");
    const special = SPECIAL_PATHS.get(parts.slice(0, 2).join(".")) ?? SPECIAL_PATHS.get(parts[0]!);
    let name = special && known.has(special) ? special : parts[0]!;
    if (!known.has(name)) name = "";
    const list = fieldErrorList(out, name);
    for (const m of messages) if (!list.includes(m)) list.push(m);
  }
  return out;
}
