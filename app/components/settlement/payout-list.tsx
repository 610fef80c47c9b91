import { useTranslation } from "react-i18next";
import { formatDate } from "~/utils/china-time.ts";
import { formatYuan } from "~/utils/money.ts";

/** A payout as the deal page shows it (services/settlement/payouts.server.ts PayoutView, serialised). */
export interface PayoutRowView {
  id: string;
  to: "seller" | "broker";
  partyName: string;
  stageTitle?: string;
  amountFen: number;
  status: string;
  via: string | null;
  failureReason: string | null;
  paidAt: string | null;
}

/** The deal's payouts: who is owed what out of which stage, and where each stands — a failed transfer with its reason (issue 14, point 6). */
export function PayoutList({ payouts }: { payouts: readonly PayoutRowView[] }) {
  const { t, i18n } = useTranslation();
  if (!payouts.length) return null;
  return (
    <section data-testid="deal-payouts">
      <h2>{t("payouts.admin.title")}</h2>
      <ul className="admin-cards">
        {payouts.map((p) => (
          <li key={p.id} className="admin-card" data-testid={`deal-payout-${p.to}`}>
            <p>
              <strong>
                {t(`payouts.to.${p.to}`)} · {p.partyName}
              </strong>{" "}
              · {p.stageTitle ?? ""} · {formatYuan(p.amountFen, i18n.language)} · {t(`payouts.status.${p.status}`)}
              {p.via ? ` · ${t(`payouts.via.${p.via}`)}` : null}
              {p.paidAt ? ` · ${formatDate(p.paidAt)}` : null}
            </p>
            {p.status === "failed" && p.failureReason ? (
              <p className="error" role="alert">
                {t("payouts.admin.reason", { reason: p.failureReason })}
              </p>
            ) : null}
          </li>
        ))}
      </ul>
    </section>
  );
}
