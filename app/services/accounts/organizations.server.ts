import { AccountToken } from "~/models/account-token.server.ts";
import { JoinRequest } from "~/models/join-request.server.ts";
import { Organization } from "~/models/organization.server.ts";
import { User } from "~/models/user.server.ts";
import { ConflictError, NotFoundError, ValidationError } from "~/utils/errors.ts";
import { assertCan } from "~/utils/permissions.ts";
import { literalPattern } from "~/utils/regex.ts";
import { normalizeUscc, usccProblem } from "~/utils/uscc.ts";
import type { Actor } from "../kernel/actor.ts";
import { recordAudit } from "../kernel/audit.server.ts";
import { maybeId, parseId, type ObjectId } from "../kernel/ids.server.ts";
import { isDuplicateKey } from "../kernel/mongo-errors.ts";
import { withTransaction } from "../kernel/tx.server.ts";
import { moveListingsToOrganization } from "../listings/organization-refs.server.ts";
import { moveRoomsToOrganization } from "../rooms/organization-refs.server.ts";
import { moveTradingToOrganization } from "../trading/organization-refs.server.ts";
import { announceAccessChange } from "./access-events.server.ts";

/**
 * The admin's organisations (issue 13, point 11): list and search, verify (已认证), edit the name
 * and the credit code, merge a duplicate into the organisation that stays.
 */

export const ORGANIZATIONS_PAGE_SIZE = 20;

export interface OrganizationQuery {
  q?: string;
  verified?: "yes" | "no";
  page: number;
}

export async function listOrganizations(actor: Pick<Actor, "roles">, query: OrganizationQuery) {
  assertCan(actor, "organization:manage");
  const filter: Record<string, unknown> = {};
  if (query.q) {
    const rx = new RegExp(literalPattern(query.q), "i");
    filter.$or = [{ name: rx }, { creditCode: rx }];
  }
  if (query.verified === "yes") filter.verifiedAt = { $type: "date" };
  if (query.verified === "no") filter.verifiedAt = { $not: { $type: "date" } };
  const [total, orgs] = await Promise.all([
    Organization.countDocuments(filter),
    Organization.find(filter)
      .sort({ createdAt: -1, _id: -1 })
      .skip((query.page - 1) * ORGANIZATIONS_PAGE_SIZE)
      .limit(ORGANIZATIONS_PAGE_SIZE)
      .lean(),
  ]);
  const members = await User.aggregate<{ _id: ObjectId; count: number }>([
    { $match: { organization: { $in: orgs.map((o) => o._id) } } },
    { $group: { _id: "$organization", count: { $sum: 1 } } },
  ]);
  const memberCount = new Map(members.map((m) => [String(m._id), m.count]));
  return {
    total,
    page: query.page,
    pageCount: Math.max(1, Math.ceil(total / ORGANIZATIONS_PAGE_SIZE)),
    organizations: orgs.map((o) => ({
      id: String(o._id),
      name: o.name,
      type: o.type,
      creditCode: o.creditCode ?? null,
      region: o.region ?? null,
      verifiedAt: o.verifiedAt?.toISOString() ?? null,
      members: memberCount.get(String(o._id)) ?? 0,
      createdAt: o.createdAt.toISOString(),
    })),
  };
}

/** The ids among `ids` of organisations an admin verified (for the 已认证 mark on listings). */
export async function verifiedOrganizations(ids: readonly string[]): Promise<Set<string>> {
  const valid = ids.filter((id) => /^[a-f0-9]{24}$/i.test(id));
  if (!valid.length) return new Set();
  const rows = await Organization.find({ _id: { $in: valid }, verifiedAt: { $type: "date" } })
    .select("_id")
    .lean();
  return new Set(rows.map((r) => String(r._id)));
}

/** Marks an organisation verified (已认证) or takes the mark away. */
export async function setOrganizationVerified(actor: Actor, id: string, verified: boolean): Promise<void> {
  assertCan(actor, "organization:manage");
  const _id = parseId(id);
  await withTransaction(async (session) => {
    const org = await Organization.findById(_id).session(session).lean();
    if (!org) throw new NotFoundError();
    if (!!org.verifiedAt === verified) return;
    await Organization.updateOne(
      { _id },
      verified ? { $set: { verifiedAt: new Date(), verifiedBy: actor.id } } : { $unset: { verifiedAt: 1, verifiedBy: 1 } },
      { session },
    );
    await recordAudit(session, {
      subjectType: "organization",
      subject: _id,
      action: verified ? "organizationVerified" : "organizationUnverified",
      actor,
      via: "ui",
      reason: org.name,
    });
  });
}

