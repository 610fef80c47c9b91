import http from "node:http";
import type { AddressInfo } from "node:net";
import { io as connect } from "socket.io-client";
import { attachRealtime } from "../../server/realtime/index.ts";

/**
 * The client → server events the server really registers, read off a socket at run time: the
 * realtime layer is attached to a throwaway HTTP server in this process (on the app's MongoDB,
 * which mongoose must already be connected to), one client connects, and the server-side
 * socket's listeners are its events. A new `socket.on(…)` anywhere in server/realtime shows up
 * here without anyone listing it.
 */
export async function registeredSocketEvents(): Promise<string[]> {
  const server = http.createServer();
  const io = attachRealtime(server);
  const names = new Promise<string[]>((resolve) => {
    // Registered after attachRealtime's own "connection" handler, so it runs once every feature has registered its events.
    io.on("connection", (socket) => resolve(socket.eventNames().map(String)));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  const client = connect(`http://127.0.0.1:${port}`, { transports: ["websocket"], forceNew: true, reconnection: false });
  try {
    // "disconnecting" and the like are the server's own lifecycle hooks, not events a client sends.
    return (await names).filter((n) => !["disconnect", "disconnecting", "error"].includes(n)).sort();
  } finally {
    client.disconnect();
    await new Promise<void>((r) => io.close(() => r()));
  }
}
