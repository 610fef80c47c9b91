import { z } from "zod";
import { objectIdString } from "./ids.ts";
import {
  AchievementDataSchema,
  DemandDataSchema,
  patentCheckIssues,
  type AchievementData,
  type AchievementDataInput,
  type DemandData,
  type DemandDataInput,
  type ListingKind,
} from "~/schemas/listing.ts";
import { EmailSchema } from "~/schemas/account.ts";
import { yuanToFen } from "~/utils/money.ts";
import { tooDeepPath } from "~/utils/json-depth.ts";
import { formMessage } from "~/utils/messages.ts";
import { fieldErrorList, fieldErrors } from "~/utils/errors.ts";
import { ORGANIZATION_TYPES, type OrganizationType } from "~/utils/organization.ts";
import { normalizePatentNumber, patentCheckChar } from "~/utils/patent.ts";
import { LISTING_STATUSES, PUBLIC_STATUSES, type ListingStatus } from "~/utils/listing-workflow.ts";
import { ROLES } from "~/utils/permissions.ts";
import { usccProblem, normalizeUscc } from "~/utils/uscc.ts";

/**
 * Long (~510 lines) because it is the API's whole input contract in one place: the import record
 * format and its preparation into listing data are read side by side.
 *
 * Inputs of the open data API v1 and of API-token management. The import record format speaks
 * the public field names with money in yuan; `prepareAchievement` / `prepareDemand` turn one
 * record into the core listing data (fen) and collect every problem at once, keyed by the
 * record's own field paths. Messages are i18n keys; the API answer resolves them (see
 * app/web/api/envelope.server.ts).
 */

// ---------------------------------------------------------------------------------------------
// Tokens

export const TOKEN_PATTERN = /^cg_[A-Za-z0-9_-]{43}$/;

export const TokenNameSchema = z
  .string({ required_error: "errors.required", invalid_type_error: "errors.required" })
  .trim()
  .min(1, "errors.required")
  .max(80, "errors.tooLong");

export const CreateTokenSchema = z.object({
  name: TokenNameSchema,
  roles: z.array(z.enum(ROLES, { errorMap: () => ({ message: "tokens.errors.role" }) })).default([]),
  /** Acts as this user (a personal token). */
  userEmail: EmailSchema.optional(),
});
export type CreateTokenInput = z.input<typeof CreateTokenSchema>;

/** The admin page's two forms. */
export const TokenFormSchema = z.discriminatedUnion("intent", [
  CreateTokenSchema.extend({ intent: z.literal("create") }),
  z.object({ intent: z.literal("revoke"), tokenId: objectIdString("errors.invalidId") }),
]);

// ---------------------------------------------------------------------------------------------
// Import

/** Records per call, over both lists. */
export const MAX_IMPORT_RECORDS = 5_000;
/** Request body limit of POST /api/v1/import. */
export const MAX_IMPORT_BYTES = 32 * 1024 * 1024;
/** Length of a summary derived from the description when a record has none. */
export const DERIVED_SUMMARY_LENGTH = 200;

export const SourceSchema = z
  .string({ invalid_type_error: "apiErrors.source" })
  .trim()
  .min(1, "apiErrors.source")
  .max(80, "apiErrors.source")
  // "platform" marks records made on this site; an import may not overwrite those.
  .refine((s) => s !== "platform", "apiErrors.sourceReserved");

/** The envelope; the records themselves are checked one by one so one bad record refuses only itself. */
export const ImportRequestSchema = z
  .object(
    {
      source: SourceSchema.optional(),
      achievements: z.array(z.unknown(), { invalid_type_error: "apiErrors.notAList" }).optional(),
      demands: z.array(z.unknown(), { invalid_type_error: "apiErrors.notAList" }).optional(),
    },
    { invalid_type_error: "apiErrors.bodyNotObject", required_error: "apiErrors.bodyNotObject" },
  )
  .strict("apiErrors.unknownTopLevel")
  .refine((b) => b.achievements !== undefined || b.demands !== undefined, {
    message: "apiErrors.nothingToImport",
    path: ["achievements"],
  });
export type ImportRequest = z.infer<typeof ImportRequestSchema>;

export type FieldErrors = Record<string, string[]>;

export interface Warning {
  /** The record's field the warning is about, as a dotted path (`patentNumbers.0`). */
  field: string;
  /** An i18n key. */
  message: string;
  params?: Record<string, string | number>;
}

export interface ImportOwner {
  name: string;
  type: OrganizationType;
  creditCode?: string;
}

