// Moved to services/matching/ (matches, sweep, vocabulary) and services/notifications/inbox.server.ts; this shim goes when the parallel branches are merged.
export * from "./matching/matches.server.ts";
export * from "./matching/sweep.server.ts";
export * from "./matching/vocabulary.server.ts";
export * from "./notifications/inbox.server.ts";
export { MATCH_LIMIT_DEFAULT, MATCH_LIMIT_MAX, MatchQuerySchema } from "~/schemas/matching.ts";
