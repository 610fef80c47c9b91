import { Settings } from "~/models/settings.server.ts";
import { STATISTICS_FIRST_YEAR, STATISTICS_LAST_YEAR } from "~/schemas/statistics.ts";
import { ValidationError } from "~/utils/errors.ts";
import { MAX_FEN } from "~/utils/money.ts";
import { assertCan } from "~/utils/permissions.ts";
import type { Actor } from "../kernel/actor.ts";
import { recordAudit } from "../kernel/audit.server.ts";
import { withTransaction } from "../kernel/tx.server.ts";
import { forgetCachedSettings, readSettings } from "./settings.server.ts";

/**
 * The county dashboard's yearly 技术合同交易额 targets (settings `registrationTargets`, issue 15):
 * the bureau sets a year's target or removes it (the plan's default applies again). Audited.
 */
export async function setRegistrationTarget(actor: Actor, year: number, amountFen: number | null): Promise<void> {
  assertCan(actor, "statistics:targets");
  if (!Number.isInteger(year) || year < STATISTICS_FIRST_YEAR || year > STATISTICS_LAST_YEAR)
    throw new ValidationError({ year: ["statistics.errors.year"] });
  if (amountFen !== null && (!Number.isInteger(amountFen) || amountFen <= 0 || amountFen > MAX_FEN)) {
    throw new ValidationError({ amount: ["statistics.errors.amount"] });
  }
  await withTransaction(async (session) => {
    const before = await readSettings(session);
    const others = before.registrationTargets.filter((t) => t.year !== year);
    const next = amountFen === null ? others : [...others, { year, amountFen }].sort((a, b) => a.year - b.year);
    const doc = await Settings.findOneAndUpdate(
      { key: "platform" },
      { $set: { registrationTargets: next, ...(actor.id ? { updatedBy: actor.id } : {}), updatedByName: actor.name } },
      { upsert: true, returnDocument: "after", session },
    ).lean();
    const was = before.registrationTargets.find((t) => t.year === year)?.amountFen;
    await recordAudit(session, {
      subjectType: "settings",
      subject: doc!._id,
      action: "settingsChanged",
      actor,
      via: "ui",
      reason: `registrationTargets ${year}: ${was ?? "default"} → ${amountFen ?? "default"}`,
    });
  });
  forgetCachedSettings();
}
