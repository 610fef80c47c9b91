import { useSearchParams } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { LISTING_ACTIONS } from "~/utils/listing-workflow.ts";

const SPECIAL = ["objection", "objectionUpheld", "objectionDismissed", "featured", "unfeatured", "saved"];

/** After a redirect (`?done=<action>`), says what just happened; unknown values show nothing. */
export function DoneNotice() {
  const { t } = useTranslation();
  const [params] = useSearchParams();
  const done = params.get("done");
  let text: string | null = null;
  if (done && (LISTING_ACTIONS as readonly string[]).includes(done)) {
    text = t("listingUi.doneAction", { action: t(`listing.actions.${done}`) });
  } else if (done && SPECIAL.includes(done)) {
    text = t(`listingUi.done.${done}`);
  }
  if (!text) return null;
  return (
    <p className="notice" role="status" data-testid="done-notice">
      {text}
    </p>
  );
}
