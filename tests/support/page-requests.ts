import type { SessionUser } from "~/services/accounts/accounts.server.ts";
import { createSession } from "~/services/accounts/accounts.server.ts";
import type { OrganizationType } from "~/utils/organization.ts";
import type { Role } from "~/utils/permissions.ts";
import { SESSION_ID_KEY, sessionStorage } from "~/utils/session.server.ts";
import { person as fixturePerson } from "../../seeds/trading-fixtures.ts";
import { csrfProtection } from "~/web/forms.server.ts";

/**
 * Requests as a browser without JavaScript sends them, for driving routes' real loaders and
 * actions in integration tests: people with a signed session cookie, the CSRF token and cookie,
 * urlencoded, multipart and JSON posts, and a caller that turns a thrown Response into the answer.
 * Call `init()` in `beforeAll` before anything else.
 */
export function pageRequests(opts: { orgType?: OrganizationType; context?: Record<string, unknown> } = {}) {
  const BASE = "http://localhost";
  const cookies = new Map<string, string>();
  const csrf = { token: "", cookie: "" };

  const cookieOf = (u: SessionUser | null) => [u ? cookies.get(u.id) : null, csrf.cookie].filter(Boolean).join("; ");

  return {
    csrf,
    async init() {
      const [token, cookie] = await csrfProtection().commitToken();
      csrf.token = token;
      csrf.cookie = cookie!.split(";")[0]!;
    },
    /** A person (seed factories) with a live session whose cookie the requests below send. */
    async person(email: string, roles: Role[], org: string | null): Promise<SessionUser> {
      const u = await fixturePerson(email, roles, org, opts.orgType ?? "institute");
      const storage = sessionStorage();
      const session = await storage.getSession();
      session.set(SESSION_ID_KEY, await createSession(u.id));
      cookies.set(u.id, (await storage.commitSession(session)).split(";")[0]!);
      return u;
    },
    get: (path: string, user: SessionUser | null) => new Request(BASE + path, { headers: { Cookie: cookieOf(user) } }),
    post(path: string, user: SessionUser | null, fields: Record<string, string>, o: { csrf?: boolean } = {}): Request {
      const body = new URLSearchParams(fields);
      if (o.csrf !== false) body.set("csrf", csrf.token);
      return new Request(BASE + path, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded", Cookie: cookieOf(user) },
        body,
      });
    },
    upload(
      path: string,
      user: SessionUser,
      file: { name: string; bytes: Uint8Array; type?: string } | null,
      fields: Record<string, string> = {},
    ): Request {
      const body = new FormData();
      body.set("csrf", csrf.token);
      for (const [k, v] of Object.entries(fields)) body.set(k, v);
      body.set(
        "file",
        file ? new File([new Uint8Array(file.bytes)], file.name, { type: file.type ?? "application/octet-stream" }) : new File([], ""),
      );
      return new Request(BASE + path, { method: "POST", headers: { Cookie: cookieOf(user) }, body });
    },
    /** A JSON call authenticated by the session cookie alone (the trading API). */
    postJson(path: string, user: SessionUser | null, data: unknown): Request {
      return new Request(BASE + path, {
        method: "POST",
        headers: { "Content-Type": "application/json", Cookie: user ? cookies.get(user.id)! : "" },
        body: JSON.stringify(data),
      });
    },
    async call(fn: unknown, request: Request, params: Record<string, string> = {}): Promise<Response> {
      try {
        return await (
          fn as (a: { request: Request; params: Record<string, string>; context: Record<string, unknown> }) => Promise<Response>
        )({
          request,
          params,
          context: opts.context ?? { clientIp: "127.0.0.1" },
        });
      } catch (e) {
        if (e instanceof Response) return e;
        throw e;
      }
    },
  };
}
