import { z } from "zod";
import { MAX_FEN, yuanToFen } from "~/utils/money.ts";
import { LICENSE_EXCLUSIVITY, TRANSACTION_MODES } from "~/utils/taxonomy.ts";
import { parseChinaTime } from "~/utils/china-time.ts";

/**
 * Inputs of the auction pages and the auction API. Money arrives in yuan (a form's text or an API
 * number, at most two decimals) and leaves these schemas in fen; times in China Standard Time when
 * a form's datetime-local gives no zone. Messages are i18n keys (app/locales/modules/trading.ts).
 */

/** Yuan → fen, exactly: "12,000.5" and 12000.5 are ¥12,000.50; 1.005, "abc", -3 are refused. */
export const yuan = (opts: { min?: number; required?: string } = {}) =>
  z
    .union([z.string(), z.number()], {
      required_error: opts.required ?? "auction.errors.amountRequired",
      invalid_type_error: "auction.errors.amountNumber",
    })
    .transform((v, ctx) => {
      const s = typeof v === "number" ? (Number.isFinite(v) ? String(v) : "x") : v.trim().replace(/[,，\s]/g, "");
      if (s === "") {
        ctx.addIssue({ code: "custom", message: opts.required ?? "auction.errors.amountRequired" });
        return z.NEVER;
      }
      let fen: number;
      try {
        fen = yuanToFen(s); // also "5万", "1.5万元", full-width digits
      } catch {
        ctx.addIssue({ code: "custom", message: "auction.errors.amountNumber" });
        return z.NEVER;
      }
      if (fen < (opts.min ?? 1)) {
        ctx.addIssue({ code: "custom", message: "auction.errors.amountPositive" });
        return z.NEVER;
      }
      if (fen > MAX_FEN) {
        ctx.addIssue({ code: "custom", message: "auction.errors.amountTooLarge" });
        return z.NEVER;
      }
      return fen;
    });

const optionalYuan = z.preprocess((v) => (v === "" || v === null ? undefined : v), yuan().optional());

const when = (required: string) =>
  z.union([z.string(), z.date()], { required_error: required, invalid_type_error: "auction.errors.time" }).transform((v, ctx) => {
    const d = v instanceof Date ? v : parseChinaTime(v);
    if (!d) {
      ctx.addIssue({ code: "custom", message: v === "" ? required : "auction.errors.time" });
      return z.NEVER;
    }
    return d;
  });

const minutes = (max: number, fallback: number) =>
  z.preprocess(
    (v) => (v === "" || v === undefined ? fallback : v),
    z.coerce
      .number({ invalid_type_error: "auction.errors.minutes" })
      .int("auction.errors.minutes")
      .min(0, "auction.errors.minutes")
      .max(max, "auction.errors.minutesMax"),
  );

export const TierInputSchema = z.object({ from: yuan({ min: 0 }), increment: yuan() });

/** The seller's (or broker's) auction form and its API twin. */
export const CreateAuctionSchema = z
  .object({
    startPrice: yuan(),
    reservePrice: optionalYuan,
    incrementKind: z.enum(["fixed", "tiered"], { errorMap: () => ({ message: "auction.errors.incrementKind" }) }),
    increment: optionalYuan,
    tiers: z
      .array(z.object({ from: z.union([z.string(), z.number()]).optional(), increment: z.union([z.string(), z.number()]).optional() }))
      .max(6)
      .default([]),
    deposit: yuan({ required: "auction.errors.depositRequired" }),
    startNow: z.preprocess((v) => v === "on" || v === "true" || v === true, z.boolean()).default(false),
    startsAt: z.string().optional(),
    endsAt: when("auction.errors.endsAtRequired"),
    antiSnipeWindowMinutes: minutes(60, 5),
    antiSnipeCapMinutes: minutes(24 * 60, 30),
    transactionMode: z.enum(TRANSACTION_MODES, { errorMap: () => ({ message: "auction.errors.transactionMode" }) }),
    licenseExclusivity: z.preprocess((v) => (v === "" ? undefined : v), z.enum(LICENSE_EXCLUSIVITY).optional()),
  })
  .transform((v, ctx) => {
    let increments: { from: number; increment: number }[] = [];
    if (v.incrementKind === "fixed") {
      if (v.increment === undefined) ctx.addIssue({ code: "custom", path: ["increment"], message: "auction.errors.incrementRequired" });
      else increments = [{ from: 0, increment: v.increment }];
    } else {
      const rows = v.tiers.filter((t) => `${t.from ?? ""}${t.increment ?? ""}`.trim() !== "");
      rows.forEach((row, i) => {
        const r = TierInputSchema.safeParse(row);
        if (!r.success) for (const issue of r.error.issues) ctx.addIssue({ ...issue, path: ["tiers", i, ...issue.path] });
        else increments.push(r.data);
      });
      if (rows.length === 0) ctx.addIssue({ code: "custom", path: ["tiers"], message: "auction.errors.tiersRequired" });
    }
    let startsAt: Date | null = null;
    if (!v.startNow) {
      startsAt = v.startsAt ? parseChinaTime(v.startsAt) : null;
      if (!startsAt)
        ctx.addIssue({
          code: "custom",
          path: ["startsAt"],
          message: v.startsAt ? "auction.errors.time" : "auction.errors.startsAtRequired",
        });
    }
    return {
      startPrice: v.startPrice,
      reservePrice: v.reservePrice ?? null,
      increments,
      deposit: v.deposit,
      startsAt,
      endsAt: v.endsAt,
      antiSnipeWindowSec: v.antiSnipeWindowMinutes * 60,
      antiSnipeCapSec: v.antiSnipeCapMinutes * 60,
      transactionMode: v.transactionMode,
      licenseExclusivity: v.licenseExclusivity ?? null,
    };
  });
export type CreateAuctionFormInput = z.input<typeof CreateAuctionSchema>;

/** `POST /api/v1/auctions/:id/bids` and the bid form: `{ "amount": <yuan> }`. */
export const BidSchema = z.object({ amount: yuan() });

/** Registering as a bidder: the agreement must be accepted explicitly. */
export const RegisterBidderSchema = z.object({
  acceptAgreement: z.preprocess(
    (v) => v === "on" || v === "true" || v === true,
    z.literal(true, { errorMap: () => ({ message: "auction.errors.agreementRequired" }) }),
  ),
});
