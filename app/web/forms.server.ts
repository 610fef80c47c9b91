import {
  createCookie,
  MaxPartSizeExceededError,
  unstable_createMemoryUploadHandler,
  unstable_parseMultipartFormData,
  type UploadHandler,
} from "@remix-run/node";
import { CSRF, CSRFError } from "remix-utils/csrf/server";
import { ValidationError } from "~/utils/errors.ts";
import { secureCookies, sessionSecrets } from "~/utils/secrets.server.ts";
import { singleton } from "~/utils/singleton.server.ts";

/**
 * Reading what a page's form posts, once: every form is CSRF-checked (a double-submit token: a
 * signed cookie plus the hidden `csrf` field that <AuthenticityTokenInput/> writes), and a
 * multipart upload is read with a bound on each part and on the number of parts, so one request
 * can never hold more than a known amount of memory.
 */

/** The double-submit CSRF protection (one per process). */
export function csrfProtection(): CSRF {
  return singleton(
    "csrf",
    () =>
      new CSRF({
        cookie: createCookie("csrf", { path: "/", httpOnly: true, secure: secureCookies(), sameSite: "lax", secrets: sessionSecrets() }),
        secret: sessionSecrets()[0],
      }),
  );
}

const CSRF_REFUSED = "Invalid or missing CSRF token. Reload the page and try again. / 表单已过期，请刷新页面后重试。";

async function verify(form: FormData, request: Request): Promise<void> {
  try {
    await csrfProtection().validate(form, request.headers);
  } catch (e) {
    // A bad token is a 403, never a silent pass.
    if (e instanceof CSRFError) throw new Response(CSRF_REFUSED, { status: 403 });
    throw e;
  }
}

/** Reads a posted form and checks its CSRF token. */
export async function readVerifiedForm(request: Request): Promise<FormData> {
  const form = await request.formData();
  await verify(form, request);
  return form;
}

/** The text fields of a form (the first value of each), without the CSRF token: what was typed, to give back on a refusal. */
export function formValues(form: FormData, only?: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of form) {
    if (typeof v !== "string" || k === "csrf" || k in out) continue;
    if (only && !only.includes(k)) continue;
    out[k] = v;
  }
  return out;
}

export interface UploadLimits {
  /** Largest part (file) in bytes. */
  maxPartBytes: number;
  /** Most parts (files and text fields together). */
  maxParts: number;
  /** The field a refusal is reported under. */
  field: string;
  /** Message keys for a part that is too large and for too many parts. */
  tooLarge: string;
  tooMany: string;
}

class TooManyPartsError extends Error {}

/** Is this post a multipart upload? */
export function isMultipart(request: Request): boolean {
  return (request.headers.get("Content-Type") ?? "").startsWith("multipart/form-data");
}

/**
 * Reads a multipart upload in memory within `limits`, then checks its CSRF token. A part over the
 * size or too many parts is a ValidationError on `limits.field` (a 400 with the field's error,
 * never a 500), and nothing has been stored.
 */
export async function readUpload(request: Request, limits: UploadLimits): Promise<FormData> {
  const memory = unstable_createMemoryUploadHandler({ maxPartSize: limits.maxPartBytes });
  let parts = 0;
  const handler: UploadHandler = async (part) => {
    if (++parts > limits.maxParts) throw new TooManyPartsError();
    return memory(part);
  };
  let form: FormData;
  try {
    form = await unstable_parseMultipartFormData(request, handler);
  } catch (e) {
    if (e instanceof MaxPartSizeExceededError) throw new ValidationError({ [limits.field]: [limits.tooLarge] });
    if (e instanceof TooManyPartsError) throw new ValidationError({ [limits.field]: [limits.tooMany] });
    throw e;
  }
  await verify(form, request);
  return form;
}

/** The files of a field, without the empty part a file input left blank still sends. */
export function uploadedFiles(form: FormData, name: string): File[] {
  return form.getAll(name).filter((f): f is File => typeof f !== "string" && (f.name !== "" || f.size > 0));
}
