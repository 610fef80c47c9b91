import type { ActionFunctionArgs } from "@remix-run/node";
import { MAX_ATTACHMENT_BYTES } from "~/services/files/file-types.ts";
import { recordBankReceipt, type BankReceiptInput } from "~/services/settlement/receipts.server.ts";
import { ValidationError } from "~/utils/errors.ts";
import { apiHandler, apiJson, methodNotAllowed, readJsonBody, requireApiUser } from "~/web/api/envelope.server.ts";
import { assertCan } from "~/utils/permissions.ts";

/**
 * POST /api/v1/stages/receipts `{ reference, amount, receivedOn, bankRef, proof?: { filename, contentBase64 } }`
 * — an administrator (`settlement:record`) records a bank transfer that arrived for the stage with
 * that reference: 201 `{ dealId, number, receiptId }`.
 */
export const loader = apiHandler(async () => methodNotAllowed("POST"));

const MAX_BODY = Math.ceil((MAX_ATTACHMENT_BYTES * 4) / 3) + 16 * 1024;

export const action = apiHandler(async ({ request }: ActionFunctionArgs) => {
  if (request.method !== "POST") return methodNotAllowed("POST");
  const { actor } = await requireApiUser(request);
  // Only who records bank receipts may ask; anyone else is refused before the body is read.
  assertCan(actor, "settlement:record");
  const body = (await readJsonBody(request, MAX_BODY)) as Record<string, unknown> | null;
  if (!body || typeof body !== "object" || Array.isArray(body)) throw new ValidationError({ "": ["errors.invalidInput"] });
  const { proof, ...input } = body as { proof?: { filename?: unknown; contentBase64?: unknown } } & Record<string, unknown>;
  let file: { filename: string; bytes: Uint8Array } | null = null;
  if (proof != null) {
    if (typeof proof !== "object" || typeof proof.contentBase64 !== "string") throw new ValidationError({ proof: ["errors.invalidInput"] });
    file = { filename: typeof proof.filename === "string" ? proof.filename : "proof", bytes: Buffer.from(proof.contentBase64, "base64") };
  }
  const done = await recordBankReceipt(actor, input as BankReceiptInput, file, { via: "api" });
  return apiJson(done, { status: 201 });
});
