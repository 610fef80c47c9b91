import { User } from "~/models/user.server.ts";
import type { Locale } from "~/utils/i18n.ts";
import { parseId } from "../kernel/ids.server.ts";

/**
 * The language a signed-in person last chose (语言 in the header): the one their emails are
 * written in (notifications/mail.server.ts), since a mail has no cookie to read.
 */
export async function setPreferredLocale(userId: string, locale: Locale): Promise<void> {
  await User.updateOne({ _id: parseId(userId) }, { $set: { locale } });
}
