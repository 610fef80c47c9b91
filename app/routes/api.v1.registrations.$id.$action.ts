import type { ActionFunctionArgs } from "@remix-run/node";
import { getRegistration } from "~/services/registration/queries.server.ts";
import { askForCorrections, refuseRegistration, registerContract } from "~/services/registration/review.server.ts";
import { resubmitRegistration } from "~/services/registration/submit.server.ts";
import { NotFoundError } from "~/utils/errors.ts";
import { apiHandler, apiJson, methodNotAllowed, readJsonBody, requireApiUser } from "~/web/api/envelope.server.ts";
import { apiRegistration } from "~/web/api/presenters/registration.ts";

/**
 * POST /api/v1/registrations/:id/{register|refuse|corrections|resubmit} (issue 15): the bureau's
 * three answers — register (no body), refuse `{ground, note}`, corrections `{note}` — and the
 * applicant's resubmission after corrections (the whole form; for an external contract optionally
 * a new `file: {filename, base64}`). 200 with the registration.
 */
const MAX_BODY_BYTES = 15 * 1024 * 1024;

export const loader = apiHandler(async () => methodNotAllowed("POST"));

export const action = apiHandler(async ({ request, params }: ActionFunctionArgs) => {
  if (request.method !== "POST") return methodNotAllowed("POST");
  const { actor } = await requireApiUser(request);
  const id = params.id ?? "";
  const kind = params.action ?? "";
  // Who may not see the registration is refused before the body is read (404).
  await getRegistration(actor, id);
  const body = ((await readJsonBody(request, MAX_BODY_BYTES).catch((e: unknown) => {
    // No body at all is fine for `register`.
    if (kind === "register") return {};
    throw e;
  })) ?? {}) as Record<string, unknown>;
  const opts = { via: "api" as const };
  if (kind === "register") await registerContract(actor, id, opts);
  else if (kind === "refuse") await refuseRegistration(actor, id, body, opts);
  else if (kind === "corrections") await askForCorrections(actor, id, body, opts);
  else if (kind === "resubmit") {
    const { file, ...form } = body;
    const f = file as { filename?: unknown; base64?: unknown } | undefined;
    const bytes = f && typeof f.base64 === "string" ? new Uint8Array(Buffer.from(f.base64, "base64")) : null;
    await resubmitRegistration(
      actor,
      id,
      form,
      bytes ? { filename: typeof f?.filename === "string" ? f.filename : "contract", bytes } : null,
      opts,
    );
  } else throw new NotFoundError();
  return apiJson({ registration: apiRegistration((await getRegistration(actor, id)).registration) });
});
