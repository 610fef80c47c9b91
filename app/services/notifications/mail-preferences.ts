import type { NotificationType } from "~/models/notification.server.ts";

/**
 * Which notifications also come by email, by kind (docs/decisions: notifications by email): the
 * listing workflow and trading by default — they ask something of the reader or change what they
 * own — matches only when the reader asks for them (a new listing can match ten others at once).
 */
export const MAIL_CATEGORIES = ["listings", "trading", "matches"] as const;
export type MailCategory = (typeof MAIL_CATEGORIES)[number];
export type MailPreferences = Record<MailCategory, boolean>;

export const DEFAULT_MAIL_PREFERENCES: MailPreferences = { listings: true, trading: true, matches: false };

/** A notification type's category; anything not a match or trading is about a listing's workflow. */
export function mailCategoryOf(type: NotificationType | string): MailCategory {
  if (type.startsWith("match.")) return "matches";
  if (/^(offer|deal|auction|room|contract|stage|royalty|buyRequest|registration)\./.test(type)) return "trading";
  return "listings";
}

/** What is stored on the user (unset fields: the default). */
export function mailPreferencesOf(stored: Partial<Record<MailCategory, boolean | null>> | null | undefined): MailPreferences {
  const out = { ...DEFAULT_MAIL_PREFERENCES };
  for (const c of MAIL_CATEGORIES) {
    const v = stored?.[c];
    if (typeof v === "boolean") out[c] = v;
  }
  return out;
}
