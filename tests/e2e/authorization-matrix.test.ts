import type { ChildProcess } from "node:child_process";
import fs from "node:fs/promises";
import path from "node:path";
import mongoose from "mongoose";
import { io as connect, type Socket } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getSessionUserById } from "~/services/accounts/accounts.server.ts";
import { addAttachment } from "~/services/files/attachments.server.ts";
import { storeProofFile } from "~/services/files/proofs.server.ts";
import { actorOf, type Actor } from "~/services/kernel/actor.ts";
import { addPolicyAttachments } from "~/services/policies/files.server.ts";
import { postAttachment } from "~/services/rooms/attachments.server.ts";
import { makeOffer } from "~/services/trading/offers/commands.server.ts";
import { DEMO_PASSWORD } from "../../seeds/demo.ts";
import { freePort } from "../../server/embedded/process.ts";
import { spawnApp, waitForHealthy } from "../setup/app.global.ts";
import { tmpDir } from "../setup/tmp.ts";
import {
  ACTORS,
  EMAIL,
  MATRIX,
  OFFER_SIDES as OFFER_SIDES_LIVE,
  PARAMS,
  ROOM_MEMBERS as ROOM_MEMBERS_LIVE,
  SOCKET_EVENTS,
  allowedBy,
  type ActorKey,
  type Fixtures,
} from "../support/authz-matrix.ts";
import { pool, probeApiPost, probeFormPost, probeGet, type Answer } from "../support/authz-probe.ts";
import { registeredSocketEvents } from "../support/authz-sockets.ts";
import { HttpClient } from "../support/http.ts";
import { fill, routeTree, type RouteEntry } from "../support/route-tree.ts";

/**
 * The authorization matrix (issue 17, point 1; docs/decisions/034-authorization-matrix.md): every
 * page, form action, API endpoint and file route of the route tree, and every socket event the
 * server registers, asked as anonymous and as each demo account — owners and parties of real
 * objects next to people of the same role who are neither — against the table in
 * tests/support/authz-matrix.ts. A route or event the table does not name fails the test, and so
 * does a name in the table that no longer exists.
 *
 * The app runs in its own DATA_DIR (seeded with the demo data), so the probes disturb no other
 * file; the few objects the demo lacks (files in a room, a policy, a registration and a draft, an
 * offer) are added through the services first.
 */
let app: ChildProcess;
let baseURL: string;
let dataDir: string;
const clients = new Map<ActorKey, HttpClient>();
const csrf = new Map<ActorKey, string>();
let fixtures: Fixtures;
/** Private words of each fixture: a refused caller's answer must not contain them. */
let secrets: Record<string, string[]>;

const db = () => mongoose.connection.db!;
const PDF = new TextEncoder().encode("%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n");

async function actor(email: string): Promise<Actor> {
  const u = await db().collection("users").findOne({ email });
  return actorOf((await getSessionUserById(String(u!._id)))!);
}

