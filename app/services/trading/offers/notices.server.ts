import { type ClientSession, type Types } from "mongoose";
import type { OfferSide } from "~/models/offer.server.ts";
import type { Actor, Via } from "~/services/kernel/actor.ts";
import { recordAudit } from "~/services/kernel/audit.server.ts";
import type { NotifyInput } from "~/services/notifications/notify.server.ts";
import { formatYuan } from "~/utils/money.ts";
import { sellerSideUsers } from "../deals/open.server.ts";
import { OFFER_LINK } from "./rules.ts";
import type { OfferRow } from "./views.ts";

/** What an offer change records (its audit event) and whom it tells (the other side's people). */

/** The people to tell about a change, on one side of the offer. */
export async function usersOf(side: OfferSide, offer: OfferRow, session: ClientSession | null): Promise<string[]> {
  if (side === "buyer") return [String(offer.buyer.user)];
  return sellerSideUsers(offer.seller.organization, offer.seller.user ?? null, session);
}

export function audit(
  session: ClientSession,
  e: { offer: Types.ObjectId; action: string; from?: string; to?: string; actor: Actor; via: Via; reason?: string | null; at: Date },
) {
  return recordAudit(session, {
    subjectType: "offer",
    subject: e.offer,
    action: e.action,
    from: e.from,
    to: e.to,
    actor: e.actor,
    via: e.via,
    reason: e.reason,
    at: e.at,
  });
}

export function notice(
  offer: Pick<OfferRow, "listing" | "listingTitle" | "thread" | "amount" | "buyer">,
  type: NotifyInput["type"],
  users: string[],
  params: Record<string, string> = {},
): NotifyInput[] {
  const subject = { kind: "achievement" as const, id: offer.listing, title: offer.listingTitle };
  const base = { amount: formatYuan(offer.amount), buyer: offer.buyer.name, ...params };
  return [...new Set(users)].map((user) => ({ user, type, subject, link: OFFER_LINK(offer.thread), params: base }));
}
