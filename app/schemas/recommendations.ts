import { z } from "zod";
import { objectIdString } from "./ids.ts";

/** 推荐我的成果: which achievement, and an optional note for the demand's owner (the room's first message). */
export const RecommendSchema = z.object({
  achievementId: objectIdString("recommendations.errors.achievementRequired"),
  note: z
    .string()
    .trim()
    .max(1000, "recommendations.errors.noteTooLong")
    .optional()
    .transform((v) => v || null),
});
export type RecommendInput = z.input<typeof RecommendSchema>;

/** 标记为已解决: optionally, the achievement that solved the demand. */
export const SolveDemandSchema = z.object({
  achievementId: z
    .union([z.literal(""), objectIdString("recommendations.errors.solutionUnknown")])
    .optional()
    .transform((v) => v || null),
});
export type SolveDemandInput = z.input<typeof SolveDemandSchema>;
