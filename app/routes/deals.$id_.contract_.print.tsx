import { json, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { SignatureList } from "~/components/contract/contract-parts.tsx";
import contractStyles from "~/components/contract/contract.css";
import { GeneralErrorBoundary } from "~/components/error-boundary.tsx";
import { cjkFontAvailable } from "~/services/contracts/pdf.server.ts";
import { getContractPage } from "~/services/contracts/queries.server.ts";
import { NotFoundError } from "~/utils/errors.ts";
import { formatYuan } from "~/utils/money.ts";
import { requireUser } from "~/web/auth.server.ts";
import { errorResponse } from "~/web/actions.server.ts";
import { pageTitle, requestT } from "~/web/meta.server.ts";

/** The printable contract (issue 14): the full text, its SHA-256 and both signatures; the print stylesheet hides the site's chrome. */

export const links: LinksFunction = () => [{ rel: "stylesheet", href: contractStyles }];

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.pageTitle ?? "技术合同 · 成果" }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  let page: Awaited<ReturnType<typeof getContractPage>>;
  try {
    page = await getContractPage(user, params.id ?? "");
    if (!page.contract) throw new NotFoundError();
  } catch (e) {
    throw errorResponse(e);
  }
  const t = requestT(request);
  return json({
    page,
    contract: page.contract,
    pdfAvailable: cjkFontAvailable(),
    pageTitle: pageTitle(t, t("contracts.title"), page.listing.title),
  });
}

export default function ContractPrint() {
  const { page, contract: c, pdfAvailable } = useLoaderData<typeof loader>();
  const { t, i18n } = useTranslation();
  return (
    <article className="contract-print" data-testid="contract-print">
      <p className="contract-actions">
        <Link to={`/deals/${page.dealId}/contract`}>{t("contracts.view")}</Link>
        {pdfAvailable ? (
          <a href={`/deals/${page.dealId}/contract.pdf`} data-testid="contract-pdf-link">
            {t(c.status === "signed" ? "contractPdf.link" : "contractPdf.linkDraft")}
          </a>
        ) : (
          <span data-testid="contract-pdf-missing">{t("contractPdf.fontMissing")}</span>
        )}
      </p>
      <p data-testid="contract-status">
        {t("contracts.status")}：{t(`contracts.statuses.${c.status}`)} · {t("contracts.version", { n: c.version })} ·{" "}
        {t("contracts.contractAmount")}：{formatYuan(c.contractAmount, i18n.language)}
      </p>
      <pre className="contract-text" data-testid="contract-text">
        {c.text}
      </pre>
      <p className="contract-hash" data-testid="contract-hash">
        {t("contracts.hash")}: {c.textHash}
      </p>
      <h2>{t("contracts.signatures")}</h2>
      <SignatureList signatures={c.signatures} voided={[]} />
      {c.distribution.length ? (
        <>
          <h2>{t("contracts.distribution")}</h2>
          <ul>
            {c.distribution.map((d) => (
              <li key={d.name}>
                {d.name}：{d.percent}%
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </article>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
