import { execFile } from "node:child_process";
import fs from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import mongoose from "mongoose";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { getSessionUserById, type SessionUser } from "~/services/accounts/accounts.server.ts";
import { User } from "~/models/user.server.ts";
import { DEMO_PASSWORD } from "../../seeds/demo.ts";
import { appEnv } from "../setup/app.global.ts";
import { ROOT } from "../setup/tmp.ts";
import { HttpClient } from "../support/http.ts";
import { auctionInput, tradingAchievement } from "../../seeds/trading-fixtures.ts";
import { payCheckout } from "../../server/stripe-local/pay-checkout.ts";
import { createAuction } from "~/services/trading/auctions/create.server.ts";

/**
 * The auction API over HTTP against the running app, as a partner program or a script would use
 * it: a personal API token or the site's session cookie, JSON in yuan, refusals that say why and
 * change nothing, the deposit paid on the payment page and confirmed by the webhook.
 */
const baseURL = inject("baseURL");
const run = promisify(execFile);
let auctionId: string;

async function token(args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, ["--import", "tsx", "server/cli/token.ts", ...args], {
    cwd: ROOT,
    env: appEnv({ DATA_DIR: inject("appDataDir") }),
  });
  return stdout.trim();
}

async function userByEmail(email: string): Promise<SessionUser> {
  const u = await User.findOne({ email }).lean();
  return (await getSessionUserById(String(u!._id)))!;
}

beforeAll(async () => {
  // The fixture goes in through the services, on the app's own database: an auction-priced
  // achievement of 文山学院, trading, and its auction (start ¥50,000, +¥2,000, deposit ¥500).
  const { mongoUri } = JSON.parse(await fs.readFile(path.join(inject("appDataDir"), "services.json"), "utf8"));
  await mongoose.connect(mongoUri, { dbName: "chengguo" });
  const seller = await userByEmail("seller@demo.chengguo.cn");
  const broker = await userByEmail("broker@demo.chengguo.cn");
  const listingId = await tradingAchievement(seller, broker, { title: `三七种苗脱毒快繁技术 ${Date.now()}` });
  auctionId = await createAuction(
    seller,
    listingId,
    auctionInput({ startPrice: 50_000_00, reservePrice: 60_000_00, increments: [{ from: 0, increment: 2_000_00 }], deposit: 500_00 }),
  );
});

afterAll(async () => {
  await mongoose.disconnect();
});

const json = (body: unknown, headers: Record<string, string> = {}) => ({
  method: "POST",
  headers: { "Content-Type": "application/json", ...headers },
  body: typeof body === "string" ? body : JSON.stringify(body),
});

