import { Registration } from "~/models/registration.server.ts";
import type { RegistrationCancel, RegistrationChange } from "~/schemas/registration-changes.ts";
import { chinaDate, startOfChinaDay } from "~/utils/china-time.ts";
import { ConflictError, ForbiddenError, ValidationError, fieldErrors, fieldErrorList } from "~/utils/errors.ts";
import { assertCan } from "~/utils/permissions.ts";
import { yuanText } from "../contracts/rules.ts";
import type { Actor } from "../kernel/actor.ts";
import { oid } from "../kernel/ids.server.ts";
import { loadNumbered, type RegistrationRow } from "./certificate.server.ts";

/**
 * Change registration (变更) and cancellation (注销) of a registered contract (issue 15, point 3),
 * by the bureau ("contract:register") only, and never for a contract of the registrar's own
 * organisation. Both keep the number: a change rewrites the changed facts and adds to the history
 * which fields changed from what to what, with the reason; a cancellation marks it cancelled with
 * the reason. The number is never given again (the counter only moves forward). The verification
 * page shows "changed" / "cancelled" with the date.
 */

function assertRegistrar(actor: Actor, r: RegistrationRow): void {
  assertCan(actor, "contract:register");
  const org = actor.organization?.id;
  if (org && [r.applicant?.organization, r.seller.organization, r.buyer.organization].some((o) => o && String(o) === org))
    throw new ForbiddenError("registrationChanges.errors.ownOrganization");
  if (r.status !== "registered") throw new ConflictError("registrationChanges.errors.notRegistered");
}

const by = (actor: Actor) => ({ ...(actor.id ? { user: oid(actor.id) } : {}), name: actor.name });

/** Writes `set` and one history entry only if nobody changed the registration since it was read. */
async function commit(r: RegistrationRow, set: Record<string, unknown>, entry: Record<string, unknown>): Promise<void> {
  const res = await Registration.updateOne(
    { _id: r._id, status: "registered", updatedAt: r.updatedAt },
    { $set: set, $push: { history: entry } },
  );
  if (res.matchedCount !== 1) throw new ConflictError();
}

export async function changeRegistration(actor: Actor, id: string, input: RegistrationChange): Promise<{ changes: string[] }> {
  const r = await loadNumbered(id);
  assertRegistrar(actor, r);
  const now = new Date();
  const set: Record<string, unknown> = {};
  const changes: string[] = [];
  const note = (field: string, before: string, after: string) => {
    if (before !== after) changes.push(`${field}: ${before} → ${after}`);
    return before !== after;
  };

  if (input.projectName !== undefined && note("projectName", r.projectName, input.projectName)) set.projectName = input.projectName;
  if (input.sellerName !== undefined && note("sellerName", r.seller.name, input.sellerName)) set["seller.name"] = input.sellerName;
  if (input.buyerName !== undefined && note("buyerName", r.buyer.name, input.buyerName)) set["buyer.name"] = input.buyerName;

  const validFrom = input.validFrom ?? chinaDate(r.validFrom);
  const validTo = input.validTo ?? chinaDate(r.validTo);
  const errors = fieldErrors();
  if (validTo < validFrom) fieldErrorList(errors, "validTo").push("registrationChanges.errors.validity");
  if (note("validFrom", chinaDate(r.validFrom), validFrom)) set.validFrom = startOfChinaDay(validFrom);
  if (note("validTo", chinaDate(r.validTo), validTo)) set.validTo = startOfChinaDay(validTo);

  const contractAmount = input.contractAmount ?? r.contractAmount;
  const technologyAmount = input.technologyAmount ?? r.technologyAmount;
  if (technologyAmount > contractAmount) fieldErrorList(errors, "technologyAmount").push("registrationChanges.errors.techOverContract");
  if (Object.keys(errors).length) throw new ValidationError(errors);
  if (note("contractAmount", yuanText(r.contractAmount), yuanText(contractAmount))) set.contractAmount = contractAmount;
  if (note("technologyAmount", yuanText(r.technologyAmount), yuanText(technologyAmount))) set.technologyAmount = technologyAmount;
  // 技术交易额 = 成交额 − the non-technical parts: when the amounts no longer add up, the itemised
  // parts are replaced by one line with their new total.
  const items = r.nonTechItems ?? [];
  const rest = contractAmount - technologyAmount;
  if (items.reduce((s, i) => s + i.amount, 0) !== rest) {
    const after = rest > 0 ? [{ label: "非技术性款项（变更后合计）", amount: rest }] : [];
    const text = (list: { label: string; amount: number }[]) => list.map((i) => `${i.label} ${yuanText(i.amount)}`).join("；") || "—";
    note("nonTechItems", text(items), text(after));
    set.nonTechItems = after;
  }

  if (!changes.length) throw new ValidationError({ "": ["registrationChanges.errors.nothingChanged"] });
  set.changedAt = now;
  await commit(r, set, { at: now, action: "changed", by: by(actor), note: input.reason, changes });
  return { changes };
}

export async function cancelRegistration(actor: Actor, id: string, input: Pick<RegistrationCancel, "reason">): Promise<void> {
  const r = await loadNumbered(id);
  assertRegistrar(actor, r);
  const now = new Date();
  await commit(r, { status: "cancelled", cancelledAt: now }, { at: now, action: "cancelled", by: by(actor), note: input.reason });
}

/** What the bureau's change page shows and pre-fills. */
export async function getRegistrationForChange(actor: Actor, id: string) {
  const r = await loadNumbered(id);
  assertCan(actor, "contract:register");
  return {
    id: String(r._id),
    number: r.number!,
    status: r.status as "registered" | "cancelled",
    projectName: r.projectName,
    sellerName: r.seller.name,
    buyerName: r.buyer.name,
    validFrom: chinaDate(r.validFrom),
    validTo: chinaDate(r.validTo),
    contractAmount: r.contractAmount,
    technologyAmount: r.technologyAmount,
  };
}
