/**
 * What a listing page's action answers when it refuses: which form it was (`intent`, and for
 * lists the row it concerns as `target`), the field errors, a form-level message (403/409), and
 * what was typed so the form can show it again. Successful actions redirect instead.
 */
export interface ActionFailure {
  ok: false;
  intent: string;
  target: string | null;
  fieldErrors: Record<string, string[]>;
  formError: string | null;
  values: Record<string, string>;
}

/** The failure for this form, if the last action was about it. */
export function failureFor(
  result: ActionFailure | undefined | null,
  intent: string | readonly string[],
  target: string | null = null,
): ActionFailure | null {
  if (!result || result.ok !== false) return null;
  const intents = typeof intent === "string" ? [intent] : intent;
  if (!intents.includes(result.intent)) return null;
  if ((result.target ?? null) !== target) return null;
  return result;
}
