import type { Db } from "mongodb";
import { dealTerms } from "./001-deal-terms.ts";
import { listingPrices } from "./002-listing-prices.ts";
import { orgAdmins } from "./003-org-admins.ts";
import { dealRefundKinds } from "./004-deal-refund-kinds.ts";
import { mailClaimIndex } from "./005-mail-claim-index.ts";
import { runMigrations, type Migration } from "./runner.ts";

/** Every migration, in order. A new one is a new file here with the next number. */
export const MIGRATIONS: readonly Migration[] = [dealTerms, listingPrices, orgAdmins, dealRefundKinds, mailClaimIndex];

/** Runs the pending migrations on the app's database (start-up and `npm run migrate`). */
export function migrate(db: Db, log?: (message: string) => void): Promise<string[]> {
  return runMigrations(db, MIGRATIONS, log);
}
