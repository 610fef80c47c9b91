/**
 * Route glue of 相关 / 不相关 on the detail pages' matches (decision 031): one plain form per match
 * (intent `matchFeedback`, the pair's other side, the verdict or "none" to withdraw), answered by
 * Post/Redirect/Get back to the page's matches. The rule (who may judge) lives in
 * services/matching/feedback.server.ts.
 */
import type { ListingKind } from "~/schemas/listing.ts";
import { flattenZodErrors } from "~/schemas/listing.ts";
import { MatchFeedbackFormSchema } from "~/schemas/match-feedback.ts";
import { markMatch } from "~/services/matching/feedback.server.ts";
import { requireUser } from "~/web/auth.server.ts";
import { formValues, readVerifiedForm } from "~/web/forms.server.ts";
import { attempt, redirectDone, refuse } from "~/web/actions.server.ts";

export const MATCH_FEEDBACK_INTENT = "matchFeedback";

/** Whether a posted form is a match mark (read from a copy of the request, so the original can go elsewhere). */
export async function isMatchFeedbackIntent(request: Request): Promise<boolean> {
  const form = await readVerifiedForm(request.clone());
  return form.get("intent") === MATCH_FEEDBACK_INTENT;
}

/** Marks the pair of this page's listing (`kind`, `id`) and the match named in the form. */
export async function matchFeedbackAction(request: Request, kind: ListingKind, id: string): Promise<Response> {
  const user = await requireUser(request);
  const values = formValues(await readVerifiedForm(request));
  const ctx = { intent: MATCH_FEEDBACK_INTENT, target: values.counterpartId ?? null, values };
  const parsed = MatchFeedbackFormSchema.safeParse(values);
  if (!parsed.success) return refuse(400, { ...ctx, fieldErrors: flattenZodErrors(parsed.error) });
  const { counterpartId, verdict } = parsed.data;
  const [demandId, achievementId] = kind === "demand" ? [id, counterpartId] : [counterpartId, id];
  const path = new URL(request.url).pathname;
  return attempt(
    ctx,
    () => markMatch(user, demandId, achievementId, { verdict }, { via: "ui" }),
    (r) =>
      redirectDone(path, r.verdict === null ? "matchUnmarked" : r.verdict === "relevant" ? "matchRelevant" : "matchIrrelevant", {
        hash: "matches-title",
      }),
  );
}
