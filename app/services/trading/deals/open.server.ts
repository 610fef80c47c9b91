import { type ClientSession, type Types } from "mongoose";
import { Achievement } from "~/models/achievement.server.ts";
import { Deal, type DealSource } from "~/models/deal.server.ts";
import { User } from "~/models/user.server.ts";
import { normalizeTerms, termsProblems, type Terms } from "~/schemas/terms.ts";
import { SYSTEM_ACTOR, type Actor, type Via } from "~/services/kernel/actor.ts";
import { recordAudit } from "~/services/kernel/audit.server.ts";
import { oid } from "~/services/kernel/ids.server.ts";
import { isDuplicateKey, isDuplicateKeyOn } from "~/services/kernel/mongo-errors.ts";
import { relationsOf } from "~/services/listings/access.ts";
import { transitionListingInSession } from "~/services/listings/workflow.server.ts";
import { recordEngagement } from "~/services/matching/feedback.server.ts";
import { notify } from "~/services/notifications/notify.server.ts";
import { readSettings } from "~/services/settings/settings.server.ts";
import { closeCardsOnSale } from "~/services/rooms/sale.server.ts";
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from "~/utils/errors.ts";
import { formatYuan } from "~/utils/money.ts";
import { dealEndsTrading, excludedByLicensees } from "./rules.ts";

/**
 * 成交: every way of trading (buy-now, an accepted offer, a won auction) ends here. `openDeal`
 * runs inside the caller's transaction and moves the listing trading → deal in the same commit;
 * the partial unique index on open deals per listing is the second lock. So a listing is sold once.
 * A non-exclusive licence (普通许可) is the exception (./rules.ts): the listing stays trading and
 * counts the licence (`nonExclusiveLicences`, a write on the listing, so a concurrent sale and
 * licence conflict and one retries), one per buyer (a second unique index).
 * Whatever the source, the deal stores the full agreed terms (`terms`, decision 009) and where they
 * were agreed (`termsSource`).
 */

export interface OpenDealInput {
  listingId: string;
  buyer: { userId: string; name: string; organization: { id: string; name?: string } | null };
  source: DealSource;
  /** The agreed terms (price in fen); a licence without an exclusivity is non-exclusive. */
  terms: Parameters<typeof normalizeTerms>[0];
  offerId?: string;
  auctionId?: string;
  /** For terms agreed on a room's offer card. */
  cardId?: string;
  roomId?: string;
  deposit?: { paymentId: string; amountFen: number } | null;
  /** Who did it, for the audit log (the buyer, the seller accepting an offer, or the closer). */
  actor: Actor;
  via: Via;
  now?: Date;
}

/** The terms a deal stores: normalised, a licence's exclusivity defaulting to non-exclusive, and valid. */
function dealTerms(input: OpenDealInput["terms"]): Terms {
  const terms = normalizeTerms({
    ...input,
    licenseExclusivity: input.transactionMode === "license" ? (input.licenseExclusivity ?? "non-exclusive") : null,
  });
  const problems = termsProblems(terms);
  if (problems.length) {
    throw new ValidationError(Object.fromEntries(problems.map((p) => [`terms.${p.field}`, [`rooms.errors.${p.code}`]])));
  }
  return terms;
}

