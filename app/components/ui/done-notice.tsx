import { useActionData, useSearchParams } from "@remix-run/react";
import { useTranslation } from "react-i18next";

/**
 * The one "done" notice: after Post/Redirect/Get (`redirectDone` in app/web/actions.server.ts puts
 * `?done=<notice>` on the URL), says what just happened — the text is `<ns>.done.<notice>` in the
 * locales. A notice the locales do not know shows nothing, so a link someone made up cannot put
 * words on the page.
 */
export function DoneNotice({ ns, params }: { ns: string; params?: Record<string, string> }) {
  const { t, i18n } = useTranslation();
  const [search] = useSearchParams();
  const done = search.get("done");
  // A page answering a post of its own (a refusal) shows that last result, never the address's earlier success too.
  const answered = useActionData() !== undefined;
  if (answered || !done || !/^[\w-]+$/.test(done)) return null;
  const key = `${ns}.done.${done}`;
  if (!i18n.exists(key)) return null;
  return (
    <p className="notice" role="status" data-testid="done-notice">
      {t(key, params)}
    </p>
  );
}
