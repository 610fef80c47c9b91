// Moved to app/web/matching.server.ts; this shim goes when the parallel branches are merged.
export * from "~/web/matching.server.ts";
