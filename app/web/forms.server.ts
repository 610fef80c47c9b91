import {
  createCookie,
  MaxPartSizeExceededError,
  unstable_createMemoryUploadHandler,
  unstable_parseMultipartFormData,
  type UploadHandler,
} from "@remix-run/node";
import { CSRF, CSRFError } from "remix-utils/csrf/server";
import { ValidationError } from "~/utils/errors.ts";
import { escapeForbidden, forbiddenCharacter, type ForbiddenCharacter } from "~/utils/plain-text.ts";
import { BodyTooLargeError, boundedRequest, formatBytes, MAX_FORM_BYTES } from "~/web/body.server.ts";
import { secureCookies, sessionSecrets } from "~/utils/secrets.server.ts";
import { singleton } from "~/utils/singleton.server.ts";

/**
 * Reading what a page's form posts, once: every form is CSRF-checked (a double-submit token: a
 * signed cookie plus the hidden `csrf` field that <AuthenticityTokenInput/> writes), and a
 * multipart upload is read with a bound on each part and on the number of parts, so one request
 * can never hold more than a known amount of memory. Every form body is bounded before it is
 * read (web/body.server.ts): a form over its limit is a 413, a post that is not a form a 415, a
 * body that cannot be parsed a 400 — never a 500, and never read whole first. A field whose name
 * or text holds a control character (utils/plain-text.ts) is a 400 naming the field.
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

const FORM_TYPES = ["application/x-www-form-urlencoded", "multipart/form-data"];

/** The media type of the request's body, lower case, without parameters ("" when none is declared). */
function mediaType(request: Request): string {
  return (request.headers.get("Content-Type") ?? "").split(";")[0]!.trim().toLowerCase();
}

function notAForm(request: Request): Response {
  const type = mediaType(request);
  return new Response(
    `This address takes a form: send it as application/x-www-form-urlencoded or multipart/form-data (got ${type ? JSON.stringify(type) : "no Content-Type"}). / 此地址只接受表单提交（application/x-www-form-urlencoded 或 multipart/form-data）。`,
    { status: 415, headers: { "Content-Type": "text/plain; charset=utf-8" } },
  );
}

function tooLarge(maxBytes: number): Response {
  const limit = formatBytes(maxBytes);
  return new Response(`The form is larger than the ${limit} limit. / 提交的内容超过 ${limit} 的上限。`, {
    status: 413,
    headers: { "Content-Type": "text/plain; charset=utf-8", Connection: "close" },
  });
}

/** No form of the site names a field deeper than `milestones[0].amount`; conform walks names recursively. */
export const MAX_FIELD_NAME_SEGMENTS = 16;
export const MAX_FIELD_NAME_LENGTH = 200;

/** The first field name nested deeper (or longer) than any form of the site has, if any. */
function unreasonableFieldName(form: FormData): string | null {
  for (const name of form.keys()) {
    if (name.length > MAX_FIELD_NAME_LENGTH) return name;
    let segments = 1;
    for (const c of name) if (c === "." || c === "[") segments++;
    if (segments > MAX_FIELD_NAME_SEGMENTS) return name;
  }
  return null;
}

/**
 * Parses a form body of at most `maxBytes` with `parse`: 415 when the post is not a form, 413
 * past the limit (by Content-Length before reading, or at the first byte over it), 400 when the
 * body is not a readable form. Errors `parse` maps itself (a ValidationError) pass through.
 */
