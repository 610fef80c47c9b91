import type { DealView } from "~/services/trading/deals/views.ts";
import type { OfferThreadSummary, OfferThreadView, OfferView } from "~/services/trading/offers/views.ts";
import { fenToYuan } from "~/utils/money.ts";

/** What the trading API (`/api/v1/offers`, `/api/v1/deals`, buy-now; docs/api.md) shows: money in yuan. */

export function apiOffer(o: OfferView) {
  return {
    id: o.id,
    thread: o.thread,
    version: o.version,
    by: o.by,
    byName: o.byName,
    listing: o.listing,
    seller: { name: o.seller.name },
    buyer: { name: o.buyer.name, organizationName: o.buyer.organizationName },
    amount: fenToYuan(o.amount),
    currency: o.currency,
    transactionMode: o.transactionMode,
    licenseExclusivity: o.licenseExclusivity,
    message: o.message,
    expiresAt: o.expiresAt,
    status: o.status,
    reason: o.reason,
    respondedAt: o.respondedAt,
    dealId: o.dealId,
    createdAt: o.createdAt,
  };
}

export function apiThread(t: OfferThreadView) {
  return {
    thread: t.thread,
    side: t.side,
    listing: { id: t.listing.id, title: t.listing.title, status: t.listing.status },
    seller: t.seller,
    buyer: t.buyer,
    status: t.current.status,
    current: apiOffer(t.current),
    versions: t.versions.map(apiOffer),
    actions: t.actions,
    dealId: t.dealId,
  };
}

export function apiThreadSummary(s: OfferThreadSummary) {
  return {
    thread: s.thread,
    listing: s.listing,
    counterpart: s.counterpart,
    versions: s.versions,
    awaitingMe: s.awaitingMe,
    latest: apiOffer(s.latest),
  };
}

export function apiDeal(d: DealView) {
  return {
    id: d.id,
    listing: d.listing,
    seller: { name: d.seller.name },
    buyer: { name: d.buyer.name, organizationName: d.buyer.organizationName },
    source: d.source,
    offerId: d.offerId,
    auctionId: d.auctionId,
    price: { amount: Math.round(d.price.amount) / 100, currency: d.price.currency },
    terms: d.terms,
    deposit: d.deposit ? { amount: Math.round(d.deposit.amount) / 100 } : null,
    endsTrading: d.endsTrading,
    status: d.status,
    contractState: d.contractState,
    paymentState: d.paymentState,
    signBy: d.signBy,
    createdAt: d.createdAt,
  };
}
