// Moved to app/services/trading/auctions/; this shim goes when the parallel branches are merged.
export * from "./trading/auctions/rules.ts";
export * from "./trading/auctions/errors.ts";
export * from "./trading/auctions/views.ts";
export * from "./trading/auctions/create.server.ts";
export * from "./trading/auctions/registration.server.ts";
export * from "./trading/auctions/bidding.server.ts";
export * from "./trading/auctions/queries.server.ts";
export * from "./trading/auctions/chain.server.ts";
export * from "./trading/auctions/closing.server.ts";
export * from "./trading/auctions/settlement.server.ts";
export * from "./trading/auctions/form-context.server.ts";
export * from "./trading/auctions/negotiation.server.ts";
