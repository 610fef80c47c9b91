import type { ChildProcess } from "node:child_process";
import fs from "node:fs/promises";
import path from "node:path";
import fc from "fast-check";
import { MongoClient, type Db } from "mongodb";
import mongoose from "mongoose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI_ISSUER, createApiToken } from "~/services/accounts/api-tokens.server.ts";
import { DEMO_PASSWORD } from "../../seeds/demo.ts";
import { freePort } from "../../server/embedded/process.ts";
import { spawnApp, waitForHealthy } from "../setup/app.global.ts";
import { tmpDir } from "../setup/tmp.ts";
import { MAX_FORM_BYTES } from "~/web/body.server.ts";
import { readApiAnswer, readFormAnswer, snapshot, VOLATILE, watchWrites, type Answer, type Write } from "../support/fuzz-oracle.ts";
import { apiRequest, formRequest, webhookRequest, type Binding, type FuzzRequest, type PageForm } from "../support/fuzz-requests.ts";
import { fuzzTargets, type FuzzTarget } from "../support/fuzz-targets.ts";
import { HttpClient } from "../support/http.ts";
import { fill } from "../support/route-tree.ts";

/**
 * Issue 17 point 2: property-based fuzzing (fast-check) of every form action and API endpoint of
 * the route tree, against the real server with the demo data, logged in as the owners of the
 * objects so the inputs get past authorization to validation. For every request: never a 5xx; a
 * 4xx says what was wrong (a field, or the body as a whole); no stored data changes (every write
 * on a change stream, and a hash of every collection before and after).
 *
 * FUZZ_RUNS=<n> sets the number of requests (default 300); FUZZ_SEED=<n> replays a run (the
 * seed is printed). See docs/decisions/035-fuzzing.md.
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
const SEED = Number(process.env.FUZZ_SEED ?? 17_035);

const USERS = ["admin", "bureau", "broker", "seller", "buyer", "sanqi"].map((u) => `${u}@demo.chengguo.cn`);

let app: ChildProcess;
let baseURL: string;
let dataDir: string;
let mongo: MongoClient;
let db: Db;
/** 0 = anonymous, then USERS in order. */
const clients: HttpClient[] = [];
const csrfOf: string[] = [];
const tokens: string[] = [];
let adminToken = "";

beforeAll(async () => {
  dataDir = await tmpDir("fuzz");
  const port = await freePort();
  baseURL = `http://localhost:${port}`;
  app = spawnApp({
    DATA_DIR: dataDir,
    PORT: String(port),
    EMBEDDED_MONGO_PORT: String(await freePort()),
    EMBEDDED_MEILI_PORT: String(await freePort()),
    EMBEDDED_STRIPE_PORT: String(await freePort()),
    EMBEDDED_MAIL_SMTP_PORT: String(await freePort()),
    EMBEDDED_MAIL_WEB_PORT: String(await freePort()),
  });
  // Seeding the demo data on a loaded 2-core machine, next to the global setup's app: give it time.
  await waitForHealthy(baseURL, app, 300_000);
  const { mongoUri } = JSON.parse(await fs.readFile(path.join(dataDir, "services.json"), "utf8"));
  mongo = await MongoClient.connect(mongoUri);
  db = mongo.db("chengguo");
  await mongoose.connect(mongoUri, { dbName: "chengguo" });
  const anon = new HttpClient(baseURL);
  clients.push(anon);
  csrfOf.push((await anon.page("/login")).csrf);
  tokens.push("");
  for (const email of USERS) {
    const c = new HttpClient(baseURL);
    expect((await c.login(email, DEMO_PASSWORD)).status).toBe(302);
    clients.push(c);
    csrfOf.push((await c.page("/account")).csrf);
    tokens.push((await createApiToken(CLI_ISSUER, { name: `fuzz ${email}`, userEmail: email })).token);
  }
  adminToken = (await createApiToken(CLI_ISSUER, { name: "fuzz admin role", roles: ["admin"] })).token;
  expect(csrfOf.every(Boolean)).toBe(true);
}, 420_000);

afterAll(async () => {
  await mongoose.disconnect();
  await mongo?.close();
  if (app && app.exitCode === null) {
    const exited = new Promise((r) => app.once("exit", r));
    app.kill("SIGTERM");
    await exited;
  }
  if (dataDir) await fs.rm(dataDir, { recursive: true, force: true });
});

