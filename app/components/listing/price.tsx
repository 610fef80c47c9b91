import { useTranslation } from "react-i18next";
import { offeredOptions, priceOptionKey, sameOption } from "~/schemas/listing-prices.ts";
import { formatYuan } from "~/utils/money.ts";

interface Price {
  mode: string;
  amount: number | null;
}

/** 挂牌价 ¥300,000 (¥50,000 起 when the modes are priced apart) · 面议 · 竞价 起拍价 ¥…; amounts arrive in fen. */
export function PriceDisplay({ price, from = false }: { price: Price; from?: boolean }) {
  const { t, i18n } = useTranslation();
  const amount = price.amount != null ? formatYuan(price.amount, i18n.language) : null;
  let text: string;
  if (price.mode === "fixed" && amount && from) text = t("prices.from", { amount });
  else if (price.mode === "fixed" && amount) text = t("listingUi.priceFixed", { amount });
  else if (price.mode === "auction" && amount) text = t("listingUi.priceAuction", { amount });
  else text = t(`listing.priceModes.${price.mode}`);
  return (
    <span className={`price price--${price.mode}`} data-testid="price">
      {text}
    </span>
  );
}

interface Priced {
  price: Price;
  prices: readonly { transactionMode: string; licenseExclusivity: string | null; amount: number }[];
  transactionModes: readonly string[];
  licenseExclusivity: readonly string[];
  nonExclusiveLicences?: number;
}

/**
 * 分项挂牌价 on a listing's page: each offered mode and licence kind with its price, or 面议 when
 * it has none (转让 ¥300,000 · 独占许可 ¥200,000 · 普通许可 ¥50,000 · 作价入股 面议). Listings that
 * are not fixed-price show their one price line.
 */
export function PriceList({ listing: l }: { listing: Priced }) {
  const { t, i18n } = useTranslation();
  if (l.price.mode !== "fixed" || l.prices.length === 0) return <PriceDisplay price={l.price} />;
  const options = offeredOptions(l.transactionModes, l.licenseExclusivity);
  return (
    <>
      <ul className="plain-list price-list" data-testid="price-list">
        {options.map((o) => {
          const key = priceOptionKey(o);
          const p = l.prices.find((x) => sameOption(o, x));
          return (
            <li key={key} data-testid={`price-${key}`}>
              {t(`prices.options.${key}`)}{" "}
              <strong className="price price--fixed">{p ? formatYuan(p.amount, i18n.language) : t("prices.negotiable")}</strong>
            </li>
          );
        })}
      </ul>
      {l.nonExclusiveLicences ? (
        <p className="muted" data-testid="licensees">
          {t("prices.licensees", { count: l.nonExclusiveLicences })}
        </p>
      ) : null}
    </>
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
