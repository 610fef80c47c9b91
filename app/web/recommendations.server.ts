/**
 * Route glue of the demand page's recommendations (推荐我的成果, 推荐的成果) and of 标记为已解决:
 * the loader's data and the two intents. The rules live in services/recommendations and
 * services/listings/solve.server.ts.
 */
import { recommendAchievement } from "~/services/recommendations/commands.server.ts";
import { recommendationsOf, recommendPanel, solutionOptions } from "~/services/recommendations/queries.server.ts";
import { solveDemand } from "~/services/listings/solve.server.ts";
import { hasRole } from "~/utils/permissions.ts";
import { getUser, requireUser } from "~/web/auth.server.ts";
import { formValues, readVerifiedForm } from "~/web/forms.server.ts";
import { attempt, intentAction, redirectDone } from "~/web/actions.server.ts";

/** The intents this glue answers on the demand page (the rest go to the listing's detailAction). */
export const RECOMMENDATION_INTENTS = ["recommend", "solve"] as const;

/** The demand page's recommendation data: all of them for the owner side, the form and one's own for a recommender. */
export async function loadRecommendations(request: Request, demandId: string) {
  const user = await getUser(request);
  const [all, panel, solutions] = await Promise.all([
    recommendationsOf(user, demandId),
    recommendPanel(user, demandId),
    solutionOptions(user, demandId),
  ]);
  return { all, panel, solutions, broker: hasRole(user, "broker") };
}

/** Whether a posted form is one of ours (read from a copy of the request, so the original can go elsewhere). */
export async function isRecommendationIntent(request: Request): Promise<boolean> {
  const form = await readVerifiedForm(request.clone());
  return (RECOMMENDATION_INTENTS as readonly string[]).includes(String(form.get("intent") ?? ""));
}

export async function recommendationAction(request: Request, demandId: string) {
  const user = await requireUser(request);
  const form = await readVerifiedForm(request);
  const raw = formValues(form);
  const values = formValues(form, ["achievementId", "note"]);
  const path = new URL(request.url).pathname;
  return intentAction(raw, {
    recommend: () =>
      attempt(
        { intent: "recommend", values },
        () => recommendAchievement(user, demandId, { achievementId: raw.achievementId ?? "", note: raw.note }, { via: "ui" }),
        () => redirectDone(path, "recommended", { hash: "my-recommendations" }),
      ),
    solve: () =>
      attempt(
        { intent: "solve", values },
        () => solveDemand(user, demandId, { achievementId: raw.achievementId ?? "" }, { via: "ui" }),
        () => redirectDone(path, "solve"),
      ),
  });
}
