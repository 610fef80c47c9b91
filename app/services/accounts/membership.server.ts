import type { ClientSession, Types } from "mongoose";
import { AccountToken } from "~/models/account-token.server.ts";
import { JoinRequest } from "~/models/join-request.server.ts";
import { Organization } from "~/models/organization.server.ts";
import { User } from "~/models/user.server.ts";
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from "~/utils/errors.ts";
import { formMessage } from "~/utils/messages.ts";
import { normalizeUscc } from "~/utils/uscc.ts";
import type { OrgRole } from "~/utils/organization.ts";
import type { Role } from "~/utils/permissions.ts";
import type { Actor, Via } from "../kernel/actor.ts";
import { recordAudit } from "../kernel/audit.server.ts";
import { oid, parseId } from "../kernel/ids.server.ts";
import { isDuplicateKey } from "../kernel/mongo-errors.ts";
import { withTransaction } from "../kernel/tx.server.ts";
import { notify } from "../notifications/notify.server.ts";
import { announceAccessChange } from "./access-events.server.ts";
import { queueAccountMail } from "./account-mail.server.ts";

/**
 * Organisations and their people (decision 015). Every person belongs to at most one
 * organisation, as its `admin` or a `member`. The person who registers an organisation is its
 * first admin; colleagues join by a request the admins approve, or by an invitation (a mail with a
 * single-use link, or a shareable link) an admin creates. Admins remove members and make others
 * admin; an organisation never loses its last admin.
 */

type ObjectIdLike = string | Types.ObjectId;

/** Invitations last a week. */
export const INVITATION_TTL_MS = 7 * 24 * 3_600_000;
/** At most this many invitation mails per organisation in 24 hours: the platform's mail is not a mass mailer. */
export const INVITATION_MAILS_PER_DAY = 20;
const MEMBERS_LIMIT = 500;

const orgRef = (org: { _id: unknown; name: string }) => ({ kind: "organization" as const, id: String(org._id), title: org.name });

async function adminsOf(orgId: ObjectIdLike, session?: ClientSession | null) {
  return User.find({ organization: orgId, orgRole: "admin", disabled: { $ne: true } })
    .select("email name locale")
    .session(session ?? null)
    .lean();
}

/** The actor's organisation, when they are its admin; else 403. */
async function requireOrgAdmin(actor: Actor): Promise<{ _id: Types.ObjectId; name: string; type: string; region?: string | null }> {
  if (!actor.id) throw new ForbiddenError();
  const me = await User.findById(actor.id).select("organization orgRole").lean();
  if (!me?.organization || me.orgRole !== "admin") throw new ForbiddenError("membership.errors.notOrgAdmin");
  const org = await Organization.findById(me.organization).select("name type region").lean();
  if (!org) throw new NotFoundError();
  return org;
}

async function ownOrganization(actor: Actor): Promise<{ _id: Types.ObjectId; name: string }> {
  if (!actor.id) throw new ForbiddenError();
  const me = await User.findById(actor.id).select("organization").lean();
  if (!me?.organization) throw new NotFoundError();
  return { _id: me.organization, name: "" };
}

/** An individual's own account (type `individual`) is one person: nobody is invited into it. */
function assertCanHaveMembers(org: { type: string }): void {
  if (org.type === "individual") throw new ForbiddenError("membership.errors.individualAccount");
}

/**
 * Touches the organisation in the transaction, so two membership changes of one organisation
 * conflict (and one retries) instead of both passing the last-admin check on their own snapshot.
 */
async function lockOrganization(session: ClientSession, orgId: ObjectIdLike): Promise<void> {
  await Organization.updateOne({ _id: orgId }, { $set: { updatedAt: new Date() } }, { session, timestamps: false });
}

async function assertAdminRemains(session: ClientSession, orgId: ObjectIdLike): Promise<void> {
  const admins = await User.countDocuments({ organization: orgId, orgRole: "admin", disabled: { $ne: true } }).session(session);
  if (admins === 0) throw new ConflictError("membership.errors.lastAdmin");
}

/**
 * Sends `org` a request to join from a person without an organisation, in the caller's
 * transaction: its admins are notified in-app and by email.
 */
