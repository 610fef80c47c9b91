import { createCookie } from "@remix-run/node";
import { CSRF, CSRFError } from "remix-utils/csrf/server";
import { secureCookies, sessionSecrets } from "./secrets.server.ts";

let csrf: CSRF | undefined;

/** Double-submit token: a signed cookie plus a hidden `csrf` field in every form post. */
export function csrfProtection(): CSRF {
  csrf ??= new CSRF({
    cookie: createCookie("csrf", {
      path: "/",
      httpOnly: true,
      secure: secureCookies(),
      sameSite: "lax",
      secrets: sessionSecrets(),
    }),
    secret: sessionSecrets()[0],
  });
  return csrf;
}

/** Reads the form and checks its token; a bad token is a 403, never a silent pass. */
export async function readVerifiedForm(request: Request): Promise<FormData> {
  const formData = await request.formData();
  try {
    await csrfProtection().validate(formData, request.headers);
  } catch (e) {
    if (e instanceof CSRFError) {
      throw new Response("Invalid or missing CSRF token. Reload the page and try again. / 表单已过期，请刷新页面后重试。", {
        status: 403,
      });
    }
    throw e;
  }
  return formData;
}
