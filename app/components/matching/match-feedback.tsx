import { useTranslation } from "react-i18next";
import { AuthenticityTokenInput } from "remix-utils/csrf/react";
import { resultFor, type ActionResult } from "~/schemas/action-result.ts";

/**
 * 相关 / 不相关 on a match, and the demand's collapsed list of pairs marked 不相关 with an undo
 * (decision 031). Plain forms posting to the page itself (intent `matchFeedback`): they work
 * without JavaScript and land back on the matches. Shown only to those who may judge; the
 * service checks again.
 */

const INTENT = "matchFeedback";

function Refusal({ result, target }: { result?: ActionResult; target: string }) {
  const { t } = useTranslation();
  const failure = resultFor(result, INTENT, target);
  if (!failure) return null;
  const message = failure.formError ?? Object.values(failure.fieldErrors).flat()[0] ?? "errors.invalidInput";
  return (
    <p className="form-error" role="alert" data-testid="match-feedback-error">
      {t(message)}
    </p>
  );
}

/** The buttons under one match. */
export function MatchFeedbackForm({
  counterpartId,
  marked,
  markedByMe,
  result,
}: {
  counterpartId: string;
  marked?: "relevant";
  markedByMe?: boolean;
  result?: ActionResult;
}) {
  const { t } = useTranslation();
  return (
    <form method="post" className="match-feedback" data-testid="match-feedback">
      <AuthenticityTokenInput />
      <input type="hidden" name="intent" value={INTENT} />
      <input type="hidden" name="counterpartId" value={counterpartId} />
      {marked === "relevant" ? (
        <span className="match-feedback__state" data-testid="match-marked">
          {t(markedByMe ? "matchFeedback.markedByMe" : "matchFeedback.markedRelevant")}
        </span>
      ) : null}
      {marked === "relevant" && markedByMe ? (
        <button type="submit" name="verdict" value="none" className="button button--ghost" data-testid="match-unmark">
          {t("matchFeedback.undo")}
        </button>
      ) : null}
      {marked !== "relevant" ? (
        <button type="submit" name="verdict" value="relevant" className="button button--ghost" data-testid="match-relevant">
          {t("matchFeedback.relevant")}
        </button>
      ) : null}
      <button type="submit" name="verdict" value="irrelevant" className="button button--ghost" data-testid="match-irrelevant">
        {t("matchFeedback.irrelevant")}
      </button>
      <Refusal result={result} target={counterpartId} />
    </form>
  );
}

/** "已标为不相关 (n)": collapsed; each with 撤销 (one's own mark) or 改为相关 (someone else's). */
export function HiddenMatches({
  items,
  base,
  result,
}: {
  items: { id: string; title: string; markedByMe?: boolean }[];
  base: string;
  result?: ActionResult;
}) {
  const { t } = useTranslation();
  if (items.length === 0) return null;
  return (
    <details className="matches__hidden" data-testid="matches-hidden">
      <summary>{t("matchFeedback.hiddenTitle", { count: items.length })}</summary>
      <p className="muted">{t("matchFeedback.hiddenIntro")}</p>
      <ul>
        {items.map((h) => (
          <li key={h.id} data-testid="hidden-match">
            <a href={`${base}/${h.id}`}>{h.title}</a>
            <form method="post" className="match-feedback">
              <AuthenticityTokenInput />
              <input type="hidden" name="intent" value={INTENT} />
              <input type="hidden" name="counterpartId" value={h.id} />
              {h.markedByMe ? (
                <button type="submit" name="verdict" value="none" className="button button--ghost" data-testid="hidden-undo">
                  {t("matchFeedback.undo")}
                </button>
              ) : (
                <button type="submit" name="verdict" value="relevant" className="button button--ghost" data-testid="hidden-relevant">
                  {t("matchFeedback.markRelevantInstead")}
                </button>
              )}
              <Refusal result={result} target={h.id} />
            </form>
          </li>
        ))}
      </ul>
    </details>
  );
}