/** The objects the table's routes are asked about, found in the seeded data (and the few added here). */
async function findFixtures(): Promise<{ fixtures: Fixtures; secrets: Record<string, string[]> }> {
  const userId = async (key: Exclude<ActorKey, "anon">) => (await db().collection("users").findOne({ email: EMAIL[key] }))!._id;
  const seller = await userId("seller");
  const buyer = await userId("buyer");
  const eco = await userId("eco");
  const one = async (collection: string, filter: object) => {
    const doc = await db().collection(collection).findOne(filter);
    if (!doc) throw new Error(`no ${collection} matching ${JSON.stringify(filter)} in the demo data`);
    return doc;
  };
  const deal = await one("deals", { "seller.user": seller, "buyer.user": buyer });
  const contract = await one("contracts", { deal: deal._id });
  const room = await one("dealrooms", { deal: deal._id });
  const draft = await one("achievements", { createdBy: seller, status: "draft" });
  const sellerTrading = await one("achievements", { createdBy: seller, status: "trading" });
  const negotiable = await one("achievements", { status: "trading", "price.mode": "negotiable" });
  const published = await one("achievements", { status: "published" });
  const demand = await one("demands", { createdBy: eco, status: "submitted" });
  const wenshan = (await db().collection("users").findOne({ _id: seller }))!.organization;
  const submitted = await one("registrations", { status: "submitted", "applicant.organization": wenshan });
  const registered = await one("registrations", { status: "registered", "applicant.organization": wenshan });
  const policy = await one("policies", { status: "draft" });
  const payout = await one("payouts", { deal: deal._id, to: "seller" });
  const refund = await one("dealrefunds", {});
  const receiptProof = await one("proofs.files", { "metadata.purpose": "receipt-proof" });
  const commissioner = await one("commissioners", {});
  const vocabulary = await one("vocabularygroups", {});

  const tag = `authz${Date.now().toString(36)}`;
  const sellerActor = await actor(EMAIL.seller);
  const roomFile = await postAttachment(sellerActor, String(room._id), { filename: `${tag}-room.pdf`, bytes: PDF, confidential: false });
  const draftFile = await addAttachment(sellerActor, "achievement", String(draft._id), {
    filename: `${tag}-draft.pdf`,
    kind: "other",
    bytes: PDF,
  });
  await addPolicyAttachments(await actor(EMAIL.bureau), String(policy._id), [{ filename: `${tag}-policy.pdf`, bytes: PDF }]);
  // The GridFS file id is the attachment's id (models/policy.server.ts).
  const policyFile = (await db().collection("policies").findOne({ _id: policy._id }))!.attachments.at(-1)._id;
  // The signed file of an external registration, as the registration form stores it.
  const registrationFile = await storeProofFile(sellerActor, { filename: `${tag}-contract.pdf`, bytes: PDF }, "registration-contract");
  await db()
    .collection("registrations")
    .updateOne(
      { _id: submitted._id },
      {
        $push: {
          attachments: {
            _id: new mongoose.Types.ObjectId(),
            file: registrationFile,
            filename: `${tag}-contract.pdf`,
            kind: "signed-contract",
          },
        } as never,
      },
    );
  const offer = await makeOffer(await actor(EMAIL.buyer), String(negotiable._id), {
    amountFen: 123_456_00,
    transactionMode: "license",
    message: `${tag} offer note`,
  });
  const attachmentId = (roomFile as unknown as { attachment?: { id: string } }).attachment?.id;
  if (!attachmentId) throw new Error(`no attachment id in ${JSON.stringify(roomFile)}`);

  const ids: Fixtures = {
    deal: String(deal._id),
    room: String(room._id),
    roomFile: attachmentId,
    draftAchievement: String(draft._id),
    draftFile: draftFile.id,
    sellerTrading: String(sellerTrading._id),
    publishedAchievement: String(published._id),
    privateDemand: String(demand._id),
    submittedRegistration: String(submitted._id),
    registrationFile: String(registrationFile),
    registeredRegistration: String(registered._id),
    registeredNumber: String(registered.number),
    draftPolicy: String(policy._id),
    policyFile: String(policyFile),
    payout: String(payout._id),
    refund: String(refund._id),
    receiptProof: String(receiptProof._id),
    commissioner: String(commissioner._id),
    vocabularyGroup: String(vocabulary._id),
    offer: offer.thread,
    // The demo has no auctions or buy requests: an id of nothing, which everyone must be refused.
    missing: String(new mongoose.Types.ObjectId()),
  };
  const clause = String(Object.values(contract.clauses ?? {}).find((v) => typeof v === "string" && v.length > 20) ?? "").slice(0, 20);
  return {
    fixtures: ids,
    secrets: {
      deal: [clause].filter(Boolean),
      room: [`${tag}-room`],
      roomFile: [`${tag}-room`],
      draftAchievement: [draft.title as string, `${tag}-draft`],
      draftFile: [`${tag}-draft`],
      privateDemand: [demand.title as string],
      submittedRegistration: [submitted.projectName as string, `${tag}-contract`],
      registrationFile: [`${tag}-contract`],
      draftPolicy: [policy.title as string, `${tag}-policy`],
      policyFile: [`${tag}-policy`],
      offer: [`${tag} offer note`],
    },
  };
}

beforeAll(async () => {
  dataDir = await tmpDir("authz");
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
  await waitForHealthy(baseURL, app, 240_000);
  const { mongoUri } = JSON.parse(await fs.readFile(path.join(dataDir, "services.json"), "utf8"));
  await mongoose.connect(mongoUri, { dbName: "chengguo" });
  ({ fixtures, secrets } = await findFixtures());
  // One login per account, each from its own address (the login throttle counts per address).
  await Promise.all(
    ACTORS.map(async (key, i) => {
      const client = new HttpClient(baseURL, { "X-Forwarded-For": `198.51.100.${i + 10}` });
      const page = await client.page("/login");
      csrf.set(key, page.csrf);
      if (key !== "anon") {
        const res = await client.post("/login", {
          csrf: page.csrf,
          email: EMAIL[key as Exclude<ActorKey, "anon">],
          password: DEMO_PASSWORD,
        });
        if (res.status !== 302) throw new Error(`login as ${key}: ${res.status}`);
      }
      clients.set(key, client);
    }),
  );
}, 400_000);

