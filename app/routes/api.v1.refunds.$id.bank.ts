import type { ActionFunctionArgs } from "@remix-run/node";
import { BankRefundApiSchema } from "~/schemas/cancellation.ts";
import { flattenZodErrors } from "~/schemas/listing.ts";
import { listRefunds, recordBankRefund } from "~/services/settlement/cancel.server.ts";
import { ValidationError } from "~/utils/errors.ts";
import { apiHandler, apiJson, methodNotAllowed, readJsonBody, requireApiUser } from "~/web/api/envelope.server.ts";
import { assertCan } from "~/utils/permissions.ts";

/**
 * POST /api/v1/refunds/:id/bank (issue 14, point 8) — an admin records the bank transfer that
 * returned a cancelled deal's bank receipt: `{bankRef, paidOn: "YYYY-MM-DD", proof?: {filename,
 * base64}}`. 200 `{refund}`; not an admin 403; unknown 404; not a bank refund or recorded already 409.
 */
const MAX_BODY_BYTES = 15 * 1024 * 1024;

export const loader = apiHandler(async () => methodNotAllowed("POST"));

export const action = apiHandler(async ({ request, params }: ActionFunctionArgs) => {
  if (request.method !== "POST") return methodNotAllowed("POST");
  const { actor } = await requireApiUser(request);
  // Only who records refunds may ask; anyone else is refused before the body is read.
  assertCan(actor, "refund:record");
  const parsed = BankRefundApiSchema.safeParse(await readJsonBody(request, MAX_BODY_BYTES));
  if (!parsed.success) throw new ValidationError(flattenZodErrors(parsed.error));
  const { bankRef, paidOn, proof } = parsed.data;
  const id = params.id ?? "";
  await recordBankRefund(actor, id, {
    bankRef,
    paidOn,
    proof: proof ? { filename: proof.filename, bytes: new Uint8Array(Buffer.from(proof.base64, "base64")) } : null,
  });
  const [refund] = await listRefunds(actor, { refundId: id });
  return apiJson({ refund });
});
