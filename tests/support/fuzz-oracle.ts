import { createHash } from "node:crypto";
import { BSON } from "mongodb";
import type { ChangeStream, Db } from "mongodb";

/**
 * What the fuzzer checks after each request and around the whole run: the stored data
 * (a hash of every collection but the volatile ones, and every write seen on a change stream),
 * and whether a refusal says what was wrong (names the field).
 */

/**
 * Collections whose writes are not stored data of the site, each with why a refused request may
 * write there. Everything else must be byte-for-byte the same after the fuzzing.
 */
export const VOLATILE: Record<string, string> = {
  sessions: "a login (the fuzzer's own) and its expiry",
  auditevents: "the audit trail records refused attempts too (failed logins, forbidden actions)",
  ratelimits: "throttles count refused attempts (logins, registrations, resets)",
  agendaJobs: "the job runner's own bookkeeping (locks, last run)",
  searchoutboxes: "the search outbox drains on its own (jobs), not because of a request",
  outgoingmails: "mail delivery runs on its own (the mail job marks mails sent)",
  socket_io_events: "socket.io's cross-instance bus (a capped collection)",
  matchstates: "the match sweep (a job, every minute) moves its own per-pair cursor; no request writes it",
  apitokens: "a token's lastUsedAt moves with every call, refused or not (the fuzzer's own tokens)",
};

export function isVolatile(collection: string): boolean {
  return Object.hasOwn(VOLATILE, collection) || collection.startsWith("system.");
}

/** Per collection: document count and a hash of every document in _id order (GridFS `.files`/`.chunks` included). */
export async function snapshot(db: Db): Promise<Record<string, { count: number; hash: string }>> {
  const out: Record<string, { count: number; hash: string }> = {};
  const names = (await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name).sort();
  for (const name of names) {
    if (isVolatile(name)) continue;
    const hash = createHash("sha256");
    let count = 0;
    for await (const doc of db.collection(name).find({}).sort({ _id: 1 })) {
      hash.update(BSON.EJSON.stringify(doc, { relaxed: false }));
      count++;
    }
    out[name] = { count, hash: hash.digest("hex") };
  }
  return out;
}

export interface Write {
  collection: string;
  op: string;
  id: string;
}

/** Every insert, update, replace and delete on the database's non-volatile collections, as they happen. */
export function watchWrites(db: Db): { stream: ChangeStream; writes: Write[] } {
  const writes: Write[] = [];
  const stream = db.watch([], { fullDocument: "default" });
  stream.on("change", (c) => {
    if (!("ns" in c) || !c.ns || !("coll" in c.ns) || !c.ns.coll) return;
    if (isVolatile(c.ns.coll)) return;
    const key = "documentKey" in c ? (c.documentKey as { _id: unknown })._id : "";
    writes.push({ collection: c.ns.coll, op: c.operationType, id: String(key) });
  });
  stream.on("error", () => {});
  return { stream, writes };
}

/** A refusal as the fuzzer reads it. */
export interface Answer {
  status: number;
  /** What it is about: a named field, the body as a whole, or not the input at all. */
  about: "field" | "body" | "other" | "nothing";
  /** The field named (or the body problem), for the report. */
  detail: string;
}

const BODY_PROBLEMS =
  /takes a form|larger than the|could not be read|nested too deeply|CSRF|表单已过期|payload_too_large|unsupported_media_type|invalid_json|emptyBody|body/i;

/**
 * Reads a refusal of a page's form: the action's JSON (ActionFailure: `reply.error` by field),
 * or a page whose Remix context carries it, or a thrown text answer (CSRF, 413, 415, an
 * unreadable body). "Names the field" for a form: an error under a field name of the form.
 */
export function readFormAnswer(status: number, contentType: string, text: string): Answer {
  if (status < 400) return { status, about: "nothing", detail: "" };
  let failure: {
    intent?: string;
    reply?: { error?: Record<string, string[] | null> };
    /** A conform reply under `form` (the buy page's shape). */
    form?: { error?: Record<string, string[] | null> };
    errors?: Record<string, string[] | null>;
  } | null = null;
  if (contentType.includes("json")) {
    try {
      failure = JSON.parse(text);
    } catch {
      failure = null;
    }
  } else if (contentType.includes("html")) {
    const m =
      /"actionData":\{"[^"]+":(\{"ok":false[\s\S]*?\}),"errors"/.exec(text) ??
      /"actionData":\{"[^"]+":(\{"ok":false.*?"reply":\{.*?\}\})/.exec(text);
    if (m) {
      try {
        failure = JSON.parse(m[1]!);
      } catch {
        failure = { reply: { error: { "?": [m[1]!.slice(0, 200)] } } };
      }
    }
  }
  // `errors` at the top: a route that answers in a shape of its own rather than the one ActionFailure.
  const errors = failure?.reply?.error ?? failure?.form?.error ?? failure?.errors;
  if (errors) {
    const named = Object.entries(errors).filter(([k, v]) => k !== "" && v && v.length);
    if (named.length) return { status, about: "field", detail: named.map(([k]) => k).join(",") };
    return {
      status,
      about: "other",
      detail: `form error ${JSON.stringify(errors[""] ?? null)} (intent ${JSON.stringify(failure?.intent)})`,
    };
  }
  const head = text.slice(0, 300);
  // A plain-text refusal that starts with the field's name ("lng: must be zh-CN or en"), quoted
  // when it is not a plain name ("\"\\u0000\": contains a control character …").
  const named = /^([\w.[\]-]+|"(?:[^"\\]|\\.)*"): /.exec(head);
  if (status === 400 && named && contentType.includes("text/plain")) return { status, about: "field", detail: named[1]! };
  if (/invalid signature/.test(head)) return { status, about: "body", detail: "the Stripe-Signature header" };
  if (BODY_PROBLEMS.test(head) && !contentType.includes("html")) return { status, about: "body", detail: head.slice(0, 120) };
  return { status, about: "other", detail: `${contentType} ${head.replace(/\s+/g, " ").slice(0, 160)}` };
}

/** The API's envelope: `error.fields` names the field; a body-level problem has its own code. */
export function readApiAnswer(status: number, text: string): Answer {
  if (status < 400) return { status, about: "nothing", detail: "" };
  let error: { code?: string; message?: string; fields?: Record<string, string[]> } | undefined;
  try {
    error = (JSON.parse(text) as { error?: typeof error }).error;
  } catch {
    return { status, about: "other", detail: `not the envelope: ${text.slice(0, 160)}` };
  }
  if (!error?.code) return { status, about: "other", detail: `no error.code: ${text.slice(0, 160)}` };
  const fields = Object.keys(error.fields ?? {});
  if (fields.length) return { status, about: "field", detail: `${error.code}: ${fields.join(",")}` };
  const bodyLevel =
    ["invalid_json", "payload_too_large", "unsupported_media_type"].includes(error.code) || /body|JSON/i.test(error.message ?? "");
  return { status, about: bodyLevel ? "body" : "other", detail: `${error.code}: ${(error.message ?? "").slice(0, 120)}` };
}