export async function requestToJoin(
  session: ClientSession,
  person: { userId: ObjectIdLike; name: string; email: string },
  orgId: ObjectIdLike,
  message?: string | null,
  via: Via = "ui",
): Promise<void> {
  const org = await Organization.findById(orgId).select("name").session(session).lean();
  if (!org) throw new NotFoundError();
  try {
    await JoinRequest.create([{ organization: org._id, user: person.userId, status: "pending", ...(message ? { message } : {}) }], {
      session,
    });
  } catch (e) {
    if (isDuplicateKey(e)) throw new ConflictError("membership.errors.requestPending");
    throw e;
  }
  // notify() mails them too (services/notifications/mail.server.ts), in each admin's language.
  const admins = await adminsOf(org._id, session);
  await notify(
    session,
    admins.map((a) => ({
      user: a._id,
      type: "org.joinRequested" as const,
      subject: orgRef(org),
      link: "/account/organization",
      params: { person: person.name, email: person.email },
    })),
  );
  await recordAudit(session, {
    subjectType: "organization",
    subject: org._id,
    action: "joinRequested",
    actor: { id: String(person.userId), name: person.name, roles: [] },
    via,
    reason: message ?? null,
  });
}

/** A signed-in person without an organisation asks to join the one with this credit code. */
export async function requestToJoinByCreditCode(actor: Actor, creditCode: string, message?: string | null): Promise<{ org: string }> {
  if (!actor.id) throw new ForbiddenError();
  const me = await User.findById(actor.id).select("organization name email").lean();
  if (!me) throw new NotFoundError();
  if (me.organization) throw new ConflictError("membership.errors.alreadyInOrganization");
  const org = await Organization.findOne({ creditCode: normalizeUscc(creditCode) })
    .select("name")
    .lean();
  if (!org) throw new ValidationError({ creditCode: ["membership.errors.noSuchOrganization"] });
  await withTransaction((session) => requestToJoin(session, { userId: me._id, name: me.name, email: me.email }, org._id, message));
  return { org: org.name };
}

/** The requester withdraws their pending request. */
export async function withdrawJoinRequest(actor: Actor): Promise<void> {
  if (!actor.id) throw new ForbiddenError();
  await JoinRequest.updateOne({ user: actor.id, status: "pending" }, { $set: { status: "withdrawn", decidedAt: new Date() } });
}

/** An org admin approves (the person becomes a member) or rejects a pending request; the person is told by email. */
export async function decideJoinRequest(actor: Actor, requestId: string, decision: "approve" | "reject"): Promise<void> {
  const org = await requireOrgAdmin(actor);
  const id = parseId(requestId);
  const userId = await withTransaction(async (session) => {
    const request = await JoinRequest.findOneAndUpdate(
      { _id: id, organization: org._id, status: "pending" },
      { $set: { status: decision === "approve" ? "approved" : "rejected", decidedBy: oid(actor.id!), decidedAt: new Date() } },
      { session, returnDocument: "after" },
    ).lean();
    if (!request) throw new NotFoundError();
    const person = await User.findById(request.user).select("email name locale organization").session(session).lean();
    if (!person) throw new NotFoundError();
    if (decision === "approve") {
      if (person.organization) throw new ConflictError("membership.errors.personHasOrganization");
      await lockOrganization(session, org._id);
      await User.updateOne({ _id: person._id }, { $set: { organization: org._id, orgRole: "member" } }, { session });
    }
    const type = decision === "approve" ? "org.joinApproved" : "org.joinRejected";
    await notify(session, [{ user: person._id, type, subject: orgRef(org), link: "/account/organization", params: {} }]);
    await recordAudit(session, {
      subjectType: "organization",
      subject: org._id,
      action: decision === "approve" ? "joinApproved" : "joinRejected",
      to: `${person.name} <${person.email}>`,
      actor,
      via: "ui",
    });
    return String(person._id);
  });
  announceAccessChange({ kind: "userChanged", userId });
}

