import { useTranslation } from "react-i18next";

/** 转让 · 许可（独占许可、普通许可） · 作价投资: licence exclusivity goes with the licence. */
export function ModesDisplay({ modes, exclusivity = [] }: { modes: readonly string[]; exclusivity?: readonly string[] }) {
  const { t } = useTranslation();
  return (
    <span className="modes">
      {modes.map((m, i) => (
        <span key={m}>
          {i > 0 ? " · " : null}
          {t(`listing.modes.${m}`)}
          {m === "license" && exclusivity.length
            ? t("listingUi.exclusivityList", {
                list: exclusivity.map((e) => t(`listing.exclusivity.${e}`)).join(t("listingUi.listSeparator")),
              })
            : null}
        </span>
      ))}
    </span>
  );
}
