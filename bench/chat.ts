/**
 * `npm run bench:chat [-- --clients 1000 --rooms 100 --rate 200 --seconds 20]`
 *
 * Deal-room chat under load, end to end: a fresh embedded mongod (replica set) + Meilisearch,
 * the real app (the built Remix server, started like `npm start`, with the socket.io MongoDB
 * adapter), `--rooms` deal rooms of `--clients / --rooms` members each (the buyer, colleagues of
 * the seller organisation and invited brokers — real accounts, listings and rooms made with the
 * seed factories and services), and one socket.io client per member, logged in with a real
 * session cookie and joined to its room. Then, for `--seconds`, a few members of every room send
 * messages at a steady total `--rate` per second (each sender well under the per-user limit),
 * and every member's client records when each message of the others arrives: the send time is in
 * the text, and all clients live in this process, so one clock measures send → delivery.
 *
 * Prints clients connected, messages sent, deliveries expected vs received (nothing may be lost),
 * delivered messages per second, p50/p95/p99 delivery latency and the send-ack latency.
 */
import { randomBytes } from "node:crypto";
import type { ChildProcess } from "node:child_process";
import fs from "node:fs/promises";
import os from "node:os";
import { parseArgs } from "node:util";
import cliProgress from "cli-progress";
import { spawn } from "node:child_process";
import { ROOT, percentiles, reportResults, startBenchApp, startBenchServices } from "./support.ts";
import { io as connectClient, type Socket } from "socket.io-client";

const pct = (sorted: number[], p: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : NaN;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs `fn` over `items` with at most `limit` at a time. */
async function pool<T>(items: T[], limit: number, fn: (item: T, i: number) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        await fn(items[i]!, i);
      }
    }),
  );
}

interface Member {
  userId: string;
  cookie: string;
  room: number;
  socket?: Socket;
}

