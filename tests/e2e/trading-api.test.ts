import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { DEMO_PASSWORD } from "../../seeds/demo.ts";
import { appEnv } from "../setup/app.global.ts";
import { ROOT } from "../setup/tmp.ts";
import { HttpClient } from "../support/http.ts";

/**
 * The trading API against the running app (started like `npm start`, demo data seeded): a demo
 * buyer makes an offer with a personal token and reads it back with the session cookie, the
 * seller side accepts it, and a fixed-price listing is bought with the session cookie and JSON —
 * once. Visitors get 401, a role-only token 403.
 *
 * demo-A02 (面议, 三七研究院) and demo-A04 (挂牌 ¥260,000, 农科院) are seeded in `trading`; on an
 * older database where they are still `published` after their 公示 (the listings.notice-end job
 * opens them within a minute), the owners move them through the detail page's form first.
 */

const baseURL = inject("baseURL");
const run = promisify(execFile);

/** `npm run token -- …` against the running app's DATA_DIR; prints only the token. */
async function token(args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, ["--import", "tsx", "server/cli/token.ts", ...args], {
    cwd: ROOT,
    env: appEnv({ DATA_DIR: inject("appDataDir") }),
  });
  return stdout.trim();
}

interface ApiItem {
  id: string;
  externalId: string | null;
  status: string;
  price: { mode: string; amount: number | null };
}

/** The demo achievements by key, read through the export with an admin token. */
async function demoAchievements(adminToken: string): Promise<Map<string, ApiItem>> {
  const res = await fetch(`${baseURL}/api/v1/export?type=achievement`, { headers: { Authorization: `Bearer ${adminToken}` } });
  expect(res.status).toBe(200);
  const items = (await res.text())
    .trim()
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as ApiItem);
  return new Map(items.filter((i) => i.externalId?.startsWith("demo-")).map((i) => [i.externalId!, i]));
}

async function login(email: string): Promise<HttpClient> {
  const client = new HttpClient(baseURL);
  expect((await client.login(email, DEMO_PASSWORD)).status).toBe(302);
  return client;
}

/** The owner moves a published listing to trading with the detail page's own form. */
async function startTrading(owner: HttpClient, id: string) {
  const { csrf } = await owner.page(`/achievements/${id}`);
  const res = await owner.post(`/achievements/${id}`, { csrf, intent: "startTrading" });
  expect(res.status).toBe(302);
  expect(res.headers.get("Location")).toBe(`/achievements/${id}?done=startTrading`);
}

/** A JSON call as the logged-in person (cookie), the way a script in their browser session would. */
function asCookie(client: HttpClient, path: string, init: { method?: string; body?: unknown } = {}) {
  return fetch(baseURL + path, {
    method: init.method ?? "GET",
    headers: {
      Cookie: client.cookieHeader(),
      ...(init.body !== undefined ? { "Content-Type": "application/json" } : {}),
    },
    body: init.body !== undefined ? JSON.stringify(init.body) : undefined,
    redirect: "manual",
  });
}

function asToken(bearer: string, path: string, init: { method?: string; body?: unknown } = {}) {
  return fetch(baseURL + path, {
    method: init.method ?? "GET",
    headers: {
      Authorization: `Bearer ${bearer}`,
      ...(init.body !== undefined ? { "Content-Type": "application/json" } : {}),
    },
    body: init.body !== undefined ? JSON.stringify(init.body) : undefined,
  });
}

let negotiable: ApiItem, fixed: ApiItem;
let buyer: HttpClient, sanqi: HttpClient;
let personalToken: string, roleToken: string;

beforeAll(async () => {
  const admin = await token(["--name", `e2e-trading-admin-${Date.now()}`, "--role", "admin"]);
  const demo = await demoAchievements(admin);
  negotiable = demo.get("demo-A02")!;
  fixed = demo.get("demo-A04")!;
  expect(negotiable.price.mode).toBe("negotiable");
  expect(fixed.price).toMatchObject({ mode: "fixed", amount: 260000 });

  sanqi = await login("sanqi@demo.chengguo.cn");
  if (negotiable.status === "published") await startTrading(sanqi, negotiable.id);
  if (fixed.status === "published") await startTrading(await login("seller2@demo.chengguo.cn"), fixed.id);

  buyer = await login("buyer@demo.chengguo.cn");
  personalToken = await token(["--name", `e2e-trading-buyer-${Date.now()}`, "--user", "buyer@demo.chengguo.cn"]);
  roleToken = await token(["--name", `e2e-trading-role-${Date.now()}`, "--role", "buyer"]);
  expect(personalToken).toMatch(/^cg_/);
});

