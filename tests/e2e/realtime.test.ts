import { io, type Socket } from "socket.io-client";
import { afterEach, describe, expect, inject, it } from "vitest";
import { DEMO_PASSWORD } from "../../seeds/demo.ts";
import { HttpClient } from "../support/http.ts";

const baseURL = inject("baseURL");
const sockets: Socket[] = [];
afterEach(() => {
  for (const s of sockets.splice(0)) s.disconnect();
});

/** Connects to socket.io on the site's own port and resolves with the first `session` event. */
function sessionOf(cookie?: string): Promise<{ user: { name: string; roles: string[] } | null }> {
  const socket = io(baseURL, {
    transports: ["websocket"],
    extraHeaders: cookie ? { Cookie: cookie } : {},
    reconnection: false,
  });
  sockets.push(socket);
  return new Promise((resolve, reject) => {
    socket.once("session", resolve);
    socket.once("connect_error", reject);
  });
}

describe("socket.io on the same port as the site", () => {
  it("knows the logged-in user from the site's session cookie", async () => {
    const c = new HttpClient(baseURL);
    expect((await c.login("broker@demo.chengguo.cn", DEMO_PASSWORD)).status).toBe(302);
    const { user } = await sessionOf(c.cookieHeader());
    expect(user?.name).toBeTruthy();
    expect(user?.roles).toContain("broker");
  });

  it("treats a socket without a session, or with a forged cookie, as anonymous", async () => {
    expect((await sessionOf()).user).toBeNull();
    expect((await sessionOf("__session=forged.value")).user).toBeNull();
  });

  it("forgets the user once they log out", async () => {
    const c = new HttpClient(baseURL);
    await c.login("seller@demo.chengguo.cn", DEMO_PASSWORD);
    const cookie = c.cookieHeader();
    expect((await sessionOf(cookie)).user?.roles).toContain("seller");
    const { csrf } = await c.page("/account");
    expect((await c.post("/logout", { csrf })).status).toBe(302);
    // The old cookie value is replayed on purpose: the server-side session is gone.
    expect((await sessionOf(cookie)).user).toBeNull();
  });
});
