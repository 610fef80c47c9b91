import type { ChildProcess } from "node:child_process";
import fs from "node:fs/promises";
import path from "node:path";
import mongoose from "mongoose";
import { io, type Socket } from "socket.io-client";
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import { DealRoom } from "~/models/deal-room.server.ts";
import { User } from "~/models/user.server.ts";
import { getSessionUserById, type SessionUser } from "~/services/accounts/accounts.server.ts";
import { inviteBroker } from "~/services/rooms/brokers.server.ts";
import { openRoom } from "~/services/rooms/open.server.ts";
import { roomHistory } from "~/services/rooms/messages.server.ts";
import { DEMO_PASSWORD } from "../../seeds/demo.ts";
import { upsertUser } from "../../seeds/factories.ts";
import { freePort } from "../../server/embedded/process.ts";
import { spawnApp, waitForHealthy } from "../setup/app.global.ts";
import { HttpClient } from "../support/http.ts";
import { person, tradingAchievement } from "../../seeds/trading-fixtures.ts";

/**
 * 洽谈室 over socket.io against the running app (started like `npm start`), with real clients:
 * what members see, what outsiders do not, reconnecting without losing or doubling a message,
 * offer cards to a deal, limits, and a second instance sharing the same MongoDB. One long file
 * because starting the app (twice) costs more than all the cases together.
 */
const baseURL = inject("baseURL");
const dataDir = inject("appDataDir");

type Answer = { ok: boolean; error?: string; fields?: Record<string, string[]>; [k: string]: unknown };
type Msg = {
  id: string;
  roomId: string;
  seq: number;
  kind: string;
  text: string | null;
  clientId: string | null;
  author: { id: string | null };
  card: { id: string; status: string } | null;
};
type Card = { id: string; roomId: string; status: string; version: number; terms: { price: number } };

let seller: SessionUser;
let buyer: SessionUser;
let broker: SessionUser;
const cookies = new Map<string, string>();
const sockets: Socket[] = [];

afterEach(() => {
  for (const s of sockets.splice(0)) s.disconnect();
});

beforeAll(async () => {
  const { mongoUri } = JSON.parse(await fs.readFile(path.join(dataDir, "services.json"), "utf8"));
  await mongoose.connect(mongoUri, { dbName: "chengguo" });
  const byEmail = async (email: string) => (await getSessionUserById(String((await User.findOne({ email }).lean())!._id)))!;
  seller = await byEmail("seller@demo.chengguo.cn");
  buyer = await byEmail("buyer@demo.chengguo.cn");
  broker = await byEmail("broker@demo.chengguo.cn");
});

afterAll(async () => {
  await mongoose.disconnect();
});

/** The session cookie of a person logged in through the real login form (once per test file). */
async function cookieOf(email: string, password = DEMO_PASSWORD): Promise<string> {
  if (!cookies.has(email)) {
    const c = new HttpClient(baseURL);
    expect((await c.login(email, password)).status).toBe(302);
    cookies.set(email, c.cookieHeader());
  }
  return cookies.get(email)!;
}

/** A socket.io client on an instance, resolved once the server has authenticated it. */
async function connect(url: string, cookie?: string): Promise<Socket> {
  const socket = io(url, { transports: ["websocket"], extraHeaders: cookie ? { Cookie: cookie } : {}, reconnection: false });
  sockets.push(socket);
  await new Promise((resolve, reject) => {
    socket.once("session", resolve);
    socket.once("connect_error", reject);
  });
  return socket;
}

const as = async (email: string, url = baseURL) => connect(url, await cookieOf(email));
const ask = (socket: Socket, event: string, payload: unknown): Promise<Answer> => socket.timeout(15_000).emitWithAck(event, payload);

/** Everything a socket hears (but the greeting), in order. */
function recorder(socket: Socket) {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- assertions reach into any event's payload
  const heard: { event: string; payload: any }[] = [];
  socket.onAny((event: string, payload: unknown) => {
    if (event !== "session") heard.push({ event, payload });
  });
  return {
    heard,
    of: (event: string) => heard.filter((h) => h.event === event).map((h) => h.payload),
    messages: (roomId: string) =>
      heard.filter((h) => h.event === "room:message" && h.payload.roomId === roomId).map((h) => h.payload as Msg),
  };
}

/** A new achievement of seller@ (文山学院), trading, and buyer@'s room on it. */
async function freshRoom(who: SessionUser = buyer): Promise<string> {
  const listingId = await tradingAchievement(seller, broker, {
    title: `洽谈室联调成果 ${Date.now()}-${Math.random().toString(36).slice(2, 6)}`,
    price: { mode: "negotiable", amount: 150_000_00 },
  });
  return openRoom(who, { from: "listing", listingId });
}