export const IMPORT_STATUSES = ["published", "draft"] as const;
export type ImportStatus = (typeof IMPORT_STATUSES)[number];

interface PreparedBase {
  externalId: string;
  /** The region's full name, when a lookup was given. */
  regionName: string | null;
  /** What the record asked for; published unless it says "draft". */
  status: ImportStatus;
  /** Whether the record named a status (so keeping another one deserves a warning). */
  statusGiven: boolean;
}
export interface PrepareOptions {
  /** Name of a GB/T 2260 code, undefined if unknown (server-only data, so passed in). */
  regionName?: (code: string) => string | undefined;
}

export interface PreparedAchievement extends PreparedBase {
  kind: "achievement";
  data: AchievementData;
  owner: ImportOwner;
}
export interface PreparedDemand extends PreparedBase {
  kind: "demand";
  data: DemandData;
  owner: ImportOwner;
}
export type PreparedRecord = PreparedAchievement | PreparedDemand;

export type Prepared<T> =
  { ok: true; value: T; warnings: Warning[] } | { ok: false; externalId: string | null; errors: FieldErrors; warnings: Warning[] };

const ACHIEVEMENT_KEYS = new Set([
  "externalId",
  "status",
  "title",
  "summary",
  "description",
  "field",
  "keywords",
  "ipType",
  "patentNumbers",
  "trl",
  "transactionModes",
  "licenseExclusivity",
  "price",
  "prices",
  "owner",
  "inventors",
  "region",
  "fiscalFunding",
  "expiresAt",
  // Present in export lines, so an export can be fed back in unchanged; ignored on import.
  "type",
  "id",
  "source",
  "maturity",
  "maturityLabel",
  "regionName",
  "publishedAt",
  "noticeEndsAt",
  "createdAt",
  "updatedAt",
]);
const DEMAND_KEYS = new Set([
  "externalId",
  "status",
  "title",
  "description",
  "field",
  "keywords",
  "budget",
  "transactionModes",
  "minTrl",
  "deadline",
  "enterprise",
  "region",
  "type",
  "id",
  "source",
  "regionName",
  "publishedAt",
  "noticeEndsAt",
  "createdAt",
  "updatedAt",
]);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Collects a record's problems by field path. The record's own checks (money, dates, owner) run
 * first; the core schema's complaints about a path already reported are left out, so one
 * mistake gives one message.
 */
class Problems {
  errors: FieldErrors = fieldErrors();
  warnings: Warning[] = [];
  add(path: string, key: string) {
    fieldErrorList(this.errors, path).push(key);
  }
  warn(field: string, message: string, params?: Warning["params"]) {
    this.warnings.push(params ? { field, message, params } : { field, message });
  }
  /** Core-schema errors, except for paths this record already reported in its own terms. */
  merge(errors: FieldErrors) {
    for (const [path, list] of Object.entries(errors)) {
      if (Object.keys(this.errors).some((p) => p === path || path.startsWith(`${p}.`))) continue;
      for (const m of list) this.add(path, m);
    }
  }
  get empty() {
    return Object.keys(this.errors).length === 0;
  }
}

function readExternalId(raw: Record<string, unknown>, p: Problems): string | null {
  const v = raw.externalId;
  const s = typeof v === "number" && Number.isFinite(v) ? String(v) : typeof v === "string" ? v.trim() : "";
  if (!s) {
    p.add("externalId", "apiErrors.externalIdRequired");
    return null;
  }
  if (s.length > 100) {
    p.add("externalId", "apiErrors.externalIdTooLong");
    return null;
  }
  return s;
}

function readStatus(raw: Record<string, unknown>, p: Problems): { status: ImportStatus; statusGiven: boolean } {
  const s = raw.status;
  if (s === undefined) return { status: "published", statusGiven: false };
  if (typeof s === "string" && (IMPORT_STATUSES as readonly string[]).includes(s)) {
    return { status: s as ImportStatus, statusGiven: true };
  }
  // Export lines carry the workflow status; an import can only publish or keep a draft.
  if (typeof s === "string" && (LISTING_STATUSES as readonly string[]).includes(s)) {
    const used: ImportStatus = PUBLIC_STATUSES.includes(s as ListingStatus) ? "published" : "draft";
    p.warn("status", "apiWarnings.statusMapped", { given: s, used });
    return { status: used, statusGiven: true };
  }
  p.add("status", "apiErrors.status");
  return { status: "published", statusGiven: false };
}

