import { json, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { StateBadge } from "~/components/registration/certificate-parts.tsx";
import certificateStyles from "~/components/registration/certificate.css";
import { GeneralErrorBoundary } from "~/components/error-boundary.tsx";
import tradingStyles from "~/components/trading/trading.css";
import { verifyRegistration, type Verification } from "~/services/registration/verify.server.ts";
import listingStyles from "~/styles/listings.css";
import { NotFoundError, ValidationError } from "~/utils/errors.ts";
import { errorResponse } from "~/web/actions.server.ts";
import { pageTitle, requestT } from "~/web/meta.server.ts";

/**
 * GET /verify/:number — the public verification of a registration number (issue 15, points 3 and
 * 10), what a certificate's QR code opens. No login. Public facts only (services/registration/
 * verify.server.ts): never amounts, credit codes, people, files or notes. An unknown number is a
 * 404 page saying so, a malformed one a 400 page; both name what was asked for.
 */

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: listingStyles },
  { rel: "stylesheet", href: tradingStyles },
  { rel: "stylesheet", href: certificateStyles },
];

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data?.pageTitle ?? "技术合同登记核验 · 成果" },
  { name: "robots", content: "noindex" },
];

type Answer = { found: Verification; missing: null } | { found: null; missing: { number: string; malformed: boolean } };

export async function loader({ request, params }: LoaderFunctionArgs) {
  const t = requestT(request);
  const asked = (params.number ?? "").slice(0, 64);
  let answer: Answer;
  let status = 200;
  try {
    answer = { found: await verifyRegistration(asked), missing: null };
  } catch (e) {
    if (e instanceof ValidationError || e instanceof NotFoundError) {
      status = e instanceof ValidationError ? 400 : 404;
      answer = { found: null, missing: { number: asked, malformed: e instanceof ValidationError } };
    } else throw errorResponse(e);
  }
  return json(
    { ...answer, pageTitle: pageTitle(t, t("verify.title"), answer.found?.groupedNumber ?? null) },
    { status, headers: { "Cache-Control": "no-store" } },
  );
}

export default function VerifyPage() {
  const data = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  const k = (key: string) => `verify.${key}`;
  const v = data.found;
  return (
    <div className="trading-page" data-testid="verify-page">
      <h1>{t(k("title"))}</h1>
      <p className="muted">{t(k("intro"))}</p>
      {!v ? (
        <p className="notice" role="alert" data-testid="verify-not-found">
          {t(k(data.missing?.malformed ? "malformed" : "notFound"), { number: data.missing?.number ?? "" })}
        </p>
      ) : (
        <dl className="facts" data-testid="verify-facts">
          <Row label={t(k("status"))}>
            <StateBadge state={v.state} />
            {v.state === "changed" ? ` ${t(k("changedAt"))} ${v.changedAt}` : null}
            {v.state === "cancelled" ? ` ${t(k("cancelledAt"))} ${v.cancelledAt}` : null}
          </Row>
          <Row label={t(k("number"))}>
            <span className="certificate__number" data-testid="verify-number">
              {v.groupedNumber}
            </span>
          </Row>
          <Row label={t(k("projectName"))}>{v.projectName}</Row>
          <Row label={t(k("category"))}>
            {t(`contracts.categories.${v.category}`)} · {t(`contracts.subCategories.${v.category}.${v.subCategory}`)}
          </Row>
          <Row label={t(k("seller"))}>{v.seller.name}</Row>
          <Row label={t(k("buyer"))}>{v.buyer.name}</Row>
          <Row label={t(k("registeredAt"))}>{v.registeredAt}</Row>
          {v.changedAt ? <Row label={t(k("changedAt"))}>{v.changedAt}</Row> : null}
          {v.cancelledAt ? <Row label={t(k("cancelledAt"))}>{v.cancelledAt}</Row> : null}
          <Row label={t(k("point"))}>
            {v.point.name}（{v.point.code}）
          </Row>
          {v.hashPrefix ? (
            <Row label={t(k("hashPrefix"))}>
              <span className="contract-hash">{v.hashPrefix}…</span>
            </Row>
          ) : null}
        </dl>
      )}
    </div>
  );
}

function Row({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div className="facts__row">
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
