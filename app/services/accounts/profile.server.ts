import { verify } from "@node-rs/argon2";
import { AccountToken } from "~/models/account-token.server.ts";
import { User } from "~/models/user.server.ts";
import { ForbiddenError, NotFoundError, ValidationError } from "~/utils/errors.ts";
import type { Locale } from "~/utils/i18n.ts";
import type { Actor } from "../kernel/actor.ts";
import { recordAudit } from "../kernel/audit.server.ts";
import { isDuplicateKey } from "../kernel/mongo-errors.ts";
import { withTransaction } from "../kernel/tx.server.ts";
import { announceAccessChange } from "./access-events.server.ts";
import { queueAccountMail } from "./account-mail.server.ts";
import { endUserSessions, hashPassword } from "./accounts.server.ts";
import { hashToken, newToken } from "./tokens.server.ts";

/** A person's own account: the profile, the password, and a forgotten password's reset by mail. */

/** A reset link works for an hour, once. */
export const PASSWORD_RESET_TTL_MS = 60 * 60 * 1000;

export interface Profile {
  name: string;
  email: string;
  phone: string | null;
  locale: Locale | null;
}

export async function getProfile(userId: string): Promise<Profile> {
  const u = await User.findById(userId).select("name email phone locale").lean();
  if (!u) throw new NotFoundError();
  return { name: u.name, email: u.email, phone: u.phone ?? null, locale: (u.locale as Locale | undefined) ?? null };
}

/** Name, phone (already normalised by the schema; empty clears it) and preferred language. */
export async function updateProfile(actor: Actor, input: { name: string; phone: string | null; locale: Locale | null }): Promise<void> {
  if (!actor.id) throw new ForbiddenError();
  await withTransaction(async (session) => {
    const $set = { name: input.name, ...(input.phone ? { phone: input.phone } : {}), ...(input.locale ? { locale: input.locale } : {}) };
    const $unset = { ...(input.phone ? {} : { phone: "" }), ...(input.locale ? {} : { locale: "" }) };
    const before = await User.findOneAndUpdate(
      { _id: actor.id },
      { $set, ...(Object.keys($unset).length ? { $unset } : {}) },
      { session, returnDocument: "before" },
    ).lean();
    if (!before) throw new NotFoundError();
    const changed = (["name", "phone", "locale"] as const).filter((k) => (before[k] ?? null) !== (input[k] ?? null));
    if (changed.length) {
      await recordAudit(session, {
        subjectType: "user",
        subject: before._id,
        action: "profileEdited",
        to: changed.join(","),
        actor,
        via: "ui",
      });
    }
  });
  announceAccessChange({ kind: "userChanged", userId: actor.id });
}

/** Changes the password after checking the current one; every other session of the person ends. */
export async function changePassword(
  actor: Actor,
  input: { currentPassword: string; newPassword: string },
  currentSessionId: string | null,
) {
  if (!actor.id) throw new ForbiddenError();
  const u = await User.findById(actor.id).select("+passwordHash").lean();
  if (!u) throw new NotFoundError();
  if (!(await verify(u.passwordHash, input.currentPassword).catch(() => false))) {
    throw new ValidationError({ currentPassword: ["profile.errors.currentPasswordWrong"] });
  }
  const passwordHash = await hashPassword(input.newPassword);
  await withTransaction(async (session) => {
    await User.updateOne({ _id: u._id }, { $set: { passwordHash } }, { session });
    await AccountToken.updateMany(
      { user: u._id, purpose: "password-reset", usedAt: null },
      { $set: { revokedAt: new Date() } },
      { session },
    );
    await recordAudit(session, { subjectType: "user", subject: u._id, action: "passwordChanged", actor, via: "ui" });
  });
  return { endedSessions: await endUserSessions(String(u._id), currentSessionId) };
}

/**
 * "忘记密码": mails a reset link to the address when an active account has it. The caller answers
 * the same whether or not it does (the throttle is the edge's).
 */
export async function requestPasswordReset(email: string): Promise<void> {
  const u = await User.findOne({ email: email.toLowerCase(), disabled: { $ne: true } })
    .select("email name locale")
    .lean();
  if (!u) return;
  const { token, tokenHash } = newToken();
  await withTransaction(async (session) => {
    // Only the newest link works.
    await AccountToken.updateMany(
      { user: u._id, purpose: "password-reset", usedAt: null, revokedAt: null },
      { $set: { revokedAt: new Date() } },
      { session },
    );
    await AccountToken.create(
      [{ purpose: "password-reset", tokenHash, user: u._id, expiresAt: new Date(Date.now() + PASSWORD_RESET_TTL_MS) }],
      { session },
    );
    await queueAccountMail(session, u, "passwordReset", { minutes: String(PASSWORD_RESET_TTL_MS / 60_000) }, `/reset-password/${token}`);
    await recordAudit(session, { subjectType: "user", subject: u._id, action: "passwordResetRequested", actor: null, via: "ui" });
  });
}

