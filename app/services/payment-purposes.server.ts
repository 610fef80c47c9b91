/**
 * Every module that owns a payment purpose, in one list. payments/ knows none of them: each
 * registers its purpose's handler when it is loaded (services/payments/purposes.server.ts), so
 * whatever applies a gateway event to a payment of any purpose — the Stripe webhook — loads this
 * first. Contracts, refunds, payouts and commissions add their line here.
 */
import "./trading/auctions/deposits.server.ts"; // "auction-deposit"
import "./settlement/receipts.server.ts"; // "deal-stage"
import "./settlement/payouts.server.ts"; // "payout"
import "./trading/buy-requests/deposits.server.ts"; // "buy-now-deposit"

export { applyGatewayEvent } from "./payments/webhooks.server.ts";
export { paymentsReconcileJob } from "./payments/reconcile.server.ts";
