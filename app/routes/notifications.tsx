import { parseWithZod } from "@conform-to/zod";
import { json, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { AuthenticityTokenInput } from "remix-utils/csrf/react";
import { z } from "zod";
import { GeneralErrorBoundary } from "~/components/error-boundary.tsx";
import { Pagination } from "~/components/listing/pagination.tsx";
import matchingStyles from "~/components/matching/matching.css";
import { listingHref, NotificationText } from "~/components/matching/notification-text.tsx";
import { DoneNotice } from "~/components/ui/done-notice.tsx";
import { getMailPreferences, setMailPreferences } from "~/services/accounts/mail-preferences.server.ts";
import { listNotifications, markAllNotificationsRead, markNotificationRead } from "~/services/notifications/inbox.server.ts";
import { MAIL_CATEGORIES } from "~/services/notifications/mail-preferences.ts";
import listingStyles from "~/styles/listings.css";
import { formatDateTime } from "~/utils/china-time.ts";
import { scorePercent } from "~/utils/match-reasons.ts";
import { intentAction, invalid, loadOrThrow, redirectDone } from "~/web/actions.server.ts";
import { requireUser } from "~/web/auth.server.ts";
import { formValues, readVerifiedForm } from "~/web/forms.server.ts";
import { pageTitle, requestT } from "~/web/meta.server.ts";

/**
 * 消息: the user's in-app notifications (workflow, trading, matches), newest first, with
 * "全部标为已读", and which of them also come by email (邮件通知).
 */

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: listingStyles },
  { rel: "stylesheet", href: matchingStyles },
];

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.pageTitle ?? "消息 · 成果" }];

const PageQuerySchema = z.object({ page: z.coerce.number().int().min(1).max(100_000).catch(1) });

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const { page } = PageQuerySchema.parse({ page: new URL(request.url).searchParams.get("page") ?? undefined });
  const [list, mail] = await Promise.all([
    loadOrThrow(listNotifications(user.id, { page, actor: user })),
    loadOrThrow(getMailPreferences(user.id)),
  ]);
  const t = requestT(request);
  return json({ ...list, mail, email: user.email, pageTitle: pageTitle(t, t("notifications.title")) });
}

const MarkReadSchema = z.object({ id: z.string().min(1).max(64) });
/** Checkboxes: a ticked one is sent as "on", an unticked one not at all. */
const checkbox = z.preprocess((v) => v === "on" || v === "true", z.boolean());
const MailPreferencesSchema = z.object({ listings: checkbox, trading: checkbox, matches: checkbox });

/**
 * Three forms: 全部标为已读, 标为已读 on each unread notification (someone else's id → 404), and
 * the email settings.
 */
export async function action({ request }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const form = await readVerifiedForm(request);
  // Post/Redirect/Get back to the same page, so a reload does not post again.
  const keep = new URLSearchParams();
  const page = new URL(request.url).searchParams.get("page");
  if (page) keep.set("page", page);
  return intentAction(formValues(form), {
    markAllRead: async () => {
      await markAllNotificationsRead(user.id);
      return redirectDone("/notifications", "allRead", { keep });
    },
    markRead: async () => {
      const submission = parseWithZod(form, { schema: MarkReadSchema });
      if (submission.status !== "success") return invalid(submission, { intent: "markRead" });
      await markNotificationRead(user.id, submission.value.id);
      return redirectDone("/notifications", "read", { keep });
    },
    mailPreferences: async () => {
      const submission = parseWithZod(form, { schema: MailPreferencesSchema });
      if (submission.status !== "success") return invalid(submission, { intent: "mailPreferences" });
      await setMailPreferences(user.id, submission.value);
      return redirectDone("/notifications", "mailSaved", { keep, hash: "mail-settings" });
    },
  });
}

export default function NotificationsPage() {
  const data = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  const pageSuffix = data.page > 1 ? `?page=${data.page}` : "";
  return (
    <div className="notifications" data-testid="notifications">
      <h1>{t("notifications.title")}</h1>
      <p className="muted">{t("notifications.intro")}</p>
      <DoneNotice ns="notifications" />
      <div className="notifications-toolbar">
        <strong data-testid="unread-count">
          {data.unread > 0 ? t("notifications.unread", { count: data.unread }) : t("notifications.allReadNote")}
        </strong>
        {data.unread > 0 ? (
          <Form method="post" action={`/notifications${pageSuffix}`}>
            <AuthenticityTokenInput />
            <button type="submit" name="intent" value="markAllRead" className="button button--ghost">
              {t("notifications.markAllRead")}
            </button>
          </Form>
        ) : null}
      </div>
      {data.items.length === 0 ? (
        <p className="empty-state">{t("notifications.empty")}</p>
      ) : (
        <ol className="notification-list">
          {data.items.map((n) => (
            <li key={n.id} className={`notification${n.read ? "" : " notification--unread"}`} data-testid="notification">
              <div>
                <NotificationText n={n} />
                <p className="notification__meta">
                  <time dateTime={n.createdAt}>{formatDateTime(n.createdAt)}</time>
                  {n.score != null ? <span>{t("notifications.score", { percent: scorePercent(n.score) })}</span> : null}
                  {n.own ? <Link to={listingHref(n.subject)}>{t("notifications.viewOwn")}</Link> : null}
                </p>
              </div>
              {n.read ? null : (
                <Form method="post" action={`/notifications${pageSuffix}`}>
                  <AuthenticityTokenInput />
                  <input type="hidden" name="id" value={n.id} />
                  <button type="submit" name="intent" value="markRead" className="button button--ghost">
                    {t("notifications.markRead")}
                  </button>
                </Form>
              )}
            </li>
          ))}
        </ol>
      )}
      <Pagination page={data.page} pages={data.pages} />
      <section className="notification-mail" id="mail-settings" aria-labelledby="mail-settings-title">
        <h2 id="mail-settings-title">{t("notifications.mailSettings.title")}</h2>
        <Form method="post" action={`/notifications${pageSuffix}`} data-testid="mail-settings">
          <AuthenticityTokenInput />
          <fieldset>
            <legend>{t("notifications.mailSettings.intro", { email: data.email })}</legend>
            {MAIL_CATEGORIES.map((c) => (
              <div className="field field--checkbox" key={c}>
                <label>
                  <input type="checkbox" name={c} value="on" defaultChecked={data.mail[c]} /> {t(`notifications.mailSettings.${c}`)}
                </label>
              </div>
            ))}
          </fieldset>
          <button type="submit" name="intent" value="mailPreferences" className="button">
            {t("notifications.mailSettings.save")}
          </button>
        </Form>
      </section>
    </div>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