async function main() {
  const { values } = parseArgs({
    options: {
      clients: { type: "string", default: "1000" },
      rooms: { type: "string", default: "100" },
      rate: { type: "string", default: "100" },
      seconds: { type: "string", default: "20" },
    },
  });
  const nClients = Number(values.clients);
  const nRooms = Number(values.rooms);
  const rate = Number(values.rate);
  const seconds = Number(values.seconds);
  if (![nClients, nRooms, rate, seconds].every((v) => Number.isInteger(v) && v > 0)) {
    console.error("--clients, --rooms, --rate and --seconds must be positive whole numbers");
    process.exit(2);
  }
  const perRoom = Math.floor(nClients / nRooms);
  if (perRoom < 2 || perRoom * nRooms !== nClients) {
    console.error("--clients must be a multiple of --rooms, with at least 2 members per room");
    process.exit(2);
  }

  // The app and this process sign and read the same session cookies.
  process.env.SESSION_SECRET = randomBytes(32).toString("base64url");
  process.env.LOG_LEVEL ??= "warn";

  const mongoose = (await import("mongoose")).default;
  const { connectDb } = await import("~/utils/db.server.ts");
  const { createSession } = await import("~/services/accounts/accounts.server.ts");
  const { sessionStorage, SESSION_ID_KEY } = await import("~/utils/session.server.ts");
  const { openRoom } = await import("~/services/rooms/open.server.ts");
  const { inviteBroker } = await import("~/services/rooms/brokers.server.ts");
  const { RoomMessage } = await import("~/models/deal-room.server.ts");
  const { person, listingAt, achievementContent } = await import("../seeds/trading-fixtures.ts");

  const { dataDir, services } = await startBenchServices("chat");
  let app: ChildProcess | undefined;
  let base = "";
  const members: Member[] = [];
  try {
    await connectDb(services.mongoUri);
    await Promise.all(Object.values(mongoose.models).map((m) => m.init()));

    // 1. People and rooms: per room one buyer, seller-side colleagues and invited brokers.
    const sellersPerRoom = Math.max(1, Math.floor((perRoom - 1) / 2));
    const brokersPerRoom = perRoom - 1 - sellersPerRoom;
    const approver = await person("approver@bench.chengguo.cn", ["broker"], "基准审核中心", "service-agency");
    const cookieFor = async (userId: string) => {
      const session = await sessionStorage().getSession();
      session.set(SESSION_ID_KEY, await createSession(userId, "bench:chat"));
      return (await sessionStorage().commitSession(session)).split(";")[0]!;
    };
    const setup = new cliProgress.SingleBar(
      { format: " rooms   [{bar}] {value}/{total} rooms with {members} members each · {duration_formatted}" },
      cliProgress.Presets.shades_classic,
    );
    setup.start(nRooms, 0, { members: perRoom });
    let roomsDone = 0;
    const roomIds: string[] = new Array(nRooms);
    await pool(
      Array.from({ length: nRooms }, (_, r) => r),
      8,
      async (r) => {
        const org = `基准卖方研究所 ${r}`;
        const sellers = [];
        for (let i = 0; i < sellersPerRoom; i++)
          sellers.push(await person(`r${r}-seller${i}@bench.chengguo.cn`, ["seller"], org, "institute"));
        const buyer = await person(`r${r}-buyer@bench.chengguo.cn`, ["buyer"], `基准买方企业 ${r}`);
        const brokers = [];
        for (let i = 0; i < brokersPerRoom; i++)
          brokers.push(await person(`r${r}-broker${i}@bench.chengguo.cn`, ["broker"], "基准经纪机构", "service-agency"));
        const listingId = await listingAt(
          sellers[0]!,
          approver,
          "published",
          achievementContent({ title: `基准洽谈成果 ${r}`, price: { mode: "negotiable", amount: 100_000_00 } }),
        );
        const roomId = await openRoom(buyer, { from: "listing", listingId });
        for (const b of brokers) await inviteBroker(sellers[0]!, roomId, { email: b.email });
        roomIds[r] = roomId;
        for (const u of [buyer, ...sellers, ...brokers]) members.push({ userId: u.id, cookie: await cookieFor(u.id), room: r });
        setup.update(++roomsDone);
      },
    );
    setup.stop();

    // 2. The real app against these services.
    ({ app, base } = await startBenchApp({ dataDir, services, env: { SESSION_SECRET: process.env.SESSION_SECRET } }));

    // 3. Connect and join, as many browsers would.
    const received = new Map<string, number>(); // message id → deliveries to others
    const latencies: number[] = [];
    let duplicates = 0;
    let firstSend = 0;
    let lastReceipt = 0;
    const seen = new Set<string>(); // `${memberIndex}:${messageId}`
    const connectBar = new cliProgress.SingleBar(
      { format: " clients [{bar}] {value}/{total} connected and joined · {duration_formatted}" },
      cliProgress.Presets.shades_classic,
    );
    connectBar.start(members.length, 0);
    let joined = 0;
    let joinFailures = 0;
    await pool(members, 50, async (m, idx) => {
      const socket = connectClient(base, { transports: ["websocket"], extraHeaders: { Cookie: m.cookie }, reconnection: false });
      m.socket = socket;
      const session = await new Promise<{ user: { id: string } | null }>((resolve, reject) => {
        socket.once("session", resolve);
        socket.once("connect_error", reject);
      });
      if (session.user?.id !== m.userId) throw new Error(`client ${idx} is not logged in as its member`);
      socket.on("room:message", (msg: { id: string; text: string | null; author: { id: string | null } }) => {
        if (!msg.text?.startsWith("bench:") || msg.author.id === m.userId) return;
        const key = `${idx}:${msg.id}`;
        if (seen.has(key)) {
          duplicates++;
          return;
        }
        seen.add(key);
        const now = performance.now();
        latencies.push(now - Number(msg.text.split(":")[1]));
        received.set(msg.id, (received.get(msg.id) ?? 0) + 1);
        lastReceipt = now;
      });
      const ack = await socket.timeout(30_000).emitWithAck("room:join", { roomId: roomIds[m.room] });
      if (!ack.ok) joinFailures++;
      connectBar.update(++joined);
    });
    connectBar.stop();
    const connected = members.filter((m) => m.socket?.connected).length;
    if (joinFailures) console.error(`[bench] ${joinFailures} joins were refused`);

    // 4. Steady sending: enough senders per room that each sends about one message a second
    // (the limit is 20 per 10 s per person).
    const sendersPerRoom = Math.min(perRoom, Math.max(1, Math.ceil(rate / nRooms)));
    const senders: Member[] = [];
    for (let r = 0; r < nRooms; r++) senders.push(...members.filter((m) => m.room === r).slice(0, sendersPerRoom));
    const receiversPerMessage = perRoom - 1;
    const ackMs: number[] = [];
    let sent = 0;
    let accepted = 0;
    const refusals = new Map<string, number>();
    const inFlight = new Set<Promise<void>>();
    console.error(`[bench] sending ${rate} messages/s for ${seconds}s from ${senders.length} senders (${sendersPerRoom} per room)`);
    const sendBar = new cliProgress.SingleBar(
      { format: " sending [{bar}] {value}/{total} messages · {duration_formatted}" },
      cliProgress.Presets.shades_classic,
    );
    const total = rate * seconds;
    sendBar.start(total, 0);
    firstSend = performance.now();
    const send = (m: Member, n: number) => {
      const t = performance.now();
      const p: Promise<void> = m
        .socket!.timeout(30_000)
        .emitWithAck("room:send", { roomId: roomIds[m.room], clientId: `bench-${n}`, text: `bench:${t}:${n}` })
        .then((a: { ok: boolean; error?: string }) => {
          ackMs.push(performance.now() - t);
          if (a.ok) accepted++;
          else refusals.set(a.error ?? "?", (refusals.get(a.error ?? "?") ?? 0) + 1);
        })
        .catch(() => {
          refusals.set("ack timeout", (refusals.get("ack timeout") ?? 0) + 1);
        })
        .finally(() => inFlight.delete(p));
      inFlight.add(p);
    };
    while (sent < total) {
      const due = Math.min(total, Math.floor(((performance.now() - firstSend) / 1000) * rate));
      while (sent < due) {
        send(senders[sent % senders.length]!, sent);
        sent++;
      }
      sendBar.update(sent);
      await sleep(5);
    }
    const sendWindow = (performance.now() - firstSend) / 1000;
    sendBar.stop();
    await Promise.all(inFlight);

    // 5. Drain: every accepted message must reach every other member of its room.
    const expected = () => accepted * receiversPerMessage;
    const countReceived = () => [...received.values()].reduce((s, v) => s + v, 0);
    for (let i = 0; i < 150 && countReceived() < expected(); i++) await sleep(100);
    const got = countReceived();
    const stored = await RoomMessage.countDocuments({ text: /^bench:/ });

    const lat = [...latencies].sort((a, b) => a - b);
    const acks = [...ackMs].sort((a, b) => a - b);
    const deliveryWindow = (lastReceipt - firstSend) / 1000;
    console.log(
      `\nbench:chat — ${nRooms} rooms × ${perRoom} members, ${rate} messages/s for ${seconds}s, one app instance (socket.io + MongoDB adapter), ${os.cpus().length} cores, node ${process.version}\n`,
    );
    console.log("| | |");
    console.log("|---|---|");
    console.log(
      `| clients connected and joined | ${connected} / ${members.length}${joinFailures ? ` (${joinFailures} joins refused)` : ""} |`,
    );
    console.log(`| messages sent (accepted) | ${sent} (${accepted}) in ${sendWindow.toFixed(1)} s |`);
    console.log(`| refused | ${refusals.size ? [...refusals].map(([k, v]) => `${k}: ${v}`).join(", ") : "none"} |`);
    console.log(`| messages stored | ${stored} |`);
    console.log(
      `| deliveries expected / received | ${expected()} / ${got}${got < expected() ? ` — **${expected() - got} lost**` : " — none lost"}${duplicates ? `, ${duplicates} duplicates` : ""} |`,
    );
    console.log(`| delivered messages/s | ${(got / deliveryWindow).toFixed(0)} |`);
    console.log(
      `| delivery latency p50 / p95 / p99 | ${pct(lat, 50).toFixed(1)} / ${pct(lat, 95).toFixed(1)} / ${pct(lat, 99).toFixed(1)} ms |`,
    );
    console.log(`| send ack latency p50 / p99 | ${pct(acks, 50).toFixed(1)} / ${pct(acks, 99).toFixed(1)} ms |`);
    if (got < expected() || duplicates > 0 || stored !== accepted) process.exitCode = 1;

    // 6. The raw figure in the same run: a bare socket.io relay with the same rooms, clients and rate.
    for (const m of members) m.socket?.disconnect();
    const raw = await rawRelay({ nRooms, perRoom, rate, seconds, sendersPerRoom });
    console.log(
      `| bare socket.io relay (same rooms, clients and rate) p50 / p95 / p99 | ${raw.p50.toFixed(1)} / ${raw.p95.toFixed(1)} / ${raw.p99.toFixed(1)} ms, ${raw.received} / ${raw.expected} delivered |`,
    );
    const f = percentiles(latencies);
    const judged = nClients >= 1000 && rate >= 200;
    await reportResults({
      bench: "chat",
      title: `Deal-room chat, ${nRooms} rooms × ${perRoom} members, ${rate} messages/s`,
      params: { clients: nClients, rooms: nRooms, rate, seconds },
      rows: [
        {
          path: "room:send → room:message to every other member (app)",
          concurrency: nClients,
          ...f,
          throughput: got / deliveryWindow,
          throughputUnit: "deliveries/s",
          raw: { name: "bare socket.io relay", p50: raw.p50, p95: raw.p95, p99: raw.p99, throughput: raw.throughput },
          goal: { text: "p99 delivery < 100 ms at 200 messages/s to 1,000 clients", met: judged ? f.p99 < 100 : null },
          note: `${got}/${expected()} delivered${duplicates ? `, ${duplicates} duplicates` : ""}; send ack p99 ${pct(acks, 99).toFixed(1)} ms`,
        },
      ],
    });
  } finally {
    for (const m of members) m.socket?.disconnect();
    if (app && app.exitCode === null) {
      const exited = new Promise((r) => app!.once("exit", r));
      app.kill("SIGTERM");
      await exited;
    }
    await mongoose.disconnect().catch(() => {});
    await services.stop();
    await fs.rm(dataDir, { recursive: true, force: true });
  }
}

