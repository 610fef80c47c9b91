import { useTranslation } from "react-i18next";
import type { ContractView, SignatureView } from "~/services/contracts/queries.server.ts";
import type { DiffLine } from "~/services/contracts/rules.ts";
import { formatDateTime } from "~/utils/china-time.ts";
import { formatYuan } from "~/utils/money.ts";

/** Pieces of the contract's pages: its facts, the signatures, the diff between two versions. */

export function ContractFacts({
  c,
}: {
  c: Pick<
    ContractView,
    "status" | "category" | "subCategory" | "paidInShares" | "contractAmount" | "technologyAmount" | "nonTechItems" | "version"
  >;
}) {
  const { t, i18n } = useTranslation();
  const money = (fen: number) => formatYuan(fen, i18n.language);
  return (
    <dl className="facts" data-testid="contract-facts">
      <div className="facts__row">
        <dt>{t("contracts.status")}</dt>
        <dd data-testid="contract-status">
          {t(`contracts.statuses.${c.status}`)} · {t("contracts.version", { n: c.version })}
        </dd>
      </div>
      <div className="facts__row">
        <dt>{t("contracts.category")}</dt>
        <dd data-testid="contract-category">
          {t(`contracts.categories.${c.category}`)} · {t(`contracts.subCategories.${c.category}.${c.subCategory}`)}
          {c.paidInShares ? <span className="muted"> · {t("contracts.paidInShares")}</span> : null}
        </dd>
      </div>
      <div className="facts__row">
        <dt>{t("contracts.contractAmount")}</dt>
        <dd data-testid="contract-amount">{money(c.contractAmount)}</dd>
      </div>
      <div className="facts__row">
        <dt>{t("contracts.technologyAmount")}</dt>
        <dd>{money(c.technologyAmount)}</dd>
      </div>
      {c.nonTechItems.map((i) => (
        <div className="facts__row" key={i.label}>
          <dt>{i.label}</dt>
          <dd>{money(i.amount)}</dd>
        </div>
      ))}
    </dl>
  );
}

export function SignatureList({ signatures, voided }: { signatures: SignatureView[]; voided: SignatureView[] }) {
  const { t } = useTranslation();
  const signed = new Set(signatures.map((s) => s.side));
  return (
    <ul className="contract-signatures" data-testid="contract-signatures">
      {signatures.map((s) => (
        <li key={s.side} data-testid={`signature-${s.side}`}>
          {t("contracts.signatureLine", {
            side: t(`contracts.sides.${s.side}`),
            name: s.name,
            org: s.organizationName ?? "—",
            at: formatDateTime(s.at),
            ip: s.ip,
            version: s.version,
          })}
          <div className="contract-hash">SHA-256 {s.textHash}</div>
        </li>
      ))}
      {(["seller", "buyer"] as const)
        .filter((side) => !signed.has(side))
        .map((side) => (
          <li key={side} className="muted">
            {t("contracts.unsigned", { side: t(`contracts.sides.${side}`) })}
          </li>
        ))}
      {voided.map((s) => (
        <li key={`${s.side}-${s.version}-${s.at}`} className="contract-voided" data-testid="signature-voided">
          {t("contracts.voidedLine", { side: t(`contracts.sides.${s.side}`), name: s.name, version: s.version })}
        </li>
      ))}
    </ul>
  );
}

export function DiffView({ lines }: { lines: DiffLine[] }) {
  return (
    <ul className="contract-diff" data-testid="contract-diff">
      {lines.map((l, i) =>
        l.kind === "same" ? null : (
          <li key={i} className={`contract-diff__${l.kind}`} data-kind={l.kind}>
            {l.text}
          </li>
        ),
      )}
    </ul>
  );
}
