import { createHash, randomBytes } from "node:crypto";
import type mongoose from "mongoose";
import { ApiToken, type ApiTokenDoc } from "~/models/api-token.server.ts";
import { User } from "~/models/user.server.ts";
import { CreateTokenSchema, TOKEN_PATTERN, type CreateTokenInput } from "~/schemas/api.ts";
import { flattenZodErrors } from "~/schemas/listing.ts";
import { getSessionUserById, type SessionUser } from "~/services/accounts/accounts.server.ts";
import { AuthenticationError, NotFoundError, ValidationError } from "~/utils/errors.ts";
import { assertCan, ROLES, type Role } from "~/utils/permissions.ts";
import { type Actor } from "~/services/kernel/actor.ts";
import { isIdString, oid } from "../kernel/ids.server.ts";

/**
 * API tokens for the open data API. A token is `cg_` + 32 random bytes in base64url (43
 * characters); only its SHA-256 is stored, with the first characters as a visible prefix, so the
 * plaintext exists once — in the answer to whoever created it.
 */

/** Who creates or revokes tokens: an admin in the UI, or the operator at the command line. */
export interface TokenIssuer {
  id: string | null;
  name: string;
  roles: readonly Role[];
}

/** `npm run token` runs with access to the data directory, which is already full control. */
export const CLI_ISSUER: TokenIssuer = { id: null, name: "命令行 (npm run token)", roles: ["admin"] };

/** lastUsedAt is written at most this often per token, so busy clients do not write on every call. */
export const LAST_USED_THROTTLE_MS = 60_000;

const PREFIX_LENGTH = 10; // "cg_" + 7 characters

export function generateToken(): string {
  return `cg_${randomBytes(32).toString("base64url")}`;
}

export function hashToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

export interface ApiTokenView {
  id: string;
  name: string;
  roles: Role[];
  prefix: string;
  user: { id: string; email: string } | null;
  createdAt: string;
  createdByName: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
  revokedByName: string | null;
}

type TokenRow = Omit<ApiTokenDoc, "hash"> & { _id: mongoose.Types.ObjectId };

function tokenView(t: TokenRow): ApiTokenView {
  return {
    id: String(t._id),
    name: t.name,
    roles: [...(t.roles ?? [])] as Role[],
    prefix: t.prefix,
    user: t.user ? { id: String(t.user), email: t.userEmail ?? "" } : null,
    createdAt: t.createdAt.toISOString(),
    createdByName: t.createdByName,
    lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
    revokedAt: t.revokedAt?.toISOString() ?? null,
    revokedByName: t.revokedByName ?? null,
  };
}

/**
 * Creates a token. Without a user it carries exactly the given roles. With `userEmail` it is a
 * personal token acting as that user: its roles default to the user's and may not exceed them.
 */
export async function createApiToken(issuer: TokenIssuer, input: CreateTokenInput): Promise<{ token: string; view: ApiTokenView }> {
  assertCan(issuer, "token:manage");
  const parsed = CreateTokenSchema.safeParse(input);
  if (!parsed.success) throw new ValidationError(flattenZodErrors(parsed.error));
  const { name, userEmail } = parsed.data;
  let roles = [...new Set(parsed.data.roles)];
  let user: { _id: mongoose.Types.ObjectId; email: string; roles: Role[] } | null = null;
  if (userEmail) {
    const u = await User.findOne({ email: userEmail, disabled: { $ne: true } }, { email: 1, roles: 1 }).lean();
    if (!u) throw new ValidationError({ userEmail: ["tokens.errors.userUnknown"] });
    user = { _id: u._id, email: u.email, roles: [...u.roles] as Role[] };
    if (roles.length === 0) roles = [...user.roles];
    const notHeld = roles.filter((r) => !user!.roles.includes(r));
    if (notHeld.length) throw new ValidationError({ roles: ["tokens.errors.roleNotHeld"] });
  }
  if (roles.length === 0) throw new ValidationError({ roles: ["errors.rolesRequired"] });
  roles = ROLES.filter((r) => roles.includes(r)); // canonical order
  const token = generateToken();
  const doc = await ApiToken.create({
    name,
    roles,
    hash: hashToken(token),
    prefix: token.slice(0, PREFIX_LENGTH),
    user: user?._id,
    userEmail: user?.email,
    createdBy: issuer.id ?? undefined,
    createdByName: issuer.name,
  });
  return { token, view: tokenView(doc.toObject()) };
}