/** Runs the bare relay (bench/chat-raw-server.ts) in its own process and measures delivery as above. */
async function rawRelay(o: { nRooms: number; perRoom: number; rate: number; seconds: number; sendersPerRoom: number }) {
  const server = spawn(process.execPath, ["--import", "tsx", "bench/chat-raw-server.ts"], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "inherit"],
  });
  const sockets: Socket[] = [];
  try {
    const port = await new Promise<number>((resolve, reject) => {
      server.stdout.once("data", (d: Buffer) => resolve(Number(String(d).trim())));
      server.once("exit", (c) => reject(new Error(`the raw relay exited with ${c}`)));
    });
    const latencies: number[] = [];
    let received = 0;
    const members = Array.from({ length: o.nRooms * o.perRoom }, (_, i) => ({ room: `r${Math.floor(i / o.perRoom)}`, idx: i }));
    await pool(members, 50, async (m) => {
      const socket = connectClient(`http://127.0.0.1:${port}`, { transports: ["websocket"], reconnection: false });
      sockets[m.idx] = socket;
      socket.on("room:message", (msg: { text: string }) => {
        latencies.push(performance.now() - Number(msg.text.split(":")[1]));
        received++;
      });
      await socket.timeout(30_000).emitWithAck("join", m.room);
    });
    const senders = members.filter((m) => m.idx % o.perRoom < o.sendersPerRoom);
    const total = o.rate * o.seconds;
    const start = performance.now();
    let sent = 0;
    const acks: Promise<unknown>[] = [];
    while (sent < total) {
      const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * o.rate));
      while (sent < due) {
        const m = senders[sent % senders.length]!;
        acks.push(
          sockets[m.idx]!.timeout(30_000)
            .emitWithAck("send", { room: m.room, id: `raw-${sent}`, text: `raw:${performance.now()}:${sent}` })
            .catch(() => {}),
        );
        sent++;
      }
      await sleep(5);
    }
    await Promise.all(acks);
    const expected = total * (o.perRoom - 1);
    for (let i = 0; i < 100 && received < expected; i++) await sleep(100);
    const window = (performance.now() - start) / 1000;
    return { ...percentiles(latencies), received, expected, throughput: received / window };
  } finally {
    for (const s of sockets) s?.disconnect();
    server.kill("SIGTERM");
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
