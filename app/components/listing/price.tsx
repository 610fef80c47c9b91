import { useTranslation } from "react-i18next";
import { formatYuan } from "~/utils/money.ts";

interface Price {
  mode: string;
  amount: number | null;
}

/** 挂牌价 ¥300,000 · 面议 · 竞价 起拍价 ¥…; amounts arrive in fen. */
export function PriceDisplay({ price }: { price: Price }) {
  const { t, i18n } = useTranslation();
  const amount = price.amount != null ? formatYuan(price.amount, i18n.language) : null;
  let text: string;
  if (price.mode === "fixed" && amount) text = t("listingUi.priceFixed", { amount });
  else if (price.mode === "auction" && amount) text = t("listingUi.priceAuction", { amount });
  else text = t(`listing.priceModes.${price.mode}`);
  return (
    <span className={`price price--${price.mode}`} data-testid="price">
      {text}
    </span>
  );
}

interface Budget {
  min: number | null;
  max: number | null;
}

/** A demand's budget range in yuan: ¥100,000 – ¥500,000, 不超过 …, 不低于 …, or 面议. */
export function BudgetDisplay({ budget }: { budget: Budget }) {
  const { t, i18n } = useTranslation();
  const y = (fen: number) => formatYuan(fen, i18n.language);
  let text: string;
  if (budget.min != null && budget.max != null) {
    text = budget.min === budget.max ? y(budget.max) : t("listingUi.budgetRange", { min: y(budget.min), max: y(budget.max) });
  } else if (budget.max != null) text = t("listingUi.budgetMax", { max: y(budget.max) });
  else if (budget.min != null) text = t("listingUi.budgetMin", { min: y(budget.min) });
  else text = t("listingUi.budgetOpen");
  return (
    <span className="price" data-testid="budget">
      {text}
    </span>
  );
}
