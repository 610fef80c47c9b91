import { useTranslation } from "react-i18next";
import { formatDate } from "~/utils/china-time.ts";
import { formatYuan } from "~/utils/money.ts";

/** A stage as the pages show it (serialized from services/settlement/queries.server.ts StageView). */
export interface StageFactsData {
  number: number;
  kind: string;
  status: string;
  amountFen: number;
  paidFen: number;
  outstandingFen: number;
  shortFen: number;
  excessFen: number;
  late: boolean;
  dueAt: string | null;
  paidAt: string | null;
  reference: string;
}

function Row({ label, children, testId }: { label: string; children: React.ReactNode; testId?: string }) {
  return (
    <div className="facts__row" data-testid={testId}>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

/** What is due, paid, short (少付), excess (多付), late (逾期): label/value rows that read at 390 px. */
export function StageFacts({ stage: s }: { stage: StageFactsData }) {
  const { t, i18n } = useTranslation();
  const money = (fen: number) => formatYuan(fen, i18n.language);
  return (
    <dl className="facts">
      <Row label={t("settlement.kinds." + s.kind)} testId="stage-status">
        <strong>{t("settlement.statuses." + s.status)}</strong>
        {s.late ? (
          <>
            {" · "}
            <strong data-testid="stage-late">{t("settlement.late")}</strong>
          </>
        ) : null}
      </Row>
      <Row label={t("settlement.amount")} testId="stage-amount">
        {money(s.amountFen)}
      </Row>
      <Row label={t("settlement.paid")} testId="stage-paid">
        {money(s.paidFen)}
      </Row>
      {s.shortFen > 0 ? (
        <Row label={t("settlement.short")} testId="stage-short">
          <strong>{money(s.shortFen)}</strong>
        </Row>
      ) : s.outstandingFen > 0 ? (
        <Row label={t("settlement.outstanding")} testId="stage-outstanding">
          <strong>{money(s.outstandingFen)}</strong>
        </Row>
      ) : null}
      {s.excessFen > 0 ? (
        <Row label={t("settlement.excess")} testId="stage-excess">
          <strong>{money(s.excessFen)}</strong> <span className="muted">{t("settlement.excessNote")}</span>
        </Row>
      ) : null}
      <Row label={t("settlement.dueAt")}>{s.dueAt ? formatDate(s.dueAt) : t("settlement.noDueDate")}</Row>
      {s.paidAt ? <Row label={t("settlement.paidAt")}>{formatDate(s.paidAt)}</Row> : null}
      <Row label={t("settlement.reference")} testId="stage-reference">
        <code>{s.reference}</code>
      </Row>
    </dl>
  );
}
