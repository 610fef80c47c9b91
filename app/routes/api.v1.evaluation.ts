import type { LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { flattenZodErrors } from "~/schemas/listing.ts";
import { scorecard } from "~/services/evaluation/scorecards.server.ts";
import { currentYear } from "~/services/commissioners/queries.server.ts";
import { ValidationError } from "~/utils/errors.ts";
import { SCORECARD_KINDS } from "~/utils/scorecards.ts";
import { apiHandler, apiJson, methodNotAllowed, requireApiUser } from "~/web/api/envelope.server.ts";

const QuerySchema = z
  .object({
    year: z
      .string()
      .regex(/^\d{4}$/, "errors.invalidInput")
      .transform(Number)
      .refine((n) => n >= 2000 && n <= 2100, "errors.invalidInput")
      .optional(),
    kind: z.enum(SCORECARD_KINDS, { errorMap: () => ({ message: "errors.invalidInput" }) }).default("town"),
  })
  .strict("errors.invalidInput");

/**
 * GET /api/v1/evaluation?year=&kind=town|enterprise|commissioner|broker — one year's scorecard
 * (issue 15, point 6): the weights, the formula, and the ranked rows with their figures, score and
 * formula text. Bureau and admins (`evaluation:manage`); an unknown parameter or value is a 400 naming it.
 */
export const loader = apiHandler(async ({ request }: LoaderFunctionArgs) => {
  const { actor } = await requireApiUser(request);
  const parsed = QuerySchema.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  if (!parsed.success) {
    const errors = flattenZodErrors(parsed.error);
    // An unknown parameter is reported under its own name.
    for (const issue of parsed.error.issues)
      if (issue.code === "unrecognized_keys") for (const k of issue.keys) errors[k] = ["errors.invalidInput"];
    delete errors[""];
    throw new ValidationError(errors);
  }
  const card = await scorecard(actor, parsed.data.kind, parsed.data.year ?? currentYear());
  return apiJson({ scorecard: card });
});

export const action = apiHandler(async () => methodNotAllowed("GET"));
