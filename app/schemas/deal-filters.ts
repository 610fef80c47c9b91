import { z } from "zod";

/**
 * The deals list's filters (page `/deals` and `GET /api/v1/deals`): where the contract and the
 * money stand (issue 14). The same states as models/deal.server.ts (the compiler checks the
 * routes hand them to the deals service). An empty value means "any"; an unknown one is a 400
 * naming the field.
 */
export const CONTRACT_STATE_FILTERS = ["none", "draft", "signed"] as const;
export const PAYMENT_STATE_FILTERS = ["none", "due", "partly-paid", "paid", "paid-out", "refunded"] as const;

const blank = (v: unknown) => (v === "" || v === null ? undefined : v);

export const DealFiltersSchema = z
  .object({
    contractState: z.preprocess(
      blank,
      z.enum(CONTRACT_STATE_FILTERS, { errorMap: () => ({ message: "workspace.errors.contractState" }) }).optional(),
    ),
    paymentState: z.preprocess(
      blank,
      z.enum(PAYMENT_STATE_FILTERS, { errorMap: () => ({ message: "workspace.errors.paymentState" }) }).optional(),
    ),
  })
  .strict();
export type DealFiltersInput = z.output<typeof DealFiltersSchema>;