const openReset = (tokenHash: string) => ({
  purpose: "password-reset" as const,
  tokenHash,
  usedAt: null,
  revokedAt: null,
  expiresAt: { $gt: new Date() },
});

/** Whether a reset link still works (the page shows the form, or says the link expired). */
export async function passwordResetIsOpen(token: string): Promise<boolean> {
  return !!(await AccountToken.exists(openReset(hashToken(token))));
}

/** Sets a new password through a reset link, once; every session of the person ends. */
export async function resetPassword(token: string, newPassword: string): Promise<void> {
  const passwordHash = await hashPassword(newPassword);
  const userId = await withTransaction(async (session) => {
    const t = await AccountToken.findOneAndUpdate(openReset(hashToken(token)), { $set: { usedAt: new Date() } }, { session }).lean();
    if (!t?.user) throw new ValidationError({ "": ["passwordReset.errors.linkInvalid"] });
    const u = await User.findOneAndUpdate({ _id: t.user, disabled: { $ne: true } }, { $set: { passwordHash } }, { session })
      .select("name roles")
      .lean();
    if (!u) throw new ValidationError({ "": ["passwordReset.errors.linkInvalid"] });
    await recordAudit(session, {
      subjectType: "user",
      subject: u._id,
      action: "passwordReset",
      actor: { id: String(u._id), name: u.name, roles: [] },
      via: "ui",
    });
    return String(u._id);
  });
  await endUserSessions(userId);
}

/** A new address is confirmed within a day, by the link mailed to it. */
export const EMAIL_CHANGE_TTL_MS = 24 * 3_600_000;

/**
 * Starts changing the account's email: the current password is required, and the new address
 * receives a link that makes the change (so nobody can move an account to an address they do not
 * read). The account keeps its old address until then.
 */
export async function requestEmailChange(actor: Actor, input: { newEmail: string; currentPassword: string }): Promise<void> {
  if (!actor.id) throw new ForbiddenError();
  const u = await User.findById(actor.id).select("+passwordHash email name locale").lean();
  if (!u) throw new NotFoundError();
  if (!(await verify(u.passwordHash, input.currentPassword).catch(() => false))) {
    throw new ValidationError({ currentPassword: ["profile.errors.currentPasswordWrong"] });
  }
  const email = input.newEmail.toLowerCase();
  if (email === u.email) throw new ValidationError({ newEmail: ["profile.errors.sameEmail"] });
  if (await User.exists({ email })) throw new ValidationError({ newEmail: ["errors.emailTaken"] });
  const { token, tokenHash } = newToken();
  await withTransaction(async (session) => {
    await AccountToken.updateMany(
      { user: u._id, purpose: "email-change", usedAt: null, revokedAt: null },
      { $set: { revokedAt: new Date() } },
      { session },
    );
    await AccountToken.create(
      [{ purpose: "email-change", tokenHash, user: u._id, email, expiresAt: new Date(Date.now() + EMAIL_CHANGE_TTL_MS) }],
      { session },
    );
    await queueAccountMail(session, { email, name: u.name, locale: u.locale }, "emailChange", { email }, `/confirm-email/${token}`);
    await recordAudit(session, { subjectType: "user", subject: u._id, action: "emailChangeRequested", to: email, actor, via: "ui" });
  });
}

const openEmailChange = (tokenHash: string) => ({
  purpose: "email-change" as const,
  tokenHash,
  usedAt: null,
  revokedAt: null,
  expiresAt: { $gt: new Date() },
});

/** The new address a confirmation link would set, or null when the link no longer works. */
export async function emailChangeFor(token: string): Promise<string | null> {
  const t = await AccountToken.findOne(openEmailChange(hashToken(token)))
    .select("email")
    .lean();
  return t?.email ?? null;
}

/** Confirms a new address through its link, once: the account's email becomes it. */
export async function confirmEmailChange(token: string): Promise<{ userId: string; email: string }> {
  try {
    return await withTransaction(async (session) => {
      const t = await AccountToken.findOneAndUpdate(
        openEmailChange(hashToken(token)),
        { $set: { usedAt: new Date() } },
        { session },
      ).lean();
      if (!t?.user || !t.email) throw new ValidationError({ "": ["profile.errors.emailLinkInvalid"] });
      const before = await User.findOneAndUpdate({ _id: t.user, disabled: { $ne: true } }, { $set: { email: t.email } }, { session })
        .select("email name roles")
        .lean();
      if (!before) throw new ValidationError({ "": ["profile.errors.emailLinkInvalid"] });
      await recordAudit(session, {
        subjectType: "user",
        subject: before._id,
        action: "emailChanged",
        from: before.email,
        to: t.email,
        actor: { id: String(before._id), name: before.name, roles: [] },
        via: "ui",
      });
      return { userId: String(before._id), email: t.email };
    });
  } catch (e) {
    // Someone registered the address since the link was sent.
    if (isDuplicateKey(e, "email")) throw new ValidationError({ "": ["errors.emailTaken"] });
    throw e;
  }
}