/** Every token, newest first (revoked ones stay listed, marked). */
export async function listApiTokens(issuer: TokenIssuer): Promise<ApiTokenView[]> {
  assertCan(issuer, "token:manage");
  const docs = await ApiToken.find({}, { hash: 0 }).sort({ createdAt: -1, _id: -1 }).limit(1000).lean();
  return docs.map((d) => tokenView(d));
}

/** Revokes by id, or (for the command line) by a prefix that names exactly one token. Idempotent. */
export async function revokeApiToken(issuer: TokenIssuer, idOrPrefix: string): Promise<ApiTokenView> {
  assertCan(issuer, "token:manage");
  let filter: Record<string, unknown>;
  if (isIdString(idOrPrefix)) {
    filter = { _id: oid(idOrPrefix) };
  } else {
    const prefix = idOrPrefix.trim();
    if (!prefix.startsWith("cg_") || prefix.length < 5) throw new NotFoundError();
    const matches = await ApiToken.find({ prefix: { $regex: `^${prefix.replace(/[^A-Za-z0-9_-]/g, "")}` } }, { _id: 1 })
      .limit(2)
      .lean();
    if (matches.length === 0) throw new NotFoundError();
    if (matches.length > 1) throw new ValidationError({ token: ["tokens.errors.ambiguousPrefix"] });
    filter = { _id: matches[0]!._id };
  }
  await ApiToken.updateOne({ ...filter, revokedAt: null }, { $set: { revokedAt: new Date(), revokedByName: issuer.name } });
  const doc = await ApiToken.findOne(filter, { hash: 0 }).lean();
  if (!doc) throw new NotFoundError();
  return tokenView(doc);
}

/** The caller behind a token, for the API handlers and the services they call. */
export interface ApiPrincipal {
  tokenId: string;
  /** The token's name: shown as the actor of what the token does, and the default import source. */
  name: string;
  /** The roles the token may use now (for a personal token: only those its user still holds). */
  roles: Role[];
  user: SessionUser | null;
  /** The same caller as the listing service sees it. */
  actor: Actor;
}

/** Reads `Authorization: Bearer cg_…`; anything else — missing, malformed, unknown, revoked — is 401. */
export async function authenticateApiToken(authorization: string | null | undefined, now = new Date()): Promise<ApiPrincipal> {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? "");
  if (!m) throw new AuthenticationError("apiErrors.tokenMissing");
  const token = m[1]!;
  if (!TOKEN_PATTERN.test(token)) throw new AuthenticationError("apiErrors.tokenInvalid");
  const doc = await ApiToken.findOne({ hash: hashToken(token) }, { hash: 0 }).lean();
  if (!doc) throw new AuthenticationError("apiErrors.tokenInvalid");
  if (doc.revokedAt) throw new AuthenticationError("apiErrors.tokenRevoked");
  let roles = [...(doc.roles ?? [])] as Role[];
  let user: SessionUser | null = null;
  if (doc.user) {
    user = await getSessionUserById(String(doc.user));
    if (!user) throw new AuthenticationError("apiErrors.tokenUserDisabled");
    roles = roles.filter((r) => user!.roles.includes(r));
  }
  if (!doc.lastUsedAt || now.getTime() - doc.lastUsedAt.getTime() >= LAST_USED_THROTTLE_MS) {
    // Conditional, so concurrent calls write once; losing this write loses nothing that matters.
    await ApiToken.updateOne(
      { _id: doc._id, $or: [{ lastUsedAt: null }, { lastUsedAt: { $lte: new Date(now.getTime() - LAST_USED_THROTTLE_MS) } }] },
      { $set: { lastUsedAt: now } },
      { timestamps: false },
    );
  }
  return {
    tokenId: String(doc._id),
    name: doc.name,
    roles,
    user,
    actor: { id: user?.id ?? null, name: doc.name, roles, organization: user?.organization ?? null },
  };
}