/**
 * The most levels of objects and arrays one record may nest (the record itself is level 1): a
 * listing nests three at most (`inventors.0.name`), and the readers below walk records recursively.
 */
export const MAX_RECORD_DEPTH = 8;

/** A record nested deeper than MAX_RECORD_DEPTH, refused naming where. */
function tooDeep(record: unknown): Prepared<never> | null {
  const path = tooDeepPath(record, MAX_RECORD_DEPTH);
  if (path === null) return null;
  const errors = fieldErrors();
  fieldErrorList(errors, path).push(formMessage("apiErrors.tooDeep", { max: MAX_RECORD_DEPTH }));
  const externalId = isObject(record) && typeof record.externalId === "string" ? record.externalId.trim().slice(0, 100) || null : null;
  return { ok: false, externalId, errors, warnings: [] };
}

/** `null` means "not given" everywhere in a record (export lines write absent values as null). Records are depth-checked first. */
function dropNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(dropNulls);
  if (isObject(v))
    return Object.fromEntries(
      Object.entries(v)
        .filter(([, x]) => x !== null)
        .map(([k, x]) => [k, dropNulls(x)]),
    );
  return v;
}

/** Yuan (number or amount text as yuanToFen reads it: "1,234.5", "5万") → fen; undefined when absent. */
function readYuan(v: unknown, path: string, p: Problems): number | undefined {
  if (v === undefined || v === null || v === "") return undefined;
  const s = typeof v === "number" ? (Number.isFinite(v) ? String(v) : "") : typeof v === "string" ? v : "";
  try {
    return yuanToFen(s); // throws for anything that is not an amount; accepts "5万"
  } catch {
    p.add(path, "apiErrors.amount");
    return undefined;
  }
}

function readDate(v: unknown, path: string, p: Problems): Date | undefined {
  if (v === undefined || v === null || v === "") return undefined;
  const d = typeof v === "string" && /^\d{4}-\d{2}-\d{2}/.test(v) ? new Date(v) : null;
  if (!d || Number.isNaN(d.getTime())) {
    p.add(path, "apiErrors.date");
    return undefined;
  }
  return d;
}

/** Keywords as a list, or as one string separated by commas, semicolons or 、. */
function readKeywords(v: unknown): unknown {
  if (typeof v === "string")
    return v
      .split(/[,，;；、]/)
      .map((s) => s.trim())
      .filter(Boolean);
  return v ?? [];
}

function readOwner(v: unknown, path: string, p: Problems, defaultType: OrganizationType | null): ImportOwner | null {
  if (!isObject(v)) {
    p.add(path, "apiErrors.ownerRequired");
    return null;
  }
  let ok = true;
  const name = typeof v.name === "string" ? v.name.trim() : "";
  if (!name) {
    p.add(`${path}.name`, "errors.required");
    ok = false;
  } else if (name.length > 120) {
    p.add(`${path}.name`, "errors.tooLong");
    ok = false;
  }
  let type = defaultType;
  if (v.type !== undefined && v.type !== null) {
    type = typeof v.type === "string" && (ORGANIZATION_TYPES as readonly string[]).includes(v.type) ? (v.type as OrganizationType) : null;
    if (!type) {
      p.add(`${path}.type`, "apiErrors.orgType");
      ok = false;
    }
  } else if (!type) {
    p.add(`${path}.type`, "apiErrors.orgType");
    ok = false;
  }
  let creditCode: string | undefined;
  if (v.creditCode !== undefined && v.creditCode !== null && v.creditCode !== "") {
    const problem = typeof v.creditCode === "string" ? usccProblem(v.creditCode) : "length";
    if (problem) {
      p.add(`${path}.creditCode`, `errors.uscc.${problem}`);
      ok = false;
    } else creditCode = normalizeUscc(v.creditCode as string);
  }
  return ok ? { name, type: type!, ...(creditCode ? { creditCode } : {}) } : null;
}

/** A well-formed region code that names no county or town is refused like any other bad field. */
function checkRegion(region: unknown, p: Problems, opts: PrepareOptions): string | null {
  if (!opts.regionName || typeof region !== "string" || !/^\d{6}(\d{3})?$/.test(region)) return null;
  const name = opts.regionName(region);
  if (!name) p.add("region", "errors.regionUnknown");
  return name ?? null;
}

const EXPECTED_TYPES = new Set(["string", "number", "boolean", "array", "object"]);

/**
 * The core schema's errors by path. Its own messages are i18n keys; zod's built-in ones for a
 * missing value or a value of the wrong JSON type get keys here too, so they read in both languages.
 */
