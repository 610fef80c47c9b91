import { useTranslation } from "react-i18next";
import type { VocabularyIndexState } from "~/services/vocabulary/index-update.server.ts";
import { formatDateTime } from "~/utils/china-time.ts";

/** Whether the last vocabulary change is in the search index yet: "索引更新中…" or "已生效 <time>". */
export function IndexState({ index }: { index: VocabularyIndexState }) {
  const { t } = useTranslation();
  if (index.state === "live") {
    return (
      <span className="vocabulary-index-state vocabulary-index-state--live" role="status" data-testid="index-state" data-state="live">
        {index.indexedAt ? t("vocabulary.index.live", { time: formatDateTime(index.indexedAt) }) : t("vocabulary.index.liveNever")}
      </span>
    );
  }
  return (
    <span className="vocabulary-index-state" role="status" data-testid="index-state" data-state={index.state}>
      {t(`vocabulary.index.${index.state}`)}
      {index.lastError ? ` ${t("vocabulary.index.failed", { error: index.lastError })}` : ""}
    </span>
  );
}
