import type { Types } from "mongoose";

/**
 * Who a deal's ledger lines name (decision 017): the buyer user, and the seller's organisation
 * (or the seller user when there is none).
 */
export function stageParties(deal: {
  buyer: { user?: Types.ObjectId | null; organization?: Types.ObjectId | null };
  seller: { user?: Types.ObjectId | null; organization?: Types.ObjectId | null };
}): { buyer: string; seller: string } {
  return {
    buyer: String(deal.buyer.user ?? deal.buyer.organization ?? ""),
    seller: String(deal.seller.organization ?? deal.seller.user ?? ""),
  };
}
