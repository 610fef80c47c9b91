import mongoose from "mongoose";
import { DealStage } from "~/models/deal-stage.server.ts";
import { LedgerKey } from "~/models/ledger-key.server.ts";
import { ledgerLines } from "~/services/ledger/book.server.ts";

/**
 * For tests that write a deal's stages by hand (to show short, excess and late side by side):
 * takes away the schedule that signing made from the terms — its stages, its ledger lines,
 * journals and keys — so the test's own stages and postings are the deal's whole books.
 */
export async function clearSchedule(dealId: string): Promise<void> {
  const deal = new mongoose.Types.ObjectId(dealId);
  const lines = await ledgerLines().find({ "meta.deal": dealId }, { _journal: 1 }).lean<{ _journal: unknown }[]>();
  await DealStage.deleteMany({ deal });
  await ledgerLines().deleteMany({ "meta.deal": dealId });
  await mongoose.model("Medici_Journal").deleteMany({ _id: { $in: lines.map((l) => l._journal) } });
  await LedgerKey.deleteMany({ deal });
}
