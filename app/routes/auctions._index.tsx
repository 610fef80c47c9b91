import { json, type LinksFunction, type SerializeFrom, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import styles from "~/components/auction/auction.css";
import { GeneralErrorBoundary } from "~/components/error-boundary.tsx";
import { formatYuan } from "~/utils/money.ts";
import listingStyles from "~/styles/listings.css";
import { formatDateTime } from "~/utils/china-time.ts";
import { pageTitle, requestT } from "~/web/meta.server.ts";
import { listAuctions } from "~/services/trading/auctions/queries.server.ts";

/** 竞价项目: running and upcoming auctions; ended ones apart, below, under their own heading. */
export const links: LinksFunction = () => [
  { rel: "stylesheet", href: listingStyles },
  { rel: "stylesheet", href: styles },
];
export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.pageTitle ?? "竞价 · 成果" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const { current: auctions, ended } = await listAuctions();
  const t = requestT(request);
  return json({ auctions, ended, pageTitle: pageTitle(t, t("auction.listTitle")) });
}

export default function AuctionsPage() {
  const { auctions, ended } = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  return (
    <div>
      <h1>{t("auction.listTitle")}</h1>
      <p className="muted">{t("auction.listIntro")}</p>
      {auctions.length === 0 ? (
        <p className="empty-state">{t("auction.listEmpty")}</p>
      ) : (
        <AuctionList auctions={auctions} testId="auction-list" />
      )}
      {ended.length ? (
        <section className="detail-section" aria-labelledby="ended-title">
          <h2 id="ended-title">{t("auction.listEnded")}</h2>
          <AuctionList auctions={ended} testId="auction-list-ended" heading="h3" />
        </section>
      ) : null}
    </div>
  );
}

function AuctionList({
  auctions,
  testId,
  heading: Heading = "h2",
}: {
  auctions: SerializeFrom<typeof loader>["auctions"];
  testId: string;
  /** The items' heading level: h3 under the 已结束 section's own heading. */
  heading?: "h2" | "h3";
}) {
  const { t, i18n } = useTranslation();
  return (
    <ul className="auction-list" data-testid={testId}>
      {auctions.map((a) => (
        <li key={a.id} data-testid="auction-item" data-id={a.id}>
          <Heading>
            <Link to={`/auctions/${a.id}`}>{a.listing.title}</Link>
          </Heading>
          <p className="auction__meta">
            <span className={`badge auction-phase auction-phase--${a.phase}`}>{t(`auction.phase.${a.phase}`)}</span>
            <span>{a.sellerName}</span>
            <span>
              {a.currentPrice == null ? t("auction.startPrice") : t("auction.currentPrice")}:{" "}
              <strong>{formatYuan(a.currentPrice ?? a.startPrice, i18n.language)}</strong>
            </span>
            <span>
              {t("auction.bidCount")}: {a.bidCount}
            </span>
            <span>
              {a.phase === "scheduled" ? t("auction.startsAt") : t("auction.endsAt")}:{" "}
              <time dateTime={a.phase === "scheduled" ? a.startsAt : a.currentEndsAt}>
                {formatDateTime(a.phase === "scheduled" ? a.startsAt : a.currentEndsAt)}
              </time>
            </span>
          </p>
        </li>
      ))}
    </ul>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
