import { Auction, AuctionRegistration, type DepositStatus } from "~/models/auction.server.ts";
import { syncPayment } from "~/services/payments/sync.server.ts";
import { ForbiddenError, NotFoundError } from "~/utils/errors.ts";
import { can } from "~/utils/permissions.ts";
import type { Actor, Via } from "../../kernel/actor.ts";
import { isDuplicateKey } from "../../kernel/mongo-errors.ts";
import { oid, parseId } from "../../kernel/ids.server.ts";
import { withTransaction } from "../../kernel/tx.server.ts";
import { startDepositHold } from "./deposits.server.ts";
import { AuctionError } from "./errors.ts";
import { BIDDER_AGREEMENT_VERSION, isSellerSide, phaseOf } from "./rules.ts";
import { registrationView, type RegistrationView } from "./views.ts";

/**
 * 竞买登记: a buyer registers for an auction with the bidder agreement (a number they bid under)
 * and has the deposit held; the return page asks where the deposit stands.
 */

/**
 * Registers the buyer (idempotent: a second call returns the same registration) and starts the
 * deposit hold. Returns where to send the buyer to pay, or null when the deposit is already held.
 */
export async function registerBidder(
  actor: Actor & { email?: string },
  auctionId: string,
  urls: { successUrl: string; cancelUrl: string },
  opts: { now?: Date; via?: Via } = {},
): Promise<{ registration: RegistrationView; redirectUrl: string | null }> {
  const now = opts.now ?? new Date();
  if (!actor.id) throw new ForbiddenError();
  const auction = await Auction.findById(parseId(auctionId)).lean();
  if (!auction) throw new NotFoundError();
  if (isSellerSide(actor, auction)) throw new AuctionError(403, "own_auction", "auction.errors.ownAuction");
  if (!can(actor, "auction:bid")) throw new AuctionError(403, "buyer_role_required", "auction.errors.buyerRoleRequired");
  const phase = phaseOf(auction, now);
  if (phase !== "live" && phase !== "scheduled") throw new AuctionError(409, "auction_not_live", "auction.errors.registrationClosed");

  let reg = await AuctionRegistration.findOne({ auction: auction._id, user: oid(actor.id) }).lean();
  if (!reg) {
    try {
      // Registrations contend only on the counter: MongoDB's own retry of transient conflicts suffices.
      reg = await withTransaction(async (session) => {
        // The bidder number comes from the auction's counter, in the same transaction as the insert.
        const a = await Auction.findOneAndUpdate(
          { _id: auction._id },
          { $inc: { registrations: 1 } },
          { session, returnDocument: "after" },
        ).lean();
        const [doc] = await AuctionRegistration.create(
          [
            {
              auction: auction._id,
              user: oid(actor.id!),
              userName: actor.name,
              organization: actor.organization ? oid(actor.organization.id) : undefined,
              organizationName: actor.organization?.name,
              number: a!.registrations,
              agreementVersion: BIDDER_AGREEMENT_VERSION,
              agreementAcceptedAt: now,
              deposit: { status: "none", amount: auction.deposit },
            },
          ],
          { session },
        );
        return doc!.toObject();
      });
    } catch (e) {
      if (!isDuplicateKey(e)) throw e;
      reg = await AuctionRegistration.findOne({ auction: auction._id, user: oid(actor.id) }).lean();
      if (!reg) throw e;
    }
  }
  const status = reg.deposit?.status as DepositStatus;
  if (status === "held" || status === "captured") return { registration: registrationView(reg), redirectUrl: null };
  // A hold that the buyer started and abandoned is started again; a pending one is re-synced first.
  if (status === "pending" && reg.deposit?.payment) {
    const s = await syncPayment(String(reg.deposit.payment));
    if (s === "held") {
      const fresh = await AuctionRegistration.findById(reg._id).lean();
      return { registration: registrationView(fresh!), redirectUrl: null };
    }
  }
  const { paymentId, redirectUrl } = await startDepositHold({
    payer: { id: actor.id, name: actor.name, email: actor.email },
    amountFen: auction.deposit,
    subject: { kind: "auction-registration", id: String(reg._id) },
    description: `竞买保证金 Deposit · ${auction.listingTitle}`,
    successUrl: urls.successUrl,
    cancelUrl: urls.cancelUrl,
  });
  const updated = await AuctionRegistration.findOneAndUpdate(
    { _id: reg._id },
    { $set: { "deposit.status": "pending", "deposit.payment": oid(paymentId), "deposit.amount": auction.deposit } },
    { returnDocument: "after" },
  ).lean();
  return { registration: registrationView(updated!), redirectUrl };
}

/** The return page after the gateway: asks the gateway where the buyer's own deposit stands. */
export async function confirmDeposit(actor: Actor, auctionId: string): Promise<DepositStatus> {
  if (!actor.id) throw new ForbiddenError();
  const reg = await AuctionRegistration.findOne({ auction: parseId(auctionId), user: oid(actor.id) }).lean();
  if (!reg) throw new AuctionError(403, "not_registered", "auction.errors.notRegistered");
  if (reg.deposit?.payment && reg.deposit.status === "pending") await syncPayment(String(reg.deposit.payment));
  const fresh = await AuctionRegistration.findById(reg._id, { deposit: 1 }).lean();
  return (fresh?.deposit?.status ?? "none") as DepositStatus;
}

/**
 * The actor's own registration (the API's GET), after asking the gateway about a pending deposit.
 * Someone without one gets "not found": nobody learns about anyone else's registration.
 */
export async function ownRegistration(actor: Actor, auctionId: string): Promise<RegistrationView> {
  if (!actor.id) throw new NotFoundError();
  const reg = await AuctionRegistration.findOne({ auction: parseId(auctionId), user: oid(actor.id) }, { _id: 1 }).lean();
  if (!reg) throw new NotFoundError();
  await confirmDeposit(actor, auctionId);
  const fresh = await AuctionRegistration.findById(reg._id).lean();
  return registrationView(fresh!);
}