function coreErrors(error: z.ZodError): FieldErrors {
  const out = fieldErrors();
  for (const issue of error.issues) {
    let message = issue.message;
    if (issue.code === "invalid_type" && !message.startsWith("errors.")) {
      if (issue.received === "undefined") message = "errors.required";
      else if (EXPECTED_TYPES.has(issue.expected)) message = `apiErrors.expected.${issue.expected}`;
    }
    fieldErrorList(out, issue.path.join(".")).push(message);
  }
  return out;
}

function warnUnknownKeys(raw: Record<string, unknown>, known: Set<string>, p: Problems) {
  for (const key of Object.keys(raw)) if (!known.has(key)) p.warn(key, "apiWarnings.unknownField");
}

function warnPatentChecks(numbers: readonly string[], p: Problems) {
  for (const i of patentCheckIssues(numbers)) {
    const n = normalizePatentNumber(numbers[i]!);
    const digits = n.slice(2).split(".")[0]!;
    p.warn(`patentNumbers.${i}`, "apiWarnings.patentCheck", { number: n, expected: patentCheckChar(digits) });
  }
}

/** One achievement of an import call: the core data in fen, the owner, and what was wrong or assumed. */
export function prepareAchievement(record: unknown, opts: PrepareOptions = {}): Prepared<PreparedAchievement> {
  const deep = tooDeep(record);
  if (deep) return deep;
  const p = new Problems();
  const raw = dropNulls(record);
  if (!isObject(raw)) return { ok: false, externalId: null, errors: { "": ["apiErrors.recordNotObject"] }, warnings: [] };
  warnUnknownKeys(raw, ACHIEVEMENT_KEYS, p);
  const externalId = readExternalId(raw, p);
  const status = readStatus(raw, p);
  const owner = readOwner(raw.owner, "owner", p, null);

  const price = isObject(raw.price) ? raw.price : undefined;
  if (raw.price !== undefined && !price) p.add("price", "apiErrors.priceObject");
  const amount = readYuan(price?.amount, "price.amount", p);
  // 分项挂牌价: [{ transactionMode, licenseExclusivity?, amount (yuan) }]; an export line carries them too.
  let prices: Record<string, unknown>[] | undefined;
  if (raw.prices !== undefined) {
    if (!Array.isArray(raw.prices)) p.add("prices", "apiErrors.pricesList");
    else {
      // An entry that is not an object is reported under its own position (kept, so the others'
      // positions stay right).
      prices = raw.prices.map((entry, i) => {
        if (!isObject(entry)) {
          p.add(`prices.${i}`, "apiErrors.pricesList");
          return {};
        }
        return {
          transactionMode: entry.transactionMode,
          licenseExclusivity: entry.licenseExclusivity,
          amount: readYuan(entry.amount, `prices.${i}.amount`, p),
        };
      });
    }
  }
  const expiresAt = readDate(raw.expiresAt, "expiresAt", p);

  let summary = raw.summary;
  if (
    (summary === undefined || summary === null || (typeof summary === "string" && !summary.trim())) &&
    typeof raw.description === "string" &&
    raw.description.trim()
  ) {
    summary = raw.description.trim().slice(0, DERIVED_SUMMARY_LENGTH);
    p.warn("summary", "apiWarnings.summaryDerived", { length: DERIVED_SUMMARY_LENGTH });
  }
  const modes = raw.transactionModes;
  let licenseExclusivity = raw.licenseExclusivity;
  const noExclusivity =
    licenseExclusivity === undefined ||
    licenseExclusivity === null ||
    (Array.isArray(licenseExclusivity) && licenseExclusivity.length === 0);
  if (Array.isArray(modes) && modes.includes("license") && noExclusivity) {
    licenseExclusivity = ["non-exclusive"];
    p.warn("licenseExclusivity", "apiWarnings.exclusivityDefault");
  }
  const fiscal = raw.fiscalFunding;
  const input: Record<string, unknown> = {
    title: raw.title,
    summary,
    description: raw.description,
    field: raw.field,
    keywords: readKeywords(raw.keywords),
    ipType: raw.ipType,
    patentNumbers: raw.patentNumbers ?? [],
    trl: raw.trl,
    transactionModes: modes,
    licenseExclusivity: licenseExclusivity ?? [],
    price: price ? { mode: price.mode, amount } : undefined,
    prices: prices ?? [],
    inventors: raw.inventors ?? [],
    region: typeof raw.region === "number" ? String(raw.region) : raw.region,
    fiscalFunding: typeof fiscal === "boolean" ? { funded: fiscal } : (fiscal ?? undefined),
    expiresAt,
  };
  const regionName = checkRegion(input.region, p, opts);
  const parsed = AchievementDataSchema.safeParse(input satisfies Partial<Record<keyof AchievementDataInput, unknown>>);
  if (!parsed.success) p.merge(coreErrors(parsed.error));
  else warnPatentChecks(parsed.data.patentNumbers, p);

  if (!p.empty || !parsed.success || !externalId || !owner) {
    return { ok: false, externalId, errors: p.errors, warnings: p.warnings };
  }
  return { ok: true, value: { kind: "achievement", externalId, ...status, regionName, data: parsed.data, owner }, warnings: p.warnings };
}

