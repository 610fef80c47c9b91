// Shim for tests/support/trading-fixtures.ts (edited on the trading branch); it goes when the trading branch merges: import from ~/services/accounts/* instead.
export { getSessionUserById, type SessionUser } from "./accounts/accounts.server.ts";
