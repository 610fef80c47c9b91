import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { getRegistration, listRegistrations } from "~/services/registration/queries.server.ts";
import { submitExternal, submitFromContract } from "~/services/registration/submit.server.ts";
import { ValidationError } from "~/utils/errors.ts";
import { apiHandler, apiJson, methodNotAllowed, readJsonBody, requireApiUser } from "~/web/api/envelope.server.ts";
import { apiRegistration } from "~/web/api/presenters/registration.ts";

/**
 * GET /api/v1/registrations?status=&year= — registrations (技术合同认定登记, issue 15): the bureau and
 * admins see all, anyone else their own applications. POST submits one: `{deal, ...form}` for a
 * contract signed on the platform (the signed contract fixes category, amounts and signing date),
 * or `{file: {filename, base64}, ...form}` for one signed outside it. Amounts in yuan. 201 with
 * the registration; bad input 400 naming the fields.
 */
const MAX_BODY_BYTES = 15 * 1024 * 1024;

export const loader = apiHandler(async ({ request }: LoaderFunctionArgs) => {
  const { actor } = await requireApiUser(request);
  const url = new URL(request.url);
  const query = Object.fromEntries([...url.searchParams].filter(([k]) => k === "status" || k === "year"));
  const items = await listRegistrations(actor, query);
  return apiJson({ registrations: items.map(apiRegistration) });
});

export const action = apiHandler(async ({ request }: ActionFunctionArgs) => {
  if (request.method !== "POST") return methodNotAllowed("GET, POST");
  const { actor } = await requireApiUser(request);
  const body = await readJsonBody(request, MAX_BODY_BYTES);
  if (!body || typeof body !== "object" || Array.isArray(body)) throw new ValidationError({ "": ["errors.invalidInput"] });
  const { deal, file, ...form } = body as Record<string, unknown>;
  let id: string;
  if (typeof deal === "string") {
    id = await submitFromContract(actor, deal, form, { via: "api" });
  } else {
    const f = file as { filename?: unknown; base64?: unknown } | undefined;
    const bytes =
      f && typeof f.base64 === "string" && /^[A-Za-z0-9+/=\s]+$/.test(f.base64) ? new Uint8Array(Buffer.from(f.base64, "base64")) : null;
    id = await submitExternal(actor, form, bytes ? { filename: typeof f?.filename === "string" ? f.filename : "contract", bytes } : null, {
      via: "api",
    });
  }
  return apiJson({ registration: apiRegistration((await getRegistration(actor, id)).registration) }, { status: 201 });
});
