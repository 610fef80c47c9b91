import { BuyRequest, type BuyDepositStatus, type BuyRequestStatus, type BuyRequestWay } from "~/models/buy-request.server.ts";
import type { Actor } from "~/services/kernel/actor.ts";
import { oid, parseId } from "~/services/kernel/ids.server.ts";
import { relationsOf } from "~/services/listings/access.ts";
import { NotFoundError } from "~/utils/errors.ts";

/** What the pages and the API show of a buy request (decision 023). */
export interface BuyRequestView {
  id: string;
  listing: { id: string; title: string };
  seller: { name: string };
  buyer: { name: string; organizationName: string | null };
  terms: { price: number; transactionMode: string; licenseExclusivity: string | null };
  way: BuyRequestWay;
  status: BuyRequestStatus;
  deposit: { status: BuyDepositStatus; amount: number | null };
  expiresAt: string;
  dealId: string | null;
  closedReason: string | null;
  note: string | null;
  createdAt: string;
  decidedAt: string | null;
}

type Stored = Awaited<ReturnType<typeof storedRequests>>[number];
const storedRequests = (filter: Record<string, unknown>) => BuyRequest.find(filter).sort({ createdAt: -1 }).limit(100).lean();

export function buyRequestView(r: Stored): BuyRequestView {
  return {
    id: String(r._id),
    listing: { id: String(r.listing), title: r.listingTitle },
    seller: { name: r.seller.name },
    buyer: { name: r.buyer.name, organizationName: r.buyer.organizationName ?? null },
    terms: { price: r.terms.price, transactionMode: r.terms.transactionMode, licenseExclusivity: r.terms.licenseExclusivity ?? null },
    way: r.way as BuyRequestWay,
    status: r.status as BuyRequestStatus,
    deposit: { status: (r.deposit?.status ?? "none") as BuyDepositStatus, amount: r.deposit?.amount ?? null },
    expiresAt: r.expiresAt.toISOString(),
    dealId: r.deal ? String(r.deal) : null,
    closedReason: r.closedReason ?? null,
    note: r.note ?? null,
    createdAt: (r as { createdAt?: Date }).createdAt?.toISOString() ?? r.expiresAt.toISOString(),
    decidedAt: r.decidedAt ? r.decidedAt.toISOString() : null,
  };
}

/** The actor's own requests as a buyer, and the requests waiting for their selling side. */
export async function myBuyRequests(actor: Actor): Promise<{ mine: BuyRequestView[]; toConfirm: BuyRequestView[] }> {
  if (!actor.id) return { mine: [], toConfirm: [] };
  const mine = await storedRequests({ "buyer.user": oid(actor.id) });
  const side: Record<string, unknown>[] = [{ "seller.user": oid(actor.id) }];
  if (actor.organization) side.push({ "seller.organization": oid(actor.organization.id) });
  const toConfirm = await storedRequests({ way: "confirm", $or: side });
  return { mine: mine.map(buyRequestView), toConfirm: toConfirm.map(buyRequestView) };
}

/** One request, for its buyer or its selling side; anyone else is told it does not exist. */
export async function getBuyRequest(actor: Actor, id: string): Promise<BuyRequestView & { viewer: "buyer" | "seller" }> {
  const r = await BuyRequest.findById(parseId(id)).lean();
  if (!r || !actor.id) throw new NotFoundError();
  if (String(r.buyer.user) === actor.id) return { ...buyRequestView(r), viewer: "buyer" };
  if (relationsOf(actor, { owner: r.seller.organization, createdBy: r.seller.user }).has("owner"))
    return { ...buyRequestView(r), viewer: "seller" };
  throw new NotFoundError();
}
