import { Commissioner } from "~/models/commissioner.server.ts";
import { CommissionerActivity } from "~/models/commissioner-activity.server.ts";
import { CommissionerAssignment } from "~/models/commissioner-assignment.server.ts";
import { Organization } from "~/models/organization.server.ts";
import { chinaToday } from "~/utils/china-time.ts";
import { ForbiddenError, NotFoundError } from "~/utils/errors.ts";
import { assertCan } from "~/utils/permissions.ts";
import { regionName, townsOf, XICHOU } from "~/utils/regions.server.ts";
import type { Actor } from "../kernel/actor.ts";
import { maybeId, type ObjectId } from "../kernel/ids.server.ts";
import { readSettings } from "../settings/settings.server.ts";
import { accessTo } from "./rules.ts";

/** What the registry's pages read (issue 15, point 7). */

export function currentYear(now = new Date()): number {
  return Number(chinaToday(now).slice(0, 4));
}

/** Commissioners dispatched in `year`: those with at least one assignment that year. */
export async function dispatchedCount(year: number): Promise<number> {
  return (await CommissionerAssignment.distinct("commissioner", { year })).length;
}

/** The year's dispatch against the target, with the percentage for a progress bar (capped at 100). */
export async function dispatchProgress(year: number) {
  const [dispatched, settings] = await Promise.all([dispatchedCount(year), readSettings()]);
  const target = settings.commissionerTarget;
  return { year, dispatched, target, percent: target > 0 ? Math.min(100, Math.floor((dispatched * 100) / target)) : 0 };
}

type Totals = Map<string, { count: number; people: number }>;
async function activityTotals(year: number, ids?: ObjectId[]): Promise<Totals> {
  const rows = await CommissionerActivity.aggregate<{ _id: ObjectId; count: number; people: number }>([
    { $match: { year, ...(ids ? { commissioner: { $in: ids } } : {}) } },
    { $group: { _id: "$commissioner", count: { $sum: 1 }, people: { $sum: "$peopleReached" } } },
  ]);
  return new Map(rows.map((r) => [String(r._id), { count: r.count, people: r.people }]));
}

/** The registry for `year`: every commissioner with that year's assignments and activity, and the dispatch progress. */
export async function commissionerRegistry(actor: Pick<Actor, "roles">, year: number) {
  assertCan(actor, "commissioner:manage");
  const [people, assignments, totals, progress] = await Promise.all([
    Commissioner.find({}).sort({ name: 1, _id: 1 }).select("name unit field phone user userName").lean(),
    CommissionerAssignment.find({ year }).select("commissioner targetName targetType").sort({ _id: 1 }).lean(),
    activityTotals(year),
    dispatchProgress(year),
  ]);
  const byCommissioner = new Map<string, string[]>();
  for (const a of assignments) {
    const k = String(a.commissioner);
    byCommissioner.set(k, [...(byCommissioner.get(k) ?? []), a.targetName]);
  }
  return {
    ...progress,
    commissioners: people.map((c) => {
      const id = String(c._id);
      const t = totals.get(id);
      return {
        id,
        name: c.name,
        unit: c.unit,
        field: c.field,
        phone: c.phone ?? null,
        account: c.userName ?? null,
        assignedTo: byCommissioner.get(id) ?? [],
        activities: t?.count ?? 0,
        peopleReached: t?.people ?? 0,
      };
    }),
  };
}

/** Towns of the county (西畴县) for the forms' choices. */
export function countyTowns() {
  return townsOf(XICHOU);
}

/** Organisations on the platform an assignment may name. */
export async function organizationChoices() {
  const rows = await Organization.find({}).select("name type region").sort({ name: 1 }).limit(1000).lean();
  return rows.map((o) => ({ id: String(o._id), name: o.name, type: o.type }));
}

/**
 * One commissioner: their entry, assignments (newest year first) and activity log (newest first).
 * The bureau sees everything; the commissioner themself sees their own entry without the form
 * choices only the bureau uses. The phone is the bureau's alone.
 */
export async function commissionerDetails(actor: Actor | null, id: string) {
  const _id = maybeId(id);
  if (!_id) throw new NotFoundError();
  const c = await Commissioner.findById(_id).lean();
  if (!c) throw new NotFoundError();
  const access = accessTo(actor, c);
  if (!access) throw new ForbiddenError();
  const [assignments, activities, organizations] = await Promise.all([
    CommissionerAssignment.find({ commissioner: _id }).sort({ year: -1, _id: 1 }).lean(),
    CommissionerActivity.find({ commissioner: _id }).sort({ date: -1, _id: -1 }).limit(500).lean(),
    access === "manage" ? organizationChoices() : Promise.resolve([]),
  ]);
  return {
    access,
    commissioner: {
      id: String(c._id),
      name: c.name,
      unit: c.unit,
      field: c.field,
      phone: access === "manage" ? (c.phone ?? null) : null,
      account: c.userName ?? null,
      accountEmail: access === "manage" ? (c.userEmail ?? null) : null,
    },
    assignments: assignments.map((a) => ({
      id: String(a._id),
      year: a.year,
      targetType: a.targetType,
      targetName: a.targetName,
      organizationId: a.organization ? String(a.organization) : null,
      town: a.town ?? null,
      townName: a.town ? (regionName(a.town) ?? a.town) : null,
      note: a.note ?? null,
    })),
    activities: activities.map((a) => ({
      id: String(a._id),
      kind: a.kind,
      date: a.date,
      town: a.town,
      townName: a.townName ?? regionName(a.town) ?? a.town,
      peopleReached: a.peopleReached,
      note: a.note ?? null,
      enteredBy: a.enteredBy?.name ?? null,
      self: !!a.enteredBy?.self,
    })),
    towns: countyTowns(),
    organizations,
  };
}

/** The registry entry linked to this account, if any (a commissioner's way to their own page). */
export async function ownCommissionerId(actor: Pick<Actor, "id"> | null): Promise<string | null> {
  if (!actor?.id) return null;
  const doc = await Commissioner.findOne({ user: actor.id }).select("_id").lean();
  return doc ? String(doc._id) : null;
}
