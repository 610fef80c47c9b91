import { Form } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { AuthenticityTokenInput } from "remix-utils/csrf/react";
import { FieldErrors, FormErrors } from "~/components/ui/forms.tsx";
import { CONTRACT_CATEGORIES, CONTRACT_SUB_CATEGORIES } from "~/utils/contracts.ts";
import { ENTITY_TYPES, groupedNumber } from "~/utils/registration.ts";
import { PAYMENT_METHODS, TECHNICAL_FIELDS } from "~/utils/registration-fields.ts";
import { technicalFieldName } from "~/utils/technical-fields.ts";
import { formatDate, formatDateTime } from "~/utils/china-time.ts";
import { formatYuan } from "~/utils/money.ts";

/**
 * The registration form (技术合同认定登记, issue 15) for a platform contract (its fixed fields
 * read-only), an external one (with the signed file) and the corrections; and the summary of an
 * application (state, clock, number, history). Plain form fields: works without JavaScript.
 */
type Errors = Record<string, string[] | null | undefined>;
const MAX_ROWS = 6;

export function RegistrationForm({
  values,
  errors,
  locked = [],
  withFile = false,
  allowImport = true,
  intent,
  submitLabel,
}: {
  values: Record<string, string>;
  errors: Errors;
  locked?: readonly string[];
  withFile?: boolean;
  allowImport?: boolean;
  intent: string;
  submitLabel: string;
}) {
  const { t, i18n } = useTranslation();
  const isLocked = (k: string) => locked.includes(k);
  const input = (
    name: string,
    label: string,
    o: { type?: string; hint?: string; required?: boolean; inputMode?: "decimal" | "numeric" } = {},
  ) => (
    <div className={`field${errors[name]?.length ? " field--invalid" : ""}`}>
      <label htmlFor={`reg-${name}`}>{label}</label>
      <input
        id={`reg-${name}`}
        name={name}
        type={o.type ?? "text"}
        inputMode={o.inputMode}
        defaultValue={values[name] ?? ""}
        readOnly={isLocked(name.split(".")[0]!)}
        required={o.required}
        aria-invalid={errors[name]?.length ? true : undefined}
      />
      {o.hint ? <p className="field-hint">{o.hint}</p> : null}
      <FieldErrors errors={errors[name]} />
    </div>
  );
  const select = (name: string, label: string, options: readonly { value: string; label: string }[]) =>
    isLocked(name) ? (
      <div className="field">
        <label htmlFor={`reg-${name}`}>{label}</label>
        <input id={`reg-${name}`} name={name} defaultValue={values[name] ?? ""} readOnly />
        <FieldErrors errors={errors[name]} />
      </div>
    ) : (
      <div className={`field${errors[name]?.length ? " field--invalid" : ""}`}>
        <label htmlFor={`reg-${name}`}>{label}</label>
        <select id={`reg-${name}`} name={name} defaultValue={values[name] ?? ""}>
          <option value="">—</option>
          {options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
        <FieldErrors errors={errors[name]} />
      </div>
    );
  const party = (side: "seller" | "buyer") => (
    <fieldset className="registration-party" data-testid={`party-${side}`}>
      <legend>{t(`registration.fields.${side}`)}</legend>
      {input(`${side}.name`, t("registration.fields.name"), { required: true })}
      {input(`${side}.creditCode`, t("registration.fields.creditCode"))}
      {input(`${side}.region`, t("registration.fields.region"), { inputMode: "numeric" })}
      {input(`${side}.town`, t("registration.fields.town"), { inputMode: "numeric" })}
      {input(`${side}.country`, t("registration.fields.country"), { inputMode: "numeric" })}
      {select(
        `${side}.entityType`,
        t("registration.fields.entityType"),
        Object.entries(ENTITY_TYPES).map(([value, label]) => ({ value, label: `${value} ${label}` })),
      )}
    </fieldset>
  );
  const subOptions = CONTRACT_CATEGORIES.flatMap((c) =>
    CONTRACT_SUB_CATEGORIES[c].map((s) => ({
      value: s,
      label: `${t(`contracts.categories.${c}`)} · ${t(`contracts.subCategories.${c}.${s}`)}`,
    })),
  );
  const rows = Array.from({ length: MAX_ROWS }, (_, i) => i).filter((i) => !isLocked("nonTechItems") || values[`nonTechItems.${i}.label`]);
  return (
    <Form
      method="post"
      encType={withFile ? "multipart/form-data" : undefined}
      className="registration-form"
      data-testid="registration-form"
    >
      <AuthenticityTokenInput />
      <input type="hidden" name="intent" value={intent} />
      <FormErrors errors={errors[""]} />
      {locked.length ? <p className="field-hint">{t("registration.lockedHint")}</p> : null}
      {input("projectName", t("registration.fields.projectName"), { required: true })}
      {select(
        "category",
        t("registration.fields.category"),
        CONTRACT_CATEGORIES.map((c) => ({ value: c, label: t(`contracts.categories.${c}`) })),
      )}
      {select("subCategory", t("registration.fields.subCategory"), subOptions)}
      {select(
        "technicalField",
        t("registration.fields.technicalField"),
        Object.entries(TECHNICAL_FIELDS).map(([value, label]) => ({
          value,
          label: `${value} ${i18n.language === "en" ? label.en : label.zh}`,
        })),
      )}
      {input("ipType", t("registration.fields.ipType"))}
      {input("planSource", t("registration.fields.planSource"))}
      {party("seller")}
      {party("buyer")}
      {input("signedOn", t("registration.fields.signedOn"), { type: "date" })}
      {input("validFrom", t("registration.fields.validFrom"), { type: "date" })}
      {input("validTo", t("registration.fields.validTo"), { type: "date" })}
      {input("contractAmount", t("registration.fields.contractAmount"), { inputMode: "decimal" })}
      <fieldset data-testid="non-tech-items">
        <legend>{t("registration.fields.nonTechItems")}</legend>
        <FieldErrors errors={errors.nonTechItems} />
        {rows.map((i) => (
          <div key={i} className="registration-row">
            {input(`nonTechItems.${i}.label`, t("registration.fields.itemLabel"))}
            {input(`nonTechItems.${i}.amount`, t("registration.fields.itemAmount"), { inputMode: "decimal" })}
          </div>
        ))}
      </fieldset>
      {input("technologyAmount", t("registration.fields.technologyAmount"), {
        inputMode: "decimal",
        hint: t("registration.fields.technologyHint"),
      })}
      {select(
        "paymentMethod",
        t("registration.fields.paymentMethod"),
        PAYMENT_METHODS.map((m) => ({ value: m, label: t(`registration.paymentMethods.${m}`) })),
      )}
      <div className="field">
        <label>
          <input type="checkbox" name="disputed" defaultChecked={values.disputed === "on"} /> {t("registration.fields.disputed")}
        </label>
      </div>
      {allowImport ? (
        <div className="field">
          <label>
            <input type="checkbox" name="import" defaultChecked={values.import === "on"} /> {t("registration.fields.import")}
          </label>
        </div>
      ) : values.import === "on" ? (
        <input type="hidden" name="import" value="on" />
      ) : null}
      {withFile ? (
        <div className={`field${errors.file?.length ? " field--invalid" : ""}`}>
          <label htmlFor="reg-file">{t("registration.fields.file")}</label>
          <input id="reg-file" name="file" type="file" accept="application/pdf,image/png,image/jpeg" />
          <FieldErrors errors={errors.file} />
        </div>
      ) : null}
      <button type="submit" className="button" data-testid="registration-submit">
        {submitLabel}
      </button>
    </Form>
  );
}

export interface SummaryView {
  id: string;
  status: string;
  source: string;
  projectName: string;
  category: string;
  subCategory: string;
  applicant: { name: string; organizationName: string | null };
  seller: { name: string; creditCode: string | null; region: string; town: string | null; entityType: string };
  buyer: { name: string; creditCode: string | null; region: string; town: string | null; entityType: string };
  signedOn: string;
  validFrom: string;
  validTo: string;
  technicalField: string;
  contractAmount: number;
  nonTechItems: { label: string; amount: number }[];
  technologyAmount: number;
  large: boolean;
  disputed: boolean;
  submittedAt: string;
  dueOn: string | null;
  daysLeft: number | null;
  overdue: boolean;
  corrections: { note: string; at: string } | null;
  refusal: { ground: string; note: string } | null;
  number: string | null;
  registeredAt: string | null;
  registrar: string | null;
  point: { code: string; name: string } | null;
  contractHash: string | null;
  history: { at: string; action: string; by: string; note: string | null }[];
}

export function DaysLeft({ r }: { r: Pick<SummaryView, "daysLeft" | "overdue"> }) {
  const { t } = useTranslation();
  if (r.daysLeft === null) return null;
  if (r.overdue)
    return (
      <strong className="registration-overdue" data-testid="overdue">
        {t("registration.overdue", { count: -r.daysLeft })}
      </strong>
    );
  return (
    <span data-testid="days-left">{r.daysLeft === 0 ? t("registration.dueToday") : t("registration.daysLeft", { count: r.daysLeft })}</span>
  );
}

export function RegistrationSummary({ r }: { r: SummaryView }) {
  const { t, i18n } = useTranslation();
  const money = (fen: number) => formatYuan(fen, i18n.language);
  const partyLine = (p: SummaryView["seller"]) =>
    [p.name, p.creditCode, p.town ?? p.region, `${p.entityType} ${ENTITY_TYPES[p.entityType as keyof typeof ENTITY_TYPES] ?? ""}`]
      .filter(Boolean)
      .join(" · ");
  return (
    <section className="registration-summary" data-testid="registration-summary">
      <p>
        <strong data-testid="registration-status">{t(`registration.statuses.${r.status}`)}</strong>
        {r.large ? <span className="badge"> {t("registration.large")}</span> : null}
        {r.disputed ? <span className="badge"> {t("registration.disputed")}</span> : null}
      </p>
      {r.number ? (
        <p data-testid="registration-number">
          {t("registration.number")}：<strong>{groupedNumber(r.number)}</strong>
          {r.registeredAt ? ` · ${t("registration.registeredAt")} ${formatDate(r.registeredAt)}` : null}
          {r.registrar ? ` · ${t("registration.registrar")} ${r.registrar}` : null}
          {r.point ? ` · ${r.point.name}` : null}{" "}
          <a href={`/registrations/${r.id}/certificate`} data-testid="certificate-link">
            {t("registration.certificate")}
          </a>
        </p>
      ) : null}
      {r.corrections && r.status === "corrections" ? (
        <p className="notice" data-testid="corrections-note">
          {t("registration.correctionsAsked", { note: r.corrections.note })}
        </p>
      ) : null}
      {r.refusal ? (
        <p className="notice" data-testid="refusal">
          {t("registration.refusedBecause", { ground: t(`registration.grounds.${r.refusal.ground}`) })}
          {r.refusal.note ? ` — ${r.refusal.note}` : null}
        </p>
      ) : null}
      <dl className="registration-facts">
        <dt>{t("registration.fields.projectName")}</dt>
        <dd>{r.projectName}</dd>
        <dt>{t("registration.fields.category")}</dt>
        <dd>
          {t(`contracts.categories.${r.category}`)} · {t(`contracts.subCategories.${r.category}.${r.subCategory}`)}
        </dd>
        <dt>{t("registration.fields.technicalField")}</dt>
        <dd>
          {r.technicalField} {technicalFieldName(r.technicalField, i18n.language === "en" ? "en" : "zh")}
        </dd>
        <dt>{t("registration.fields.seller")}</dt>
        <dd>{partyLine(r.seller)}</dd>
        <dt>{t("registration.fields.buyer")}</dt>
        <dd>{partyLine(r.buyer)}</dd>
        <dt>{t("registration.fields.signedOn")}</dt>
        <dd>
          {r.signedOn}（{r.validFrom} — {r.validTo}）
        </dd>
        <dt>{t("registration.fields.contractAmount")}</dt>
        <dd data-testid="contract-amount">{money(r.contractAmount)}</dd>
        {r.nonTechItems.map((i) => (
          <dd key={i.label}>
            − {i.label} {money(i.amount)}
          </dd>
        ))}
        <dt>{t("registration.fields.technologyAmount")}</dt>
        <dd data-testid="technology-amount">{money(r.technologyAmount)}</dd>
        <dt>{t("registration.applicant")}</dt>
        <dd>{[r.applicant.name, r.applicant.organizationName].filter(Boolean).join(" · ")}</dd>
        <dt>{t("registration.submittedAt")}</dt>
        <dd>{formatDateTime(r.submittedAt)}</dd>
        {r.dueOn ? (
          <>
            <dt>{t("registration.dueOn")}</dt>
            <dd>
              {r.dueOn} <DaysLeft r={r} />
            </dd>
          </>
        ) : null}
        {r.contractHash ? (
          <>
            <dt>{t("registration.contractHash")}</dt>
            <dd className="hash">{r.contractHash}</dd>
          </>
        ) : null}
      </dl>
      <h2>{t("registration.history")}</h2>
      <ol className="registration-history" data-testid="registration-history">
        {r.history.map((h, i) => (
          <li key={i}>
            {formatDateTime(h.at)} · {t(`registration.actions.${h.action}`, { defaultValue: h.action })} · {h.by}
            {h.note ? ` — ${h.note}` : null}
          </li>
        ))}
      </ol>
    </section>
  );
}