afterAll(async () => {
  await mongoose.disconnect();
  if (app && app.exitCode === null) {
    const exited = new Promise((r) => app.once("exit", r));
    app.kill("SIGTERM");
    await exited;
  }
  if (dataDir) await fs.rm(dataDir, { recursive: true, force: true });
});

type Method = "GET" | "POST";
const keyOf = (method: Method, pattern: string) => `${method} ${pattern}`;

function entries(tree: RouteEntry[]): { key: string; method: Method; route: RouteEntry }[] {
  return tree.flatMap((route) => [
    ...(route.hasLoader ? [{ key: keyOf("GET", route.pattern), method: "GET" as const, route }] : []),
    ...(route.hasAction ? [{ key: keyOf("POST", route.pattern), method: "POST" as const, route }] : []),
  ]);
}

function urlOf(pattern: string): string {
  const spec = PARAMS[pattern] ?? {};
  const values = Object.fromEntries(
    Object.entries(spec).map(([name, v]) => [name, v.startsWith("=") ? v.slice(1) : fixtures[v as keyof Fixtures]]),
  );
  return fill(pattern, values);
}

describe("authorization matrix", () => {
  it("names every route of the route tree, and nothing else", async () => {
    const tree = await routeTree();
    const found = entries(tree).map((e) => e.key);
    expect(
      found.filter((k) => !(k in MATRIX)),
      "routes the matrix does not name",
    ).toEqual([]);
    expect(
      Object.keys(MATRIX).filter((k) => !found.includes(k)),
      "matrix rows for routes that no longer exist",
    ).toEqual([]);
    const withParams = tree.filter((r) => r.params.length > 0).map((r) => r.pattern);
    expect(
      withParams.filter((p) => !PARAMS[p]),
      "routes with params but no object to ask about",
    ).toEqual([]);
  });

  it("allows and refuses each route as the table says, and a refusal shows none of the object's private data", async () => {
    const tree = await routeTree();
    const tasks = entries(tree)
      .filter((e) => e.key in MATRIX)
      .flatMap(({ key, method, route }) => {
        const rule = MATRIX[key]!;
        const url = urlOf(route.pattern);
        const who = rule.probeAs ?? ACTORS;
        return who.map((actor) => async () => {
          const client = clients.get(actor)!;
          let answer: Answer;
          if (method === "GET") answer = await probeGet(client, url);
          else if (route.pattern.startsWith("/api/")) answer = await probeApiPost(client, baseURL, url);
          else answer = await probeFormPost(client, url, csrf.get(actor)!);
          return { key, actor, url, answer, allowed: allowedBy(rule, actor), route };
        });
      });
    const results = await pool(tasks, 4);
    if (process.env.AUTHZ_DUMP) {
      await fs.writeFile(
        process.env.AUTHZ_DUMP,
        JSON.stringify(
          results.map((r) => ({
            key: r.key,
            actor: r.actor,
            status: r.answer.status,
            outcome: r.answer.outcome,
            location: r.answer.location,
          })),
          null,
          1,
        ),
      );
    }
    const wrong: string[] = [];
    for (const r of results) {
      const rule = MATRIX[r.key]!;
      const { status, outcome, body } = r.answer;
      const what = `${r.key} as ${r.actor} (${r.url}): ${status}${r.answer.location ? ` → ${r.answer.location}` : ""}`;
      if (outcome === "error" || outcome === "limited") {
        wrong.push(`${what}: never acceptable`);
        continue;
      }
      if (rule.statuses) {
        if (!rule.statuses.includes(status)) wrong.push(`${what}: expected one of ${rule.statuses.join("/")}`);
      } else if (r.allowed) {
        const ok = r.key.startsWith("GET ") ? outcome === "ok" || (rule.getMayRefuseInput && outcome === "invalid") : outcome !== "deny";
        if (!ok) wrong.push(`${what}: expected allowed`);
      } else if (outcome !== "deny" && !(rule.validatesFirst && outcome === "invalid")) {
        wrong.push(`${what}: expected refused${outcome === "invalid" ? " (validated before authorizing)" : ""}`);
      }
      if (!r.allowed || outcome === "deny") {
        const params = Object.values(PARAMS[r.route.pattern] ?? {});
        for (const p of params) for (const s of secrets[p] ?? []) if (s && body.includes(s)) wrong.push(`${what}: leaks "${s}" of ${p}`);
      }
    }
    expect(wrong).toEqual([]);
  }, 600_000);
});

