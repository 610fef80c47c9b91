import { json, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { ChangeHistory, StateBadge, TaxBenefits } from "~/components/registration/certificate-parts.tsx";
import certificateStyles from "~/components/registration/certificate.css";
import contractStyles from "~/components/contract/contract.css";
import { GeneralErrorBoundary } from "~/components/error-boundary.tsx";
import tradingStyles from "~/components/trading/trading.css";
import { DoneNotice } from "~/components/ui/done-notice.tsx";
import { cjkFontAvailable } from "~/services/contracts/pdf.server.ts";
import { getCertificate } from "~/services/registration/certificate.server.ts";
import listingStyles from "~/styles/listings.css";
import { formatYuan } from "~/utils/money.ts";
import { can } from "~/utils/permissions.ts";
import { requireUser } from "~/web/auth.server.ts";
import { loadOrThrow } from "~/web/actions.server.ts";
import { pageTitle, requestT } from "~/web/meta.server.ts";

/**
 * GET /registrations/:id/certificate — 技术合同登记证明 (issue 15, point 3): the number, the
 * contract, both parties with their codes, dates, amounts in figures and 大写, the registration
 * point, date and registrar, the contract's hash, the QR code of the public verification page, the
 * tax benefits it may qualify for (point 4) and its changes. The applicant, both parties'
 * organisations, the bureau and admins; anyone else 404.
 */

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: listingStyles },
  { rel: "stylesheet", href: tradingStyles },
  { rel: "stylesheet", href: contractStyles },
  { rel: "stylesheet", href: certificateStyles },
];

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.pageTitle ?? "技术合同登记证明 · 成果" }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const cert = await loadOrThrow(getCertificate(user, params.id ?? ""));
  const t = requestT(request);
  return json({
    cert,
    pdfAvailable: cjkFontAvailable(),
    canChange: can(user, "contract:register"),
    pageTitle: pageTitle(t, t("registrationCertificate.title"), cert.groupedNumber),
  });
}

export default function CertificatePage() {
  const { cert: c, pdfAvailable, canChange } = useLoaderData<typeof loader>();
  const { t, i18n } = useTranslation();
  const k = (key: string) => `registrationCertificate.${key}`;
  const money = (fen: number) => formatYuan(fen, i18n.language);
  const stateAt = c.state === "cancelled" ? c.cancelledAt : c.changedAt;
  return (
    <div className="trading-page" data-testid="certificate-page">
      <h1>{t(k("title"))}</h1>
      <DoneNotice ns="registrationChanges" />
      <p>
        {t(k("number"))}：
        <strong className="certificate__number" data-testid="certificate-number">
          {c.groupedNumber}
        </strong>{" "}
        <StateBadge state={c.state} />
      </p>
      {c.state !== "registered" ? <p className="notice">{t(k(`stateLine.${c.state}`), { at: stateAt })}</p> : null}
      <p className="contract-actions">
        {pdfAvailable ? (
          <a className="button button--ghost" href={`/registrations/${c.id}/certificate.pdf`} data-testid="certificate-pdf-link">
            {t(k("pdf"))}
          </a>
        ) : (
          <span className="notice">{t("contractPdf.fontMissing")}</span>
        )}
        {canChange && c.state !== "cancelled" ? (
          <Link className="button button--ghost" to={`/registrations/${c.id}/changes`} data-testid="certificate-changes-link">
            {t(k("changes"))}
          </Link>
        ) : null}
      </p>

      <dl className="facts" data-testid="certificate-facts">
        <Row label={t(k("projectName"))}>{c.projectName}</Row>
        <Row label={t(k("category"))}>
          {t(`contracts.categories.${c.category}`)} · {t(`contracts.subCategories.${c.category}.${c.subCategory}`)}
        </Row>
        {(["seller", "buyer"] as const).map((side) => (
          <Row key={side} label={t(k(side))}>
            <span data-testid={`certificate-${side}`}>
              {c[side].name}
              <span className="certificate__words">
                {t(k("creditCode"))}：{c[side].creditCode ?? "—"} · {t(k("region"))}：{c[side].region} · {t(k("entityType"))}：
                {c[side].entityType} {c[side].entityTypeLabel}
              </span>
            </span>
          </Row>
        ))}
        <Row label={t(k("signedOn"))}>{c.signedOn}</Row>
        <Row label={t(k("validity"))}>{t(k("validityRange"), { from: c.validFrom, to: c.validTo })}</Row>
        <Row label={t(k("contractAmount"))}>
          {money(c.contractAmount)}
          <span className="certificate__words">{t(k("inWords"), { words: c.contractAmountWords })}</span>
        </Row>
        <Row label={t(k("technologyAmount"))}>
          {money(c.technologyAmount)}
          <span className="certificate__words">{t(k("inWords"), { words: c.technologyAmountWords })}</span>
        </Row>
        {c.nonTechItems.map((i) => (
          <Row key={i.label} label={i.label}>
            {money(i.amount)}
          </Row>
        ))}
        <Row label={t(k("point"))}>
          {c.point.name}（{c.point.code}）
        </Row>
        <Row label={t(k("registeredAt"))}>{c.registeredAt}</Row>
        <Row label={t(k("registrar"))}>{c.registrar}</Row>
        <Row label={t(k("hash"))}>
          <span className="contract-hash" data-testid="certificate-hash">
            {c.contractHash ?? t(k("hashNone"))}
          </span>
        </Row>
      </dl>

      <div className="certificate__qr">
        {/* The SVG is generated on the server from the verification address only (qrcode). */}
        <span role="img" aria-label={t(k("qr"))} dangerouslySetInnerHTML={{ __html: c.qrSvg }} data-testid="certificate-qr" />
        <div>
          <p>{t(k("qrHint"))}</p>
          <a className="certificate__url" href={c.verifyUrl} data-testid="certificate-verify-link">
            {c.verifyUrl}
          </a>
        </div>
      </div>

      <ChangeHistory history={c.history} />
      <TaxBenefits benefits={c.taxBenefits} />
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
