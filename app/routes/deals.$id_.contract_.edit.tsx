import { json, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { AuthenticityTokenInput } from "remix-utils/csrf/react";
import contractStyles from "~/components/contract/contract.css";
import { GeneralErrorBoundary } from "~/components/error-boundary.tsx";
import formStyles from "~/components/listing-form/listing-form.css";
import tradingStyles from "~/components/trading/trading.css";
import { FieldErrors, FormErrors } from "~/components/ui/forms.tsx";
import {
  CLAUSE_KEYS,
  clauseField,
  CONTRACT_CATEGORIES,
  CONTRACT_SUB_CATEGORIES,
  contractFormToInput,
  GENERATED_CLAUSES,
  itemAmountField,
  itemLabelField,
  KIND_FIELD,
  MAX_NON_TECH_ITEMS,
} from "~/schemas/contract.ts";
import { saveContract } from "~/services/contracts/commands.server.ts";
import { getContractPage } from "~/services/contracts/queries.server.ts";
import listingStyles from "~/styles/listings.css";
import { ConflictError, ForbiddenError } from "~/utils/errors.ts";
import { fenToYuanText } from "~/utils/money.ts";
import { requireUser } from "~/web/auth.server.ts";
import { attempt, errorResponse, intentAction, loadOrThrow, redirectDone, refuse, type ActionFailure } from "~/web/actions.server.ts";
import { formValues, readVerifiedForm } from "~/web/forms.server.ts";
import { pageTitle, requestT } from "~/web/meta.server.ts";
import { loadDealFor } from "~/services/contracts/access.server.ts";

/**
 * Drafting and editing a deal's contract (issue 14): category and sub-category (suggested from
 * the terms), 成交额 split into 技术交易额 and itemised non-technical parts, the free clauses.
 * Each save is a new version; a save after a signature voids it (the service tells both sides).
 */

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: listingStyles },
  { rel: "stylesheet", href: formStyles },
  { rel: "stylesheet", href: tradingStyles },
  { rel: "stylesheet", href: contractStyles },
];

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.pageTitle ?? "技术合同 · 成果" }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  let page: Awaited<ReturnType<typeof getContractPage>>;
  try {
    page = await getContractPage(user, params.id ?? "");
    if (!page.canEdit) {
      // A cancelled or lapsed deal says so (issue 14, point 3).
      if (page.dealStatus !== "open" && page.access !== "bureau")
        throw new ConflictError(page.dealStatus === "lapsed" ? "contracts.errors.dealLapsed" : "contracts.errors.dealCancelled");
      throw new ForbiddenError(page.contract?.status === "signed" ? "contracts.errors.frozen" : "contracts.errors.readOnly");
    }
  } catch (e) {
    throw errorResponse(e);
  }
  const t = requestT(request);
  return json({ page, pageTitle: pageTitle(t, page.contract ? t("contracts.edit") : t("contracts.draft"), page.listing.title) });
}

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const dealId = params.id ?? "";
  // Who has no business with the deal is refused before the form is read (a 404, as the page).
  await loadOrThrow(loadDealFor(user, dealId));
  const values = formValues(await readVerifiedForm(request));
  return intentAction(values, {
    save: async () => {
      const parsed = contractFormToInput(values);
      if ("errors" in parsed) return refuse(400, { intent: "save", values, fieldErrors: parsed.errors });
      const hadSignatures = (await getContractPage(user, dealId).catch(() => null))?.contract?.signatures.length ?? 0;
      return attempt(
        {
          intent: "save",
          values,
          mapFields: (f) =>
            Object.fromEntries(Object.entries(f).map(([k, v]) => [k === "subCategory" || k === "category" ? KIND_FIELD : k, v])),
        },
        () => saveContract(user, dealId, parsed.input),
        () => redirectDone(`/deals/${dealId}/contract`, hadSignatures ? "savedVoided" : "saved"),
      );
    },
  });
}

