import { z } from "zod";
import { fieldErrorList, fieldErrors } from "~/utils/errors.ts";
import { MAX_FEN, yuanToFen } from "~/utils/money.ts";
import { OBJECT_ID_PATTERN } from "./ids.ts";
import { LICENSE_EXCLUSIVITY, TRANSACTION_MODES, type LicenseExclusivity, type TransactionMode } from "~/utils/taxonomy.ts";
import { chinaLocalDateTime, endOfChinaDay } from "~/utils/china-time.ts";
import { OFFER_MESSAGE_MAX, OFFER_REASON_MAX } from "~/utils/offer-limits.ts";
import type { Terms } from "./terms.ts";

export { OFFER_MESSAGE_MAX, OFFER_REASON_MAX };

/**
 * Inputs of buy-now (挂牌购买) and offers (报价/议价), shared by the HTML forms (conform, parsed
 * with `disableAutoCoercion` so these schemas see the raw strings) and the JSON API (numbers).
 * Field names are the same at both edges: `amount` in yuan, `transactionMode`,
 * `licenseExclusivity`, `message`, `expiresAt` | `expiresInDays`, `reason`. Money leaves these
 * schemas in fen. Messages are i18n keys (app/locales/modules/offers.ts).
 *
 * The range of an expiry is checked here against the clock (for the form's immediate answer) and
 * again by the service against its own `now`, which is the authority.
 */

export const OFFER_DEFAULT_DAYS = 7;
export const OFFER_MIN_DAYS = 1;
export const OFFER_MAX_DAYS = 30;
/** An explicit expiry must leave the other side at least this long to answer. */
export const OFFER_MIN_LEAD_MS = 60 * 60 * 1000;
const DAY_MS = 86_400_000;

/** How long an offer stays open: a number of days from when it is made, or an instant. */
export type OfferExpiry = { days: number } | { at: Date };

/**
 * The terms of an offer or counter-offer, as the service takes them (money in fen): the part of
 * the one terms shape (./terms.ts) an offer carries, plus its message and expiry. `offerTermsOf`
 * in the offers module turns a stored version into `Terms`.
 */
export interface OfferTerms {
  amountFen: Terms["price"];
  transactionMode: Terms["transactionMode"];
  licenseExclusivity?: Terms["licenseExclusivity"];
  message?: string | null;
  /** Absent: OFFER_DEFAULT_DAYS. */
  expiry?: OfferExpiry | null;
}

/** What the buyer confirms on the buy-now page (or in the API call). */
export interface BuyNowInput {
  /** The price the buyer saw and agrees to pay; refused if the listing's price differs now. */
  expectedAmountFen: number;
  transactionMode: TransactionMode;
  licenseExclusivity?: LicenseExclusivity | null;
  /** How the request is secured (decision 023): a deposit now, or the seller side's confirmation. */
  way?: "deposit" | "confirm";
}

const blankToUndefined = (v: unknown) => (v === "" || v === null || (typeof v === "string" && v.trim() === "") ? undefined : v);
const trimmed = (v: unknown) => (typeof v === "string" ? v.trim() : v);

/**
 * Yuan as typed or sent — `380000`, `"1,234.5"`, `"¥2800.50"` — to fen, exactly. Positive, at
 * most two decimals, at most ¥10 billion. Numbers are read through their shortest decimal form,
 * so `0.1 + 0.2` (0.30000000000000004) is refused rather than rounded.
 */
export function yuanAmount(requiredMessage = "offers.errors.amountRequired") {
  return z.unknown().transform((v, ctx): number => {
    const fail = (message: string) => {
      ctx.addIssue({ code: "custom", message });
      return z.NEVER;
    };
    if (blankToUndefined(v) === undefined) return fail(requiredMessage);
    let text: string;
    if (typeof v === "number") {
      if (!Number.isFinite(v)) return fail("offers.errors.amount");
      text = String(v);
    } else if (typeof v === "string") {
      text = v.trim();
    } else {
      return fail("offers.errors.amount");
    }
    if (/^-/.test(text)) return fail("offers.errors.amountPositive");
    let fen: number;
    try {
      fen = yuanToFen(text); // also "5万", "1.5万元", full-width digits
    } catch {
      return fail("offers.errors.amount");
    }
    if (fen <= 0) return fail("offers.errors.amountPositive");
    if (fen > MAX_FEN) return fail("offers.errors.amountTooLarge");
    return fen;
  });
}

