import type { BuyRequestView } from "~/services/trading/buy-requests/queries.server.ts";
import { fenToYuan } from "~/utils/money.ts";

/** What the API shows of a buy request (docs/api.md, decision 023): money in yuan. */
export function apiBuyRequest(r: BuyRequestView, extra: { depositCheckoutUrl?: string | null } = {}) {
  return {
    id: r.id,
    listing: r.listing,
    seller: r.seller,
    buyer: r.buyer,
    amount: fenToYuan(r.terms.price),
    currency: "CNY",
    transactionMode: r.terms.transactionMode,
    licenseExclusivity: r.terms.licenseExclusivity,
    way: r.way,
    status: r.status,
    deposit:
      r.way === "deposit" ? { status: r.deposit.status, amount: r.deposit.amount === null ? null : fenToYuan(r.deposit.amount) } : null,
    ...(extra.depositCheckoutUrl !== undefined ? { depositCheckoutUrl: extra.depositCheckoutUrl } : {}),
    expiresAt: r.expiresAt,
    deal: r.dealId,
    closedReason: r.closedReason,
    note: r.note,
    createdAt: r.createdAt,
    decidedAt: r.decidedAt,
  };
}
