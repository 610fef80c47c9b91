import { User } from "~/models/user.server.ts";
import { NotFoundError } from "~/utils/errors.ts";
import { parseId } from "../kernel/ids.server.ts";
import { MAIL_CATEGORIES, mailPreferencesOf, type MailPreferences } from "../notifications/mail-preferences.ts";

/** A user's choice of which notifications also come by email (stored on the user; unset = the default). */
export async function getMailPreferences(userId: string): Promise<MailPreferences> {
  const u = await User.findById(parseId(userId), { mailNotifications: 1 }).lean();
  if (!u) throw new NotFoundError();
  return mailPreferencesOf(u.mailNotifications as Partial<MailPreferences> | undefined);
}

export async function setMailPreferences(userId: string, prefs: MailPreferences): Promise<void> {
  const set = Object.fromEntries(MAIL_CATEGORIES.map((c) => [`mailNotifications.${c}`, prefs[c]]));
  const res = await User.updateOne({ _id: parseId(userId) }, { $set: set });
  if (res.matchedCount === 0) throw new NotFoundError();
}
