import { Settings } from "~/models/settings.server.ts";
import { COMMISSIONER_TARGET_MAX } from "~/schemas/settings.ts";
import { ValidationError } from "~/utils/errors.ts";
import { assertCan, type Permission } from "~/utils/permissions.ts";
import { INDICATORS, WEIGHT_MAX, type ScorecardKind } from "~/utils/scorecards.ts";
import type { Actor } from "../kernel/actor.ts";
import { recordAudit } from "../kernel/audit.server.ts";
import { withTransaction } from "../kernel/tx.server.ts";
import { forgetCachedSettings, readSettings } from "./settings.server.ts";

/**
 * The bureau's own settings (issue 15, points 6 and 7): the yearly commissioner target and the
 * scorecard weights. Written field by field, so the admin's settings form and these never undo
 * each other's changes.
 */
async function store(actor: Actor, permission: Permission, set: Record<string, unknown>, reason: string) {
  assertCan(actor, permission);
  await withTransaction(async (session) => {
    const doc = await Settings.findOneAndUpdate(
      { key: "platform" },
      { $set: { ...set, ...(actor.id ? { updatedBy: actor.id } : {}), updatedByName: actor.name } },
      { upsert: true, returnDocument: "after", session },
    ).lean();
    await recordAudit(session, { subjectType: "settings", subject: doc!._id, action: "settingsChanged", actor, via: "ui", reason });
  });
  forgetCachedSettings();
}

/** 科技特派员 to dispatch a year. */
export async function updateCommissionerTarget(actor: Actor, target: number): Promise<void> {
  assertCan(actor, "commissioner:manage");
  if (!Number.isInteger(target) || target < 1 || target > COMMISSIONER_TARGET_MAX)
    throw new ValidationError({ commissionerTarget: ["commissioners.errors.target"] });
  const before = (await readSettings()).commissionerTarget;
  await store(actor, "commissioner:manage", { commissionerTarget: target }, `commissionerTarget ${before} → ${target}`);
}

/** One scorecard's weights (every indicator of the kind). */
export async function updateScorecardWeights(actor: Actor, kind: ScorecardKind, weights: Record<string, number>): Promise<void> {
  assertCan(actor, "evaluation:manage");
  const errors: Record<string, string[]> = {};
  const next: Record<string, number> = {};
  for (const k of INDICATORS[kind]) {
    const v = weights[k];
    if (typeof v !== "number" || !Number.isFinite(v) || v < 0 || v > WEIGHT_MAX) errors[`w_${k}`] = ["evaluation.errors.weight"];
    else next[k] = v;
  }
  if (Object.keys(errors).length) throw new ValidationError(errors);
  const before = (await readSettings()).scorecardWeights[kind] as Record<string, number>;
  const changes = INDICATORS[kind]
    .filter((k) => before[k] !== next[k])
    .map((k) => `scorecardWeights.${kind}.${k} ${before[k]} → ${next[k]}`)
    .join("; ");
  await store(actor, "evaluation:manage", { [`scorecardWeights.${kind}`]: next }, changes || `scorecardWeights.${kind}`);
}
