import { Achievement } from "~/models/achievement.server.ts";
import { Auction } from "~/models/auction.server.ts";
import { relationsOf } from "~/services/listings/access.ts";
import { fieldErrorList, fieldErrors, ForbiddenError, NotFoundError, ValidationError } from "~/utils/errors.ts";
import { can, hasRole } from "~/utils/permissions.ts";
import type { LicenseExclusivity, TransactionMode } from "~/utils/taxonomy.ts";
import type { Actor, Via } from "../../kernel/actor.ts";
import { recordAudit } from "../../kernel/audit.server.ts";
import { isDuplicateKey } from "../../kernel/mongo-errors.ts";
import { newId, oid, parseId } from "../../kernel/ids.server.ts";
import { excludedByLicensees } from "../deals/rules.ts";
import { AuctionError } from "./errors.ts";
import { genesisHash, type Tier } from "./rules.ts";

/** 发起竞价: the seller's side (with `auction:run`) or a broker announces an auction of a trading, auction-priced listing. */

const MAX_DURATION_MS = 90 * 86_400_000;

export interface AuctionInput {
  startPrice: number;
  reservePrice: number | null;
  increments: Tier[];
  deposit: number;
  /** null = now. */
  startsAt: Date | null;
  endsAt: Date;
  antiSnipeWindowSec: number;
  antiSnipeCapSec: number;
  transactionMode: TransactionMode;
  licenseExclusivity: LicenseExclusivity | null;
}

export async function createAuction(
  actor: Actor,
  listingId: string,
  input: AuctionInput,
  opts: { now?: Date; via?: Via } = {},
): Promise<string> {
  const now = opts.now ?? new Date();
  if (!actor.id || !can(actor, "auction:run")) throw new ForbiddenError();
  const listing = await Achievement.findById(parseId(listingId)).lean();
  if (!listing) throw new NotFoundError();
  const rel = relationsOf(actor, listing);
  const isBroker = !rel.has("owner") && hasRole(actor, "broker");
  if (!rel.has("owner") && !isBroker) throw new ForbiddenError("auction.errors.notSeller");
  if (listing.status !== "trading") throw new AuctionError(409, "listing_not_trading", "auction.errors.listingNotTrading");
  if (listing.price?.mode !== "auction") throw new AuctionError(409, "not_auction_priced", "auction.errors.notAuctionPriced");

  const errors = fieldErrors();
  const add = (k: string, m: string) => fieldErrorList(errors, k).push(m);
  const startsAt = input.startsAt && input.startsAt > now ? input.startsAt : now;
  if (input.reservePrice != null && input.reservePrice < input.startPrice) add("reservePrice", "auction.errors.reserveBelowStart");
  const tiers = [...input.increments].sort((a, b) => a.from - b.from);
  if (tiers.length === 0) add("increment", "auction.errors.incrementRequired");
  else if (tiers[0]!.from !== 0) add("tiers", "auction.errors.firstTierFromZero");
  if (tiers.some((t, i) => i > 0 && t.from === tiers[i - 1]!.from)) add("tiers", "auction.errors.tiersDistinct");
  if (tiers.some((t) => !Number.isInteger(t.increment) || t.increment < 1)) add("increment", "auction.errors.amountPositive");
  if (!Number.isInteger(input.deposit) || input.deposit < 100) add("deposit", "auction.errors.depositMin");
  if (input.deposit > input.startPrice) add("deposit", "auction.errors.depositAboveStart");
  if (input.endsAt <= startsAt) add("endsAt", "auction.errors.endBeforeStart");
  if (input.endsAt.getTime() - startsAt.getTime() > MAX_DURATION_MS) add("endsAt", "auction.errors.tooLong");
  if (input.startsAt && input.startsAt.getTime() - now.getTime() > MAX_DURATION_MS) add("startsAt", "auction.errors.tooFar");
  if (!(listing.transactionModes ?? []).includes(input.transactionMode)) add("transactionMode", "auction.errors.transactionMode");
  if (input.transactionMode === "license") {
    const offered = listing.licenseExclusivity ?? [];
    if (!input.licenseExclusivity || !offered.includes(input.licenseExclusivity)) add("licenseExclusivity", "auction.errors.exclusivity");
    else if (excludedByLicensees(input, listing.nonExclusiveLicences ?? 0)) add("licenseExclusivity", "trading.licenseesExist");
  }
  if (Object.keys(errors).length) throw new ValidationError(errors);

  const id = newId();
  try {
    await Auction.create({
      _id: id,
      listing: listing._id,
      listingTitle: listing.title,
      sellerOrganization: listing.owner,
      sellerName: listing.ownerName,
      createdBy: oid(actor.id),
      createdByName: actor.name,
      broker: isBroker ? oid(actor.id) : undefined,
      transactionMode: input.transactionMode,
      licenseExclusivity: input.transactionMode === "license" ? input.licenseExclusivity : undefined,
      startPrice: input.startPrice,
      reservePrice: input.reservePrice,
      increments: tiers,
      deposit: input.deposit,
      startsAt,
      endsAt: input.endsAt,
      currentEndsAt: input.endsAt,
      antiSnipeWindowSec: input.antiSnipeWindowSec,
      antiSnipeCapSec: input.antiSnipeCapSec,
      lastBidHash: genesisHash(String(id)),
    });
  } catch (e) {
    // One running auction per listing (a partial unique index).
    if (isDuplicateKey(e)) throw new AuctionError(409, "auction_exists", "auction.errors.alreadyRunning");
    throw e;
  }
  await recordAudit(null, { subjectType: "auction", subject: id, action: "create", actor, via: opts.via ?? "ui", at: now });
  return String(id);
}