export async function openDeal(session: ClientSession, input: OpenDealInput): Promise<string> {
  const now = input.now ?? new Date();
  const terms = dealTerms(input.terms);
  const listing = await Achievement.findById(oid(input.listingId), {
    title: 1,
    owner: 1,
    ownerName: 1,
    createdBy: 1,
    status: 1,
    nonExclusiveLicences: 1,
  })
    .session(session)
    .lean();
  if (!listing) throw new NotFoundError();
  // Nobody buys their own organisation's achievement.
  const buyerActor: Actor = {
    id: input.buyer.userId,
    name: input.buyer.name,
    roles: [],
    organization: input.buyer.organization ? { id: input.buyer.organization.id } : null,
  };
  if (relationsOf(buyerActor, listing).has("owner")) throw new ForbiddenError("trading.ownListing");
  if (listing.status !== "trading") throw new ConflictError("trading.notTrading");
  const endsTrading = dealEndsTrading({ source: input.source, ...terms });
  if (input.source !== "auction" && excludedByLicensees(terms, listing.nonExclusiveLicences ?? 0)) {
    throw new ConflictError("trading.licenseesExist");
  }
  if (endsTrading) {
    try {
      await transitionListingInSession(session, SYSTEM_ACTOR, "achievement", input.listingId, "closeDeal", { now, via: "system" });
    } catch (e) {
      if (e instanceof ConflictError) throw new ConflictError("trading.alreadySold");
      throw e;
    }
  } else {
    // The listing stays trading; counting the licence writes it, so a sale committing meanwhile
    // conflicts with this transaction (retried: it then finds the listing sold).
    const counted = await Achievement.updateOne(
      { _id: listing._id, status: "trading" },
      { $inc: { nonExclusiveLicences: 1 } },
      { session },
    );
    if (counted.matchedCount === 0) throw new ConflictError("trading.alreadySold");
  }
  let dealId: Types.ObjectId;
  try {
    const [deal] = await Deal.create(
      [
        {
          listing: listing._id,
          listingTitle: listing.title,
          seller: {
            user: listing.createdBy ?? undefined,
            name: listing.ownerName,
            organization: listing.owner,
            organizationName: listing.ownerName,
          },
          buyer: {
            user: oid(input.buyer.userId),
            name: input.buyer.name,
            organization: input.buyer.organization ? oid(input.buyer.organization.id) : undefined,
            organizationName: input.buyer.organization?.name,
          },
          source: input.source,
          offer: input.offerId ? oid(input.offerId) : undefined,
          auction: input.auctionId ? oid(input.auctionId) : undefined,
          terms,
          termsSource: {
            kind: input.source,
            offer: input.offerId ? oid(input.offerId) : undefined,
            auction: input.auctionId ? oid(input.auctionId) : undefined,
            card: input.cardId ? oid(input.cardId) : undefined,
            room: input.roomId ? oid(input.roomId) : undefined,
            acceptedAt: now,
          },
          deposit: input.deposit ? { payment: oid(input.deposit.paymentId), amount: input.deposit.amountFen } : undefined,
          endsTrading,
          signBy: new Date(now.getTime() + (await readSettings(session)).signingDeadlineDays * 86_400_000),
          contractState: "none",
          paymentState: "none",
        },
      ],
      { session },
    );
    dealId = deal!._id;
  } catch (e) {
    if (isDuplicateKeyOn(e, ["listing", "buyer.user"])) throw new ConflictError("trading.licenceHeld");
    if (isDuplicateKey(e)) throw new ConflictError("trading.alreadySold");
    throw e;
  }
  // The listing's rooms (after a licence, only the licensee's): their open offer cards can no
  // longer be accepted (closed, with a message).
  await closeCardsOnSale(session, listing._id, now, endsTrading ? {} : { buyerUserId: input.buyer.userId });
  await recordAudit(session, {
    subjectType: "deal",
    subject: dealId,
    action: `open:${input.source}`,
    to: "open",
    actor: input.actor,
    via: input.via,
    at: now,
  });
  // A deal between a demand's organisation and an achievement that matched it: a positive signal (decision 031).
  await recordEngagement(session, {
    kind: "deal",
    achievementId: listing._id,
    buyer: { userId: input.buyer.userId, organizationId: input.buyer.organization?.id ?? null },
    now,
  });
  const subject = { kind: "achievement" as const, id: listing._id, title: listing.title };
  const params = { amount: formatYuan(terms.price), buyer: input.buyer.name };
  const sellerUsers = await sellerSideUsers(listing.owner, listing.createdBy, session);
  await notify(session, [
    { user: input.buyer.userId, type: "deal.created", subject, link: `/deals/${dealId}`, params },
    ...sellerUsers
      .filter((u) => u !== input.buyer.userId)
      .map((u) => ({ user: u, type: "deal.created" as const, subject, link: `/deals/${dealId}`, params })),
  ]);
  return String(dealId);
}

/** The people who act for the selling side: the listing's author and the owner organisation's sellers. */
export async function sellerSideUsers(
  owner: Types.ObjectId | null | undefined,
  createdBy: Types.ObjectId | null | undefined,
  session: ClientSession | null = null,
): Promise<string[]> {
  const ids = new Set<string>();
  if (createdBy) ids.add(String(createdBy));
  if (owner) {
    const users = await User.find({ organization: owner, roles: "seller", disabled: { $ne: true } }, { _id: 1 })
      .session(session)
      .limit(20)
      .lean();
    for (const u of users) ids.add(String(u._id));
  }
  return [...ids];
}
