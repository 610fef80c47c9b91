import { Auction, Bid } from "~/models/auction.server.ts";
import { NotFoundError } from "~/utils/errors.ts";
import { parseId } from "../../kernel/ids.server.ts";
import { bidHash, genesisHash } from "./rules.ts";

/** The tamper-evident bid log, checked: anyone may verify that no bid was altered, removed or inserted (GET /api/v1/auctions/:id/verify). */

export interface ChainReport {
  auctionId: string;
  intact: boolean;
  bids: number;
  headHash: string;
  /** The first problems found, by bid sequence number. */
  problems: { seq: number | null; problem: string }[];
}

/** Recomputes every bid's hash from the genesis and checks the links, the order and the head. */
export async function verifyBidChain(auctionId: string): Promise<ChainReport> {
  const a = await Auction.findById(parseId(auctionId), { lastSeq: 1, lastBidHash: 1, currentPrice: 1 }).lean();
  if (!a) throw new NotFoundError();
  const problems: ChainReport["problems"] = [];
  let prev = genesisHash(String(a._id));
  let expectedSeq = 1;
  let lastAmount = 0;
  let count = 0;
  const cursor = Bid.find({ auction: a._id }).sort({ seq: 1 }).lean().cursor();
  for await (const b of cursor) {
    count++;
    if (b.seq !== expectedSeq) problems.push({ seq: b.seq, problem: `sequence gap: expected ${expectedSeq}` });
    if (b.prevHash !== prev) problems.push({ seq: b.seq, problem: "prevHash does not match the previous bid's hash" });
    const recomputed = bidHash({
      auction: String(a._id),
      seq: b.seq,
      bidderNumber: b.bidderNumber,
      amount: b.amount,
      placedAt: b.placedAt,
      prevHash: b.prevHash,
    });
    if (recomputed !== b.hash) problems.push({ seq: b.seq, problem: "hash does not match the bid's content" });
    if (b.amount <= lastAmount) problems.push({ seq: b.seq, problem: "amount does not exceed the previous bid" });
    prev = b.hash;
    lastAmount = b.amount;
    expectedSeq = b.seq + 1;
    if (problems.length >= 20) break;
  }
  if (problems.length < 20) {
    if (count !== a.lastSeq) problems.push({ seq: null, problem: `the auction counts ${a.lastSeq} bids, the log holds ${count}` });
    if (prev !== a.lastBidHash) problems.push({ seq: null, problem: "the auction's head hash is not the last bid's hash" });
    if (count > 0 && a.currentPrice !== lastAmount) problems.push({ seq: null, problem: "the current price is not the last bid" });
  }
  return { auctionId: String(a._id), intact: problems.length === 0, bids: count, headHash: a.lastBidHash, problems };
}
