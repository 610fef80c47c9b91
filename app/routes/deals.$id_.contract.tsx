import { json, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { AuthenticityTokenInput } from "remix-utils/csrf/react";
import { ContractFacts, DiffView, SignatureList } from "~/components/contract/contract-parts.tsx";
import contractStyles from "~/components/contract/contract.css";
import { GeneralErrorBoundary } from "~/components/error-boundary.tsx";
import tradingStyles from "~/components/trading/trading.css";
import { FieldErrors, FormErrors } from "~/components/ui/forms.tsx";
import { distNameField, distPercentField, distributionFromForm, MAX_DIST_ROWS } from "~/schemas/contract.ts";
import { signContract } from "~/services/contracts/commands.server.ts";
import { cjkFontAvailable } from "~/services/contracts/pdf.server.ts";
import { contractDiff, getContractPage } from "~/services/contracts/queries.server.ts";
import type { DiffLine } from "~/services/contracts/rules.ts";
import listingStyles from "~/styles/listings.css";
import { formatDateTime } from "~/utils/china-time.ts";
import { requireUser } from "~/web/auth.server.ts";
import { attempt, errorResponse, intentAction, loadOrThrow, redirectDone, refuse, type ActionFailure } from "~/web/actions.server.ts";
import { formValues, readVerifiedForm } from "~/web/forms.server.ts";
import { pageTitle, requestT } from "~/web/meta.server.ts";
import { loadDealFor } from "~/services/contracts/access.server.ts";

/**
 * 技术合同 of a deal (issue 14): status, category, amounts, the full text with its hash, the
 * versions and the diff between two of them (?from=&to=, a GET form), the signatures, and the
 * click-to-sign form for a party that has not signed (with the revenue-distribution plan when the
 * seller is a university or institute). Parties, their broker, admins and the bureau only.
 */

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: listingStyles },
  { rel: "stylesheet", href: tradingStyles },
  { rel: "stylesheet", href: contractStyles },
];

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.pageTitle ?? "技术合同 · 成果" }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const url = new URL(request.url);
  let page: Awaited<ReturnType<typeof getContractPage>>;
  let diff: { from: number; to: number; lines: DiffLine[] } | null = null;
  try {
    page = await getContractPage(user, params.id ?? "");
    const from = Number(url.searchParams.get("from"));
    const to = Number(url.searchParams.get("to"));
    if (page.contract && Number.isInteger(from) && Number.isInteger(to) && from > 0 && to > 0 && from !== to) {
      diff = { from, to, lines: await contractDiff(user, params.id ?? "", from, to) };
    }
  } catch (e) {
    throw errorResponse(e);
  }
  const t = requestT(request);
  return json({ page, diff, pdfAvailable: cjkFontAvailable(), pageTitle: pageTitle(t, t("contracts.title"), page.listing.title) });
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const dealId = params.id ?? "";
  // Who has no business with the deal is refused before the form is read (a 404, as the page).
  await loadOrThrow(loadDealFor(user, dealId));
  const values = formValues(await readVerifiedForm(request));
  return intentAction(values, {
    sign: async () => {
      if (values.confirm !== "on")
        return refuse(400, { intent: "sign", values, fieldErrors: { confirm: ["contracts.errors.mustConfirm"] } });
      const dist = distributionFromForm(values);
      if ("errors" in dist) return refuse(400, { intent: "sign", values, fieldErrors: dist.errors });
      return attempt(
        { intent: "sign", values },
        () =>
          signContract(user, dealId, {
            version: Number(values.version),
            ip: String((context as { clientIp?: string }).clientIp ?? "unknown"),
            distribution: dist.shares.length ? dist.shares : null,
          }),
        (r) => redirectDone(`/deals/${dealId}/contract`, r.signed ? "completed" : "signed"),
      );
    },
  });
}

