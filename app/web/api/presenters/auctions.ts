import type { PlacedBid } from "~/services/trading/auctions/bidding.server.ts";
import { AuctionError } from "~/services/trading/auctions/errors.ts";
import type { AuctionView } from "~/services/trading/auctions/queries.server.ts";
import { BIDDER_AGREEMENT_VERSION } from "~/services/trading/auctions/rules.ts";
import type { RegistrationView } from "~/services/trading/auctions/views.ts";
import { fenToYuan, fenToYuanOrNull } from "~/utils/money.ts";
import { apiHandler, apiJson, bilingual } from "../envelope.server.ts";

/**
 * The auction API's answers (`/api/v1/auctions/*`, docs/api.md): money in yuan, the reserve only
 * to the seller's side, bidders as numbers, and a refused bid or registration with its machine
 * `code`, the field it is about and, for a low bid, the minimum.
 */

/** An auction as the API shows it. */
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

/** GET …/bids: the latest bids. */
export function bidsJson(a: AuctionView) {
  return {
    auctionId: a.id,
    bids: a.bids.map((b) => ({
      seq: b.seq,
      bidderNumber: b.bidderNumber,
      amount: fenToYuan(b.amount),
      placedAt: b.placedAt,
      mine: b.mine,
    })),
  };
}

/** POST …/bids: the accepted bid and the auction's head after it. */
export function placedBidJson(bid: PlacedBid) {
  return {
    bid: { seq: bid.seq, amount: fenToYuan(bid.amount), bidderNumber: bid.bidderNumber, placedAt: bid.placedAt, hash: bid.hash },
    auction: {
      currentPrice: fenToYuan(bid.amount),
      minimumBid: fenToYuan(bid.nextMinimum),
      currentEndsAt: bid.currentEndsAt,
      extended: bid.extended,
    },
  };
}

/** GET …/registration: the caller's own registration. */
export function registrationJson(r: RegistrationView) {
  return {
    bidderNumber: r.number,
    agreementAcceptedAt: r.agreementAcceptedAt,
    deposit: { status: r.deposit.status, amount: fenToYuan(r.deposit.amount) },
  };
}

/** POST …/registration: the registration and where to pay the deposit (null when it is held already). */
export function newRegistrationJson(r: RegistrationView, depositCheckoutUrl: string | null) {
  return {
    bidderNumber: r.number,
    agreementVersion: BIDDER_AGREEMENT_VERSION,
    agreementAcceptedAt: r.agreementAcceptedAt,
    deposit: { status: r.deposit.status, amount: fenToYuan(r.deposit.amount) },
    depositCheckoutUrl,
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
        ...(typeof e.params.minimumFen === "number" ? { minimumBid: fenToYuan(e.params.minimumFen) } : {}),
      },
    },
    { status: e.status },
  );
}

/** `apiHandler` for the auction routes: an AuctionError answers with its code (auctionErrorResponse), every other failure as apiHandler does. */
export function auctionApiHandler<A extends { request: Request }>(fn: (args: A) => Promise<Response>): (args: A) => Promise<Response> {
  return apiHandler(async (args: A) => {
    try {
      return await fn(args);
    } catch (e) {
      if (e instanceof AuctionError) return auctionErrorResponse(e);
      throw e;
    }
  });
}