/** The collection whose ids a route param names, by the path segment before it. */
const PARAM_COLLECTIONS: Record<string, string> = {
  achievements: "achievements",
  auctions: "auctions",
  commissioners: "commissioners",
  policies: "policies",
  registrations: "registrations",
  vocabulary: "vocabularygroups",
  deals: "deals",
  demands: "demands",
  offers: "offers",
  rooms: "dealrooms",
  "buy-requests": "buyrequests",
  payouts: "payouts",
  refunds: "dealrefunds",
};

/** Real values for a route's params (a few combinations), or none when the values cannot be known (mailed tokens). */
async function realParams(target: FuzzTarget): Promise<Record<string, string>[]> {
  const segs = target.route.pattern.split("/");
  const choices: Record<string, string[]> = {};
  for (let i = 0; i < segs.length; i++) {
    const s = segs[i]!;
    if (s === "*") choices["*"] = ["no/such/endpoint", "achievements/x/y/z"];
    if (!s.startsWith(":")) continue;
    const name = s.slice(1);
    const before = segs[i - 1] ?? "";
    if (name === "action") choices[name] = target.intents.length ? target.intents : ["x"];
    else if (name === "number" && before === "stages") choices[name] = ["1", "2"];
    else if (name === "number" && before === "verify") {
      const regs = await db
        .collection("registrations")
        .find({ number: { $type: "string" } }, { projection: { number: 1 } })
        .limit(2)
        .toArray();
      choices[name] = regs.map((r) => String(r.number));
    } else if (name === "achievementId") {
      choices[name] = (
        await db
          .collection("achievements")
          .find({}, { projection: { _id: 1 } })
          .limit(2)
          .toArray()
      ).map((d) => String(d._id));
    } else if (name === "token") choices[name] = [];
    else {
      const coll = PARAM_COLLECTIONS[before];
      if (!coll) throw new Error(`no collection known for :${name} after /${before} in ${target.route.pattern}`);
      const docs = await db
        .collection(coll)
        .find({}, { projection: { _id: 1 } })
        .sort({ _id: 1 })
        .toArray();
      // The first, the last and one in the middle: different states of the demo objects.
      const picks = [docs[0], docs[Math.floor(docs.length / 2)], docs[docs.length - 1]].filter(Boolean);
      choices[name] = [...new Set(picks.map((d) => String(d!._id)))];
    }
  }
  let combos: Record<string, string>[] = [{}];
  for (const [name, values] of Object.entries(choices)) {
    if (!values.length) return [];
    combos = combos.flatMap((c) => values.slice(0, 3).map((v) => ({ ...c, [name]: v })));
  }
  return combos.slice(0, 4);
}

/** The post forms of a page: their intent and their field names. */
function scrapeForms(html: string): PageForm[] {
  const out: PageForm[] = [];
  for (const m of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/g)) {
    if (!/method="post"/i.test(m[1]!)) continue;
    const inner = m[2]!;
    const fields = new Set<string>();
    const intents = new Set<string>();
    for (const f of inner.matchAll(/<(input|select|textarea|button)\b([^>]*)>/g)) {
      const attrs = f[2]!;
      const name = /\bname="([^"]*)"/.exec(attrs)?.[1];
      if (!name || name === "csrf") continue;
      const value = /\bvalue="([^"]*)"/.exec(attrs)?.[1];
      if (name === "intent") {
        if (value) intents.add(value);
      } else if (!(f[1] === "button")) fields.add(name.replace(/&amp;/g, "&"));
    }
    for (const intent of intents.size ? intents : [null]) out.push({ intent, fields: [...fields] });
  }
  return out;
}

/**
 * Who may use each target and with which ids: the page's GET as each client, keeping the
 * (client, ids) pairs that see the page (its owners) and the forms it shows them.
 */
