import type { ClientSession } from "mongoose";
import { createI18n, isLocale, DEFAULT_LOCALE } from "~/utils/i18n.ts";
import { publicUrl } from "~/utils/env.server.ts";
import { composeMail } from "../mail/compose.ts";
import { queueMail } from "../mail/outbox.server.ts";

/**
 * The account module's own mails — those with no in-app notification (a password reset, an
 * invitation to an address that may have no account) — in the recipient's language. Join requests
 * and their answers are notifications, which notify() also mails.
 */
export type AccountMailKind = "passwordReset" | "invitation" | "emailChange";

export interface AccountMailRecipient {
  email: string;
  name?: string | null;
  locale?: string | null;
}

export async function queueAccountMail(
  session: ClientSession | null,
  to: AccountMailRecipient,
  kind: AccountMailKind,
  params: Record<string, string>,
  /** A path on the site ("/reset-password/…") the mail's link leads to. */
  path: string,
): Promise<void> {
  const locale = isLocale(to.locale) ? to.locale : DEFAULT_LOCALE;
  const t = createI18n(locale).t;
  const p = { ...params, name: to.name ?? "" };
  const body = composeMail({
    greeting: to.name ? t("accountMail.greeting", p) : t("accountMail.greetingAnonymous"),
    paragraphs: (t(`accountMail.${kind}.body`, { ...p, returnObjects: true }) as unknown as string[]).map(String),
    action: { label: t(`accountMail.${kind}.action`, p), url: `${publicUrl()}${path}` },
    footer: t("accountMail.footer"),
  });
  await queueMail(session, [{ to: to.email, subject: t(`accountMail.${kind}.subject`, p), kind: `account.${kind}`, ...body }]);
}