/** An org admin invites a colleague by email: a mail with a link for them alone, valid for a week and used once. */
export async function inviteByEmail(actor: Actor, email: string, newToken: () => { token: string; tokenHash: string }): Promise<void> {
  const org = await requireOrgAdmin(actor);
  assertCanHaveMembers(org);
  const address = email.toLowerCase();
  const existing = await User.findOne({ email: address }).select("organization").lean();
  if (existing?.organization && String(existing.organization) === String(org._id)) {
    throw new ValidationError({ email: ["membership.errors.alreadyMember"] });
  }
  const sentToday = await AccountToken.countDocuments({
    purpose: "invitation",
    organization: org._id,
    email: { $type: "string" },
    createdAt: { $gt: new Date(Date.now() - 24 * 3_600_000) },
  });
  if (sentToday >= INVITATION_MAILS_PER_DAY) {
    throw new ConflictError(formMessage("membership.errors.tooManyInvitations", { max: INVITATION_MAILS_PER_DAY }));
  }
  const { token, tokenHash } = newToken();
  await withTransaction(async (session) => {
    await AccountToken.create(
      [
        {
          purpose: "invitation" as const,
          tokenHash,
          organization: org._id,
          email: address,
          createdBy: oid(actor.id!),
          expiresAt: new Date(Date.now() + INVITATION_TTL_MS),
        },
      ],
      { session },
    );
    await queueAccountMail(session, { email: address }, "invitation", { org: org.name, inviter: actor.name }, `/invite/${token}`);
    await recordAudit(session, { subjectType: "organization", subject: org._id, action: "memberInvited", to: address, actor, via: "ui" });
  });
}

/** An org admin creates a link colleagues can share: usable by several people for a week, until revoked. Returns the token (shown once). */
export async function createInvitationLink(actor: Actor, newToken: () => { token: string; tokenHash: string }): Promise<string> {
  const org = await requireOrgAdmin(actor);
  assertCanHaveMembers(org);
  const { token, tokenHash } = newToken();
  await withTransaction(async (session) => {
    await AccountToken.create(
      [
        {
          purpose: "invitation" as const,
          tokenHash,
          organization: org._id,
          multiUse: true,
          createdBy: oid(actor.id!),
          expiresAt: new Date(Date.now() + INVITATION_TTL_MS),
        },
      ],
      { session },
    );
    await recordAudit(session, { subjectType: "organization", subject: org._id, action: "invitationLinkCreated", actor, via: "ui" });
  });
  return token;
}

export async function revokeInvitation(actor: Actor, invitationId: string): Promise<void> {
  const org = await requireOrgAdmin(actor);
  await withTransaction(async (session) => {
    const res = await AccountToken.updateOne(
      { _id: parseId(invitationId), purpose: "invitation", organization: org._id, revokedAt: null },
      { $set: { revokedAt: new Date() } },
      { session },
    );
    if (res.matchedCount === 0) throw new NotFoundError();
    await recordAudit(session, { subjectType: "organization", subject: org._id, action: "invitationRevoked", actor, via: "ui" });
  });
}

const openInvitation = (tokenHash: string, now = new Date()) => ({
  purpose: "invitation" as const,
  tokenHash,
  revokedAt: null,
  expiresAt: { $gt: now },
  $or: [{ multiUse: true }, { usedAt: null }],
});

export interface InvitationView {
  organization: { id: string; name: string; type: string };
  /** Email invitations: the address invited (the account is registered with it). */
  email: string | null;
}

/** What an invitation link leads to, or null when it is unknown, used, expired or revoked. */
export async function invitationFor(tokenHash: string): Promise<InvitationView | null> {
  const inv = await AccountToken.findOne(openInvitation(tokenHash)).select("organization email").lean();
  if (!inv?.organization) return null;
  const org = await Organization.findById(inv.organization).select("name type").lean();
  if (!org) return null;
  return { organization: { id: String(org._id), name: org.name, type: org.type }, email: inv.email ?? null };
}

/** Uses the invitation in the caller's transaction (a single-use one exactly once); 410-like 409 when it no longer is open. */
async function useInvitation(session: ClientSession, tokenHash: string, userId: Types.ObjectId) {
  const inv = await AccountToken.findOneAndUpdate(
    openInvitation(tokenHash),
    { $set: { usedAt: new Date() }, $push: { usedBy: userId } },
    { session, returnDocument: "after" },
  ).lean();
  if (!inv?.organization) throw new ConflictError("membership.errors.invitationInvalid");
  const org = await Organization.findById(inv.organization).select("name type region").session(session).lean();
  if (!org) throw new ConflictError("membership.errors.invitationInvalid");
  return { inv, org };
}

/**
 * A new person registers through an invitation: the account is created straight into the
 * organisation as a member. An email invitation registers the invited address.
 */
