import type { ClientSession, Types } from "mongoose";
import type { i18n } from "i18next";
import { Achievement } from "~/models/achievement.server.ts";
import { Demand } from "~/models/demand.server.ts";
import { User } from "~/models/user.server.ts";
import type { Role } from "~/utils/permissions.ts";
import { publicUrl } from "~/utils/env.server.ts";
import { createI18n, DEFAULT_LOCALE, isLocale, type Locale } from "~/utils/i18n.ts";
import { oid } from "../kernel/ids.server.ts";
import { canView } from "../listings/access.ts";
import { composeMail } from "../mail/compose.ts";
import { queueMail, type MailInput } from "../mail/outbox.server.ts";
import { mailCategoryOf, mailPreferencesOf } from "./mail-preferences.ts";

/**
 * Every notification also goes by email to its recipient (in the same transaction, so a
 * rolled-back event sends nothing), in the recipient's language, with the sentence the inbox
 * shows and a link to what it is about — unless the recipient turned that kind off
 * (mail-preferences.ts) or is disabled.
 */

const translators = new Map<Locale, i18n>();
function translatorFor(locale: unknown): i18n {
  const lng = isLocale(locale) ? locale : DEFAULT_LOCALE;
  let t = translators.get(lng);
  if (!t) translators.set(lng, (t = createI18n(lng)));
  return t;
}

/** The page of a listing. */
export const listingPath = (ref: { kind: string; id: string | Types.ObjectId }) =>
  `/${ref.kind === "demand" ? "demands" : "achievements"}/${String(ref.id)}`;

type ListingRef = { kind: "achievement" | "demand" | "organization"; id: string | Types.ObjectId; title: string };

/** What mail needs of a notification (MailableNotification in notify.server.ts). */
export interface MailableNotification {
  user: string | Types.ObjectId;
  type: string;
  subject: ListingRef;
  counterpart?: ListingRef;
  link?: string;
  params?: Record<string, string>;
}

interface Recipient {
  _id: Types.ObjectId;
  email: string;
  name: string;
  locale?: string | null;
  roles: Role[];
  organization?: Types.ObjectId | null;
  mailNotifications?: Record<string, boolean | null> | null;
}

/** The notification's sentence in the recipient's language (the inbox renders the same key). */
export function notificationSentence(t: i18n["t"], n: Pick<MailableNotification, "type" | "subject" | "counterpart" | "params">): string {
  return t(`notifications.types.${n.type}`, { ...n.params, subject: n.subject.title, counterpart: n.counterpart?.title ?? "" });
}

export async function mailNotifications(session: ClientSession | null, items: readonly MailableNotification[]): Promise<void> {
  const ids = [...new Set(items.map((n) => String(n.user)))];
  const users = (await User.find(
    { _id: { $in: ids.map((id) => oid(id)) }, disabled: { $ne: true } },
    { email: 1, name: 1, locale: 1, roles: 1, organization: 1, mailNotifications: 1 },
  )
    .session(session)
    .lean()) as unknown as Recipient[];
  const byId = new Map(users.map((u) => [String(u._id), u]));
  const wanted = items.filter((n) => {
    const u = byId.get(String(n.user));
    // Organisation membership (join requests and their answers) is always mailed: no setting covers it.
    return !!u?.email && (n.type.startsWith("org.") || mailPreferencesOf(u.mailNotifications)[mailCategoryOf(n.type)]);
  });
  if (!wanted.length) return;
  const hidden = await hiddenTargets(session, wanted, byId);
  const base = publicUrl();
  const mails: MailInput[] = wanted.map((n, i) => {
    const u = byId.get(String(n.user))!;
    const tr = translatorFor(u.locale);
    const t = tr.t;
    const sentence = notificationSentence(t, n);
    // A listing the recipient can no longer open (withdrawn, returned) would be a 404: the inbox instead.
    const path = n.link ?? (hidden.has(i) ? "/notifications" : listingPath(n.counterpart ?? n.subject));
    const subjectKey = `notifications.mail.subjects.${n.type}`;
    const subject = tr.exists(subjectKey)
      ? t(subjectKey, { ...n.params, subject: n.subject.title, counterpart: n.counterpart?.title ?? "" })
      : clip(sentence, 80);
    const body = composeMail({
      greeting: t("notifications.mail.greeting", { name: u.name }),
      paragraphs: [sentence],
      action: { label: t("notifications.mail.open"), url: `${base}${path}` },
      footer: t("notifications.mail.footer", { site: t("app.title"), settings: `${base}/notifications#mail-settings` }),
    });
    return {
      to: u.email,
      subject,
      kind: `notification:${n.type}`,
      ...body,
    };
  });
  await queueMail(session, mails);
}

const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/** The indexes of the items whose listing (no explicit link) its recipient may not open any more. */
async function hiddenTargets(
  session: ClientSession | null,
  items: readonly MailableNotification[],
  users: Map<string, Recipient>,
): Promise<Set<number>> {
  const out = new Set<number>();
  const targets = items.map((n) => (n.link ? null : (n.counterpart ?? n.subject)));
  for (const kind of ["achievement", "demand"] as const) {
    const wanted = [...new Set(targets.filter((r) => r?.kind === kind).map((r) => String(r!.id)))];
    if (!wanted.length) continue;
    const Model = (kind === "achievement" ? Achievement : Demand) as unknown as typeof Achievement;
    const rows = (await Model.find({ _id: { $in: wanted.map((id) => oid(id)) } }, { status: 1, owner: 1, enterprise: 1, createdBy: 1 })
      .session(session)
      .lean()) as unknown as {
      _id: Types.ObjectId;
      status: string;
      createdBy?: Types.ObjectId;
      owner?: Types.ObjectId;
      enterprise?: Types.ObjectId;
    }[];
    const byId = new Map(rows.map((r) => [String(r._id), r]));
    targets.forEach((ref, i) => {
      if (ref?.kind !== kind) return;
      const row = byId.get(String(ref.id));
      const u = users.get(String(items[i]!.user))!;
      const actor = {
        id: String(u._id),
        name: u.name,
        roles: u.roles ?? [],
        organization: u.organization ? { id: String(u.organization) } : null,
      };
      if (!row || !canView(actor, row)) out.add(i);
    });
  }
  return out;
}