describe("socket events", () => {
  const sockets: Socket[] = [];
  afterAll(() => sockets.forEach((s) => s.disconnect()));

  function socketAs(actor: ActorKey): Promise<Socket> {
    const s = connect(baseURL, {
      transports: ["websocket"],
      forceNew: true,
      reconnection: false,
      extraHeaders: { Cookie: clients.get(actor)!.cookieHeader(), Origin: baseURL },
    });
    sockets.push(s);
    return new Promise((resolve, reject) => {
      s.once("connect", () => resolve(s));
      s.once("connect_error", reject);
    });
  }
  type Ack = { ok: boolean; error?: string };
  const ask = (s: Socket, event: string, payload: unknown) =>
    new Promise<Ack | "no answer">((resolve) => {
      const timer = setTimeout(() => resolve("no answer"), 5_000);
      s.emit(event, payload, (a: Ack) => {
        clearTimeout(timer);
        resolve(a);
      });
    });
  const settle = () => new Promise((r) => setTimeout(r, 1_500));

  it("names every event the server registers, and nothing else", async () => {
    const events = await registeredSocketEvents();
    expect(
      events.filter((e) => !(e in SOCKET_EVENTS)),
      "events the matrix does not name",
    ).toEqual([]);
    expect(
      Object.keys(SOCKET_EVENTS).filter((e) => !events.includes(e)),
      "matrix rows for events that are gone",
    ).toEqual([]);
  });

  it("answers each event as the table says, and delivers nothing of a room or an offer to outsiders", async () => {
    // One socket per person, everything it hears recorded.
    const heard = new Map<ActorKey, string[]>();
    const socketOf = new Map<ActorKey, Socket>();
    for (const who of ACTORS) {
      const s = await socketAs(who);
      const got: string[] = [];
      s.onAny((event: string, payload: unknown) => got.push(`${event} ${JSON.stringify(payload)}`));
      heard.set(who, got);
      socketOf.set(who, s);
    }
    const wrong: string[] = [];
    for (const [event, rule] of Object.entries(SOCKET_EVENTS)) {
      for (const who of ACTORS) {
        const s = socketOf.get(who)!;
        if (rule.ackless) {
          s.emit(event, rule.payload(fixtures));
          continue;
        }
        const answer = await ask(s, event, rule.payload(fixtures));
        const allowed = allowedBy(rule, who);
        if (answer === "no answer") wrong.push(`${event} as ${who}: no answer`);
        else if (allowed && !answer.ok) wrong.push(`${event} as ${who}: expected allowed, got ${JSON.stringify(answer)}`);
        else if (!allowed && answer.ok) wrong.push(`${event} as ${who}: expected refused, got ${JSON.stringify(answer)}`);
      }
    }
    // Everyone left the room with room:leave above: members join again, then an offer change and a
    // room message happen; members hear them, nobody else hears anything of either.
    for (const who of ROOM_MEMBERS_LIVE) await ask(socketOf.get(who)!, "room:join", { roomId: fixtures.room });
    for (const who of OFFER_SIDES_LIVE) await ask(socketOf.get(who)!, "offer:watch", { offerId: fixtures.offer });
    for (const got of heard.values()) got.length = 0;
    const sent = await ask(socketOf.get("seller")!, "room:send", {
      roomId: fixtures.room,
      text: "authz delivery check",
      clientId: crypto.randomUUID(),
    });
    expect(sent).toMatchObject({ ok: true });
    const withdrawn = await fetch(`${baseURL}/api/v1/offers/${fixtures.offer}/withdraw`, {
      method: "POST",
      headers: { Cookie: clients.get("buyer")!.cookieHeader(), "Content-Type": "application/json" },
      body: "{}",
    });
    expect(withdrawn.status).toBe(200);
    await settle();
    expect(
      heard.get("buyer")!.some((e) => e.startsWith("room:message ") && e.includes("authz delivery check")),
      "a member hears the message",
    ).toBe(true);
    expect(
      heard.get("sanqi")!.some((e) => e.startsWith("offer:changed ")),
      "the seller side hears the offer change",
    ).toBe(true);
    for (const who of ACTORS) {
      const events = heard.get(who)!.filter((e) => /^(room|offer):/.test(e));
      const mayHear = [...(ROOM_MEMBERS_LIVE as readonly ActorKey[]), ...(OFFER_SIDES_LIVE as readonly ActorKey[])];
      if (!mayHear.includes(who)) expect(events, `${who} hears nothing private`).toEqual([]);
      if (!(ROOM_MEMBERS_LIVE as readonly ActorKey[]).includes(who))
        expect(
          events.filter((e) => e.startsWith("room:")),
          `${who} hears nothing of the room`,
        ).toEqual([]);
      if (!(OFFER_SIDES_LIVE as readonly ActorKey[]).includes(who))
        expect(
          events.filter((e) => e.startsWith("offer:")),
          `${who} hears nothing of the offer`,
        ).toEqual([]);
    }
    expect(wrong).toEqual([]);
  }, 300_000);
});