/** Changes an organisation's name and credit code (checked: GB 32100-2015, and not another organisation's). */
export async function editOrganization(actor: Actor, id: string, input: { name: string; creditCode?: string | null }): Promise<void> {
  assertCan(actor, "organization:manage");
  const _id = parseId(id);
  const name = input.name.trim();
  if (!name) throw new ValidationError({ name: ["errors.required"] });
  if (name.length > 120) throw new ValidationError({ name: ["errors.tooLong"] });
  const creditCode = input.creditCode?.trim() ? normalizeUscc(input.creditCode) : null;
  if (creditCode) {
    const problem = usccProblem(creditCode);
    if (problem) throw new ValidationError({ creditCode: [`errors.uscc.${problem}`] });
  }
  try {
    await withTransaction(async (session) => {
      const org = await Organization.findById(_id).session(session).lean();
      if (!org) throw new NotFoundError();
      if (!creditCode && org.type !== "individual") throw new ValidationError({ creditCode: ["errors.required"] });
      if (creditCode && (await Organization.exists({ creditCode, _id: { $ne: _id } }).session(session))) {
        throw new ValidationError({ creditCode: ["admin.orgs.creditCodeTaken"] });
      }
      if (org.name === name && (org.creditCode ?? null) === creditCode) return;
      await Organization.updateOne({ _id }, creditCode ? { $set: { name, creditCode } } : { $set: { name }, $unset: { creditCode: 1 } }, {
        session,
      });
      // Listings carry their organisation's name (lists, search): they follow a rename.
      if (org.name !== name) await moveListingsToOrganization(session, _id, { _id, name, type: org.type });
      const changes = [
        org.name !== name ? `name: ${org.name} → ${name}` : null,
        (org.creditCode ?? null) !== creditCode ? `creditCode: ${org.creditCode ?? "—"} → ${creditCode ?? "—"}` : null,
      ].filter(Boolean);
      await recordAudit(session, {
        subjectType: "organization",
        subject: _id,
        action: "organizationEdited",
        actor,
        via: "ui",
        reason: changes.join("; "),
      });
    });
  } catch (e) {
    // Two edits racing to the same code: the unique index decides.
    if (isDuplicateKey(e, "creditCode")) throw new ValidationError({ creditCode: ["admin.orgs.creditCodeTaken"] });
    throw e;
  }
}

/**
 * Merges the duplicate `fromId` into `intoId` in one transaction: its members, listings, offers,
 * deals, auctions and deal rooms move to the organisation that stays, and the duplicate is removed
 * (the audit log keeps its name and code). Every module that holds an organisation reference moves
 * its own (`moveXToOrganization`); a new module with such references adds its line here.
 */
export async function mergeOrganizations(actor: Actor, fromId: string, intoRef: string) {
  assertCan(actor, "organization:manage");
  const from = parseId(fromId);
  // The organisation that stays: its id, or its credit code as the admin reads it off the list.
  const into =
    maybeId(intoRef) ??
    (await Organization.findOne({ creditCode: normalizeUscc(intoRef) })
      .select("_id")
      .lean()
      .then((o) => o?._id ?? null));
  if (!into) throw new ValidationError({ into: ["admin.orgs.mergeTargetMissing"] });
  if (from.equals(into)) throw new ValidationError({ into: ["admin.orgs.mergeSelf"] });
  const { moved, users } = await withTransaction(async (session) => {
    const [dup, keep] = [
      await Organization.findById(from).session(session).lean(),
      await Organization.findById(into).session(session).lean(),
    ];
    if (!dup) throw new NotFoundError();
    if (!keep) throw new ValidationError({ into: ["admin.orgs.mergeTargetMissing"] });
    if (keep.type === "individual" && dup.type !== "individual") throw new ConflictError("admin.orgs.mergeIntoIndividual");
    const members = await User.find({ organization: from }).select("_id").session(session).lean();
    // The organisation that stays keeps its admins: the duplicate's people join it as members
    // (its admins stay admins only when the one that stays had none).
    const keepHasAdmin =
      (await User.countDocuments({ organization: into, orgRole: "admin", disabled: { $ne: true } }).session(session)) > 0;
    await User.updateMany(
      { organization: from },
      { $set: { organization: into, ...(keepHasAdmin ? { orgRole: "member" } : {}) } },
      { session },
    );
    // Membership work in progress follows: pending join requests and open invitations.
    await JoinRequest.updateMany({ organization: from }, { $set: { organization: into } }, { session });
    await AccountToken.updateMany({ organization: from, purpose: "invitation" }, { $set: { organization: into } }, { session });
    const listings = await moveListingsToOrganization(session, from, { _id: into, name: keep.name, type: keep.type });
    const trading = await moveTradingToOrganization(session, from, into);
    const rooms = await moveRoomsToOrganization(session, from, into);
    await Organization.deleteOne({ _id: from }, { session });
    // The surviving organisation keeps its own code; it takes the duplicate's only when it had none.
    if (!keep.creditCode && dup.creditCode)
      await Organization.updateOne({ _id: into }, { $set: { creditCode: dup.creditCode } }, { session });
    const counts = { users: members.length, ...listings, ...trading, ...rooms };
    const summary = `${dup.name} (${dup.creditCode ?? "—"}) → ${keep.name}; ${Object.entries(counts)
      .map(([k, v]) => `${k} ${v}`)
      .join(", ")}`;
    await recordAudit(session, [
      {
        subjectType: "organization",
        subject: into,
        action: "organizationMerged",
        from: String(from),
        to: String(into),
        actor,
        via: "ui",
        reason: summary,
      },
      {
        subjectType: "organization",
        subject: from,
        action: "organizationMergedAway",
        from: String(from),
        to: String(into),
        actor,
        via: "ui",
        reason: summary,
      },
    ]);
    return { moved: counts, users: members.map((m) => String(m._id)) };
  });
  // Their organisation decides what they act for (rooms, offers): open sockets check again.
  for (const userId of users) announceAccessChange({ kind: "userChanged", userId });
  return moved;
}