async function bindingsFor(target: FuzzTarget): Promise<Binding[]> {
  const paramSets = target.route.params.length ? await realParams(target) : [{}];
  const found: Binding[] = [];
  const clientIds = target.route.pattern === "/logout" ? [0] : clients.map((_, i) => i);
  if (target.kind === "form" && target.route.hasLoader && !target.route.isResource) {
    for (const params of paramSets) {
      for (const client of clientIds) {
        if (found.filter((b) => b.params === params).length >= 2) break;
        const { res, html } = await clients[client]!.page(fill(target.route.pattern, params));
        if (res.status === 200) found.push({ client, params, forms: scrapeForms(html) });
      }
    }
  }
  if (found.length) return found;
  // No page, or nobody sees it (an action-only route, a mailed token): every client, the real ids if any.
  const params = paramSets[0] ?? Object.fromEntries(target.route.params.map((p) => [p, "000000000000000000000000"]));
  return clientIds.map((client) => ({ client, params, forms: [] }));
}

/**
 * Waits until every periodic job has run once, the search outbox is drained, the match sweep has
 * run once more after that (its first run defers listings whose index entry is not up to date yet,
 * and announces them a minute later: a run of 300 saw those writes land on a request), and nothing
 * but volatile collections is being written.
 */
async function settled(database: Db): Promise<void> {
  const end = Date.now() + 300_000;
  const until = async (done: () => Promise<boolean>) => {
    while (Date.now() < end && !(await done())) await new Promise((r) => setTimeout(r, 1000));
  };
  const jobs = database.collection("agendaJobs");
  await until(async () => (await jobs.countDocuments({ lastFinishedAt: { $exists: false } })) === 0);
  await until(async () => (await database.collection("searchoutboxes").countDocuments({})) === 0);
  const drained = new Date();
  await until(async () => (await jobs.countDocuments({ name: "matching.notify", lastFinishedAt: { $gt: drained } })) > 0);
  const { stream, writes } = watchWrites(database);
  for (let quiet = 0; quiet < 3 && Date.now() < end;) {
    const seen = writes.length;
    await new Promise((r) => setTimeout(r, 1000));
    quiet = writes.length === seen ? quiet + 1 : 0;
  }
  await stream.close();
}

/**
 * Refusals found by this fuzzing that name no field and are not fixed yet: printed on every run, not
 * failed on, so that a new route or a new kind of nameless refusal still fails the test. Empty: the
 * nine the first runs found were fixed in issue 17 (docs/decisions/035-fuzzing.md).
 */
const KNOWN_NAMELESS: Record<string, string> = {};

interface Outcome {
  req: FuzzRequest;
  answer: Answer;
  writes: Write[];
}

async function send(req: FuzzRequest): Promise<{ status: number; contentType: string; text: string }> {
  const first = await sendOnce(req);
  // A kept-alive connection the server closed after a 413 may fail the next request before it
  // reaches the server: ask once more.
  return first.status === 0 ? sendOnce(req) : first;
}

async function sendOnce(req: FuzzRequest): Promise<{ status: number; contentType: string; text: string }> {
  const client = clients[req.client]!;
  const headers: Record<string, string> = { ...req.headers };
  if (req.contentType) headers["Content-Type"] = req.contentType;
  if (req.target.kind === "api") {
    if (req.auth === "token" && tokens[req.client]) headers.Authorization = `Bearer ${tokens[req.client]}`;
    else if (req.auth === "admin-token") headers.Authorization = `Bearer ${adminToken}`;
    else if (req.auth === "cookie") headers.Cookie = client.cookieHeader();
  } else if (req.target.kind === "form") {
    headers.Cookie = client.cookieHeader();
  }
  let body = req.body;
  if (req.csrf) {
    if (body instanceof FormData) body.append("csrf", csrfOf[req.client]!);
    else body = `${body ? body + "&" : ""}csrf=${encodeURIComponent(csrfOf[req.client]!)}`;
  }
  try {
    const res = await fetch(baseURL + req.url, { method: req.method, headers, body, redirect: "manual" });
    const text = await res.text();
    return { status: res.status, contentType: res.headers.get("content-type") ?? "", text };
  } catch (e) {
    // The server answers a body over its limit with 413 and closes the connection before the
    // client has sent it all (web/body.server.ts): the client may see the reset first.
    const size = typeof body === "string" ? Buffer.byteLength(body) : 0;
    if (size > MAX_FORM_BYTES || body instanceof FormData)
      return { status: 413, contentType: "text/plain", text: "body is larger than the limit (connection closed)" };
    return { status: 0, contentType: "", text: `no answer: ${(e as Error).cause ?? e}` };
  }
}