export async function registerByInvitation(
  tokenHash: string,
  input: { email: string; name: string; roles: Role[] },
  passwordHash: string,
): Promise<string> {
  const open = await AccountToken.findOne(openInvitation(tokenHash)).select("email").lean();
  if (!open) throw new ConflictError("membership.errors.invitationInvalid");
  if (open.email && open.email !== input.email.toLowerCase())
    throw new ValidationError({ email: ["membership.errors.inviteEmailMismatch"] });
  if (await User.exists({ email: input.email })) throw new ValidationError({ email: ["errors.emailTaken"] });
  try {
    return await withTransaction(async (session) => {
      const [user] = await User.create([{ email: input.email, name: input.name, passwordHash, roles: input.roles, orgRole: "member" }], {
        session,
      });
      const { org } = await useInvitation(session, tokenHash, user!._id);
      await User.updateOne({ _id: user!._id }, { $set: { organization: org._id } }, { session });
      await JoinRequest.updateMany({ user: user!._id, status: "pending" }, { $set: { status: "withdrawn" } }, { session });
      await recordAudit(session, {
        subjectType: "organization",
        subject: org._id,
        action: "memberJoined",
        to: `${input.name} <${input.email}>`,
        actor: { id: String(user!._id), name: input.name, roles: input.roles },
        via: "ui",
      });
      return String(user!._id);
    });
  } catch (e) {
    if (isDuplicateKey(e, "email")) throw new ValidationError({ email: ["errors.emailTaken"] });
    throw e;
  }
}

/** A signed-in person without an organisation accepts an invitation and joins as a member. */
export async function acceptInvitation(actor: Actor, tokenHash: string): Promise<{ org: string }> {
  if (!actor.id) throw new ForbiddenError();
  const me = await User.findById(actor.id).select("organization email name").lean();
  if (!me) throw new NotFoundError();
  if (me.organization) throw new ConflictError("membership.errors.alreadyInOrganization");
  const open = await AccountToken.findOne(openInvitation(tokenHash)).select("email").lean();
  if (!open) throw new ConflictError("membership.errors.invitationInvalid");
  if (open.email && open.email !== me.email) throw new ForbiddenError("membership.errors.inviteEmailMismatch");
  const name = await withTransaction(async (session) => {
    const { org } = await useInvitation(session, tokenHash, me._id);
    await lockOrganization(session, org._id);
    await User.updateOne({ _id: me._id }, { $set: { organization: org._id, orgRole: "member" } }, { session });
    await JoinRequest.updateMany({ user: me._id, status: "pending" }, { $set: { status: "withdrawn" } }, { session });
    await recordAudit(session, {
      subjectType: "organization",
      subject: org._id,
      action: "memberJoined",
      to: `${me.name} <${me.email}>`,
      actor,
      via: "ui",
    });
    return org.name;
  });
  announceAccessChange({ kind: "userChanged", userId: actor.id });
  return { org: name };
}

/**
 * An org admin removes a member (or an admin leaves by removing themselves). The organisation's
 * listings stay with the organisation. Its last admin cannot go.
 */
export async function removeMember(actor: Actor, userId: string): Promise<void> {
  const target = parseId(userId);
  // Anyone may leave; only admins remove others.
  const org = String(target) === actor.id ? await ownOrganization(actor) : await requireOrgAdmin(actor);
  await withTransaction(async (session) => {
    await lockOrganization(session, org._id);
    const person = await User.findOneAndUpdate(
      { _id: target, organization: org._id },
      { $unset: { organization: "", orgRole: "" } },
      { session, returnDocument: "before" },
    ).lean();
    if (!person) throw new NotFoundError();
    await assertAdminRemains(session, org._id);
    await recordAudit(session, {
      subjectType: "organization",
      subject: org._id,
      action: String(person._id) === actor.id ? "memberLeft" : "memberRemoved",
      to: `${person.name} <${person.email}>`,
      actor,
      via: "ui",
    });
  });
  announceAccessChange({ kind: "userChanged", userId: String(target) });
}

/** An org admin makes a member admin, or an admin a member again (never the last admin). */
export async function setMemberRole(actor: Actor, userId: string, role: OrgRole): Promise<void> {
  const org = await requireOrgAdmin(actor);
  const target = parseId(userId);
  await withTransaction(async (session) => {
    await lockOrganization(session, org._id);
    const person = await User.findOneAndUpdate(
      { _id: target, organization: org._id },
      { $set: { orgRole: role } },
      { session, returnDocument: "before" },
    ).lean();
    if (!person) throw new NotFoundError();
    await assertAdminRemains(session, org._id);
    await recordAudit(session, {
      subjectType: "organization",
      subject: org._id,
      action: "memberRoleChanged",
      from: person.orgRole ?? "member",
      to: role,
      reason: `${person.name} <${person.email}>`,
      actor,
      via: "ui",
    });
  });
  announceAccessChange({ kind: "userChanged", userId: String(target) });
}

