import type { SubmissionResult } from "@conform-to/react";
import { fieldErrorList, fieldErrors as newFieldErrors } from "~/utils/errors.ts";

/**
 * The one shape a page's form action answers with when it does not redirect (app/web/actions.server.ts
 * builds it; components read it with `resultFor`). A refusal names the form (`intent`, and for a
 * list the row it is about as `target`) and carries conform's reply: the values as typed, the
 * errors by field, form-level errors under "". Messages are i18n keys, their parameters in `params`.
 */
export type FormReply = SubmissionResult<string[]>;

export interface ActionFailure {
  ok: false;
  intent: string;
  target: string | null;
  reply: FormReply;
  params?: Record<string, string | number>;
}

/** An action that answers in place instead of redirecting (the auction page's accepted bid). */
export interface ActionSuccess<T = unknown> {
  ok: true;
  intent: string;
  target: string | null;
  data: T;
}

export type ActionResult<T = unknown> = ActionFailure | ActionSuccess<T>;

/** What a form shows of a refusal. */
export interface FormFeedback {
  fieldErrors: Record<string, string[]>;
  formError: string | null;
  values: Record<string, string>;
  params: Record<string, string | number>;
  reply: FormReply;
}

/** The refusal for this form (and row), if the last action was about it. */
export function resultFor(
  result: ActionResult | null | undefined,
  intent: string | readonly string[],
  target: string | null = null,
): FormFeedback | null {
  if (!result || result.ok !== false) return null;
  const intents = typeof intent === "string" ? [intent] : intent;
  if (!intents.includes(result.intent)) return null;
  if ((result.target ?? null) !== target) return null;
  const { "": general, ...fields } = (result.reply.error ?? {}) as Record<string, string[] | null>;
  // Keys are the form's field names: records without a prototype, so a field called "__proto__" is a field.
  const fieldErrors = newFieldErrors();
  for (const [k, v] of Object.entries(fields)) if (v?.length) fieldErrorList(fieldErrors, k).push(...v);
  const values = Object.create(null) as Record<string, string>;
  for (const [k, v] of Object.entries(result.reply.initialValue ?? {})) if (typeof v === "string") values[k] = v;
  return { fieldErrors, formError: general?.[0] ?? null, values, params: result.params ?? {}, reply: result.reply };
}

/** The success answer for this form, if the last action was it. */
export function successOf<T>(result: ActionResult<T> | null | undefined, intent: string): T | null {
  return result && result.ok && result.intent === intent ? result.data : null;
}
