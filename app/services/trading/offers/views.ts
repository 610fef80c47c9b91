import type { Types } from "mongoose";
import type { OfferDoc, OfferSide, OfferStatus } from "~/models/offer.server.ts";
import type { ListingStatus } from "~/utils/listing-workflow.ts";
import type { LicenseExclusivity, PriceMode, TransactionMode } from "~/utils/taxonomy.ts";
import { effectiveStatus, mayAnswer } from "../negotiation.ts";

/** What people (and the API presenters) see of offers: a version, a thread, a row of "my offers". */

export type OfferRow = OfferDoc & { _id: Types.ObjectId; createdAt: Date; updatedAt: Date };

export interface OfferView {
  id: string;
  thread: string;
  version: number;
  by: OfferSide;
  byName: string;
  listing: { id: string; title: string };
  seller: { name: string; organizationId: string };
  buyer: { name: string; organizationName: string | null; userId: string };
  amount: number;
  currency: string;
  transactionMode: TransactionMode;
  licenseExclusivity: LicenseExclusivity | null;
  message: string;
  expiresAt: string;
  status: OfferStatus;
  reason: string | null;
  respondedAt: string | null;
  respondedByName: string | null;
  dealId: string | null;
  createdAt: string;
}

/** The stored offer as people see it: open but past its expiry reads as expired. */
export function offerView(o: OfferRow, now = new Date()): OfferView {
  const status = effectiveStatus(o, now) as OfferStatus;
  return {
    id: String(o._id),
    thread: String(o.thread),
    version: o.version,
    by: o.by as OfferSide,
    byName: o.byName,
    listing: { id: String(o.listing), title: o.listingTitle },
    seller: { name: o.seller.name, organizationId: String(o.seller.organization) },
    buyer: { name: o.buyer.name, organizationName: o.buyer.organizationName ?? null, userId: String(o.buyer.user) },
    amount: o.amount,
    currency: o.currency ?? "CNY",
    transactionMode: o.transactionMode as TransactionMode,
    licenseExclusivity: (o.licenseExclusivity as LicenseExclusivity | undefined) ?? null,
    message: o.message ?? "",
    expiresAt: o.expiresAt.toISOString(),
    status,
    reason: o.reason ?? null,
    respondedAt: o.respondedAt ? o.respondedAt.toISOString() : null,
    respondedByName: o.respondedByName ?? null,
    dealId: o.deal ? String(o.deal) : null,
    createdAt: o.createdAt.toISOString(),
  };
}

/** What the actor may do with the open version of a thread. */
export interface OfferActions {
  accept: boolean;
  reject: boolean;
  counter: boolean;
  withdraw: boolean;
}

export interface OfferThreadView {
  thread: string;
  side: OfferSide;
  listing: {
    id: string;
    title: string;
    status: ListingStatus;
    priceMode: PriceMode;
    transactionModes: TransactionMode[];
    licenseExclusivity: LicenseExclusivity[];
  };
  seller: { name: string };
  buyer: { name: string; organizationName: string | null };
  /** Oldest first. */
  versions: OfferView[];
  current: OfferView;
  actions: OfferActions;
  /** Other open offers on the listing that accepting would close (seller side only, else 0). */
  otherOpenOffers: number;
  dealId: string | null;
}

/** One row of "my offers": a thread, as its latest version stands. */
export interface OfferThreadSummary {
  thread: string;
  listing: { id: string; title: string };
  /** The other side: the seller organisation, or the buyer and their organisation. */
  counterpart: { name: string; organizationName: string | null };
  latest: OfferView;
  versions: number;
  /** The latest version is open and it is the actor's turn to answer. */
  awaitingMe: boolean;
}

export interface MyOffers {
  /** 收到的报价: negotiations on the actor's (organisation's) listings. */
  incoming: OfferThreadSummary[];
  /** 我发出的报价: the actor's own offers as a buyer. */
  outgoing: OfferThreadSummary[];
}

export function summarize(rows: OfferRow[], side: OfferSide, now: Date): OfferThreadSummary[] {
  const byThread = new Map<string, OfferRow[]>();
  for (const r of rows) {
    const k = String(r.thread);
    const list = byThread.get(k) ?? [];
    list.push(r);
    byThread.set(k, list);
  }
  const out: OfferThreadSummary[] = [];
  for (const [thread, list] of byThread) {
    list.sort((a, b) => a.version - b.version);
    const latest = offerView(list[list.length - 1]!, now);
    out.push({
      thread,
      listing: latest.listing,
      counterpart:
        side === "buyer"
          ? { name: latest.seller.name, organizationName: null }
          : { name: latest.buyer.name, organizationName: latest.buyer.organizationName },
      latest,
      versions: list.length,
      awaitingMe: latest.status === "open" && mayAnswer(side, latest.by, "accept"),
    });
  }
  // Waiting for me first, then the most recently changed.
  return out.sort((a, b) => Number(b.awaitingMe) - Number(a.awaitingMe) || b.latest.createdAt.localeCompare(a.latest.createdAt));
}

export interface OfferQuote {
  listing: {
    id: string;
    title: string;
    status: ListingStatus;
    seller: { name: string };
    priceMode: PriceMode;
    transactionModes: TransactionMode[];
    licenseExclusivity: LicenseExclusivity[];
  };
  /** Why this person cannot make an offer now (an i18n key), or null. */
  problem: string | null;
  /** Their open negotiation on the listing, when that is the problem. */
  openThread: string | null;
}
