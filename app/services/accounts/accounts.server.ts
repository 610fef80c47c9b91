import { hash, verify } from "@node-rs/argon2";
import { Organization } from "~/models/organization.server.ts";
import { Session } from "~/models/session.server.ts";
import { User } from "~/models/user.server.ts";
import type { RegisterInput } from "~/schemas/account.ts";
import { ForbiddenError, NotFoundError, ValidationError } from "~/utils/errors.ts";
import { formMessage } from "~/utils/messages.ts";
import { ORG_EXISTS_JOIN, type OrgRole } from "~/utils/organization.ts";
import { normalizeUscc } from "~/utils/uscc.ts";
import { literalPattern } from "~/utils/regex.ts";
import { assertCan, ROLES, type Role } from "~/utils/permissions.ts";
import type { Actor } from "../kernel/actor.ts";
import { SESSION_TTL_MS } from "~/utils/session.server.ts";
import { withTransaction } from "~/services/kernel/tx.server.ts";
import { recordAudit } from "../kernel/audit.server.ts";
import { maybeId } from "../kernel/ids.server.ts";
import { isDuplicateKey } from "../kernel/mongo-errors.ts";
import { announceAccessChange, sessionKey } from "./access-events.server.ts";
import { requestToJoin } from "./membership.server.ts";

// OWASP's argon2id baseline (19 MiB, 2 iterations): about 30 ms here, slow enough for stolen hashes.
const ARGON = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON);
}

export interface SessionUser {
  id: string;
  email: string;
  name: string;
  roles: Role[];
  organization: { id: string; name: string; type: string } | null;
  /** Their standing in the organisation (null without one): admins manage its members. */
  orgRole: OrgRole | null;
}

/**
 * Creates the user and, for an organisation account, the organisation, in one transaction; its
 * first person is its admin. A credit code that is registered already is refused with the
 * organisation's name, unless the person asked to join it (`joinExisting`): then the account is
 * created without an organisation and a join request goes to the organisation's admins
 * (membership.server.ts), who are notified in-app and by email.
 */
export async function registerUser(input: RegisterInput): Promise<SessionUser> {
  if (await User.exists({ email: input.email })) {
    throw new ValidationError({ email: ["errors.emailTaken"] });
  }
  const creditCode = input.creditCode ? normalizeUscc(input.creditCode) : undefined;
  const existing =
    input.accountType !== "individual" && creditCode ? await Organization.findOne({ creditCode }).select("name").lean() : null;
  if (existing && !input.joinExisting) {
    // The form explains and offers to send a join request instead (register.tsx).
    throw new ValidationError({ creditCode: [formMessage(ORG_EXISTS_JOIN, { org: existing.name })] });
  }
  const passwordHash = await hashPassword(input.password);
  try {
    const userId = await withTransaction(async (session) => {
      if (existing) {
        const [user] = await User.create([{ email: input.email, name: input.name, passwordHash, roles: input.roles }], { session });
        await requestToJoin(session, { userId: user!._id, name: input.name, email: input.email }, existing._id, input.joinMessage);
        return user!._id;
      }
      const [org] = await Organization.create(
        [
          input.accountType === "individual"
            ? { name: input.name, type: "individual", region: input.region }
            : { name: input.orgName!, type: input.accountType, creditCode, region: input.region },
        ],
        { session },
      );
      const [user] = await User.create(
        [{ email: input.email, name: input.name, passwordHash, roles: input.roles, organization: org!._id, orgRole: "admin" }],
        { session },
      );
      return user!._id;
    });
    return (await getSessionUserById(String(userId)))!;
  } catch (e) {
    // Two registrations racing past the checks above: the unique indexes decide.
    if (isDuplicateKey(e, "email")) throw new ValidationError({ email: ["errors.emailTaken"] });
    if (isDuplicateKey(e, "creditCode")) throw new ValidationError({ creditCode: [ORG_EXISTS_JOIN] });
    throw e;
  }
}

// A real argon2 hash to verify against when the email is unknown, so timing does not tell.
let dummyHash: Promise<string> | undefined;

