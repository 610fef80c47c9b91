import type { HttpClient } from "./http.ts";

/**
 * How the authorization matrix (tests/e2e/authorization-matrix.test.ts) asks one route as one
 * person, and how it reads the answer. Nothing here changes what is stored when the route
 * authorizes correctly: a POST carries a body the action refuses (an unknown `intent`, an empty
 * form, a JSON array where an object is expected), so an allowed caller is answered past
 * authorization by a validation refusal, and a refused caller by a refusal.
 */

/** What the probe saw. */
export type Outcome =
  /** 2xx, or a redirect that is not to the login page. */
  | "ok"
  /** 400/409/415/422: past authorization, refused for its input or state. */
  | "invalid"
  /** 401/403/404/405, or a redirect to /login. */
  | "deny"
  /** 429: a rate limit (never expected). */
  | "limited"
  /** 5xx: never acceptable. */
  | "error";

export interface Answer {
  status: number;
  outcome: Outcome;
  location: string | null;
  body: string;
}

export function outcomeOf(status: number, location: string | null): Outcome {
  if (status >= 500) return "error";
  if (status === 429) return "limited";
  if (status >= 300 && status < 400) return location && /^(https?:\/\/[^/]+)?\/login(\?|$)/.test(location) ? "deny" : "ok";
  if ([401, 403, 404, 405].includes(status)) return "deny";
  if (status >= 400) return "invalid";
  return "ok";
}

/** An unknown intent: every multi-intent action refuses it; a single-purpose form finds its fields empty. */
export const PROBE_INTENT = "__authz_probe__";

async function read(res: Response): Promise<Answer> {
  const type = res.headers.get("Content-Type") ?? "";
  // Files (PDF, images, CSV …) are only looked at as text when they are text: a leak check reads words.
  const body = /^(text\/|application\/(json|javascript|xml)|image\/svg)/.test(type) ? await res.text() : (await res.arrayBuffer(), "");
  const location = res.headers.get("Location");
  return { status: res.status, outcome: outcomeOf(res.status, location), location, body };
}

export async function probeGet(client: HttpClient, path: string): Promise<Answer> {
  return read(await client.get(path));
}

/** A page's form action: the signed-in client's CSRF token (so CSRF is not what refuses) and an unknown intent. */
export async function probeFormPost(client: HttpClient, path: string, csrf: string): Promise<Answer> {
  return read(await client.post(path, { csrf, intent: PROBE_INTENT }));
}

/** An API action: a JSON array, which no endpoint takes as its body. */
export async function probeApiPost(client: HttpClient, baseURL: string, path: string): Promise<Answer> {
  const res = await fetch(baseURL + path, {
    method: "POST",
    headers: { ...client.extraHeaders(), Cookie: client.cookieHeader(), "Content-Type": "application/json" },
    body: "[]",
    redirect: "manual",
  });
  return read(res);
}

/** Runs `tasks` with at most `width` at a time (the app shares two cores with the test). */
export async function pool<T>(tasks: (() => Promise<T>)[], width: number): Promise<T[]> {
  const out: T[] = new Array(tasks.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, tasks.length) }, async () => {
      while (next < tasks.length) {
        const i = next++;
        out[i] = await tasks[i]!();
      }
    }),
  );
  return out;
}
