import type { CountyTowns } from "~/components/region-select.tsx";
import type { ActionResult, FormReply } from "~/schemas/action-result.ts";

/**
 * What the four listing form pages' action answers when it does not redirect: the one action
 * result (app/schemas/action-result.ts), plus the towns of the county in the reply so the page
 * renders the matching town list without JavaScript. The main form's intents ("save", "submit",
 * "refreshTowns") carry conform's reply; the attachment forms ("upload", "deleteAttachment") their
 * errors by field ("" for the form).
 */
export type ListingFormResult = ActionResult<{ reply: FormReply }> & { towns?: CountyTowns };

const MAIN_FORM = ["save", "submit", "refreshTowns"];
const ATTACHMENT_FORMS = ["upload", "deleteAttachment"];

/** The main form's last reply (conform's `lastResult`). */
export function mainFormReply(result: ListingFormResult | null | undefined): FormReply | undefined {
  if (!result || !MAIN_FORM.includes(result.intent)) return undefined;
  return result.ok ? result.data.reply : result.reply;
}

/** The attachment forms' errors, by field. */
export function attachmentErrors(result: ListingFormResult | null | undefined): Record<string, string[]> | undefined {
  if (!result || result.ok || !ATTACHMENT_FORMS.includes(result.intent)) return undefined;
  return (result.reply.error ?? {}) as Record<string, string[]>;
}