const texts = (ms: Msg[]) => ms.map((m) => m.text);
const settle = (ms = 400) => new Promise((r) => setTimeout(r, ms));

describe("deal rooms over socket.io", () => {
  it("keeps outsiders out: an anonymous socket and a logged-in non-member can neither join, read, send nor overhear", async () => {
    const roomId = await freshRoom();
    const anon = await connect(baseURL);
    const outsider = await as("food@demo.chengguo.cn");
    const anonHeard = recorder(anon);
    const outsiderHeard = recorder(outsider);

    expect(await ask(anon, "room:join", { roomId })).toEqual({ ok: false, error: "errors.loginRequired" });
    expect(await ask(anon, "room:history", { roomId, beforeSeq: 10 })).toEqual({ ok: false, error: "errors.loginRequired" });
    expect(await ask(anon, "room:send", { roomId, text: "匿名" })).toEqual({ ok: false, error: "errors.loginRequired" });

    // To a non-member the room does not exist, whatever the event.
    expect(await ask(outsider, "room:join", { roomId })).toEqual({ ok: false, error: "errors.notFound" });
    expect(await ask(outsider, "room:join", { roomId, lastSeq: 0 })).toEqual({ ok: false, error: "errors.notFound" });
    expect(await ask(outsider, "room:history", { roomId, beforeSeq: 10 })).toEqual({ ok: false, error: "errors.notFound" });
    expect(await ask(outsider, "room:send", { roomId, text: "我也想看看" })).toEqual({ ok: false, error: "errors.notFound" });
    expect(await ask(outsider, "room:read", { roomId, seq: 1 })).toEqual({ ok: false, error: "errors.notFound" });
    expect(await ask(outsider, "room:nda:accept", { roomId })).toEqual({ ok: false, error: "errors.notFound" });
    expect(await ask(outsider, "room:card:propose", { roomId, terms: { price: "1", transactionMode: "transfer" } })).toEqual({
      ok: false,
      error: "errors.notFound",
    });
    expect(await ask(outsider, "room:typing", { roomId, typing: true })).toEqual({ ok: false, error: "errors.notFound" });
    // Bad payloads are refused by their schema, naming the field.
    const bad = await ask(outsider, "room:send", { roomId: "not-a-room", text: "" });
    expect(bad).toMatchObject({ ok: false, error: "rooms.errors.invalid" });
    expect(Object.keys(bad.fields!).sort()).toEqual(["roomId", "text"]);

    // The members talk, type and read meanwhile.
    const b = await as("buyer@demo.chengguo.cn");
    const s = await as("seller@demo.chengguo.cn");
    const sHeard = recorder(s);
    expect((await ask(b, "room:join", { roomId })).ok).toBe(true);
    expect((await ask(s, "room:join", { roomId })).ok).toBe(true);
    anon.emit("room:typing", { roomId, typing: true });
    await ask(b, "room:typing", { roomId, typing: true });
    const sent = await ask(b, "room:send", { roomId, text: "报价单请查收" });
    expect(sent.ok).toBe(true);
    await ask(s, "room:read", { roomId, seq: (sent.message as Msg).seq });
    await expect.poll(() => texts(sHeard.messages(roomId))).toContain("报价单请查收");
    await settle();

    expect(anonHeard.heard).toEqual([]);
    expect(outsiderHeard.heard).toEqual([]);
    // Nothing the outsiders tried was stored.
    const stored = await roomHistory(buyer, roomId, { afterSeq: 0 });
    expect(texts(stored.messages).filter(Boolean)).toEqual(["报价单请查收"]);
  });

  it("two members chat: messages arrive in order with increasing seq, also in the sender's other tab; a resend is stored once", async () => {
    const roomId = await freshRoom();
    const b = await as("buyer@demo.chengguo.cn");
    const bTab2 = await as("buyer@demo.chengguo.cn");
    const s = await as("seller@demo.chengguo.cn");
    const sHeard = recorder(s);
    const tab2Heard = recorder(bTab2);
    for (const sock of [b, bTab2, s]) expect((await ask(sock, "room:join", { roomId })).ok).toBe(true);

    const lines = ["您好，想了解授权方式", "是否支持独占许可？", "价格可以分期吗？", "我们在西洒镇有基地", "盼复"];
    const acks: Msg[] = [];
    for (const [i, text] of lines.entries()) {
      const a = await ask(b, "room:send", { roomId, clientId: `m-${i}`, text });
      expect(a.ok).toBe(true);
      acks.push(a.message as Msg);
    }
    const seqs = acks.map((m) => m.seq);
    expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
    expect(new Set(seqs).size).toBe(lines.length);

    await expect.poll(() => sHeard.messages(roomId).length).toBe(lines.length);
    expect(texts(sHeard.messages(roomId))).toEqual(lines);
    expect(sHeard.messages(roomId).map((m) => m.seq)).toEqual(seqs);
    await expect.poll(() => texts(tab2Heard.messages(roomId))).toEqual(lines);

    // The answer got lost, the client sends again with the same clientId: one message.
    const again = await ask(b, "room:send", { roomId, clientId: "m-2", text: "价格可以分期吗？" });
    expect(again).toMatchObject({ ok: true, message: { id: acks[2]!.id, seq: acks[2]!.seq } });
    await settle();
    expect(sHeard.messages(roomId)).toHaveLength(lines.length);
    const stored = await roomHistory(buyer, roomId, { afterSeq: 0 });
    expect(stored.messages.filter((m) => m.text === "价格可以分期吗？")).toHaveLength(1);

    // The seller answers; the buyer's older page is there with room:history.
    const reply = await ask(s, "room:send", { roomId, text: "支持，详见报价卡" });
    expect((reply.message as Msg).seq).toBe(seqs.at(-1)! + 1);
    const older = await ask(s, "room:history", { roomId, beforeSeq: seqs[2]!, limit: 2 });
    expect(older).toMatchObject({ ok: true, hasOlder: true });
    expect(texts(older.messages as Msg[])).toEqual(lines.slice(0, 2));
  });

  it("a message with a control character is refused naming the text and the character, and nobody hears it; line breaks pass", async () => {
    const roomId = await freshRoom();
    const b = await as("buyer@demo.chengguo.cn");
    const s = await as("seller@demo.chengguo.cn");
    const sHeard = recorder(s);
    for (const sock of [b, s]) expect((await ask(sock, "room:join", { roomId })).ok).toBe(true);
    for (const text of ["报价\u0000", "\u001b[31m红字", "价格 \u202e0001"]) {
      const a = await ask(b, "room:send", { roomId, text });
      expect(a, JSON.stringify(text)).toMatchObject({
        ok: false,
        error: "rooms.errors.invalid",
        fields: { text: [expect.stringContaining("errors.controlCharacter")] },
      });
    }
    const fine = await ask(b, "room:send", { roomId, text: "第一行\n第二行\t缩进" });
    expect(fine.ok).toBe(true);
    await expect.poll(() => texts(sHeard.messages(roomId))).toEqual(["第一行\n第二行\t缩进"]);
    const stored = await roomHistory(buyer, roomId, { afterSeq: 0 });
    expect(texts(stored.messages).filter(Boolean)).toEqual(["第一行\n第二行\t缩进"]);
  });

  it("a member who reconnects with the last seq gets exactly what was missed, in order", async () => {
    const roomId = await freshRoom();
    const s = await as("seller@demo.chengguo.cn");
    let b = await as("buyer@demo.chengguo.cn");
    const first = await ask(b, "room:join", { roomId });
    expect(first.ok).toBe(true);
    expect((first.presence as { userId: string }[]).map((p) => p.userId)).toEqual([buyer.id]);
    expect((await ask(s, "room:join", { roomId })).ok).toBe(true);
    const bHeard = recorder(b);
    await ask(s, "room:send", { roomId, text: "先发一条" });
    await expect.poll(() => bHeard.messages(roomId).length).toBe(1);
    const lastSeen = bHeard.messages(roomId).at(-1)!.seq;

    b.disconnect();
    const missed: Msg[] = [];
    for (let i = 0; i < 8; i++)
      missed.push((await ask(s, "room:send", { roomId, clientId: `gap-${i}`, text: `断线期间第 ${i + 1} 条` })).message as Msg);

    b = await as("buyer@demo.chengguo.cn");
    const back = await ask(b, "room:join", { roomId, lastSeq: lastSeen });
    expect(back.ok).toBe(true);
    const got = back.messages as Msg[];
    expect(got.map((m) => m.seq)).toEqual(missed.map((m) => m.seq));
    expect(texts(got)).toEqual(missed.map((m) => m.text));
    expect(back).toMatchObject({ lastSeq: missed.at(-1)!.seq, hasMore: false });

    // Without lastSeq: the latest page, ending with the same message.
    const page = await ask(b, "room:join", { roomId });
    expect((page.messages as Msg[]).at(-1)!.id).toBe(missed.at(-1)!.id);
  });

  it("typing and presence reach the other member; read receipts reach the sender", async () => {
    const roomId = await freshRoom();
    const s = await as("seller@demo.chengguo.cn");
    const sHeard = recorder(s);
    expect((await ask(s, "room:join", { roomId })).ok).toBe(true);

    const b = await as("buyer@demo.chengguo.cn");
    const bTab2 = await as("buyer@demo.chengguo.cn");
    const bHeard = recorder(b);
    const tab2Heard = recorder(bTab2);
    const joined = await ask(b, "room:join", { roomId });
    expect((joined.presence as { userId: string }[]).map((p) => p.userId).sort()).toEqual([buyer.id, seller.id].sort());
    await expect
      .poll(() =>
        sHeard
          .of("room:presence")
          .at(-1)
          ?.online.map((p: { userId: string }) => p.userId)
          .sort(),
      )
      .toEqual([buyer.id, seller.id].sort());
    expect((await ask(bTab2, "room:join", { roomId })).ok).toBe(true);
    // Two tabs of one person: one entry.
    await expect.poll(() => sHeard.of("room:presence").at(-1)?.online).toHaveLength(2);

    expect(await ask(b, "room:typing", { roomId, typing: true })).toEqual({ ok: true });
    await expect.poll(() => sHeard.of("room:typing")).toEqual([{ roomId, userId: buyer.id, name: buyer.name, typing: true }]);
    await ask(b, "room:typing", { roomId, typing: false });
    await expect.poll(() => sHeard.of("room:typing").at(-1)?.typing).toBe(false);
    // Nobody sees themselves typing, not even in another tab.
    expect(bHeard.of("room:typing")).toEqual([]);
    expect(tab2Heard.of("room:typing")).toEqual([]);

    const sent = (await ask(b, "room:send", { roomId, text: "请确认收到" })).message as Msg;
    expect(await ask(s, "room:read", { roomId, seq: sent.seq })).toEqual({ ok: true, seq: sent.seq });
    await expect
      .poll(() => bHeard.of("room:read").find((r) => r.userId === seller.id))
      .toMatchObject({ roomId, userId: seller.id, seq: sent.seq });
    // The receipt is remembered for whoever joins later.
    const rejoin = await ask(s, "room:join", { roomId });
    expect(rejoin.reads).toEqual(expect.arrayContaining([expect.objectContaining({ userId: seller.id, seq: sent.seq })]));

    // Closing one tab keeps the buyer online; closing both takes them off.
    bTab2.disconnect();
    await settle();
    expect(
      sHeard
        .of("room:presence")
        .at(-1)
        .online.map((p: { userId: string }) => p.userId)
        .sort(),
    ).toEqual([buyer.id, seller.id].sort());
    b.disconnect();
    await expect.poll(() => sHeard.of("room:presence").at(-1).online).toEqual([{ userId: seller.id, name: seller.name }]);
  });

  it("offer cards: the buyer proposes, the seller counters, the buyer accepts — a deal on the agreed price", async () => {
    const roomId = await freshRoom();
    const b = await as("buyer@demo.chengguo.cn");
    const s = await as("seller@demo.chengguo.cn");
    const bHeard = recorder(b);
    const sHeard = recorder(s);
    for (const sock of [b, s]) expect((await ask(sock, "room:join", { roomId })).ok).toBe(true);

    const badTerms = await ask(b, "room:card:propose", { roomId, terms: { price: "abc", transactionMode: "license" } });
    expect(badTerms).toMatchObject({ ok: false, error: "rooms.errors.invalid" });
    expect(Object.keys(badTerms.fields!)).toContain("terms.price");

    const proposed = await ask(b, "room:card:propose", {
      roomId,
      clientId: "card-1",
      terms: { price: "150000", transactionMode: "transfer", territory: "云南省" },
    });
    expect(proposed).toMatchObject({ ok: true, card: { status: "open", version: 1, terms: { price: 150_000_00 } } });
    const card1 = proposed.card as Card;
    await expect.poll(() => sHeard.messages(roomId).find((m) => m.kind === "offer")?.card).toMatchObject({ id: card1.id, status: "open" });

    // One cannot accept one's own card.
    expect(await ask(b, "room:card:respond", { roomId, action: "accept", cardId: card1.id })).toEqual({
      ok: false,
      error: "rooms.errors.answerOtherSide",
    });

    const countered = await ask(s, "room:card:respond", {
      roomId,
      action: "counter",
      cardId: card1.id,
      terms: { price: "180000", transactionMode: "transfer", territory: "云南省" },
    });
    expect(countered).toMatchObject({
      ok: true,
      card: { id: card1.id, status: "countered" },
      counter: { status: "open", version: 2, terms: { price: 180_000_00 } },
      dealId: null,
    });
    const card2 = countered.counter as Card;
    for (const heard of [bHeard, sHeard]) {
      await expect
        .poll(() => heard.of("room:card").map((c: Card) => [c.id, c.status]))
        .toEqual([
          [card1.id, "countered"],
          [card2.id, "open"],
        ]);
    }

    const accepted = await ask(b, "room:card:respond", { roomId, action: "accept", cardId: card2.id });
    expect(accepted).toMatchObject({ ok: true, card: { id: card2.id, status: "accepted" }, counter: null });
    const dealId = accepted.dealId as string;
    expect(dealId).toMatch(/^[a-f0-9]{24}$/);
    for (const heard of [bHeard, sHeard])
      await expect.poll(() => heard.of("room:card").at(-1)).toMatchObject({ id: card2.id, status: "accepted" });
    // Too late to answer again.
    expect(await ask(s, "room:card:respond", { roomId, action: "withdraw", cardId: card2.id })).toEqual({
      ok: false,
      error: "rooms.errors.cardNotOpen",
    });

    const res = await fetch(`${baseURL}/api/v1/deals/${dealId}`, { headers: { Cookie: await cookieOf("buyer@demo.chengguo.cn") } });
    expect(res.status).toBe(200);
    expect((await res.json()).deal).toMatchObject({ id: dealId, price: { amount: 180000, currency: "CNY" } });

    // The deal made, the room takes no new card, from either side, and says why (issue 13, point 1).
    for (const sock of [b, s])
      expect(
        await ask(sock, "room:card:propose", { roomId, terms: { price: "200000", transactionMode: "transfer", territory: "全国" } }),
      ).toEqual({
        ok: false,
        error: "rooms.errors.dealMade",
      });
    const after = await fetch(`${baseURL}/api/v1/deals/${dealId}`, { headers: { Cookie: await cookieOf("buyer@demo.chengguo.cn") } });
    expect((await after.json()).deal).toMatchObject({ price: { amount: 180000 } });
  });

  it("a member who is no longer one is refused and stops hearing the room", async () => {
    // A colleague of seller@ at 文山学院 (no new organisation: other files count the seeded ones).
    const colleague = await upsertUser({
      email: `colleague-${Date.now()}@e2e.chengguo.cn`,
      name: "文山学院 李老师",
      password: "Terraces2025",
      roles: ["seller"],
      organization: { _id: seller.organization!.id },
    });
    const roomId = await freshRoom();
    const c = await connect(baseURL, await cookieOf(colleague.email!, "Terraces2025"));
    const cHeard = recorder(c);
    const b = await as("buyer@demo.chengguo.cn");
    expect((await ask(c, "room:join", { roomId })).ok).toBe(true);
    expect((await ask(b, "room:join", { roomId })).ok).toBe(true);
    await ask(b, "room:send", { roomId, text: "第一条" });
    await expect.poll(() => texts(cHeard.messages(roomId))).toEqual(["第一条"]);

    await User.updateOne({ _id: colleague._id }, { $unset: { organization: 1 } });
    await settle(5_500); // the socket re-reads its user at most every 5 s
    expect(await ask(c, "room:send", { roomId, text: "我已离职" })).toEqual({ ok: false, error: "errors.notFound" });
    await ask(b, "room:send", { roomId, text: "第二条" });
    await settle();
    expect(texts(cHeard.messages(roomId))).toEqual(["第一条"]);
  });

  it("refuses a handshake from a foreign Origin, on either transport, and lets the site's own through", async () => {
    const cookie = await cookieOf("buyer@demo.chengguo.cn");
    for (const transports of [["websocket"], ["polling"]]) {
      const foreign = io(baseURL, {
        transports,
        extraHeaders: { Cookie: cookie, Origin: "https://evil.example" },
        reconnection: false,
      });
      sockets.push(foreign);
      const outcome = await new Promise((resolve) => {
        foreign.once("session", () => resolve("connected"));
        foreign.once("connect_error", () => resolve("refused"));
      });
      expect(outcome, transports[0]).toBe("refused");
      const own = io(baseURL, { transports, extraHeaders: { Cookie: cookie, Origin: new URL(baseURL).origin }, reconnection: false });
      sockets.push(own);
      const session = await new Promise<{ user: { id: string } | null }>((resolve, reject) => {
        own.once("session", resolve);
        own.once("connect_error", reject);
      });
      expect(session.user?.id, transports[0]).toBe(buyer.id);
    }
  });

  it("a socket whose session logged out is closed and hears nothing more of the room", async () => {
    const roomId = await freshRoom();
    // Its own login: logging out must not end the session the other cases share.
    const client = new HttpClient(baseURL);
    expect((await client.login("buyer@demo.chengguo.cn", DEMO_PASSWORD)).status).toBe(302);
    const b = await connect(baseURL, client.cookieHeader());
    const bHeard = recorder(b);
    const s = await as("seller@demo.chengguo.cn");
    expect((await ask(b, "room:join", { roomId })).ok).toBe(true);
    expect((await ask(s, "room:join", { roomId })).ok).toBe(true);
    await ask(s, "room:send", { roomId, text: "登出前" });
    await expect.poll(() => texts(bHeard.messages(roomId))).toEqual(["登出前"]);

    const { csrf } = await client.page("/");
    expect((await client.post("/logout", { csrf })).status).toBe(302);
    await expect.poll(() => b.connected, { timeout: 5_000 }).toBe(false);
    await ask(s, "room:send", { roomId, text: "登出后" });
    await settle();
    expect(texts(bHeard.messages(roomId))).toEqual(["登出前"]);
  });

  it("a member who lost the role that made them one (seller side, broker) hears nothing more, without sending anything", async () => {
    const stamp = Date.now();
    const colleague = await upsertUser({
      email: `role-seller-${stamp}@e2e.chengguo.cn`,
      name: "文山学院 王老师",
      password: "Terraces2025",
      roles: ["seller"],
      organization: { _id: seller.organization!.id },
    });
    const agent = await upsertUser({
      email: `role-broker-${stamp}@e2e.chengguo.cn`,
      name: "经纪人 赵",
      password: "Terraces2025",
      roles: ["broker"],
    });
    const roomId = await freshRoom();
    await inviteBroker(buyer, roomId, { email: agent.email! });
    const c = await connect(baseURL, await cookieOf(colleague.email!, "Terraces2025"));
    const k = await connect(baseURL, await cookieOf(agent.email!, "Terraces2025"));
    const b = await as("buyer@demo.chengguo.cn");
    const cHeard = recorder(c);
    const kHeard = recorder(k);
    for (const socket of [c, k, b]) expect((await ask(socket, "room:join", { roomId })).ok).toBe(true);
    await ask(b, "room:send", { roomId, text: "大家好" });
    await expect.poll(() => texts(cHeard.messages(roomId))).toEqual(["大家好"]);
    await expect.poll(() => texts(kHeard.messages(roomId))).toEqual(["大家好"]);

    // An administrator takes the roles away through the admin page: at once, not after a re-check.
    const admin = new HttpClient(baseURL);
    expect((await admin.login("admin@demo.chengguo.cn", DEMO_PASSWORD)).status).toBe(302);
    const { csrf } = await admin.page("/admin/users");
    for (const who of [colleague, agent]) {
      const res = await admin.post("/admin/users", { csrf, intent: "set-roles", userId: String(who._id), roles: ["buyer"] });
      expect(res.status).toBe(200);
    }
    await settle();
    await ask(b, "room:send", { roomId, text: "角色变更后" });
    await ask(b, "room:typing", { roomId, typing: true });
    await settle();
    expect(texts(cHeard.messages(roomId))).toEqual(["大家好"]);
    expect(texts(kHeard.messages(roomId))).toEqual(["大家好"]);
    expect(cHeard.of("room:typing")).toEqual([]);
    expect(kHeard.of("room:typing")).toEqual([]);
    expect(await ask(c, "room:join", { roomId })).toEqual({ ok: false, error: "errors.notFound" });
  });

  it("a member who silently stopped being one (changed in the database) hears nothing more, though they send nothing", async () => {
    const colleague = await upsertUser({
      email: `silent-${Date.now()}@e2e.chengguo.cn`,
      name: "文山学院 赵老师",
      password: "Terraces2025",
      roles: ["seller"],
      organization: { _id: seller.organization!.id },
    });
    const roomId = await freshRoom();
    const c = await connect(baseURL, await cookieOf(colleague.email!, "Terraces2025"));
    const cHeard = recorder(c);
    const b = await as("buyer@demo.chengguo.cn");
    expect((await ask(c, "room:join", { roomId })).ok).toBe(true);
    expect((await ask(b, "room:join", { roomId })).ok).toBe(true);
    await ask(b, "room:send", { roomId, text: "第一条" });
    await expect.poll(() => texts(cHeard.messages(roomId))).toEqual(["第一条"]);

    await User.updateOne({ _id: colleague._id }, { $unset: { organization: 1 } });
    await settle(5_500); // nobody announced it: the socket's user is re-read at most every 5 s
    await ask(b, "room:send", { roomId, text: "第二条" });
    await settle();
    expect(texts(cHeard.messages(roomId))).toEqual(["第一条"]);
  });

  it("a broker taken out of the room in the database hears no message stored after it, at once", async () => {
    const agent = await upsertUser({
      email: `silent-broker-${Date.now()}@e2e.chengguo.cn`,
      name: "经纪人 钱",
      password: "Terraces2025",
      roles: ["broker"],
    });
    const roomId = await freshRoom();
    await inviteBroker(buyer, roomId, { email: agent.email! });
    const k = await connect(baseURL, await cookieOf(agent.email!, "Terraces2025"));
    const kHeard = recorder(k);
    const b = await as("buyer@demo.chengguo.cn");
    for (const socket of [k, b]) expect((await ask(socket, "room:join", { roomId })).ok).toBe(true);
    await ask(b, "room:send", { roomId, text: "邀请之后" });
    await expect.poll(() => texts(kHeard.messages(roomId))).toEqual(["邀请之后"]);

    // Nobody announces it, and the broker's own user did not change: the message's transaction
    // reads who belongs to the room, and the broker is no longer among them.
    await DealRoom.updateOne({ _id: roomId }, { $pull: { brokers: { user: agent._id } } });
    await ask(b, "room:send", { roomId, text: "移出之后" });
    await settle();
    expect(texts(kHeard.messages(roomId))).toEqual(["邀请之后"]);
  });

  it("a burst beyond the rate limit is refused and nothing beyond it is stored", async () => {
    const stamp = Date.now();
    const eager = await person(`eager-${stamp}@e2e.chengguo.cn`, ["buyer"], null);
    const roomId = await freshRoom(eager);
    const e = await connect(baseURL, await cookieOf(eager.email, "Terraces2025"));
    const s = await as("seller@demo.chengguo.cn");
    const sHeard = recorder(s);
    expect((await ask(s, "room:join", { roomId })).ok).toBe(true);

    const answers = await Promise.all(
      Array.from({ length: 26 }, (_, i) => ask(e, "room:send", { roomId, clientId: `burst-${i}`, text: `第 ${i} 条` })),
    );
    const ok = answers.filter((a) => a.ok);
    const refused = answers.filter((a) => !a.ok);
    expect(ok).toHaveLength(20);
    expect(refused).toHaveLength(6);
    expect(new Set(refused.map((a) => a.error))).toEqual(new Set(["rooms.errors.rateLimited"]));
    const stored = await roomHistory(eager, roomId, { afterSeq: 0 });
    expect(stored.messages.filter((m) => m.kind === "text")).toHaveLength(20);
    await expect.poll(() => sHeard.messages(roomId).length).toBe(20);

    // Typing too: at most 10 in 5 s get through.
    for (let i = 0; i < 15; i++) e.emit("room:typing", { roomId, typing: i % 2 === 0 });
    await settle(1_000);
    expect(sHeard.of("room:typing")).toHaveLength(10);

    // Files go over HTTP: a socket message over 64 KB closes the connection and stores nothing.
    const s2 = await as("seller@demo.chengguo.cn");
    const closed = new Promise((r) => s2.once("disconnect", r));
    s2.emit("room:send", { roomId, text: "长".repeat(30_000) });
    await closed;
    expect((await roomHistory(eager, roomId, { afterSeq: 0 })).messages.filter((m) => m.kind === "text")).toHaveLength(20);
  });

  describe("across two instances sharing MongoDB", () => {
    let second: ChildProcess | undefined;
    let secondURL: string;

    beforeAll(async () => {
      const state = JSON.parse(await fs.readFile(path.join(dataDir, "services.json"), "utf8"));
      const meiliKey = (await fs.readFile(path.join(dataDir, "meili-master-key"), "utf8")).trim();
      const sessionSecret = (await fs.readFile(path.join(dataDir, "session-secret"), "utf8")).trim();
      const port = await freePort();
      secondURL = `http://localhost:${port}`;
      second = spawnApp({
        DATA_DIR: path.join(dataDir, "rooms-second"),
        PORT: String(port),
        MONGODB_URI: state.mongoUri,
        MEILI_HOST: state.meiliHost,
        MEILI_MASTER_KEY: meiliKey,
        SESSION_SECRET: sessionSecret,
        EMBEDDED_STRIPE_PORT: String(await freePort()),
        EMBEDDED_MAIL_SMTP_PORT: String(await freePort()),
        EMBEDDED_MAIL_WEB_PORT: String(await freePort()),
      });
      await waitForHealthy(secondURL, second);
    });

    afterAll(async () => {
      if (!second || second.exitCode !== null) return;
      const exited = new Promise((r) => second!.once("exit", r));
      second.kill("SIGTERM");
      await exited;
    });

    it("a logout on instance 1 closes the session's socket on instance 2, which hears nothing more", async () => {
      const roomId = await freshRoom();
      const client = new HttpClient(baseURL);
      expect((await client.login("buyer@demo.chengguo.cn", DEMO_PASSWORD)).status).toBe(302);
      const b = await connect(secondURL, client.cookieHeader());
      const bHeard = recorder(b);
      const s = await as("seller@demo.chengguo.cn", baseURL);
      expect((await ask(b, "room:join", { roomId })).ok).toBe(true);
      expect((await ask(s, "room:join", { roomId })).ok).toBe(true);
      await ask(s, "room:send", { roomId, text: "实例一发出" });
      await expect.poll(() => texts(bHeard.messages(roomId)), { timeout: 10_000 }).toEqual(["实例一发出"]);

      const { csrf } = await client.page("/");
      expect((await client.post("/logout", { csrf })).status).toBe(302);
      await expect.poll(() => b.connected, { timeout: 10_000 }).toBe(false);
      await ask(s, "room:send", { roomId, text: "登出之后" });
      await settle(1_000);
      expect(texts(bHeard.messages(roomId))).toEqual(["实例一发出"]);
    });

    it("the buyer on instance 1 and the seller on instance 2 see each other, their messages, typing and an accepted card", async () => {
      const roomId = await freshRoom();
      const b = await as("buyer@demo.chengguo.cn", baseURL);
      const s = await as("seller@demo.chengguo.cn", secondURL);
      const bHeard = recorder(b);
      const sHeard = recorder(s);
      expect((await ask(b, "room:join", { roomId })).ok).toBe(true);
      // Presence is asked of every instance; the two find each other within a heartbeat.
      const both = [buyer.id, seller.id].sort();
      await expect
        .poll(async () => ((await ask(s, "room:join", { roomId })).presence as { userId: string }[]).map((p) => p.userId).sort(), {
          timeout: 20_000,
          interval: 500,
        })
        .toEqual(both);
      await expect
        .poll(
          () =>
            bHeard
              .of("room:presence")
              .at(-1)
              ?.online.map((p: { userId: string }) => p.userId)
              .sort(),
          { timeout: 10_000 },
        )
        .toEqual(both);

      // 1 → 2 and 2 → 1.
      const m1 = (await ask(b, "room:send", { roomId, text: "来自实例一的买方" })).message as Msg;
      await expect
        .poll(() => sHeard.messages(roomId).map((m) => [m.seq, m.text]), { timeout: 10_000 })
        .toContainEqual([m1.seq, "来自实例一的买方"]);
      const m2 = (await ask(s, "room:send", { roomId, text: "来自实例二的卖方" })).message as Msg;
      expect(m2.seq).toBe(m1.seq + 1);
      await expect
        .poll(() => bHeard.messages(roomId).map((m) => [m.seq, m.text]), { timeout: 10_000 })
        .toContainEqual([m2.seq, "来自实例二的卖方"]);
      // Each side got each message once, in seq order.
      for (const heard of [bHeard, sHeard]) {
        const seqs = heard.messages(roomId).map((m) => m.seq);
        expect(seqs).toEqual([...new Set(seqs)].sort((x, y) => x - y));
      }

      await ask(b, "room:typing", { roomId, typing: true });
      await expect.poll(() => sHeard.of("room:typing").at(-1), { timeout: 10_000 }).toMatchObject({ userId: buyer.id, typing: true });
      await ask(s, "room:typing", { roomId, typing: true });
      await expect.poll(() => bHeard.of("room:typing").at(-1), { timeout: 10_000 }).toMatchObject({ userId: seller.id, typing: true });

      // A card proposed on 1, countered on 2, accepted on 1: both sides see every step.
      const card1 = (await ask(b, "room:card:propose", { roomId, terms: { price: "90000", transactionMode: "transfer" } })).card as Card;
      await expect.poll(() => sHeard.messages(roomId).find((m) => m.kind === "offer")?.card?.id, { timeout: 10_000 }).toBe(card1.id);
      const countered = await ask(s, "room:card:respond", {
        roomId,
        action: "counter",
        cardId: card1.id,
        terms: { price: "120000", transactionMode: "transfer" },
      });
      const card2 = countered.counter as Card;
      await expect
        .poll(() => bHeard.of("room:card").map((c: Card) => [c.id, c.status]), { timeout: 10_000 })
        .toEqual([
          [card1.id, "countered"],
          [card2.id, "open"],
        ]);
      const accepted = await ask(b, "room:card:respond", { roomId, action: "accept", cardId: card2.id });
      expect(accepted.dealId).toMatch(/^[a-f0-9]{24}$/);
      await expect.poll(() => sHeard.of("room:card").at(-1), { timeout: 10_000 }).toMatchObject({ id: card2.id, status: "accepted" });

      // The seller leaves on 2: the buyer on 1 sees them go.
      s.disconnect();
      await expect
        .poll(() => bHeard.of("room:presence").at(-1)?.online, { timeout: 10_000 })
        .toEqual([{ userId: buyer.id, name: buyer.name }]);
    });
  });
});
