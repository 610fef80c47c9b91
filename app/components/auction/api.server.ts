import { type AuctionError, type AuctionView } from "~/services/auctions.server.ts";
import { fenToYuanOrNull } from "~/utils/money.ts";
import { type Actor } from "~/services/kernel/actor.ts";
import { getUser } from "~/web/auth.server.ts";
import { bilingual, apiJson, requireApiUser, type ApiUser } from "~/web/api/envelope.server.ts";

/** Helpers of the auction API routes: yuan out, the optional caller, the bid error envelope. */

/** The caller if they sent credentials (cookie or personal token); public reads work without. */
export async function optionalApiActor(request: Request): Promise<Actor | null> {
  if (request.headers.get("Authorization")) return (await requireApiUser(request)).actor;
  const user = await getUser(request);
  return user ? { id: user.id, name: user.name, roles: user.roles, organization: user.organization } : null;
}

export function apiActor(u: ApiUser): Actor & { email: string } {
  return { ...u.actor, email: u.user.email };
}

/** An auction as the API shows it: money in yuan, the reserve only to the seller side. */
export function auctionJson(a: AuctionView) {
  return {
    id: a.id,
    listing: a.listing,
    seller: a.seller,
    transactionMode: a.transactionMode,
    licenseExclusivity: a.licenseExclusivity,
    status: a.status,
    phase: a.phase,
    currency: "CNY",
    startPrice: fenToYuanOrNull(a.startPrice),
    reservePrice: fenToYuanOrNull(a.reservePrice),
    hasReserve: a.hasReserve,
    reserveMet: a.reserveMet,
    increments: a.increments.map((t) => ({ from: fenToYuanOrNull(t.from), increment: fenToYuanOrNull(t.increment) })),
    deposit: fenToYuanOrNull(a.deposit),
    startsAt: a.startsAt,
    endsAt: a.endsAt,
    currentEndsAt: a.currentEndsAt,
    antiSnipe: { windowSeconds: a.antiSnipeWindowSec, capSeconds: a.antiSnipeCapSec, extensions: a.extensions },
    currentPrice: fenToYuanOrNull(a.currentPrice),
    minimumBid: fenToYuanOrNull(a.nextMinimum),
    bidCount: a.bidCount,
    registrations: a.registrations,
    leaderBidderNumber: a.leaderNumber,
    outcome: a.outcome ? { ...a.outcome, price: fenToYuanOrNull(a.outcome.price) } : null,
    recentBids: a.bids.map((b) => ({
      seq: b.seq,
      bidderNumber: b.bidderNumber,
      amount: fenToYuanOrNull(b.amount),
      placedAt: b.placedAt,
      mine: b.mine,
    })),
    you: a.viewer.registration
      ? {
          bidderNumber: a.viewer.registration.number,
          deposit: { status: a.viewer.registration.deposit.status, amount: fenToYuanOrNull(a.viewer.registration.deposit.amount) },
          canBid: a.viewer.canBid,
          isWinner: a.viewer.isWinner,
        }
      : null,
    serverTime: a.serverTime,
  };
}

/** A refused bid or registration: the envelope plus the machine code and, for a low bid, the minimum. */
export function auctionErrorResponse(e: AuctionError): Response {
  const message = bilingual(e.message, e.params);
  return apiJson(
    {
      error: {
        status: e.status,
        code: e.code,
        message,
        ...(e.field ? { fields: { [e.field]: [message] } } : {}),
        ...(typeof e.params.minimumFen === "number" ? { minimumBid: (e.params.minimumFen as number) / 100 } : {}),
      },
    },
    { status: e.status },
  );
}
