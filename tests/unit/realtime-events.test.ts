import fs from "node:fs";
import path from "node:path";
import { describe, expect, expectTypeOf, it } from "vitest";
import {
  CLIENT_TO_SERVER_EVENTS,
  SERVER_TO_CLIENT_EVENTS,
  type AnswerData,
  type ClientToServerEvents,
  type JoinAnswer,
  type RespondAnswer,
  type ServerToClientEvents,
} from "~/schemas/realtime.ts";
import type { CardView, MessageView, NdaView } from "~/services/rooms/views.ts";
import type { RoomEventName } from "~/services/rooms/events.server.ts";
import type { stateEvent } from "../../server/realtime/auctions.ts";

/**
 * The socket event maps (app/schemas/realtime.ts) are the events the code really sends and
 * listens to. The types already refuse an unknown event on a typed socket; this reads the source
 * for what goes around them (the room service's publisher, string event names anywhere) and
 * checks it against the maps, in both directions — and that every event in a map is used.
 */

const ROOT = path.resolve(import.meta.dirname, "../..");

function sources(dir: string): { file: string; text: string }[] {
  const out: { file: string; text: string }[] = [];
  for (const entry of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !/\.tsx?$/.test(entry.name)) continue;
    const file = path.join(entry.parentPath, entry.name);
    out.push({ file: path.relative(ROOT, file), text: fs.readFileSync(file, "utf8") });
  }
  return out;
}

/** Every first-argument string literal of `<callee>("…"` in the files, with where it was found. */
function names(files: { file: string; text: string }[], callee: RegExp): { name: string; file: string }[] {
  const found: { name: string; file: string }[] = [];
  const re = new RegExp(`${callee.source}\\(\\s*"([^"]+)"`, "g");
  for (const { file, text } of files) for (const m of text.matchAll(re)) found.push({ name: m[1]!, file });
  return found;
}

const server = sources("server/realtime");
const services = sources("app/services");
const browser = sources("app/components");

const serverEvents = new Set<string>(SERVER_TO_CLIENT_EVENTS);
const clientEvents = new Set<string>(CLIENT_TO_SERVER_EVENTS);
/** socket.io's own events on each end. */
const SERVER_RESERVED = new Set(["connection", "disconnect", "disconnecting"]);
const CLIENT_RESERVED = new Set(["connect", "disconnect", "connect_error"]);

describe("the socket event maps", () => {
  // What reaches browsers: the realtime layer's emits and the room service's publishes.
  const emitted = [
    ...names(server, /\.emit/),
    // The rooms' authorized deliveries: `deliver({ roomId, event: "…", … })`.
    ...server.flatMap(({ file, text }) => [...text.matchAll(/deliver\(\{[^}]*?\bevent: "([^"]+)"/g)].map((m) => ({ name: m[1]!, file }))),
    ...services.flatMap(({ file, text }) =>
      [...text.matchAll(/publishToRoom\(\s*[^,()]+(?:\([^()]*\))?[^,()]*,\s*"([^"]+)"/g)].map((m) => ({ name: m[1]!, file })),
    ),
  ];
  // `socket.on(…)` and the rooms' own `on(event, schema, …)`; not a change stream's `.on`.
  const handled = names(server, /(?:\bsocket\.|(?<![.\w]))on/).filter((e) => !SERVER_RESERVED.has(e.name));
  const listened = names(browser, /socket\.on/).filter((e) => !CLIENT_RESERVED.has(e.name));
  const sent = names(browser, /\.emit/);

  it("finds the code it checks", () => {
    expect(emitted.length).toBeGreaterThan(5);
    expect(emitted.some((e) => e.file.startsWith("app/services/"))).toBe(true);
    expect(handled.length).toBeGreaterThan(5);
    expect(listened.length).toBeGreaterThan(5);
    expect(sent.length).toBeGreaterThan(3);
  });

  it("has every event the server emits or the room service publishes, and nothing it never sends", () => {
    expect(emitted.filter((e) => !serverEvents.has(e.name))).toEqual([]);
    expect([...serverEvents].filter((name) => !emitted.some((e) => e.name === name))).toEqual([]);
  });

  it("has every event the server handles, and each of its client events has a handler", () => {
    expect(handled.filter((e) => !clientEvents.has(e.name))).toEqual([]);
    expect([...clientEvents].filter((name) => !handled.some((e) => e.name === name))).toEqual([]);
  });

  it("has every event the browser listens to or sends", () => {
    expect(listened.filter((e) => !serverEvents.has(e.name))).toEqual([]);
    expect(sent.filter((e) => !clientEvents.has(e.name))).toEqual([]);
  });

  it("types what the services publish and what the events answer as the code produces it", () => {
    // Checked by the type checker (npm test runs tsc over tests/): a change on either side fails it.
    expectTypeOf<RoomEventName>().toExtend<keyof ServerToClientEvents>();
    expectTypeOf<Parameters<ServerToClientEvents["room:message"]>[0]>().toEqualTypeOf<MessageView>();
    expectTypeOf<Parameters<ServerToClientEvents["room:card"]>[0]>().toEqualTypeOf<CardView>();
    expectTypeOf<Parameters<ServerToClientEvents["room:nda"]>[0]>().toEqualTypeOf<{ roomId: string } & NdaView>();
    expectTypeOf<Parameters<ServerToClientEvents["auction:state"]>[0]>().toEqualTypeOf<ReturnType<typeof stateEvent>>();
    expectTypeOf<AnswerData<ClientToServerEvents["room:join"]>>().toEqualTypeOf<JoinAnswer>();
    expectTypeOf<AnswerData<ClientToServerEvents["room:card:respond"]>>().toEqualTypeOf<RespondAnswer>();
    expectTypeOf<AnswerData<ClientToServerEvents["room:leave"]>>().toEqualTypeOf<object>();
    expectTypeOf<AnswerData<ClientToServerEvents["auction:watch"]>>().toEqualTypeOf<object>();
  });
});
