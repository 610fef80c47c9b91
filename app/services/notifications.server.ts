// Moved to services/notifications/notify.server.ts; this shim goes when the parallel branches are merged.
export * from "./notifications/notify.server.ts";
