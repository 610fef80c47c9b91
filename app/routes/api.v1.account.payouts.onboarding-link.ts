import type { ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { onboardingLink } from "~/services/settlement/connect.server.ts";
import { publicUrl } from "~/utils/env.server.ts";
import { ValidationError } from "~/utils/errors.ts";
import { apiHandler, apiJson, methodNotAllowed, readJsonBody, requireApiUser } from "~/web/api/envelope.server.ts";

/**
 * POST /api/v1/account/payouts/onboarding-link `{ownerKind: "organization"|"user", owner}` — opens
 * the payee's Stripe Connect account on first use and answers a one-time onboarding link
 * `{url, accountRef}` (issue 14, point 6). An organisation's account only by its admins (orgRole
 * admin); a user's only by that user (a broker, a seller on their own): 403 otherwise. The link
 * returns to /account/payouts.
 */
const Schema = z.object({
  ownerKind: z.enum(["organization", "user"], { required_error: "errors.required", invalid_type_error: "errors.invalidInput" }),
  owner: z.string({ required_error: "errors.required" }).regex(/^[0-9a-f]{24}$/, "errors.invalidInput"),
});

export const loader = apiHandler(async () => methodNotAllowed("POST"));

export const action = apiHandler(async ({ request }: ActionFunctionArgs) => {
  if (request.method !== "POST") return methodNotAllowed("POST");
  const { actor } = await requireApiUser(request);
  const parsed = Schema.safeParse(await readJsonBody(request, 4 * 1024));
  if (!parsed.success) {
    const fields: Record<string, string[]> = {};
    for (const issue of parsed.error.issues) (fields[issue.path.join(".") || "body"] ??= []).push(issue.message);
    throw new ValidationError(fields);
  }
  const target = `${parsed.data.ownerKind}.${parsed.data.owner}`;
  const base = `${publicUrl()}/account/payouts`;
  const link = await onboardingLink(
    actor,
    parsed.data,
    { returnUrl: `${base}?return=${encodeURIComponent(target)}`, refreshUrl: `${base}?expired=1` },
    "api",
  );
  return apiJson({ url: link.url, accountRef: link.accountRef });
});