const transactionMode = z.preprocess(
  blankToUndefined,
  z.enum(TRANSACTION_MODES, { errorMap: () => ({ message: "offers.errors.transactionMode" }) }),
);

const licenseExclusivity = z.preprocess(
  blankToUndefined,
  z.enum(LICENSE_EXCLUSIVITY, { errorMap: () => ({ message: "offers.errors.licenseExclusivity" }) }).optional(),
);

const message = z.preprocess(
  (v) => (v === undefined || v === null ? "" : v),
  z.string({ invalid_type_error: "offers.errors.message" }).trim().max(OFFER_MESSAGE_MAX, "offers.errors.messageTooLong"),
);

/**
 * An instant: a full ISO timestamp with its zone, a local date-time without one (the form's
 * `datetime-local`, read as China time), or a date (the end of that day, China time).
 */
export function parseExpiryInstant(text: string): Date | null {
  const s = text.trim();
  let d: Date;
  if (/^\d{4}-\d{2}-\d{2}$/.test(s)) d = endOfChinaDay(s);
  else if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?$/.test(s)) d = new Date(`${s}+08:00`);
  else if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i.test(s)) d = new Date(s);
  else return null;
  return Number.isNaN(d.getTime()) ? null : d;
}

const expiresAt = z.preprocess(
  blankToUndefined,
  z
    .string({ invalid_type_error: "offers.errors.expiresAt" })
    .transform((s, ctx) => {
      const d = parseExpiryInstant(s);
      const problem = d ? expiryProblem({ at: d }, new Date()) : { message: "offers.errors.expiresAt" };
      if (problem) {
        ctx.addIssue({ code: "custom", message: problem.message });
        return z.NEVER;
      }
      return d!;
    })
    .optional(),
);

const expiresInDays = z.preprocess(
  (v) => {
    const b = blankToUndefined(trimmed(v));
    return typeof b === "string" && /^\d+$/.test(b) ? Number(b) : b;
  },
  z
    .number({ invalid_type_error: "offers.errors.expiresInDays" })
    .int("offers.errors.expiresInDays")
    .min(OFFER_MIN_DAYS, "offers.errors.expiresInDays")
    .max(OFFER_MAX_DAYS, "offers.errors.expiresInDays")
    .optional(),
);

/** The checks every expiry passes, against `now` (the service calls it with its own clock). */
export function expiryProblem(expiry: OfferExpiry, now: Date): { field: "expiresAt" | "expiresInDays"; message: string } | null {
  if ("days" in expiry) {
    const ok = Number.isInteger(expiry.days) && expiry.days >= OFFER_MIN_DAYS && expiry.days <= OFFER_MAX_DAYS;
    return ok ? null : { field: "expiresInDays", message: "offers.errors.expiresInDays" };
  }
  const t = expiry.at.getTime();
  if (Number.isNaN(t)) return { field: "expiresAt", message: "offers.errors.expiresAt" };
  if (t < now.getTime() + OFFER_MIN_LEAD_MS) return { field: "expiresAt", message: "offers.errors.expiryTooSoon" };
  // A minute of slack: the form computed "30 days" a moment before the service checks it.
  if (t > now.getTime() + OFFER_MAX_DAYS * DAY_MS + 60_000) return { field: "expiresAt", message: "offers.errors.expiryTooFar" };
  return null;
}

/** The instant an expiry ends at, counted from `now`. */
export function expiryInstant(expiry: OfferExpiry | null | undefined, now: Date): Date {
  if (!expiry) return new Date(now.getTime() + OFFER_DEFAULT_DAYS * DAY_MS);
  return "days" in expiry ? new Date(now.getTime() + expiry.days * DAY_MS) : expiry.at;
}

const termsShape = {
  amount: yuanAmount(),
  transactionMode,
  licenseExclusivity,
  message,
  expiresAt,
  expiresInDays,
};

