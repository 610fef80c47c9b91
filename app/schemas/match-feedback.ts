import { z } from "zod";
import { objectIdString } from "./ids.ts";

/**
 * 相关 / 不相关 on a match (issue 16, point 5): the verdict, or `null` to withdraw one's mark.
 * One schema for the API body and the pages' forms (a form sends "none" for a withdrawal, since a
 * form field cannot be null).
 */
export const MATCH_FEEDBACK_VERDICTS = ["relevant", "irrelevant"] as const;
export type MatchFeedbackVerdict = (typeof MATCH_FEEDBACK_VERDICTS)[number];

const verdict = z
  .union([z.enum(MATCH_FEEDBACK_VERDICTS), z.literal("none"), z.null()], {
    errorMap: () => ({ message: "matchFeedback.errors.verdict" }),
  })
  .transform((v) => (v === "none" ? null : v));

/** `POST /api/v1/demands/:id/matches/:achievementId/feedback`: `{"verdict": "relevant" | "irrelevant" | null}`. */
export const MatchFeedbackBodySchema = z.object({ verdict });
export type MatchFeedbackBody = z.input<typeof MatchFeedbackBodySchema>;

/** The pages' form: the other side of the pair (an achievement on a demand's page, a demand on an achievement's) and the verdict. */
export const MatchFeedbackFormSchema = z.object({
  intent: z.literal("matchFeedback"),
  counterpartId: objectIdString("matchFeedback.errors.counterpart"),
  verdict,
});

/** `?page=` of /bureau/vocabulary/weak (1-based). */
export const WeakDemandsQuerySchema = z.object({
  page: z.coerce
    .number({ invalid_type_error: "weakDemands.errors.page" })
    .int("weakDemands.errors.page")
    .min(1, "weakDemands.errors.page")
    .max(100_000, "weakDemands.errors.page")
    .default(1),
});
