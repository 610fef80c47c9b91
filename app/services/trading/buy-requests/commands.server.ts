import type { Types } from "mongoose";
import { BuyRequest, type BuyRequestWay } from "~/models/buy-request.server.ts";
import type { BuyNowInput } from "~/schemas/offers.ts";
import type { Actor, Via } from "~/services/kernel/actor.ts";
import { recordAudit } from "~/services/kernel/audit.server.ts";
import { oid, parseId } from "~/services/kernel/ids.server.ts";
import { isDuplicateKey } from "~/services/kernel/mongo-errors.ts";
import { withTransaction } from "~/services/kernel/tx.server.ts";
import { relationsOf } from "~/services/listings/access.ts";
import { notify } from "~/services/notifications/notify.server.ts";
import { readSettings } from "~/services/settings/settings.server.ts";
import { ConflictError, NotFoundError, ValidationError } from "~/utils/errors.ts";
import { formatYuan } from "~/utils/money.ts";
import { checkBuyNow } from "../buy-now.server.ts";
import { sellerSideUsers } from "../deals/open.server.ts";
import { refreshDepositRequest, startBuyNowDeposit } from "./deposits.server.ts";
import { closedReasonOf, finishRequest, loadRequest, openFromRequest } from "./open.server.ts";
import { buyNowDepositFen, buyRequestExpiry } from "./rules.ts";

/**
 * 立即购买申请 (decision 023): a buyer asks to buy a fixed-price listing at its price, paying a
 * deposit (a percentage of the price, a setting) or asking the seller side to confirm within a
 * set time (a setting). The listing stays on the market meanwhile.
 */

export interface BuyNowRequestInput extends BuyNowInput {
  way: BuyRequestWay;
}

export interface BuyRequestStarted {
  requestId: string;
  /** The gateway's page for a deposit; null when the request waits for the seller side. */
  redirectUrl: string | null;
}

/**
 * Stores a buy request after the same checks as a purchase (price confirmed, option offered …).
 * A deposit request then sends the buyer to the gateway's page: `urls` with `{REQUEST_ID}` filled
 * in. A buyer with a request still waiting on the listing gets that one back (its page again).
 */
export async function requestBuyNow(
  actor: Actor & { email?: string },
  listingId: string,
  input: BuyNowRequestInput,
  opts: { via?: Via; now?: Date; urls?: { successUrl: string; cancelUrl: string } } = {},
): Promise<BuyRequestStarted> {
  const now = opts.now ?? new Date();
  const via = opts.via ?? "ui";
  if (input.way !== "deposit" && input.way !== "confirm") throw new ValidationError({ way: ["buyRequests.errors.way"] });
  if (input.way === "deposit" && !opts.urls) throw new Error("a deposit request needs the return urls");
  let requestId: Types.ObjectId;
  try {
    requestId = await withTransaction(async (session) => {
      const checked = await checkBuyNow(session, actor, listingId, input);
      const existing = await BuyRequest.findOne(
        { listing: checked.listing._id, "buyer.user": oid(actor.id!), status: "pending" },
        { way: 1 },
      )
        .session(session)
        .lean();
      if (existing) {
        if (existing.way !== input.way) throw new ConflictError("buyRequests.errors.alreadyPending");
        return existing._id;
      }
      const settings = await readSettings(session);
      const depositFen = input.way === "deposit" ? buyNowDepositFen(checked.terms.price, settings.buyNowDepositPercent) : null;
      const [doc] = await BuyRequest.create(
        [
          {
            listing: checked.listing._id,
            listingTitle: checked.listing.title,
            seller: { organization: checked.listing.owner, user: checked.listing.createdBy ?? undefined, name: checked.listing.ownerName },
            buyer: {
              user: oid(actor.id!),
              name: actor.name,
              organization: actor.organization ? oid(actor.organization.id) : undefined,
              organizationName: actor.organization?.name,
            },
            terms: checked.terms,
            way: input.way,
            status: "pending",
            deposit: depositFen ? { status: "none", amount: depositFen } : { status: "none" },
            expiresAt: buyRequestExpiry(now, settings.buyNowConfirmHours),
          },
        ],
        { session },
      );
      const r = doc!;
      await recordAudit(session, {
        subjectType: "achievement",
        subject: checked.listing._id,
        action: `buyRequest.created:${input.way}`,
        actor,
        via,
        reason: `${actor.name} · ${formatYuan(checked.terms.price)}${depositFen ? ` · 定金 ${formatYuan(depositFen)}` : ""}`,
        at: now,
      });
      if (input.way === "confirm") {
        const sellers = await sellerSideUsers(checked.listing.owner, checked.listing.createdBy, session);
        await notify(
          session,
          sellers.map((u) => ({
            user: u,
            type: "buyRequest.received" as const,
            subject: { kind: "achievement" as const, id: checked.listing._id, title: checked.listing.title },
            link: `/my/buy-requests#request-${String(r._id)}`,
            params: { amount: formatYuan(checked.terms.price), buyer: actor.name, hours: String(settings.buyNowConfirmHours) },
          })),
        );
      }
      return r._id;
    });
  } catch (e) {
    if (isDuplicateKey(e)) throw new ConflictError("buyRequests.errors.alreadyPending");
    throw e;
  }
  if (input.way === "confirm") return { requestId: String(requestId), redirectUrl: null };
  const fill = (u: string) => u.replaceAll("{REQUEST_ID}", String(requestId));
  const started = await startBuyNowDeposit(
    requestId,
    { id: actor.id!, name: actor.name, email: actor.email },
    {
      successUrl: fill(opts.urls!.successUrl),
      cancelUrl: fill(opts.urls!.cancelUrl),
    },
  );
  return { requestId: String(requestId), redirectUrl: started.redirectUrl };
}

