import type { ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { LISTING_KINDS, flattenZodErrors } from "~/schemas/listing.ts";
import { resolveObjection } from "~/services/listings/commands.server.ts";
import { assignReview } from "~/services/listings/review.server.ts";
import { transitionListing } from "~/services/listings/workflow.server.ts";
import { attempt, intentAction, redirectDone, refuse } from "~/web/actions.server.ts";
import { requirePermission } from "~/web/auth.server.ts";
import { formValues, readVerifiedForm } from "~/web/forms.server.ts";

/**
 * The review queue's forms: reject a submitted item, assign it to a reviewer, uphold or dismiss an
 * objection. Approving is done on the item's own page once it was opened (decision 014); an
 * approve posted here without that is refused with the reason.
 * Success goes back to the queue with `?done=<notice>`; a refusal stays on the queue, next to the
 * item's form (`target` is "<kind>:<id>" or the objection id), in the one action-result shape.
 */

const ReviewIntentSchema = z.discriminatedUnion("intent", [
  z.object({
    intent: z.enum(["approve", "reject"]),
    kind: z.enum(LISTING_KINDS),
    id: z.string().min(1).max(64),
    reason: z.string().max(2000).optional(),
  }),
  z.object({
    intent: z.literal("assign"),
    kind: z.enum(LISTING_KINDS),
    id: z.string().min(1).max(64),
    assignee: z.string().min(1, "review.errors.notAReviewer").max(64),
  }),
  z.object({
    intent: z.literal("resolveObjection"),
    objectionId: z.string().min(1).max(64),
    decision: z.enum(["uphold", "dismiss"]),
    resolution: z.string().max(2000).default(""),
  }),
]);

export async function action({ request }: ActionFunctionArgs) {
  const reviewer = await requirePermission(request, "listing:review");
  const form = await readVerifiedForm(request);
  const raw = formValues(form);
  const intent = raw.intent ?? "";
  const ctx = {
    intent,
    target: intent === "resolveObjection" ? (raw.objectionId ?? null) : `${raw.kind}:${raw.id}`,
    values: formValues(form, ["reason", "resolution"]),
    // The queue stays on screen with the message next to the form (a vanished item included).
    notFound: "show" as const,
  };
  const handle = async () => {
    const parsed = ReviewIntentSchema.safeParse(raw);
    if (!parsed.success) {
      if (intent === "assign") return refuse(400, { ...ctx, fieldErrors: { assignee: ["review.errors.notAReviewer"] } });
      return refuse(400, { ...ctx, fieldErrors: flattenZodErrors(parsed.error), formError: "errors.invalidInput" });
    }
    const input = parsed.data;
    return attempt(
      ctx,
      async () => {
        if (input.intent === "resolveObjection") {
          await resolveObjection(reviewer, input.objectionId, { uphold: input.decision === "uphold", resolution: input.resolution });
          return input.decision === "uphold" ? "objectionUpheld" : "objectionDismissed";
        }
        if (input.intent === "assign") {
          await assignReview(reviewer, input.kind, input.id, input.assignee);
          return "assigned";
        }
        // Approving from here is refused until the reviewer opened the item's page (the queue offers no approve button).
        await transitionListing(reviewer, input.kind, input.id, input.intent, {
          reason: input.reason ?? null,
          via: "ui",
          requireOpened: true,
        });
        return input.intent;
      },
      (done) => redirectDone("/review", done, { keep: keptQuery(request) }),
    );
  };
  return intentAction(raw, { approve: handle, reject: handle, assign: handle, resolveObjection: handle });
}

/** The queue's own filter (?mine=1) survives a post. */
function keptQuery(request: Request): URLSearchParams {
  const kept = new URLSearchParams();
  if (new URL(request.url).searchParams.get("mine") === "1") kept.set("mine", "1");
  return kept;
}
