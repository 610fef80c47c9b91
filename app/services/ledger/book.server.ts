import { Book, initModels } from "medici";
import mongoose from "mongoose";
import { LedgerKey } from "~/models/ledger-key.server.ts";
import { singleton } from "~/utils/singleton.server.ts";

/**
 * The platform's one medici book (decision 017). medici registers its models on the default
 * mongoose connection — ours. Balance snapshots are off (`balanceSnapshotSec: 0`): they are a
 * cache for millions of lines, written outside our transactions; our books are small and every
 * read sums the lines. Amounts are integer fen, so precision 0: a fraction is refused before medici
 * sees it (post.server.ts).
 */
export const BOOK_NAME = "chengguo";

export const ledgerBook = () => singleton("ledgerBook", () => new Book(BOOK_NAME, { precision: 0, balanceSnapshotSec: 0 }));

/** medici's models (collections and indexes) and the applied-keys collection: at start-up, before the first posting. */
export async function initLedger(): Promise<void> {
  await initModels();
  await LedgerKey.init();
  // The reads group by deal and party: index them like medici's own account indexes.
  await ledgerLines().collection.createIndex({ book: 1, "meta.deal": 1, accounts: 1 });
  await ledgerLines().collection.createIndex({ book: 1, "meta.payment": 1 });
}

/** medici's line model ("Medici_Transaction", collection `medici_transactions`), for the reads that group lines. */
export const ledgerLines = () => mongoose.model("Medici_Transaction");