type TermsRaw = {
  amount: number;
  transactionMode: TransactionMode;
  licenseExclusivity?: LicenseExclusivity;
  message: string;
  expiresAt?: Date;
  expiresInDays?: number;
  /** Forms only: which of the two expiry fields the person chose. */
  expiryKind?: "days" | "date";
};

function checkExpiry(v: TermsRaw, ctx: z.RefinementCtx) {
  const issue = (path: string, message: string) => ctx.addIssue({ code: "custom", path: [path], message });
  if (v.expiryKind === "date" && !v.expiresAt) issue("expiresAt", "offers.errors.expiresAtRequired");
  if (v.expiryKind === undefined && v.expiresAt && v.expiresInDays !== undefined) issue("expiresAt", "offers.errors.expiryBoth");
}

function toExpiry(v: TermsRaw): OfferExpiry | null {
  if (v.expiryKind === "days") return v.expiresInDays !== undefined ? { days: v.expiresInDays } : null;
  if (v.expiresAt) return { at: v.expiresAt };
  if (v.expiresInDays !== undefined) return { days: v.expiresInDays };
  return null;
}

function toTerms(v: TermsRaw): OfferTerms {
  return {
    amountFen: v.amount,
    transactionMode: v.transactionMode,
    licenseExclusivity: v.licenseExclusivity ?? null,
    message: v.message,
    expiry: toExpiry(v),
  };
}

const strictMessage = { message: "offers.errors.unknownField" };

// ---------------------------------------------------------------------------------------------
// Offers

/** POST /api/v1/offers */
export const MakeOfferApiSchema = z
  .object(
    {
      listingId: z
        .string({ required_error: "offers.errors.listingId", invalid_type_error: "offers.errors.listingId" })
        .regex(OBJECT_ID_PATTERN, "offers.errors.listingId"),
      ...termsShape,
    },
    { invalid_type_error: "apiErrors.bodyNotObject", required_error: "apiErrors.bodyNotObject" },
  )
  .strict(strictMessage.message)
  .superRefine((v, ctx) => checkExpiry(v as TermsRaw, ctx))
  .transform((v) => ({ listingId: v.listingId, terms: toTerms(v as TermsRaw) }));

/** POST /api/v1/offers/:id/counter */
export const CounterOfferApiSchema = z
  .object(termsShape, { invalid_type_error: "apiErrors.bodyNotObject", required_error: "apiErrors.bodyNotObject" })
  .strict(strictMessage.message)
  .superRefine((v, ctx) => checkExpiry(v as TermsRaw, ctx))
  .transform((v) => toTerms(v as TermsRaw));

const expiryKind = z.preprocess(blankToUndefined, z.enum(["days", "date"]).default("days"));

/** The make-offer form (/achievements/:id/offer) and the counter form (/offers/:id). */
export const OfferFormSchema = z
  .preprocess(
    // Only the expiry the person chose counts; what is left in the other field is ignored.
    (v) => {
      if (typeof v !== "object" || v === null) return v;
      const { expiresAt: at, expiresInDays: days, ...rest } = v as Record<string, unknown>;
      return (rest as { expiryKind?: unknown }).expiryKind === "date" ? { ...rest, expiresAt: at } : { ...rest, expiresInDays: days };
    },
    z.object({ ...termsShape, expiryKind }),
  )
  .superRefine((v, ctx) => checkExpiry(v as TermsRaw, ctx))
  .transform((v) => toTerms(v as TermsRaw));

/** What the offer form's fields hold as text. */
export interface OfferFormInput {
  amount?: string;
  transactionMode?: string;
  licenseExclusivity?: string;
  message?: string;
  expiryKind?: "days" | "date";
  expiresInDays?: string;
  expiresAt?: string;
}

const reason = z.preprocess(
  (v) => (v === undefined || v === null ? "" : v),
  z.string({ invalid_type_error: "offers.errors.reason" }).trim().max(OFFER_REASON_MAX, "offers.errors.reasonTooLong"),
);

/** Rejecting, with an optional reason (form and API). */
export const RejectOfferSchema = z.object({ reason }).transform((v) => ({ reason: v.reason || null }));
export const RejectOfferApiSchema = z
  .object({ reason }, { invalid_type_error: "apiErrors.bodyNotObject" })
  .strict(strictMessage.message)
  .transform((v) => ({ reason: v.reason || null }));