export default function ContractEdit() {
  const { page } = useLoaderData<typeof loader>();
  const failure = useActionData<ActionFailure>();
  const { t } = useTranslation();
  const c = page.contract;
  const errors = (failure?.reply?.error ?? {}) as Record<string, string[] | null>;
  const typed = (failure?.reply?.initialValue ?? null) as Record<string, string> | null;
  const base = c ?? { ...page.proposal, nonTechItems: [] as { label: string; amount: number }[] };
  const value = (name: string, fallback: string) => (typed ? (typed[name] ?? "") : fallback);
  const clauses = base.clauses as Record<string, string>;
  return (
    <div className="trading-page" data-testid="contract-edit-page">
      <p className="breadcrumb">
        <Link to={`/deals/${page.dealId}/contract`}>{t("contracts.view")}</Link>
      </p>
      <h1>
        {c ? t("contracts.edit") : t("contracts.draft")} · {page.listing.title}
      </h1>
      <p className="muted">
        {t("contracts.suggested", {
          category: t(`contracts.categories.${page.proposal.category}`),
          sub: t(`contracts.subCategories.${page.proposal.category}.${page.proposal.subCategory}`),
        })}
      </p>
      <p className="muted">{t("contracts.editorOnly")}</p>
      <Form method="post" className="contract-form listing-form" data-testid="contract-form">
        <AuthenticityTokenInput />
        <input type="hidden" name="intent" value="save" />
        <div className="field">
          <label htmlFor="kind">
            {t("contracts.category")} / {t("contracts.subCategory")}
          </label>
          <select
            id="kind"
            name={KIND_FIELD}
            defaultValue={value(KIND_FIELD, `${base.category}.${base.subCategory}`)}
            aria-describedby="kind-error"
          >
            {CONTRACT_CATEGORIES.map((cat) => (
              <optgroup key={cat} label={t(`contracts.categories.${cat}`)}>
                {CONTRACT_SUB_CATEGORIES[cat].map((sub) => (
                  <option key={sub} value={`${cat}.${sub}`}>
                    {t(`contracts.categories.${cat}`)} · {t(`contracts.subCategories.${cat}.${sub}`)}
                  </option>
                ))}
              </optgroup>
            ))}
          </select>
          <FieldErrors id="kind-error" errors={errors[KIND_FIELD]} />
        </div>
        <fieldset>
          <legend>{t("contracts.contractAmount")}</legend>
          <p className="field-hint">{t("contracts.amountsHint")}</p>
          <div className="field">
            <label htmlFor="contractAmount">{t("contracts.contractAmount")}</label>
            <input
              id="contractAmount"
              name="contractAmount"
              inputMode="decimal"
              defaultValue={value("contractAmount", fenToYuanText(base.contractAmount))}
              aria-describedby="contractAmount-error"
            />
            <FieldErrors id="contractAmount-error" errors={errors.contractAmount} />
          </div>
          <div className="field">
            <label htmlFor="technologyAmount">{t("contracts.technologyAmount")}</label>
            <input
              id="technologyAmount"
              name="technologyAmount"
              inputMode="decimal"
              defaultValue={value("technologyAmount", fenToYuanText(base.technologyAmount))}
              aria-describedby="technologyAmount-error"
            />
            <FieldErrors id="technologyAmount-error" errors={errors.technologyAmount} />
          </div>
          <p>{t("contracts.nonTech")}</p>
          <div className="contract-rows">
            <span>{t("contracts.nonTechLabel")}</span>
            <span>{t("contracts.nonTechAmount")}</span>
            {Array.from({ length: MAX_NON_TECH_ITEMS }, (_, i) => (
              <NonTechRow
                key={i}
                i={i}
                label={value(itemLabelField(i), base.nonTechItems[i]?.label ?? "")}
                amount={value(itemAmountField(i), base.nonTechItems[i] ? fenToYuanText(base.nonTechItems[i].amount) : "")}
                errors={[...(errors[itemLabelField(i)] ?? []), ...(errors[itemAmountField(i)] ?? [])]}
              />
            ))}
          </div>
        </fieldset>
        <fieldset>
          <legend>{t("contracts.clauses")}</legend>
          {CLAUSE_KEYS.map((key) =>
            GENERATED_CLAUSES.includes(key) ? (
              <p key={key} className="field-hint">
                <strong>{t(`contracts.clauseNames.${key}`)}</strong>：{t("contracts.generatedClause")}
              </p>
            ) : (
              <div className="field" key={key}>
                <label htmlFor={`clause-${key}`}>{t(`contracts.clauseNames.${key}`)}</label>
                <textarea
                  id={`clause-${key}`}
                  name={clauseField(key)}
                  defaultValue={value(clauseField(key), clauses[key] ?? "")}
                  aria-describedby={`clause-${key}-error`}
                />
                <FieldErrors id={`clause-${key}-error`} errors={errors[clauseField(key)]} />
              </div>
            ),
          )}
        </fieldset>
        <FormErrors errors={errors[""]} />
        <button type="submit" className="button" data-testid="contract-save">
          {t("contracts.save")}
        </button>
      </Form>
    </div>
  );
}

function NonTechRow({ i, label, amount, errors }: { i: number; label: string; amount: string; errors: string[] }) {
  const { t } = useTranslation();
  return (
    <>
      <input name={itemLabelField(i)} defaultValue={label} aria-label={`${t("contracts.nonTechLabel")} ${i + 1}`} />
      <input name={itemAmountField(i)} defaultValue={amount} inputMode="decimal" aria-label={`${t("contracts.nonTechAmount")} ${i + 1}`} />
      {errors.length ? (
        <div className="contract-rows__error">
          <FieldErrors errors={errors} />
        </div>
      ) : null}
    </>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
