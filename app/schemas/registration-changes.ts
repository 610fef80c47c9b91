import { z } from "zod";
import { isCalendarDate } from "~/utils/china-time.ts";
import { MAX_FEN, yuanToFen } from "~/utils/money.ts";

/**
 * Change registration (变更) and cancellation (注销) of a registered technology contract (issue 15,
 * point 3), as the bureau's forms send them: every field of a change is optional (blank = kept),
 * the reason is required. Money typed in yuan, kept in fen.
 */
const reason = z
  .string({ required_error: "registrationChanges.errors.reason" })
  .trim()
  .min(1, "registrationChanges.errors.reason")
  .max(500, "registrationChanges.errors.reason");

const blankToUndefined = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);

const name = z.preprocess(
  blankToUndefined,
  z.string().trim().min(1, "registrationChanges.errors.name").max(200, "registrationChanges.errors.name").optional(),
);

const date = z.preprocess(
  blankToUndefined,
  z
    .string()
    .trim()
    .refine((s) => isCalendarDate(s), "registrationChanges.errors.date")
    .optional(),
);

const amount = z.preprocess(
  blankToUndefined,
  z
    .string()
    .trim()
    .transform((s, ctx) => {
      try {
        const fen = yuanToFen(s);
        if (fen <= MAX_FEN) return fen;
      } catch {
        // fall through
      }
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: "registrationChanges.errors.amount" });
      return z.NEVER;
    })
    .optional(),
);

export const RegistrationChangeSchema = z.object({
  reason,
  projectName: name,
  sellerName: name,
  buyerName: name,
  validFrom: date,
  validTo: date,
  /** fen */
  contractAmount: amount,
  /** fen */
  technologyAmount: amount,
});
export type RegistrationChange = z.infer<typeof RegistrationChangeSchema>;
export const CHANGE_FIELDS = [
  "projectName",
  "sellerName",
  "buyerName",
  "validFrom",
  "validTo",
  "contractAmount",
  "technologyAmount",
] as const;

export const RegistrationCancelSchema = z.object({
  reason,
  confirm: z.literal("on", { errorMap: () => ({ message: "registrationChanges.errors.confirm" }) }),
});
export type RegistrationCancel = z.infer<typeof RegistrationCancelSchema>;
