import { useTranslation } from "react-i18next";
import type { CertificateHistoryLine } from "~/services/registration/certificate.server.ts";
import type { TaxBenefit } from "~/services/registration/tax-benefits.ts";
import type { VerificationState } from "~/utils/registration.ts";

/** Pieces of the certificate pages (issue 15): the status badge, the tax benefits, the change history. */

export function StateBadge({ state }: { state: VerificationState }) {
  const { t } = useTranslation();
  return (
    <span className={`certificate__state certificate__state--${state}`} data-testid="registration-state">
      {t(`registrationCertificate.states.${state}`)}
    </span>
  );
}

/** A history line's "field: before → after" with the field's name in the reader's language. */
function changeLine(t: (k: string) => string, line: string): string {
  const i = line.indexOf(": ");
  if (i < 0) return line;
  const key = `registrationCertificate.fields.${line.slice(0, i)}`;
  const label = t(key);
  return `${label === key ? line.slice(0, i) : label}：${line.slice(i + 2)}`;
}

export function ChangeHistory({ history }: { history: CertificateHistoryLine[] }) {
  const { t } = useTranslation();
  if (!history.length) return null;
  return (
    <section className="contract-section" data-testid="registration-history">
      <h2>{t("registrationCertificate.history")}</h2>
      <ul>
        {history.map((h, i) => (
          <li key={i}>
            {t(h.action === "changed" ? "registrationCertificate.historyChanged" : "registrationCertificate.historyCancelled", {
              at: h.at,
              by: h.by,
              note: h.note,
            })}
            {h.changes.length ? (
              <ul>
                {h.changes.map((c) => (
                  <li key={c}>{changeLine(t, c)}</li>
                ))}
              </ul>
            ) : null}
          </li>
        ))}
      </ul>
    </section>
  );
}

export function TaxBenefits({ benefits }: { benefits: TaxBenefit[] }) {
  const { t } = useTranslation();
  const k = (key: string) => `registrationCertificate.tax.${key}`;
  return (
    <section className="contract-section" id="tax" data-testid="tax-benefits">
      <h2>{t(k("title"))}</h2>
      <p className="muted">{t(k("intro"))}</p>
      {benefits.length ? (
        <ul className="tax-benefits">
          {benefits.map((b) => (
            <li key={b.key} className="tax-benefit" data-testid={`tax-${b.key}`}>
              <h3>
                {t(k(`${b.key}.title`))} <span className="muted">· {t(k(`sides.${b.side}`))}</span>
              </h3>
              <p>{t(k(`${b.key}.summary`))}</p>
              {b.unmet ? <p className="tax-benefit__unmet">{t(k(`unmet.${b.unmet}`))}</p> : null}
              <p>
                <strong>{t(k("basis"))}：</strong>
                {b.basis.join("；")}
              </p>
              <p>
                <strong>{t(k("checks"))}：</strong>
              </p>
              <ul>
                {b.conditions.map((c) => (
                  <li key={c}>{t(k(`${b.key}.conditions.${c}`))}</li>
                ))}
              </ul>
            </li>
          ))}
        </ul>
      ) : (
        <p>{t(k("none"))}</p>
      )}
    </section>
  );
}