/** The request, if the actor acts for its selling side (an admin too); anyone else is told it does not exist. */
async function requestForSeller(actor: Actor, id: string) {
  const r = await loadRequest(parseId(id));
  if (!r) throw new NotFoundError();
  const sellerSide = relationsOf(actor, { owner: r.seller.organization, createdBy: r.seller.user }).has("owner");
  if (!sellerSide) throw new NotFoundError();
  if (r.way !== "confirm") throw new ConflictError("buyRequests.errors.notToConfirm");
  return r;
}

/** Why a request that is no longer pending cannot be confirmed: sold to another buyer first, or answered already. */
function notPending(r: { status: string; closedReason?: string | null }): ConflictError {
  if (r.status === "closed" && r.closedReason === "buyRequests.reasons.sold") return new ConflictError("trading.alreadySold");
  return new ConflictError(r.status === "opened" ? "buyRequests.errors.alreadyOpened" : "buyRequests.errors.notPending");
}

/** The seller side confirms: the deal opens now (first deal wins; the other waiting requests are closed). */
export async function confirmBuyRequest(actor: Actor, id: string, opts: { via?: Via; now?: Date } = {}): Promise<string> {
  const now = opts.now ?? new Date();
  const r = await requestForSeller(actor, id);
  if (r.status !== "pending") throw notPending(r);
  if (r.expiresAt.getTime() <= now.getTime()) throw new ConflictError("buyRequests.errors.expired");
  try {
    return await withTransaction((session) => openFromRequest(session, r._id, { actor, via: opts.via ?? "ui", now }));
  } catch (e) {
    if (!(e instanceof ConflictError)) throw e;
    if (e.message === "buyRequests.errors.notPending") throw notPending((await loadRequest(r._id)) ?? r);
    // Sold meanwhile by another way (an offer, an auction): this request can no longer be served.
    await withTransaction(async (session) => {
      const fresh = await loadRequest(r._id, session);
      if (fresh) await finishRequest(session, fresh, "closed", { reason: closedReasonOf(e.message), now });
    });
    throw e;
  }
}

/** The seller side declines, with an optional note the buyer reads. */
export async function declineBuyRequest(
  actor: Actor,
  id: string,
  note: string | null,
  opts: { via?: Via; now?: Date } = {},
): Promise<void> {
  const now = opts.now ?? new Date();
  const r = await requestForSeller(actor, id);
  if (r.status !== "pending") throw new ConflictError("buyRequests.errors.notPending");
  const text = note?.trim().slice(0, 500) || null;
  const done = await withTransaction(async (session) => {
    const fresh = await loadRequest(r._id, session);
    return (
      !!fresh &&
      finishRequest(session, fresh, "declined", { reason: "buyRequests.reasons.declined", note: text, actor, via: opts.via ?? "ui", now })
    );
  });
  if (!done) throw new ConflictError("buyRequests.errors.notPending");
}

/** The buyer's return page after the gateway: where their deposit stands (their own request only). */
export async function refreshOwnRequest(actor: Actor, id: string): Promise<void> {
  const r = await loadRequest(parseId(id));
  if (!r || !actor.id || String(r.buyer.user) !== actor.id) throw new NotFoundError();
  await refreshDepositRequest(r._id);
}

/** The buyer sends the deposit page again (a request whose deposit was not paid yet). */
export async function resumeDeposit(
  actor: Actor & { email?: string },
  id: string,
  urls: { successUrl: string; cancelUrl: string },
): Promise<string> {
  const r = await loadRequest(parseId(id));
  if (!r || !actor.id || String(r.buyer.user) !== actor.id) throw new NotFoundError();
  if (r.way !== "deposit") throw new ConflictError("buyRequests.errors.notPending");
  return (await startBuyNowDeposit(r._id, { id: actor.id, name: actor.name, email: actor.email }, urls)).redirectUrl;
}