async function readFormBody(request: Request, maxBytes: number, parse: (request: Request) => Promise<FormData>): Promise<FormData> {
  if (!FORM_TYPES.includes(mediaType(request))) throw notAForm(request);
  let bounded: ReturnType<typeof boundedRequest>;
  try {
    bounded = boundedRequest(request, maxBytes);
  } catch (e) {
    if (e instanceof BodyTooLargeError) throw tooLarge(maxBytes);
    throw e;
  }
  let form: FormData;
  try {
    form = await parse(bounded.request);
  } catch (e) {
    if (bounded.overLimit() || e instanceof BodyTooLargeError) throw tooLarge(maxBytes);
    if (e instanceof Response || e instanceof ValidationError) throw e;
    throw new Response(`The form could not be read (${(e as Error).message}). / 无法读取提交的表单。`, {
      status: 400,
      headers: { "Content-Type": "text/plain; charset=utf-8" },
    });
  }
  const badName = unreasonableFieldName(form);
  if (badName !== null) {
    const shown = JSON.stringify(badName.slice(0, 40) + (badName.length > 40 ? "…" : ""));
    throw new Response(`A field name is nested too deeply or too long: ${shown}. / 表单字段名层级过深或过长：${shown}。`, {
      status: 400,
      headers: { "Content-Type": "text/plain; charset=utf-8" },
    });
  }
  const control = controlCharacterField(form);
  if (control) {
    // "field: message", as the site's other plain-text refusals name their field.
    const { name, code, position } = control;
    const clipped = name.length > 40 ? `${name.slice(0, 40)}…` : name;
    const shown = /^[\w.[\]-]+$/.test(clipped) ? clipped : JSON.stringify(clipped);
    throw new Response(
      `${shown}: contains a control character no text may contain (${code}, character ${position}). / ` +
        `${shown}：含有不允许的控制字符（${code}，第 ${position} 个字符）。`,
      { status: 400, headers: { "Content-Type": "text/plain; charset=utf-8" } },
    );
  }
  return form;
}

/** The first field whose name or text holds a character no text takes (utils/plain-text.ts); files are not text. */
function controlCharacterField(form: FormData): (ForbiddenCharacter & { name: string }) | null {
  for (const [name, value] of form) {
    const inName = forbiddenCharacter(name);
    if (inName) return { ...inName, name: escapeForbidden(name) };
    const inValue = typeof value === "string" ? forbiddenCharacter(value) : null;
    if (inValue) return { ...inValue, name };
  }
  return null;
}

/** Reads a posted form (at most MAX_FORM_BYTES) and checks its CSRF token. */
export async function readVerifiedForm(request: Request): Promise<FormData> {
  const form = await readFormBody(request, MAX_FORM_BYTES, (r) => r.formData());
  await verify(form, request);
  return form;
}

/** The text fields of a form (the first value of each), without the CSRF token: what was typed, to give back on a refusal. */
export function formValues(form: FormData, only?: readonly string[]): Record<string, string> {
  // Without a prototype: a field named "constructor" or "__proto__" is a field like any other.
  const out: Record<string, string> = Object.create(null);
  for (const [k, v] of form) {
    if (typeof v !== "string" || k === "csrf" || Object.hasOwn(out, k)) continue;
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
  if (!isMultipart(request)) throw notAForm(request);
  const memory = unstable_createMemoryUploadHandler({ maxPartSize: limits.maxPartBytes });
  let parts = 0;
  const handler: UploadHandler = async (part) => {
    if (++parts > limits.maxParts) throw new TooManyPartsError();
    return memory(part);
  };
  // The whole body: every part at its largest, plus the text fields and the multipart framing.
  const form = await readFormBody(request, uploadBodyLimit(limits), async (bounded) => {
    try {
      return await unstable_parseMultipartFormData(bounded, handler);
    } catch (e) {
      if (e instanceof MaxPartSizeExceededError) throw new ValidationError({ [limits.field]: [limits.tooLarge] });
      if (e instanceof TooManyPartsError) throw new ValidationError({ [limits.field]: [limits.tooMany] });
      throw e;
    }
  });
  await verify(form, request);
  return form;
}

/** The largest body an upload form with `limits` may send. */
export function uploadBodyLimit(limits: Pick<UploadLimits, "maxPartBytes" | "maxParts">): number {
  return limits.maxParts * limits.maxPartBytes + MAX_FORM_BYTES;
}

/** The files of a field, without the empty part a file input left blank still sends. */
export function uploadedFiles(form: FormData, name: string): File[] {
  return form.getAll(name).filter((f): f is File => typeof f !== "string" && (f.name !== "" || f.size > 0));
}
