import { json, redirect, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData, useSearchParams } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { AuthenticityTokenInput } from "remix-utils/csrf/react";
import { z } from "zod";
import { GeneralErrorBoundary } from "~/components/error-boundary.tsx";
import { Pagination } from "~/components/listing/pagination.tsx";
import { scorePercent } from "~/components/matching/reason-text.ts";
import matchingStyles from "~/components/matching/matching.css";
import { listNotifications, markAllNotificationsRead, markNotificationRead } from "~/services/matching.server.ts";
import { NotFoundError } from "~/utils/errors.ts";
import listingStyles from "~/styles/listings.css";
import { formatDateTime } from "~/utils/china-time.ts";
import { requireUser } from "~/web/auth.server.ts";
import { readVerifiedForm } from "~/web/forms.server.ts";
import { pageTitle, requestT } from "~/web/meta.server.ts";

/** 消息: the user's in-app notifications (new matches), newest first, with "全部标为已读". */

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: listingStyles },
  { rel: "stylesheet", href: matchingStyles },
];

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.pageTitle ?? "消息 · 成果" }];

const PageQuerySchema = z.object({ page: z.coerce.number().int().min(1).max(100_000).catch(1) });

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const { page } = PageQuerySchema.parse({ page: new URL(request.url).searchParams.get("page") ?? undefined });
  const list = await listNotifications(user.id, { page });
  const t = requestT(request);
  return json({ ...list, pageTitle: pageTitle(t, t("notifications.title")) });
}

const IntentSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("markAllRead") }),
  z.object({ intent: z.literal("markRead"), id: z.string().min(1).max(64) }),
]);

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const form = await readVerifiedForm(request);
  const parsed = IntentSchema.safeParse(Object.fromEntries([...form].filter(([, v]) => typeof v === "string")));
  if (!parsed.success) return json({ ok: false as const }, { status: 400 });
  const url = new URL(request.url);
  const next = new URLSearchParams();
  const page = url.searchParams.get("page");
  if (page) next.set("page", page);
  if (parsed.data.intent === "markAllRead") {
    await markAllNotificationsRead(user.id);
    next.set("done", "allRead");
  } else {
    try {
      await markNotificationRead(user.id, parsed.data.id);
    } catch (e) {
      if (e instanceof NotFoundError) throw new Response("Not Found", { status: 404 });
      throw e;
    }
    next.set("done", "read");
  }
  // Post/Redirect/Get, so a reload does not post again.
  return redirect(`/notifications?${next}`);
}

const hrefOf = (ref: { kind: string; id: string }) => `/${ref.kind === "demand" ? "demands" : "achievements"}/${ref.id}`;

export default function NotificationsPage() {
  const data = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  const [params] = useSearchParams();
  const done = params.get("done");
  const pageSuffix = data.page > 1 ? `?page=${data.page}` : "";
  return (
    <div className="notifications" data-testid="notifications">
      <h1>{t("notifications.title")}</h1>
      <p className="muted">{t("notifications.intro")}</p>
      {done === "allRead" ? (
        <p className="notice" role="status">
          {t("notifications.markedAllRead")}
        </p>
      ) : null}
      {done === "read" ? (
        <p className="notice" role="status">
          {t("notifications.markedRead")}
        </p>
      ) : null}
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
                <p className="notification__text">
                  {n.read ? null : <span className="badge badge--featured">{t("notifications.new")}</span>}
                  <Link to={n.link ?? hrefOf(n.counterpart ?? n.subject)}>
                    {t(`notifications.types.${n.type}`, { ...n.params, subject: n.subject.title, counterpart: n.counterpart?.title ?? "" })}
                  </Link>
                </p>
                <p className="notification__meta">
                  <time dateTime={n.createdAt}>{formatDateTime(n.createdAt)}</time>
                  {n.score != null ? <span>{t("notifications.score", { percent: scorePercent(n.score) })}</span> : null}
                  <Link to={hrefOf(n.subject)}>{t("notifications.viewOwn")}</Link>
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
    </div>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