describe("fuzzing every form action and API endpoint (issue 17 point 2)", () => {
  it(`${RUNS} malformed requests: never a 5xx, every 4xx names the field or the body's problem, nothing stored changes`, async () => {
    const targets = await fuzzTargets();
    const arbitraries: fc.Arbitrary<FuzzRequest>[] = [];
    const queryNames = ["page", "limit", "q", "type", "status", "field", "region", "from", "to", "year", "sort", "cursor", "since"];
    for (const t of targets) {
      if (t.kind === "webhook") arbitraries.push(webhookRequest(t));
      else {
        const bindings = await bindingsFor(t);
        arbitraries.push(t.kind === "api" ? apiRequest(t, bindings, queryNames) : formRequest(t, bindings));
      }
    }
    // Every target equally often: a seeded shuffle of round-robin turns.
    const all = fc.sample(
      fc.nat(arbitraries.length - 1).chain((i) => arbitraries[i]!),
      { seed: SEED, numRuns: RUNS },
    );
    console.warn(`[fuzz] seed ${SEED} (FUZZ_SEED), ${RUNS} requests (FUZZ_RUNS) over ${targets.length} targets`);

    // The periodic jobs' first runs (the match sweep announces the seeded pairs once) happen
    // a minute after start: let them finish, so that what changes below is the fuzzing's.
    await settled(db);
    const before = await snapshot(db);
    const { stream, writes } = watchWrites(db);
    const outcomes: Outcome[] = [];
    for (const req of all) {
      const seen = writes.length;
      const res = await send(req);
      const answer =
        req.target.kind === "api" ? readApiAnswer(res.status, res.text) : readFormAnswer(res.status, res.contentType, res.text);
      outcomes.push({
        req,
        answer: res.status >= 500 || res.status === 0 ? { ...answer, detail: res.text.slice(0, 200) } : answer,
        writes: writes.slice(seen),
      });
    }
    // Writes that arrive after their request answered land on the next; wait for stragglers.
    await new Promise((r) => setTimeout(r, 1500));
    await stream.close();
    const after = await snapshot(db);

    const byStatus: Record<string, number> = {};
    const byAbout: Record<string, number> = {};
    for (const o of outcomes) {
      byStatus[o.answer.status] = (byStatus[o.answer.status] ?? 0) + 1;
      byAbout[`${o.req.target.kind}:${o.answer.about}`] = (byAbout[`${o.req.target.kind}:${o.answer.about}`] ?? 0) + 1;
    }
    console.warn(
      `[fuzz] statuses ${JSON.stringify(byStatus)}; answers ${JSON.stringify(byAbout)}; volatile: ${Object.keys(VOLATILE).join(", ")}`,
    );

    const line = (o: Outcome) =>
      `${o.answer.status} ${o.req.method} ${o.req.url.slice(0, 120)} as ${o.req.client} (${o.req.what}) → ${o.answer.detail}`;
    const serverErrors = outcomes.filter((o) => o.answer.status >= 500 || o.answer.status === 0).map(line);
    // An answer below 400 is allowed when it stored nothing: a logout without a session, a
    // redirect to the login page (204 + X-Remix-Redirect for a data request), a read-only intent.
    const accepted = outcomes.filter((o) => o.answer.status < 400);
    const isNameless = (o: Outcome) => o.answer.status === 400 && o.answer.about === "other";
    const known = outcomes.filter((o) => isNameless(o) && Object.hasOwn(KNOWN_NAMELESS, o.req.target.route.pattern)).map(line);
    const nameless = outcomes.filter((o) => isNameless(o) && !Object.hasOwn(KNOWN_NAMELESS, o.req.target.route.pattern)).map(line);
    console.warn(`[fuzz] accepted without a stored change: ${accepted.length}; known nameless refusals (KNOWN_NAMELESS): ${known.length}`);
    if (known.length) console.warn(known.slice(0, 20).join("\n"));
    const stored = outcomes.filter((o) => o.writes.length).map((o) => `${line(o)} wrote ${JSON.stringify(o.writes.slice(0, 3))}`);
    const findings = { serverErrors, nameless, stored };
    for (const [k, v] of Object.entries(findings))
      if (v.length) console.warn(`[fuzz] ${k} (${v.length}):\n${[...new Set(v)].slice(0, 40).join("\n")}`);
    expect(findings).toEqual({ serverErrors: [], nameless: [], stored: [] });
    expect(after).toEqual(before);
  }, 1_800_000);
});