// ---------------------------------------------------------------------------------------------
// Buy-now

const buyNowShape = {
  amount: yuanAmount("buyNow.errors.amountRequired"),
  transactionMode,
  licenseExclusivity,
  way: z.preprocess(
    blankToUndefined,
    z.enum(["deposit", "confirm"], { errorMap: () => ({ message: "buyRequests.errors.way" }) }).optional(),
  ),
};

const toBuyNow = (v: {
  amount: number;
  transactionMode: TransactionMode;
  licenseExclusivity?: LicenseExclusivity;
  way?: "deposit" | "confirm";
}): BuyNowInput & { way: "deposit" | "confirm" } => ({
  expectedAmountFen: v.amount,
  transactionMode: v.transactionMode,
  licenseExclusivity: v.licenseExclusivity ?? null,
  way: v.way ?? "confirm",
});

/** POST /api/v1/achievements/:id/buy */
export const BuyNowApiSchema = z
  .object(buyNowShape, { invalid_type_error: "apiErrors.bodyNotObject", required_error: "apiErrors.bodyNotObject" })
  .strict(strictMessage.message)
  .transform(toBuyNow);

/** The confirmation page: the same, plus the box that says the buyer agrees to the terms. */
export const BuyNowFormSchema = z
  .object({
    ...buyNowShape,
    agree: z.preprocess(blankToUndefined, z.literal("on", { errorMap: () => ({ message: "buyNow.errors.agree" }) })),
  })
  .transform(toBuyNow);

export interface BuyNowFormInput {
  amount?: string;
  transactionMode?: string;
  licenseExclusivity?: string;
  way?: string;
  agree?: string;
}

/**
 * A failed parse as field errors: each issue under its field's path, and a key the schema does
 * not know under that key's own name (not under "" for the whole body), so the answer names it.
 */
export function offerFieldErrors(error: z.ZodError): Record<string, string[]> {
  const out = fieldErrors();
  const add = (path: string, message: string) => {
    const list = fieldErrorList(out, path);
    if (!list.includes(message)) list.push(message);
  };
  for (const issue of error.issues) {
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) add([...issue.path, key].join("."), "offers.errors.unknownField");
    } else {
      add(issue.path.join("."), issue.message);
    }
  }
  return out;
}

/** The `min`/`max` of the expiry's date-time input, from `now`. */
export function expiryInputBounds(now = new Date()): { min: string; max: string } {
  return {
    // Rounded up to the next minute, so the earliest value the input allows is accepted.
    min: chinaLocalDateTime(new Date(now.getTime() + OFFER_MIN_LEAD_MS + 60_000)),
    max: chinaLocalDateTime(new Date(now.getTime() + OFFER_MAX_DAYS * DAY_MS)),
  };
}

/** Machine-readable API codes for the trading conflicts a program may want to tell apart. */
const TRADING_ERROR_CODES: Record<string, string> = {
  "trading.alreadySold": "already_sold",
  "trading.priceChanged": "price_changed",
  "trading.notTrading": "not_trading",
  "trading.notFixedPrice": "not_fixed_price",
  "trading.notNegotiable": "not_negotiable",
  "trading.licenceHeld": "licence_held",
  "trading.licenseesExist": "licensees_exist",
  "offers.errors.alreadyOpen": "offer_already_open",
  "offers.errors.status.expired": "offer_expired",
  "offers.errors.changedMeanwhile": "offer_changed",
  "buyRequests.errors.alreadyPending": "request_pending",
  "buyRequests.errors.notPending": "request_not_pending",
  "buyRequests.errors.alreadyOpened": "request_not_pending",
  "buyRequests.errors.expired": "request_expired",
  "buyRequests.errors.notToConfirm": "request_not_to_confirm",
};

export function tradingErrorCode(message: string): string | undefined {
  if (message in TRADING_ERROR_CODES) return TRADING_ERROR_CODES[message];
  if (message.startsWith("offers.errors.status.")) return "offer_not_open";
  return undefined;
}