export default function ContractPage() {
  const { page, diff, pdfAvailable } = useLoaderData<typeof loader>();
  const failure = useActionData<ActionFailure>();
  const { t } = useTranslation();
  const [params] = useSearchParams();
  const done = params.get("done");
  const c = page.contract;
  const errors = (failure?.reply?.error ?? {}) as Record<string, string[] | null>;
  const typed = (failure?.reply?.initialValue ?? {}) as Record<string, string>;
  return (
    <div className="trading-page" data-testid="contract-page">
      <p className="breadcrumb">
        <Link to={`/deals/${page.dealId}`}>{t("contracts.back")}</Link>
      </p>
      <h1>
        {t("contracts.title")} · {page.listing.title}
      </h1>
      {page.signBy && page.dealStatus === "open" && c?.status !== "signed" ? (
        <p className="notice" data-testid="sign-by">
          {t("contracts.signBy", { at: formatDateTime(page.signBy) })}
        </p>
      ) : null}
      {done && ["saved", "savedVoided", "signed", "completed"].includes(done) ? (
        <p className="notice" role="status" data-testid="done-notice">
          {t(`contracts.done.${done}`)}
        </p>
      ) : null}
      {!c ? (
        <>
          <p data-testid="contract-none">{t("contracts.none")}</p>
          {page.canEdit ? (
            <p className="contract-actions">
              <Link className="button" to={`/deals/${page.dealId}/contract/edit`} data-testid="contract-draft-link">
                {t("contracts.draft")}
              </Link>
            </p>
          ) : null}
        </>
      ) : (
        <>
          <ContractFacts c={c} />
          <p className="contract-actions">
            {page.canEdit ? (
              <Link className="button button--ghost" to={`/deals/${page.dealId}/contract/edit`} data-testid="contract-edit-link">
                {t("contracts.edit")}
              </Link>
            ) : null}
            <Link className="button button--ghost" to={`/deals/${page.dealId}/contract/print`} data-testid="contract-print-link">
              {t("contracts.print")}
            </Link>
            {pdfAvailable ? (
              <a className="button button--ghost" href={`/deals/${page.dealId}/contract.pdf`} data-testid="contract-pdf-link">
                {t(c.status === "signed" ? "contractPdf.link" : "contractPdf.linkDraft")}
              </a>
            ) : null}
            {c.status === "signed" && (page.access === "seller" || page.access === "buyer") ? (
              <Link className="button" to={`/deals/${page.dealId}/registration`} data-testid="registration-link">
                {t("registration.apply")}
              </Link>
            ) : null}
          </p>
          {pdfAvailable ? null : (
            <p className="notice" data-testid="contract-pdf-missing">
              {t("contractPdf.fontMissing")}
            </p>
          )}
          {c.status === "signed" ? <p className="notice">{t("contracts.frozen")}</p> : null}

          <section className="contract-section">
            <h2>{t("contracts.signatures")}</h2>
            <SignatureList signatures={c.signatures} voided={c.voidedSignatures} />
            {c.distribution.length ? (
              <>
                <h3>{t("contracts.distribution")}</h3>
                <ul data-testid="contract-distribution">
                  {c.distribution.map((d) => (
                    <li key={d.name}>
                      {d.name}：{d.percent}%
                    </li>
                  ))}
                </ul>
              </>
            ) : null}
          </section>

          {page.signAs ? (
            <section className="contract-section" id="sign">
              <h2>{t("contracts.sign")}</h2>
              <Form method="post" className="contract-form" data-testid="sign-form">
                <AuthenticityTokenInput />
                <input type="hidden" name="intent" value="sign" />
                <input type="hidden" name="version" value={c.version} />
                <p>{t("contracts.signIntro", { side: t(`contracts.sides.${page.signAs}`), version: c.version, hash: c.textHash })}</p>
                {page.signAs === "seller" && page.needsDistribution ? (
                  <fieldset>
                    <legend>{t("contracts.distribution")}</legend>
                    <p className="field-hint">{t("contracts.distributionIntro")}</p>
                    <div className="contract-rows">
                      <span>{t("contracts.distributionName")}</span>
                      <span>{t("contracts.distributionPercent")}</span>
                      {Array.from({ length: Math.max(page.inventors.length + 1, 3) }, (_, i) => i)
                        .filter((i) => i < MAX_DIST_ROWS)
                        .map((i) => (
                          <DistRow
                            key={i}
                            i={i}
                            name={typed[distNameField(i)] ?? page.inventors[i]?.name ?? ""}
                            percent={typed[distPercentField(i)] ?? ""}
                          />
                        ))}
                    </div>
                    <FieldErrors id="distribution-error" errors={errors.distribution} />
                  </fieldset>
                ) : null}
                <label>
                  <input type="checkbox" name="confirm" /> {t("contracts.signConfirm")}
                </label>
                <FieldErrors id="confirm-error" errors={errors.confirm} />
                <FieldErrors id="version-error" errors={errors.version} />
                <FormErrors errors={errors[""]} />
                <button type="submit" className="button" data-testid="sign-button">
                  {t("contracts.signButton")}
                </button>
              </Form>
            </section>
          ) : null}

          <section className="contract-section">
            <h2>{t("contracts.versions")}</h2>
            <ul data-testid="contract-versions">
              {c.versions.map((v) => (
                <li key={v.number}>{t("contracts.versionLine", { n: v.number, author: v.authorName, at: formatDateTime(v.at) })}</li>
              ))}
            </ul>
            {c.versions.length > 1 ? (
              <Form method="get" className="contract-actions">
                <label>
                  {t("contracts.compareFrom")}{" "}
                  <select name="from" defaultValue={diff?.from ?? c.version - 1}>
                    {c.versions.map((v) => (
                      <option key={v.number} value={v.number}>
                        {v.number}
                      </option>
                    ))}
                  </select>
                </label>
                <label>
                  {t("contracts.compareTo")}{" "}
                  <select name="to" defaultValue={diff?.to ?? c.version}>
                    {c.versions.map((v) => (
                      <option key={v.number} value={v.number}>
                        {v.number}
                      </option>
                    ))}
                  </select>
                </label>
                <button type="submit" className="button button--ghost">
                  {t("contracts.compare")}
                </button>
              </Form>
            ) : null}
            {diff ? (
              <>
                <h3>{t("contracts.diffTitle", { from: diff.from, to: diff.to })}</h3>
                <DiffView lines={diff.lines} />
              </>
            ) : null}
          </section>

          <section className="contract-section">
            <h2>{t("contracts.text")}</h2>
            <p className="contract-hash" data-testid="contract-hash">
              {t("contracts.hash")}: {c.textHash}
            </p>
            <pre className="contract-text" data-testid="contract-text">
              {c.text}
            </pre>
          </section>
        </>
      )}
    </div>
  );
}

function DistRow({ i, name, percent }: { i: number; name: string; percent: string }) {
  const { t } = useTranslation();
  return (
    <>
      <input name={distNameField(i)} defaultValue={name} aria-label={`${t("contracts.distributionName")} ${i + 1}`} />
      <input
        name={distPercentField(i)}
        defaultValue={percent}
        inputMode="decimal"
        aria-label={`${t("contracts.distributionPercent")} ${i + 1}`}
        aria-describedby="distribution-error"
      />
    </>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
