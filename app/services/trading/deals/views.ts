import type { Types } from "mongoose";
import type { DealContractState, DealDoc, DealPaymentState, DealSource } from "~/models/deal.server.ts";
import type { LicenseExclusivity, TransactionMode } from "~/utils/taxonomy.ts";

/**
 * A deal as pages and the API see it. The shape predates decision 009 and is kept: `price` comes
 * from the agreed terms, `terms` shows their mode and exclusivity.
 */

export interface DealView {
  id: string;
  listing: { id: string; title: string };
  seller: { name: string; organizationId: string | null };
  buyer: { name: string; organizationName: string | null; userId: string | null };
  source: DealSource;
  offerId: string | null;
  auctionId: string | null;
  price: { amount: number; currency: string };
  terms: { transactionMode: TransactionMode; licenseExclusivity: LicenseExclusivity | null };
  deposit: { amount: number } | null;
  /** False for a non-exclusive licence: the listing stayed on offer for other licensees. */
  endsTrading: boolean;
  status: string;
  /** Where the contract and the money stand (issue 14): kept by contracts and settlement. */
  contractState: DealContractState;
  paymentState: DealPaymentState;
  /** The signing deadline, while it matters. */
  signBy: string | null;
  createdAt: string;
}

export type DealRow = DealDoc & { _id: Types.ObjectId; createdAt: Date };

export function dealView(d: DealRow): DealView {
  return {
    id: String(d._id),
    listing: { id: String(d.listing), title: d.listingTitle },
    seller: { name: d.seller.name, organizationId: d.seller.organization ? String(d.seller.organization) : null },
    buyer: { name: d.buyer.name, organizationName: d.buyer.organizationName ?? null, userId: d.buyer.user ? String(d.buyer.user) : null },
    source: d.source as DealSource,
    offerId: d.offer ? String(d.offer) : null,
    auctionId: d.auction ? String(d.auction) : null,
    price: { amount: d.terms?.price ?? 0, currency: d.terms?.currency ?? "CNY" },
    terms: {
      transactionMode: d.terms?.transactionMode as TransactionMode,
      licenseExclusivity: (d.terms?.licenseExclusivity as LicenseExclusivity | undefined) ?? null,
    },
    deposit: d.deposit?.amount ? { amount: d.deposit.amount } : null,
    endsTrading: d.endsTrading !== false,
    status: d.status,
    contractState: (d.contractState ?? "none") as DealContractState,
    paymentState: (d.paymentState ?? "none") as DealPaymentState,
    signBy: d.signBy ? d.signBy.toISOString() : null,
    createdAt: d.createdAt.toISOString(),
  };
}
