import { CLIENT_TO_SERVER_EVENTS, SERVER_TO_CLIENT_EVENTS } from "~/schemas/realtime.ts";
import { boundedLabel, metrics } from "~/utils/metrics.server.ts";
import { newRequestId, runWithRequestId } from "~/utils/request-context.server.ts";
import type { RealtimeSocket } from "./socket.ts";

const CLIENT_EVENTS = new Set<string>(CLIENT_TO_SERVER_EVENTS);
const SERVER_EVENTS = new Set<string>(SERVER_TO_CLIENT_EVENTS);

/** An event name as a label: one the site knows, or "other" (a client may send any name). */
export const clientEventLabel = (name: unknown): string => (typeof name === "string" && CLIENT_EVENTS.has(name) ? name : "other");
export const serverEventLabel = (name: unknown): string => (typeof name === "string" && SERVER_EVENTS.has(name) ? name : "other");

/**
 * What every socket gets first, before the features' handlers: it is counted while open, each
 * event it sends is counted by name and its refusals ({ ok: false } acks) by error, and each
 * event is handled under an id of its own, so the log lines it causes carry a `reqId` like a
 * request's (docs/decisions/039-metrics-and-request-ids.md).
 */
export function instrumentSocket(socket: RealtimeSocket): void {
  const m = metrics();
  m.socketsConnected.inc();
  m.socketConnections.inc();
  socket.once("disconnect", () => m.socketsConnected.dec());
  socket.use((packet, next) => {
    const event = clientEventLabel(packet[0]);
    m.socketEvents.inc({ event });
    const last = packet.length - 1;
    const ack = packet[last] as unknown;
    if (last > 0 && typeof ack === "function") {
      packet[last] = (answer: unknown) => {
        const a = answer as { ok?: unknown; error?: unknown } | null;
        if (a && a.ok === false) m.socketRefusals.inc({ event, error: boundedLabel(a.error) });
        return (ack as (x: unknown) => void)(answer);
      };
    }
    runWithRequestId(newRequestId(), next);
  });
}
