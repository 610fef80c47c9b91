/**
 * The raw baseline of bench/chat.ts: a bare socket.io server (no session, no MongoDB, no adapter)
 * in its own process, as the app is, that relays a message to the other members of its room
 * exactly as the app's delivery does (`socket.to(room).emit`) and acks the sender. Prints its
 * port on stdout once listening.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Server } from "socket.io";

const http = createServer();
const io = new Server(http, { transports: ["websocket"] });
io.on("connection", (socket) => {
  socket.on("join", (room: string, ack: (a: { ok: boolean }) => void) => {
    void socket.join(room);
    ack({ ok: true });
  });
  socket.on("send", (m: { room: string; id: string; text: string }, ack: (a: { ok: boolean }) => void) => {
    socket.to(m.room).emit("room:message", { id: m.id, text: m.text, author: { id: socket.id } });
    ack({ ok: true });
  });
});
http.listen(0, "127.0.0.1", () => console.log((http.address() as AddressInfo).port));
