import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { payByTransfer, recordBankPayout } from "~/services/settlement/payouts.server.ts";
import { isCalendarDate, startOfChinaDay } from "~/utils/china-time.ts";
import { ValidationError } from "~/utils/errors.ts";
import { ApiHttpError, apiError, apiHandler, apiJson, methodNotAllowed, readJsonBody, requireApiUser } from "~/web/api/envelope.server.ts";
import { apiPayout } from "~/web/api/presenters/payouts.ts";
import { assertCan } from "~/utils/permissions.ts";

/**
 * POST /api/v1/payouts/:id/transfer — pay (or retry) a payout by Stripe Connect transfer; 200
 * `{payout}` with status `paid`, or `failed` with its `failureReason` (retry by calling again).
 * POST /api/v1/payouts/:id/bank-payout `{bankRef, paidAt: "YYYY-MM-DD", proof: {filename, contentBase64}}`
 * — record a bank payout with its slip (PDF/PNG/JPEG/WebP, ≤ 10 MB). Admins only (403 otherwise).
 */
const ACTIONS = ["transfer", "bank-payout"] as const;
const MAX_BODY_BYTES = 15 * 1024 * 1024;

const BankPayoutSchema = z.object({
  bankRef: z.string({ required_error: "errors.required", invalid_type_error: "errors.invalidInput" }),
  paidAt: z
    .string({ required_error: "errors.required", invalid_type_error: "errors.invalidInput" })
    .refine(isCalendarDate, "errors.invalidInput"),
  proof: z.object(
    {
      filename: z.string({ required_error: "errors.required" }).max(200, "errors.tooLong"),
      contentBase64: z.string({ required_error: "errors.required" }).regex(/^[A-Za-z0-9+/=\s]+$/, "payouts.errors.proofFile"),
    },
    { required_error: "errors.required", invalid_type_error: "errors.invalidInput" },
  ),
});

export const loader = apiHandler(async ({ params }: LoaderFunctionArgs) =>
  (ACTIONS as readonly string[]).includes(params.action ?? "") ? methodNotAllowed("POST") : apiError(404, "apiErrors.noSuchEndpoint"),
);

export const action = apiHandler(async ({ request, params }: ActionFunctionArgs) => {
  const what = params.action ?? "";
  if (!(ACTIONS as readonly string[]).includes(what)) return apiError(404, "apiErrors.noSuchEndpoint");
  if (request.method !== "POST") return methodNotAllowed("POST");
  const { actor } = await requireApiUser(request);
  // Only who pays out may ask; anyone else is refused before the body is read.
  assertCan(actor, "settlement:payout");
  const id = params.id ?? "";
  if (what === "transfer") {
    await readJsonBody(request, 1024).catch((e) => {
      if (!(e instanceof ApiHttpError && e.message === "apiErrors.emptyBody")) throw e;
    });
    return apiJson({ payout: apiPayout(await payByTransfer(actor, id, "api")) });
  }
  const parsed = BankPayoutSchema.safeParse(await readJsonBody(request, MAX_BODY_BYTES));
  if (!parsed.success) {
    const fields: Record<string, string[]> = {};
    for (const issue of parsed.error.issues) (fields[issue.path.join(".") || "body"] ??= []).push(issue.message);
    throw new ValidationError(fields);
  }
  const b = parsed.data;
  const view = await recordBankPayout(
    actor,
    id,
    {
      bankRef: b.bankRef,
      paidAt: startOfChinaDay(b.paidAt),
      proof: { filename: b.proof.filename, bytes: new Uint8Array(Buffer.from(b.proof.contentBase64, "base64")) },
    },
    "api",
  );
  return apiJson({ payout: apiPayout(view) });
});