describe("trading API over HTTP", () => {
  it("makes an offer with a personal token, reads it back with the cookie, and the seller accepts it", async () => {
    const made = await asToken(personalToken, "/api/v1/offers", {
      method: "POST",
      body: { listingId: negotiable.id, amount: 150000.5, transactionMode: "license", message: "希望三期付款", expiresInDays: 5 },
    });
    expect(made.status).toBe(201);
    const { offer } = await made.json();
    expect(offer).toMatchObject({
      amount: 150000.5,
      version: 1,
      by: "buyer",
      status: "open",
      transactionMode: "license",
      licenseExclusivity: "non-exclusive",
    });
    expect(made.headers.get("Location")).toBe(`/api/v1/offers/${offer.thread}`);

    const read = await asCookie(buyer, `/api/v1/offers/${offer.id}`);
    expect(read.status).toBe(200);
    expect(await read.json()).toMatchObject({
      side: "buyer",
      status: "open",
      current: { id: offer.id, amount: 150000.5, message: "希望三期付款" },
    });
    const mine = await (await asToken(personalToken, "/api/v1/offers")).json();
    expect(mine.outgoing.map((t: { thread: string }) => t.thread)).toContain(offer.thread);

    // A second open offer on the same listing is refused with a code a program can key on.
    const twice = await asCookie(buyer, "/api/v1/offers", {
      method: "POST",
      body: { listingId: negotiable.id, amount: 1, transactionMode: "license" },
    });
    expect(twice.status).toBe(409);
    expect((await twice.json()).error.code).toBe("offer_already_open");

    // Bad input names the fields.
    const bad = await asCookie(buyer, "/api/v1/offers", {
      method: "POST",
      body: { listingId: negotiable.id, amount: "12.345", transactionMode: "rent" },
    });
    expect(bad.status).toBe(400);
    expect(Object.keys((await bad.json()).error.fields).sort()).toEqual(["amount", "transactionMode"]);

    // A personal token of the seller limited to `buyer` has no seller-side power: it neither lists
    // the organisation's incoming offers nor sees or answers one.
    const sellerAsBuyer = await token([
      "--name",
      `e2e-trading-sanqi-buyer-${Date.now()}`,
      "--user",
      "sanqi@demo.chengguo.cn",
      "--role",
      "buyer",
    ]);
    const incoming = await (await asToken(sellerAsBuyer, "/api/v1/offers")).json();
    expect(incoming.incoming.map((t: { thread: string }) => t.thread)).not.toContain(offer.thread);
    expect((await asToken(sellerAsBuyer, `/api/v1/offers/${offer.id}`)).status).toBe(404);
    const counterByToken = await asToken(sellerAsBuyer, `/api/v1/offers/${offer.id}/counter`, {
      method: "POST",
      body: { amount: 1, transactionMode: "license" },
    });
    expect(counterByToken.status).toBe(404);
    expect((await asToken(sellerAsBuyer, `/api/v1/offers/${offer.id}/accept`, { method: "POST", body: {} })).status).toBe(404);

    // The seller side sees it and accepts: a deal at the offered amount, on the parties' deal pages.
    const seen = await (await asCookie(sanqi, `/api/v1/offers/${offer.id}`)).json();
    expect(seen).toMatchObject({ side: "seller", actions: { accept: true } });
    const accepted = await asCookie(sanqi, `/api/v1/offers/${offer.id}/accept`, { method: "POST", body: {} });
    expect(accepted.status).toBe(200);
    const { deal } = await accepted.json();
    expect(deal).toMatchObject({ source: "offer", price: { amount: 150000.5 }, offerId: offer.id });
    const page = await buyer.get(`/deals/${deal.id}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("合同签订将在下一步进行");
    // The sale is the seller's, but not the buyer-only token's.
    expect((await (await asCookie(sanqi, "/api/v1/deals")).json()).deals.map((d: { id: string }) => d.id)).toContain(deal.id);
    expect((await (await asToken(sellerAsBuyer, "/api/v1/deals")).json()).deals.map((d: { id: string }) => d.id)).not.toContain(deal.id);
    expect((await asToken(sellerAsBuyer, `/api/v1/deals/${deal.id}`)).status).toBe(404);
  });

  it("asks to buy a fixed-price listing with the session cookie and JSON, the seller confirms, exactly once", async () => {
    // A cookie write must be JSON (a cross-site form cannot send it).
    const form = await fetch(`${baseURL}/api/v1/achievements/${fixed.id}/buy`, {
      method: "POST",
      headers: { Cookie: buyer.cookieHeader(), "Content-Type": "application/x-www-form-urlencoded" },
      body: "amount=260000&transactionMode=transfer",
    });
    expect(form.status).toBe(415);

    const changed = await asCookie(buyer, `/api/v1/achievements/${fixed.id}/buy`, {
      method: "POST",
      body: { amount: 250000, transactionMode: "transfer" },
    });
    expect(changed.status).toBe(409);
    expect((await changed.json()).error.code).toBe("price_changed");

    // Buy-now asks the seller (decision 023): 201 with the pending request, the listing still on offer.
    const res = await asCookie(buyer, `/api/v1/achievements/${fixed.id}/buy`, {
      method: "POST",
      body: { amount: 260000, transactionMode: "transfer", way: "confirm" },
    });
    expect(res.status).toBe(201);
    const { request } = await res.json();
    expect(request).toMatchObject({ status: "pending", way: "confirm", amount: 260000, deal: null });
    expect(res.headers.get("Location")).toBe(`/api/v1/buy-requests/${request.id}`);
    // Only the seller side confirms it: the buyer is told it does not exist.
    expect((await asCookie(buyer, `/api/v1/buy-requests/${request.id}/confirm`, { method: "POST", body: {} })).status).toBe(404);
    const confirmed = await asCookie(await login("seller2@demo.chengguo.cn"), `/api/v1/buy-requests/${request.id}/confirm`, {
      method: "POST",
      body: {},
    });
    expect(confirmed.status).toBe(200);
    const { deal } = await confirmed.json();
    expect(deal).toMatchObject({
      source: "buy-now",
      price: { amount: 260000, currency: "CNY" },
      terms: { transactionMode: "transfer" },
      listing: { id: fixed.id },
    });

    const again = await asToken(personalToken, `/api/v1/achievements/${fixed.id}/buy`, {
      method: "POST",
      body: { amount: 260000, transactionMode: "transfer" },
    });
    expect(again.status).toBe(409);
    const err = (await again.json()).error;
    expect(err.code).toBe("already_sold");
    expect(err.message).toMatch(/已被他人购买.* \/ Already sold/);

    const deals = await (await asToken(personalToken, "/api/v1/deals")).json();
    expect(deals.deals.map((d: { id: string }) => d.id)).toContain(deal.id);
    // Not a party (三七研究院 sells neither this listing nor buys it): 404.
    expect((await asCookie(sanqi, `/api/v1/deals/${deal.id}`)).status).toBe(404);
    expect((await sanqi.get(`/deals/${deal.id}`)).status).toBe(404);
  });

  it("answers visitors with 401 and a role-only token with 403", async () => {
    const anon = await fetch(`${baseURL}/api/v1/offers`);
    expect(anon.status).toBe(401);
    expect((await anon.json()).error.code).toBe("unauthorized");
    const anonBuy = await fetch(`${baseURL}/api/v1/achievements/${fixed.id}/buy`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ amount: 260000, transactionMode: "transfer" }),
    });
    expect(anonBuy.status).toBe(401);

    const roleOnly = await asToken(roleToken, "/api/v1/offers", {
      method: "POST",
      body: { listingId: negotiable.id, amount: 1000, transactionMode: "license" },
    });
    expect(roleOnly.status).toBe(403);
    expect((await roleOnly.json()).error.code).toBe("forbidden");
    expect((await asToken(roleToken, "/api/v1/deals")).status).toBe(403);
  });
});
