// Shim for the trading branch (and tests/support/trading-fixtures.ts); it goes when the trading branch merges: import from ~/services/listings/* instead.
export { relationsOf } from "./listings/access.ts";
export { createAchievement, createDemand } from "./listings/commands.server.ts";
export { transitionListing, transitionListingInSession } from "./listings/workflow.server.ts";
