import { z } from "zod";

/** The match endpoints' input (GET /api/v1/{achievements,demands}/:id/matches). */

export const MATCH_LIMIT_DEFAULT = 10;
export const MATCH_LIMIT_MAX = 50;

/** `?limit=` of the match endpoints. */
export const MatchQuerySchema = z.object({
  limit: z.coerce
    .number({ invalid_type_error: "matching.errors.limit" })
    .int("matching.errors.limit")
    .min(1, "matching.errors.limit")
    .max(MATCH_LIMIT_MAX, "matching.errors.limit")
    .default(MATCH_LIMIT_DEFAULT),
});
