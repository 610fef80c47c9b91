import { json, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { GeneralErrorBoundary } from "~/components/error-boundary.tsx";
import { SideBadge } from "~/components/rooms/room-parts.tsx";
import roomStyles from "~/components/rooms/rooms.css";
import { listMyRooms } from "~/services/rooms/queries.server.ts";
import listingStyles from "~/styles/listings.css";
import { formatDateTime } from "~/utils/china-time.ts";
import { requireUser } from "~/web/auth.server.ts";
import { pageTitle, requestT } from "~/web/meta.server.ts";

/** 我的洽谈: the rooms one is in (as buyer, on the seller side, or as an invited broker), newest activity first. */

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: listingStyles },
  { rel: "stylesheet", href: roomStyles },
];

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.pageTitle ?? "我的洽谈 · 成果" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const rooms = await listMyRooms(user);
  const t = requestT(request);
  return json({ rooms, pageTitle: pageTitle(t, t("rooms.list.title")) });
}

export default function RoomsPage() {
  const { rooms } = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  return (
    <div className="rooms-page" data-testid="rooms">
      <h1>{t("rooms.list.title")}</h1>
      <p className="muted">{t("rooms.list.intro")}</p>
      {rooms.length === 0 ? (
        <p className="empty-state" data-testid="rooms-empty">
          {t("rooms.list.empty")}
        </p>
      ) : (
        <div className="table-wrap">
          <table className="room-table">
            <thead>
              <tr>
                <th scope="col">{t("rooms.list.listing")}</th>
                <th scope="col">{t("rooms.list.counterpart")}</th>
                <th scope="col">{t("rooms.list.mySide")}</th>
                <th scope="col">{t("rooms.list.lastActivity")}</th>
                <th scope="col">{t("rooms.list.unread")}</th>
              </tr>
            </thead>
            <tbody>
              {rooms.map((r) => (
                <tr key={r.id} className={r.unread > 0 ? "room-row--unread" : undefined} data-testid="room-row" data-room-id={r.id}>
                  <td>
                    <Link to={`/rooms/${r.id}#latest`} data-testid="room-link">
                      {r.listing.title}
                    </Link>
                    {r.dealId ? <span className="muted"> · {t("rooms.list.dealMade")}</span> : null}
                  </td>
                  <td>{r.counterpart}</td>
                  <td>
                    <SideBadge side={r.mySide} />
                  </td>
                  <td>
                    {r.lastMessageAt ? (
                      <time dateTime={r.lastMessageAt}>{formatDateTime(r.lastMessageAt)}</time>
                    ) : (
                      t("rooms.list.noActivity")
                    )}
                  </td>
                  <td>
                    {r.unread > 0 ? (
                      <span className="room-unread" data-testid="room-unread" aria-label={t("rooms.list.unreadCount", { count: r.unread })}>
                        {r.unread > 99 ? "99+" : r.unread}
                      </span>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
