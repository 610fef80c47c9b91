import { createCookieSessionStorage } from "@remix-run/node";
import { secureCookies, sessionSecrets } from "./secrets.server.ts";

type SessionData = { sessionId: string };
let storage: ReturnType<typeof createCookieSessionStorage<SessionData>> | undefined;

/** The signed `__session` cookie. It carries only the id of a Session document. */
export function sessionStorage() {
  storage ??= createCookieSessionStorage<SessionData>({
    cookie: {
      name: "__session",
      httpOnly: true,
      sameSite: "lax",
      path: "/",
      secure: secureCookies(),
      secrets: sessionSecrets(),
    },
  });
  return storage;
}

export const SESSION_ID_KEY = "sessionId" as const;
export const SESSION_TTL_MS = 30 * 24 * 60 * 60 * 1000;
