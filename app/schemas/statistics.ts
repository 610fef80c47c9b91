import { z } from "zod";
import { MAX_FEN, yuanToFen } from "~/utils/money.ts";

/** The county dashboard's inputs (issue 15, point 5): the year asked for, a CSV table, a year's target. Messages are i18n keys. */

export const STATISTICS_FIRST_YEAR = 2000;
export const STATISTICS_LAST_YEAR = 2100;
export const STATISTICS_TABLES = ["months", "towns", "fields", "categories", "entityTypes", "sides", "funnel"] as const;

const year = z
  .string()
  .trim()
  .regex(/^\d{4}$/, "statistics.errors.year")
  .transform(Number)
  .refine((y) => y >= STATISTICS_FIRST_YEAR && y <= STATISTICS_LAST_YEAR, "statistics.errors.year");

/** ?year= (absent or empty: the current year). */
export const StatisticsQuerySchema = z.object({
  year: z
    .string()
    .optional()
    .transform((v) => (v?.trim() ? v : undefined))
    .pipe(year.optional()),
});

/** /bureau/dashboard.csv?year=&table= */
export const StatisticsCsvQuerySchema = StatisticsQuerySchema.extend({
  table: z.enum(STATISTICS_TABLES, { errorMap: () => ({ message: "statistics.errors.table" }) }),
});

const amount = z
  .string({ required_error: "errors.required" })
  .trim()
  .min(1, "errors.required")
  .transform((v, ctx) => {
    try {
      const fen = yuanToFen(v);
      if (fen > 0 && fen <= MAX_FEN) return fen;
    } catch {
      // falls through to the message below
    }
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: "statistics.errors.amount" });
    return z.NEVER;
  });

/** The targets form: set one year's target, or remove it (the default applies again). */
export const TargetFormSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("set"), year, amount }),
  z.object({ intent: z.literal("remove"), year }),
]);
export type TargetFormInput = z.output<typeof TargetFormSchema>;