/** The user for these credentials, or null. Disabled accounts cannot log in. */
export async function verifyLogin(email: string, password: string): Promise<SessionUser | null> {
  const user = await User.findOne({ email: email.toLowerCase() }).select("+passwordHash disabled").lean();
  if (!user) {
    dummyHash ??= hashPassword("not-a-real-password-1");
    await verify(await dummyHash, password).catch(() => false);
    return null;
  }
  const ok = await verify(user.passwordHash, password).catch(() => false);
  if (!ok || user.disabled) return null;
  await User.updateOne({ _id: user._id }, { $set: { lastLoginAt: new Date() } });
  return getSessionUserById(String(user._id));
}

export async function createSession(userId: string, userAgent?: string | null): Promise<string> {
  const s = await Session.create({
    user: userId,
    expiresAt: new Date(Date.now() + SESSION_TTL_MS),
    userAgent: userAgent?.slice(0, 300),
  });
  return String(s._id);
}

/**
 * Ends every session of a user but `except` (the one that changed the password keeps going); their
 * open sockets, on every instance, are closed. Returns how many ended.
 */
export async function endUserSessions(userId: string, except?: string | null): Promise<number> {
  const keep = except ? maybeId(except) : null;
  const sessions = await Session.find({ user: userId, ...(keep ? { _id: { $ne: keep } } : {}) })
    .select("_id")
    .lean();
  if (!sessions.length) return 0;
  await Session.deleteMany({ _id: { $in: sessions.map((s) => s._id) } });
  for (const s of sessions) announceAccessChange({ kind: "sessionEnded", key: sessionKey(String(s._id)) });
  return sessions.length;
}

/** Ends a session (logout); its open sockets, on every instance, are closed. */
export async function endSession(sessionId: string): Promise<void> {
  const id = maybeId(sessionId);
  if (!id) return;
  await Session.deleteOne({ _id: id });
  announceAccessChange({ kind: "sessionEnded", key: sessionKey(sessionId) });
}

type SessionUserDoc = {
  _id: unknown;
  email: string;
  name: string;
  roles: readonly string[];
  organization: { _id: unknown; name: string; type: string } | null;
  orgRole?: string | null;
};

/** The enabled users matching `filter`, with what a session needs of them (their organisation's name and type). */
function findSessionUsers(filter: Record<string, unknown>): Promise<SessionUserDoc[]> {
  return User.find({ ...filter, disabled: { $ne: true } })
    .select("email name roles organization orgRole")
    .populate<{ organization: SessionUserDoc["organization"] }>("organization", "name type")
    .lean();
}

function toSessionUser(u: SessionUserDoc): SessionUser {
  return {
    id: String(u._id),
    email: u.email,
    name: u.name,
    roles: [...u.roles] as Role[],
    organization: u.organization ? { id: String(u.organization._id), name: u.organization.name, type: u.organization.type } : null,
    orgRole: u.organization ? ((u.orgRole as OrgRole | undefined) ?? "member") : null,
  };
}

export async function getSessionUserById(userId: string): Promise<SessionUser | null> {
  const [u] = await findSessionUsers({ _id: userId });
  return u ? toSessionUser(u) : null;
}

/** The user behind a session id, or null when the session is unknown, expired or the user disabled. */
export async function getUserForSession(sessionId: string): Promise<SessionUser | null> {
  return (await getUsersForSessions([sessionId]))[0] ?? null;
}

/**
 * `getUserForSession` for many session ids at once, in their order: three queries (sessions,
 * users, their organisations) however many there are. The deal rooms re-read the sessions of every
 * socket in a room together (server/realtime/socket.ts); one query each made a thousand open
 * sockets cost six hundred queries a second.
 */
export async function getUsersForSessions(sessionIds: readonly string[]): Promise<(SessionUser | null)[]> {
  const ids = sessionIds.map((id) => maybeId(id));
  const valid = ids.filter((id): id is NonNullable<typeof id> => id !== null);
  if (!valid.length) return sessionIds.map(() => null);
  const sessions = await Session.find({ _id: { $in: valid }, expiresAt: { $gt: new Date() } })
    .select("user")
    .lean();
  const userOfSession = new Map(sessions.map((s) => [String(s._id), String(s.user)]));
  const userIds = [...new Set(userOfSession.values())];
  const users = userIds.length ? await findSessionUsers({ _id: { $in: userIds } }) : [];
  const byId = new Map(users.map((u) => [String(u._id), toSessionUser(u)]));
  return ids.map((id) => {
    const userId = id ? userOfSession.get(String(id)) : undefined;
    return (userId && byId.get(userId)) || null;
  });
}

export const USERS_PAGE_SIZE = 20;