describe("auction API", () => {
  it("bids with a personal token and with the session cookie; refusals say why and change nothing", async () => {
    const api = (p: string) => `${baseURL}/api/v1/auctions/${auctionId}${p}`;

    // Public read: no reserve, no identities.
    const pub = await (await fetch(api(""))).json();
    expect(pub).toMatchObject({
      status: "open",
      phase: "live",
      startPrice: 50000,
      reservePrice: null,
      hasReserve: true,
      minimumBid: 50000,
      you: null,
    });

    // Without credentials: 401; with a role-only token: 403 (actions are taken as a person).
    expect((await fetch(api("/bids"), json({ amount: 50000 }))).status).toBe(401);
    const roleToken = await token(["--name", `role-${Date.now()}`, "--role", "buyer"]);
    const asRole = await fetch(api("/bids"), json({ amount: 50000 }, { Authorization: `Bearer ${roleToken}` }));
    expect(asRole.status).toBe(403);
    expect((await asRole.json()).error.message).toContain("个人 API 令牌");

    // A personal token acting as buyer@: not registered yet.
    const personal = await token(["--name", `buyer-${Date.now()}`, "--user", "buyer@demo.chengguo.cn"]);
    const auth = { Authorization: `Bearer ${personal}` };
    const unregistered = await fetch(api("/bids"), json({ amount: 50000 }, auth));
    expect(unregistered.status).toBe(403);
    expect((await unregistered.json()).error.code).toBe("not_registered");

    // Register: the agreement must be accepted explicitly.
    const noAgreement = await fetch(api("/registration"), json({}, auth));
    expect(noAgreement.status).toBe(400);
    expect(Object.keys((await noAgreement.json()).error.fields)).toEqual(["acceptAgreement"]);
    const reg = await fetch(api("/registration"), json({ acceptAgreement: true }, auth));
    expect(reg.status).toBe(201);
    const registration = await reg.json();
    expect(registration).toMatchObject({ bidderNumber: 1, deposit: { status: "pending", amount: 500 } });
    const pending = await fetch(api("/bids"), json({ amount: 50000 }, auth));
    expect((await pending.json()).error.code).toBe("deposit_not_held");

    // Pay on the payment page; the webhook (or the return page) marks the deposit held.
    const paid = await payCheckout(registration.depositCheckoutUrl);
    expect(paid.location).toContain(`/auctions/${auctionId}/deposit?session_id=cs_`);
    await expect
      .poll(async () => (await (await fetch(api("/registration"), { headers: auth })).json()).deposit?.status, { timeout: 15_000 })
      .toBe("held");

    // Bad amounts name the field; a low bid says the minimum; nothing is stored.
    for (const bad of ["abc", 1.005, -5, "", null]) {
      const r = await fetch(api("/bids"), json({ amount: bad }, auth));
      expect(r.status).toBe(400);
      expect(Object.keys((await r.json()).error.fields)).toEqual(["amount"]);
    }
    expect((await fetch(api("/bids"), json("{not json", auth))).status).toBe(400);
    const low = await fetch(api("/bids"), json({ amount: 49999.99 }, auth));
    expect(low.status).toBe(409);
    expect((await low.json()).error).toMatchObject({ code: "bid_too_low", minimumBid: 50000 });
    expect((await (await fetch(api(""))).json()).bidCount).toBe(0);

    const first = await fetch(api("/bids"), json({ amount: 50000 }, auth));
    expect(first.status).toBe(201);
    expect(await first.json()).toMatchObject({
      bid: { seq: 1, amount: 50000, bidderNumber: 1 },
      auction: { currentPrice: 50000, minimumBid: 52000 },
    });

    // The session cookie works too, with a JSON body (a form post is refused: no CSRF by cookie).
    const eco = new HttpClient(baseURL);
    expect((await eco.login("eco@demo.chengguo.cn", DEMO_PASSWORD)).status).toBe(302);
    const cookie = { Cookie: eco.cookieHeader() };
    // Someone else's registration and deposit are not visible: eco has none yet.
    expect((await fetch(api("/registration"), { headers: cookie })).status).toBe(404);
    const formPost = await fetch(api("/bids"), {
      method: "POST",
      headers: { ...cookie, "Content-Type": "application/x-www-form-urlencoded" },
      body: "amount=60000",
    });
    expect(formPost.status).toBe(415);
    const ecoReg = await (await fetch(api("/registration"), json({ acceptAgreement: true }, cookie))).json();
    expect(ecoReg.bidderNumber).toBe(2);
    await payCheckout(ecoReg.depositCheckoutUrl);
    await expect
      .poll(async () => (await (await fetch(api("/registration"), { headers: cookie })).json()).deposit?.status, { timeout: 15_000 })
      .toBe("held");
    const second = await fetch(api("/bids"), json({ amount: 52000 }, cookie));
    expect(second.status).toBe(201);

    // Each sees themselves; bidders are numbers to each other; the chain verifies.
    const asBuyer = await (await fetch(api(""), { headers: auth })).json();
    expect(asBuyer.you).toMatchObject({ bidderNumber: 1, deposit: { status: "held" }, canBid: true });
    expect(asBuyer.recentBids.map((b: { bidderNumber: number; mine: boolean }) => [b.bidderNumber, b.mine])).toEqual([
      [2, false],
      [1, true],
    ]);
    expect(JSON.stringify(asBuyer)).not.toContain("eco@");
    const verify = await (await fetch(api("/verify"))).json();
    expect(verify).toMatchObject({ intact: true, bids: 2, problems: [] });
  });
});
