import { randomUUID } from "node:crypto";
import os from "node:os";
import type { Types } from "mongoose";
import { Achievement } from "~/models/achievement.server.ts";
import { Auction, AuctionRegistration, type AuctionDoc, type AuctionResult } from "~/models/auction.server.ts";
import { openDeal, sellerSideUsers } from "~/services/trading/deals/open.server.ts";
import { notify, type NotifyInput } from "~/services/notifications/notify.server.ts";
import { logger } from "~/utils/logger.server.ts";
import { formatYuan } from "~/utils/money.ts";
import type { LicenseExclusivity, TransactionMode } from "~/utils/taxonomy.ts";
import { recordAudit } from "../../kernel/audit.server.ts";
import { oid, parseId } from "../../kernel/ids.server.ts";
import { withTransaction } from "../../kernel/tx.server.ts";
import { settleAuctions } from "./settlement.server.ts";

/**
 * Closing an auction exactly once, across instances and crashes (docs/decisions/007-auctions.md).
 * Each close is claimed with a conditional update (open → closing, or a closing claim older than
 * the lease), so of several instances running the closer at once exactly one closes a given
 * auction; a claim left by a crashed instance is taken over once its lease runs out. The outcome,
 * the deal and the listing's move to `deal` commit together; deposits are settled after,
 * idempotently (settlement.server.ts).
 */

type AuctionRow = AuctionDoc & { _id: Types.ObjectId; createdAt: Date };

/** A close claimed by an instance that then died is taken over after this long. */
export const CLOSE_LEASE_MS = 60_000;

/** This process's name in close claims. */
export const INSTANCE_ID = `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;

export interface CloseResult {
  auctionId: string;
  result: AuctionResult;
  dealId: string | null;
}

/** Closes every auction whose end has passed, then settles the deposits of those it closed. */
export async function closeDueAuctions(opts: { now?: Date; instanceId?: string; leaseMs?: number } = {}): Promise<CloseResult[]> {
  const now = opts.now ?? new Date();
  const leaseMs = opts.leaseMs ?? CLOSE_LEASE_MS;
  const due = await Auction.find(
    {
      currentEndsAt: { $lte: now },
      $or: [{ status: "open" }, { status: "closing", "closing.at": { $lte: new Date(now.getTime() - leaseMs) } }],
    },
    { _id: 1 },
  )
    .limit(100)
    .lean();
  const results: CloseResult[] = [];
  for (const d of due) {
    const r = await closeAuction(String(d._id), { ...opts, now, leaseMs });
    if (r) results.push(r);
  }
  if (results.length) await settleAuctions();
  return results;
}

export async function closeAuction(
  auctionId: string,
  opts: { now?: Date; instanceId?: string; leaseMs?: number } = {},
): Promise<CloseResult | null> {
  const now = opts.now ?? new Date();
  const me = opts.instanceId ?? INSTANCE_ID;
  const leaseMs = opts.leaseMs ?? CLOSE_LEASE_MS;
  const claimed = await Auction.findOneAndUpdate(
    {
      _id: parseId(auctionId),
      currentEndsAt: { $lte: now },
      $or: [{ status: "open" }, { status: "closing", "closing.at": { $lte: new Date(now.getTime() - leaseMs) } }],
    },
    { $set: { status: "closing", closing: { by: me, at: now } } },
    { returnDocument: "after" },
  ).lean();
  if (!claimed) return null; // not due, or another instance has it

  const notes: NotifyInput[] = [];
  const result = await withTransaction(async (session) => {
    notes.length = 0;
    const a = (await Auction.findOne({ _id: claimed._id, status: "closing", "closing.by": me })
      .session(session)
      .lean()) as AuctionRow | null;
    if (!a) return null; // the lease ran out and another instance took over
    const regs = await AuctionRegistration.find({ auction: a._id }).session(session).lean();
    const leader = a.leader ? regs.find((r) => String(r._id) === String(a.leader)) : undefined;
    let result: AuctionResult;
    let dealId: string | null = null;
    if (!leader || a.currentPrice == null) result = "no-bids";
    else if (a.reservePrice != null && a.currentPrice < a.reservePrice) result = "reserve-not-met";
    else result = "sold";
    if (result === "sold") {
      const listing = await Achievement.findById(a.listing, { status: 1 }).session(session).lean();
      if (listing?.status !== "trading") {
        // Sold elsewhere meanwhile (should not happen: an auction-priced listing has no buy-now).
        result = "reserve-not-met";
      } else {
        dealId = await openDeal(session, {
          listingId: String(a.listing),
          buyer: {
            userId: String(leader!.user),
            name: leader!.userName,
            organization: leader!.organization ? { id: String(leader!.organization), name: leader!.organizationName ?? undefined } : null,
          },
          source: "auction",
          auctionId: String(a._id),
          terms: {
            price: a.currentPrice!,
            transactionMode: a.transactionMode as TransactionMode,
            licenseExclusivity: (a.licenseExclusivity as LicenseExclusivity | undefined) ?? null,
          },
          deposit: leader!.deposit?.payment
            ? { paymentId: String(leader!.deposit.payment), amountFen: leader!.deposit.amount ?? a.deposit }
            : null,
          actor: { id: null, name: "竞价结算", roles: [], organization: null, system: true },
          via: "system",
          now,
        });
      }
    }
    await Auction.updateOne(
      { _id: a._id, status: "closing", "closing.by": me },
      {
        $set: {
          status: "closed",
          outcome: {
            result,
            price: a.currentPrice ?? null,
            winner: leader?._id ?? null,
            winnerUser: leader?.user ?? null,
            deal: dealId ? oid(dealId) : null,
            closedAt: now,
            closedBy: me,
          },
          settlement: regs.some((r) => r.deposit?.payment) ? "pending" : "done",
        },
      },
      { session },
    );
    await recordAudit(session, {
      subjectType: "auction",
      subject: a._id,
      action: "close",
      actor: null,
      via: "system",
      at: now,
      reason: `${result}${a.currentPrice != null ? ` @ ${a.currentPrice}` : ""}`,
    });

    const subject = { kind: "achievement" as const, id: a.listing, title: a.listingTitle };
    const link = `/auctions/${a._id}`;
    const price = a.currentPrice != null ? formatYuan(a.currentPrice) : "";
    for (const r of regs) {
      if (leader && String(r._id) === String(leader._id)) {
        notes.push({
          user: r.user,
          type: result === "sold" ? "auction.won" : "auction.reserveNotMet",
          subject,
          link: result === "sold" && dealId ? `/deals/${dealId}` : `/achievements/${a.listing}/offer?auction=${a._id}`,
          params: { price },
        });
      } else {
        notes.push({ user: r.user, type: "auction.lost", subject, link, params: { price } });
      }
    }
    for (const u of await sellerSideUsers(a.sellerOrganization, a.createdBy, session)) {
      notes.push({ user: u, type: "auction.closedSeller", subject, link, params: { price, result } });
    }
    await notify(session, notes);
    return { auctionId: String(a._id), result, dealId } satisfies CloseResult;
  });
  if (result) logger.info({ auction: result.auctionId, result: result.result, by: me }, "auction closed");
  return result;
}