export async function listUsers(actor: Pick<Actor, "id" | "roles">, query: { q?: string; role?: Role; page: number }) {
  assertCan(actor, "user:manage");
  const filter: Record<string, unknown> = {};
  if (query.role) filter.roles = query.role;
  if (query.q) {
    const rx = new RegExp(literalPattern(query.q), "i");
    const orgIds = await Organization.find({ name: rx }).select("_id").limit(200).lean();
    filter.$or = [{ email: rx }, { name: rx }, { organization: { $in: orgIds.map((o) => o._id) } }];
  }
  const [total, users] = await Promise.all([
    User.countDocuments(filter),
    User.find(filter)
      .sort({ createdAt: -1 })
      .skip((query.page - 1) * USERS_PAGE_SIZE)
      .limit(USERS_PAGE_SIZE)
      .select("email name roles organization disabled createdAt lastLoginAt")
      .populate<{ organization: { name: string; type: string; creditCode?: string } | null }>("organization", "name type creditCode")
      .lean(),
  ]);
  return {
    total,
    page: query.page,
    pageCount: Math.max(1, Math.ceil(total / USERS_PAGE_SIZE)),
    users: users.map((u) => ({
      id: String(u._id),
      email: u.email,
      name: u.name,
      roles: [...u.roles] as Role[],
      disabled: !!u.disabled,
      organization: u.organization
        ? { name: u.organization.name, type: u.organization.type, creditCode: u.organization.creditCode ?? null }
        : null,
      createdAt: u.createdAt.toISOString(),
      lastLoginAt: u.lastLoginAt?.toISOString() ?? null,
    })),
  };
}

/**
 * Replaces a user's roles. Nobody is left with no role (a field error), and an admin cannot remove
 * their own admin role (no lock-out). Audited.
 */
export async function setUserRoles(
  actor: Pick<Actor, "id" | "roles"> & Partial<Pick<Actor, "name">>,
  userId: string,
  roles: Role[],
): Promise<void> {
  assertCan(actor, "user:manage");
  const unique = [...new Set(roles)].filter((r) => ROLES.includes(r));
  if (unique.length === 0) throw new ValidationError({ roles: ["admin.errors.noRole"] });
  if (actor.id === userId && !unique.includes("admin")) {
    throw new ForbiddenError("errors.cannotDropOwnAdmin");
  }
  const _id = maybeId(userId);
  if (!_id) throw new NotFoundError();
  await withTransaction(async (session) => {
    const before = await User.findById(_id).select("roles").session(session).lean();
    if (!before) throw new NotFoundError();
    await User.updateOne({ _id }, { $set: { roles: unique } }, { session });
    await recordAudit(session, {
      subjectType: "user",
      subject: _id,
      action: "rolesChanged",
      from: before.roles.join(","),
      to: unique.join(","),
      actor: { id: actor.id, name: actor.name ?? "管理员", roles: actor.roles },
      via: "ui",
    });
  });
  // Roles decide room membership (the seller side, brokers): their open sockets check again.
  announceAccessChange({ kind: "userChanged", userId });
}

/**
 * Disables a user (they cannot log in, and every session they hold ends now, on every instance)
 * or enables them again. An admin cannot disable themselves. Audited.
 */
export async function setUserDisabled(actor: Pick<Actor, "id" | "name" | "roles">, userId: string, disabled: boolean): Promise<void> {
  assertCan(actor, "user:manage");
  if (disabled && actor.id === userId) throw new ForbiddenError("admin.errors.cannotDisableSelf");
  const _id = maybeId(userId);
  if (!_id) throw new NotFoundError();
  const ended = await withTransaction(async (session) => {
    const user = await User.findById(_id).select("disabled").session(session).lean();
    if (!user) throw new NotFoundError();
    if (!!user.disabled === disabled) return [];
    await User.updateOne({ _id }, { $set: { disabled } }, { session });
    const sessions = disabled ? await Session.find({ user: _id }).select("_id").session(session).lean() : [];
    if (disabled) await Session.deleteMany({ user: _id }, { session });
    await recordAudit(session, {
      subjectType: "user",
      subject: _id,
      action: disabled ? "userDisabled" : "userEnabled",
      actor,
      via: "ui",
    });
    return sessions.map((s) => String(s._id));
  });
  for (const id of ended) announceAccessChange({ kind: "sessionEnded", key: sessionKey(id) });
  announceAccessChange({ kind: "userChanged", userId });
}