/** One demand of an import call. The enterprise's type defaults to "enterprise". */
export function prepareDemand(record: unknown, opts: PrepareOptions = {}): Prepared<PreparedDemand> {
  const deep = tooDeep(record);
  if (deep) return deep;
  const p = new Problems();
  const raw = dropNulls(record);
  if (!isObject(raw)) return { ok: false, externalId: null, errors: { "": ["apiErrors.recordNotObject"] }, warnings: [] };
  warnUnknownKeys(raw, DEMAND_KEYS, p);
  const externalId = readExternalId(raw, p);
  const status = readStatus(raw, p);
  const owner = readOwner(raw.enterprise, "enterprise", p, "enterprise");
  const budget = isObject(raw.budget) ? raw.budget : undefined;
  if (raw.budget !== undefined && raw.budget !== null && !budget) p.add("budget", "apiErrors.budgetObject");
  const min = readYuan(budget?.min, "budget.min", p);
  const max = readYuan(budget?.max, "budget.max", p);
  const deadline = readDate(raw.deadline, "deadline", p);
  const input: Record<string, unknown> = {
    title: raw.title,
    description: raw.description,
    field: raw.field,
    keywords: readKeywords(raw.keywords),
    budget: { min, max },
    transactionModes: raw.transactionModes,
    minTrl: raw.minTrl ?? undefined,
    deadline,
    region: typeof raw.region === "number" ? String(raw.region) : raw.region,
  };
  const regionName = checkRegion(input.region, p, opts);
  const parsed = DemandDataSchema.safeParse(input satisfies Partial<Record<keyof DemandDataInput, unknown>>);
  if (!parsed.success) p.merge(coreErrors(parsed.error));
  if (!p.empty || !parsed.success || !externalId || !owner) {
    return { ok: false, externalId, errors: p.errors, warnings: p.warnings };
  }
  return { ok: true, value: { kind: "demand", externalId, ...status, regionName, data: parsed.data, owner }, warnings: p.warnings };
}

export function prepareRecord(kind: ListingKind, raw: unknown, opts: PrepareOptions = {}): Prepared<PreparedRecord> {
  return kind === "achievement" ? prepareAchievement(raw, opts) : prepareDemand(raw, opts);
}

// ---------------------------------------------------------------------------------------------
// Reading

export const LIST_LIMIT_DEFAULT = 100;
export const LIST_LIMIT_MAX = 500;

const IsoDateSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}/, "apiErrors.date")
  .transform((s, ctx) => {
    const d = new Date(s);
    if (Number.isNaN(d.getTime())) {
      ctx.addIssue({ code: "custom", message: "apiErrors.date" });
      return z.NEVER;
    }
    return d;
  });

export const ListQuerySchema = z.object({
  updatedSince: IsoDateSchema.optional(),
  limit: z.coerce
    .number({ invalid_type_error: "apiErrors.limit" })
    .int("apiErrors.limit")
    .min(1, "apiErrors.limit")
    .max(LIST_LIMIT_MAX, "apiErrors.limit")
    .default(LIST_LIMIT_DEFAULT),
  cursor: z.string().max(200).optional(),
});
export type ListQuery = z.infer<typeof ListQuerySchema>;

export const ExportQuerySchema = z.object({
  type: z
    .enum(["achievement", "demand", "achievements", "demands"], { errorMap: () => ({ message: "apiErrors.exportType" }) })
    .transform((t) => (t.endsWith("s") ? t.slice(0, -1) : t) as ListingKind)
    .optional(),
  updatedSince: IsoDateSchema.optional(),
});
export type ExportQuery = z.infer<typeof ExportQuerySchema>;

export type { AchievementData, DemandData };