/** The organisation a person without one has asked to join and waits for, if any (the account page). */
export async function pendingJoinRequestOf(userId: string): Promise<{ organization: string; createdAt: string } | null> {
  const pending = await JoinRequest.findOne({ user: parseId(userId), status: "pending" })
    .populate<{ organization: { name: string } | null }>("organization", "name")
    .lean();
  return pending?.organization ? { organization: pending.organization.name, createdAt: pending.createdAt.toISOString() } : null;
}

export interface OrganizationPage {
  organization: { id: string; name: string; type: string; creditCode: string | null } | null;
  myRole: OrgRole | null;
  members: { id: string; name: string; email: string; phone: string | null; orgRole: OrgRole; me: boolean }[];
  /** Admins only. */
  requests: { id: string; name: string; email: string; message: string | null; createdAt: string }[];
  invitations: { id: string; email: string | null; multiUse: boolean; expiresAt: string; uses: number }[];
  /** Without an organisation: the request waiting for an answer. */
  myRequest: { organization: string; createdAt: string } | null;
}

/** What the organisation page shows the actor: the members; for admins the requests and open invitations too. */
export async function organizationPage(actor: Actor): Promise<OrganizationPage> {
  if (!actor.id) throw new ForbiddenError();
  const me = await User.findById(actor.id).select("organization orgRole").lean();
  if (!me) throw new NotFoundError();
  if (!me.organization) {
    return {
      organization: null,
      myRole: null,
      members: [],
      requests: [],
      invitations: [],
      myRequest: await pendingJoinRequestOf(actor.id),
    };
  }
  const myRole: OrgRole = (me.orgRole as OrgRole | undefined) ?? "member";
  const [org, members] = await Promise.all([
    Organization.findById(me.organization).select("name type creditCode").lean(),
    User.find({ organization: me.organization, disabled: { $ne: true } })
      .select("name email phone orgRole")
      .sort({ createdAt: 1 })
      .limit(MEMBERS_LIMIT)
      .lean(),
  ]);
  if (!org) throw new NotFoundError();
  let requests: OrganizationPage["requests"] = [];
  let invitations: OrganizationPage["invitations"] = [];
  if (myRole === "admin") {
    const [reqs, invs] = await Promise.all([
      JoinRequest.find({ organization: org._id, status: "pending" })
        .sort({ createdAt: 1 })
        .limit(200)
        .populate<{ user: { name: string; email: string } | null }>("user", "name email")
        .lean(),
      AccountToken.find({ ...openInvitationOf(org._id) })
        .sort({ createdAt: -1 })
        .limit(50)
        .select("email multiUse expiresAt usedBy")
        .lean(),
    ]);
    requests = reqs
      .filter((r) => r.user)
      .map((r) => ({
        id: String(r._id),
        name: r.user!.name,
        email: r.user!.email,
        message: r.message ?? null,
        createdAt: r.createdAt.toISOString(),
      }));
    invitations = invs.map((i) => ({
      id: String(i._id),
      email: i.email ?? null,
      multiUse: !!i.multiUse,
      expiresAt: i.expiresAt.toISOString(),
      uses: i.usedBy?.length ?? 0,
    }));
  }
  return {
    organization: { id: String(org._id), name: org.name, type: org.type, creditCode: org.creditCode ?? null },
    myRole,
    members: members.map((m) => ({
      id: String(m._id),
      name: m.name,
      email: m.email,
      phone: m.phone ?? null,
      orgRole: (m.orgRole as OrgRole | undefined) ?? "member",
      me: String(m._id) === actor.id,
    })),
    requests,
    invitations,
    myRequest: null,
  };
}

const openInvitationOf = (orgId: Types.ObjectId) => ({
  purpose: "invitation" as const,
  organization: orgId,
  revokedAt: null,
  expiresAt: { $gt: new Date() },
  $or: [{ multiUse: true }, { usedAt: null }],
});
