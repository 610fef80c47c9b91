import { z } from "zod";

/** API bodies for cancelling a deal and recording a bank refund (issue 14, point 8). */
const reason = z
  .string({ invalid_type_error: "settlement.cancel.errors.reasonRequired" })
  .trim()
  .min(1, "settlement.cancel.errors.reasonRequired")
  .max(500, "settlement.cancel.errors.reasonTooLong");

/** POST /api/v1/deals/:id/cancellation */
export const CancellationApiSchema = z.discriminatedUnion(
  "action",
  [
    z.object({ action: z.literal("propose"), reason }).strict(),
    z.object({ action: z.literal("confirm") }).strict(),
    z.object({ action: z.literal("withdraw") }).strict(),
    z.object({ action: z.literal("admin-cancel"), reason }).strict(),
  ],
  { errorMap: () => ({ message: "settlement.cancel.errors.action" }) },
);

/** POST /api/v1/refunds/:id/bank — the proof as base64 (PDF, PNG, JPEG, WebP; at most 10 MB). */
export const BankRefundApiSchema = z
  .object({
    bankRef: z
      .string({ required_error: "settlement.refunds.errors.bankRef" })
      .trim()
      .min(1, "settlement.refunds.errors.bankRef")
      .max(100, "settlement.refunds.errors.bankRef"),
    paidOn: z
      .string({ required_error: "settlement.refunds.errors.paidOn" })
      .regex(/^\d{4}-\d{2}-\d{2}$/, "settlement.refunds.errors.paidOn"),
    proof: z
      .object({
        filename: z.string().trim().min(1).max(200),
        base64: z.string().min(1).max(14_000_000),
      })
      .strict()
      .optional(),
  })
  .strict();
