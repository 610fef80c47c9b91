// Moved to app/schemas/realtime.ts; this shim goes when the parallel branches are merged.
export * from "~/schemas/realtime.ts";
