import { useTranslation } from "react-i18next";
import { maturityStage } from "~/utils/taxonomy.ts";

/** "TRL 6 · 通过中试": the number for specialists, the Chinese stage for everyone else. */
export function Maturity({ trl }: { trl: number }) {
  const { t } = useTranslation();
  return (
    <span className="maturity" data-trl={trl}>
      TRL {trl} · {t(`listing.maturity.${maturityStage(trl)}`)}
    </span>
  );
}
