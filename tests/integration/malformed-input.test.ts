/// <reference types="vite/client" />
import { beforeAll, describe, expect, it } from "vitest";
import { Deal } from "~/models/deal.server.ts";
import { Offer } from "~/models/offer.server.ts";
import * as offerPage from "~/routes/achievements.$id_.offer.tsx";

import * as adminUsers from "~/routes/admin.users.tsx";
import * as apiBuy from "~/routes/api.v1.achievements.$id.buy.ts";

import * as apiOfferAction from "~/routes/api.v1.offers.$id.$action.ts";
import * as apiOffers from "~/routes/api.v1.offers._index.ts";
import { listUsers, type SessionUser } from "~/services/accounts/accounts.server.ts";

import { achievementContent, listingAt } from "../../seeds/trading-fixtures.ts";
import { formValues } from "~/web/forms.server.ts";
import { pageRequests } from "../support/page-requests.ts";

/**
 * Malformed input found by the fault probe (issue 12, points 9, 12, 13), through the real routes:
 * what a careless or hostile client sends gets a 4xx naming the field, never a 500, and nothing
 * stored changes.
 */

const pages = pageRequests({ orgType: "institute" });
const { person, get, post, postJson, call } = pages;

let seller: SessionUser, buyer: SessionUser, broker: SessionUser, admin: SessionUser;

beforeAll(async () => {
  await pages.init();
  seller = await person("seller@probe.cn", ["seller"], "文山学院");
  buyer = await person("buyer@probe.cn", ["buyer"], "兴街镇三七种植专业合作社");
  broker = await person("broker@probe.cn", ["broker"], "文山州科技成果转移转化服务中心");
  admin = await person("admin@probe.cn", ["admin"], null);
});

const listing = (mode: "fixed" | "negotiable") =>
  listingAt(
    seller,
    broker,
    "trading",
    achievementContent({
      title: "三七种子包衣防腐技术",
      transactionModes: ["license", "transfer"],
      price: mode === "fixed" ? { mode: "fixed", amount: 15_000_000 } : { mode: "negotiable" },
    }),
  );

/** JSON keys that are also members of Object.prototype. */
const PROTO_KEYS = ["__proto__", "constructor", "toString", "hasOwnProperty", "valueOf"];

/** A JSON body with `key` added as its own key (JSON.parse makes even "__proto__" an own key). */
const withKey = (body: Record<string, unknown>, key: string, value: unknown = 1): unknown =>
  JSON.parse(`${JSON.stringify(body).slice(0, -1)}${Object.keys(body).length ? "," : ""}${JSON.stringify(key)}:${JSON.stringify(value)}}`);

describe("issue 12 point 9: keys named like Object.prototype's members", () => {
  it("the trading API answers 400 naming the key, for an offer, a counter, a reject, an accept and a buy; nothing is stored", async () => {
    const id = await listing("negotiable");
    for (const key of PROTO_KEYS) {
      const body = withKey({ listingId: id, amount: 1000, transactionMode: "transfer", expiresInDays: 3 }, key, { a: 1 });
      const res = await call(apiOffers.action, postJson("/api/v1/offers", buyer, body));
      expect(res.status, key).toBe(400);
      const { error } = await res.json();
      expect(error.code).toBe("invalid_request");
      expect(Object.keys(error.fields)).toEqual([key]);
    }
    expect(await Offer.countDocuments({ listing: id })).toBe(0);

    const made = await call(
      apiOffers.action,
      postJson("/api/v1/offers", buyer, { listingId: id, amount: 1000, transactionMode: "transfer", expiresInDays: 3 }),
    );
    expect(made.status).toBe(201);
    const { offer } = await made.json();
    const counter = { amount: 2000, transactionMode: "transfer", expiresInDays: 3 };
    for (const key of PROTO_KEYS) {
      for (const [action, user, body] of [
        ["counter", seller, withKey(counter, key)],
        ["reject", seller, withKey({ reason: "低" }, key)],
        ["accept", seller, withKey({}, key)],
        ["withdraw", buyer, withKey({}, key)],
      ] as const) {
        const res = await call(apiOfferAction.action, postJson(`/api/v1/offers/${offer.id}/${action}`, user, body), {
          id: offer.id,
          action,
        });
        expect(res.status, `${action} ${key}`).toBe(400);
        expect(Object.keys((await res.json()).error.fields)).toEqual([key]);
      }
    }
    expect(await Offer.find({ listing: id }).lean()).toMatchObject([{ status: "open", version: 1 }]);

    const fixed = await listing("fixed");
    for (const key of PROTO_KEYS) {
      const res = await call(
        apiBuy.action,
        postJson(`/api/v1/achievements/${fixed}/buy`, buyer, withKey({ amount: 150000, transactionMode: "transfer" }, key)),
        { id: fixed },
      );
      expect(res.status, key).toBe(400);
      expect(Object.keys((await res.json()).error.fields)).toEqual([key]);
    }
    expect(await Deal.countDocuments({ listing: fixed })).toBe(0);
  });

  it("a form post with such field names answers 400 naming the bad field, the input kept", async () => {
    const id = await listing("negotiable");
    const fields: Record<string, string> = { amount: "12.345", transactionMode: "transfer", expiryKind: "days", expiresInDays: "3" };
    for (const key of PROTO_KEYS) fields[key] = "x";
    const res = await call(offerPage.action, post(`/achievements/${id}/offer`, buyer, fields), { id });
    expect(res.status).toBe(400);
    const { form } = (await res.json()) as { form: { error: Record<string, string[]>; initialValue: Record<string, unknown> } };
    expect(form.error).toEqual({ amount: ["offers.errors.amount"] });
    expect(form.initialValue).toMatchObject({ amount: "12.345", transactionMode: "transfer" });
    expect(await Offer.countDocuments({ listing: id })).toBe(0);
  });
});

describe("form field names a site form never has", () => {
  it("a field name nested thousands of levels deep is a 400 naming it, and nothing is stored", async () => {
    const id = await listing("negotiable");
    const deep = `a${".b".repeat(10_000)}`;
    const res = await call(offerPage.action, post(`/achievements/${id}/offer`, buyer, { amount: "100", [deep]: "x" }), { id });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("a.b.b.b");
    expect(await Offer.countDocuments({ listing: id })).toBe(0);
  });

  it("fields named like Object.prototype's members are kept as typed, not dropped", () => {
    const form = new FormData();
    for (const key of PROTO_KEYS) form.append(key, `value of ${key}`);
    form.append("csrf", "token");
    const values = formValues(form);
    expect(Object.keys(values).sort()).toEqual([...PROTO_KEYS].sort());
    expect(values.constructor).toBe("value of constructor");
  });
});

describe("issue 12 point 12: the user list's search", () => {
  const search = async (q: string) => {
    const res = await call(adminUsers.loader, get(`/admin/users?q=${encodeURIComponent(q)}`, admin));
    return { status: res.status, body: (await res.json()) as { users: { email: string }[]; errors: Record<string, string[]> | null } };
  };

  it("answers a search over 100 characters or with a control character with 400 naming q, and lists no one", async () => {
    const long = await search("a".repeat(101));
    expect(long.status).toBe(400);
    expect(long.body).toMatchObject({ users: [], errors: { q: ["admin.searchTooLong"] } });
    for (const q of ["a\u0000b", "\u0000", "probe\u001b"]) {
      const bad = await search(q);
      expect(bad.status, JSON.stringify(q)).toBe(400);
      expect(bad.body).toMatchObject({ users: [], errors: { q: ["admin.searchControlChars"] } });
    }
  });

  it("searches for 100 characters and for regular-expression characters literally", async () => {
    expect((await search("a".repeat(100))).status).toBe(200);
    for (const q of ["(", "[", "a.b", "*", "\\", "probe.cn"]) {
      const res = await search(q);
      expect(res.status, q).toBe(200);
      expect(res.body.errors).toBeNull();
    }
    expect((await search("admin@probe.cn")).body.users.map((u) => u.email)).toEqual(["admin@probe.cn"]);
    expect((await search("admin@probe?cn")).body.users).toEqual([]);
    // The service itself matches any text literally, a NUL included (MongoDB refuses a raw NUL in a pattern).
    await expect(listUsers(admin, { q: "a\u0000b", page: 1 })).resolves.toMatchObject({ total: 0 });
  });
});

describe("issue 12 point 13: bodies nested too deeply", () => {
  it("the trading API answers 400 naming the field for a value nested 7,000 levels deep (within its 16 KB body limit)", async () => {
    const id = await listing("negotiable");
    const deep = "[".repeat(7_000) + "]".repeat(7_000);
    const res = await call(
      apiOffers.action,
      new Request(postJson("/api/v1/offers", buyer, {}), {
        body: `{"listingId":"${id}","amount":${deep},"transactionMode":"transfer","expiresInDays":3}`,
      }),
    );
    expect(res.status).toBe(400);
    const { error } = await res.json();
    expect(Object.keys(error.fields)).toEqual([["amount", ...Array.from({ length: 31 }, () => "0")].join(".")]);
    expect(await Offer.countDocuments({ listing: id })).toBe(0);
  });
});

describe("every JSON endpoint against both classes", () => {
  it("answers keys named like Object.prototype's members and bodies nested too deeply with a 4xx, never a 5xx", async () => {
    const id = await listing("negotiable");
    const modules = import.meta.glob<{ action?: unknown }>("../../app/routes/api.v1.*.ts", { eager: true });
    const deep = `{"a":${"[".repeat(5_000)}${"]".repeat(5_000)}}`;
    const bodies = [withKey({}, "__proto__", { a: 1 }), withKey({ amount: 1 }, "constructor"), withKey({}, "toString", [1])];
    let tried = 0;
    for (const [file, mod] of Object.entries(modules)) {
      if (typeof mod.action !== "function") continue;
      for (const action of ["accept", "counter", "reject", "withdraw"]) {
        const params = { id, action, "*": "x" };
        for (const body of bodies) {
          const res = await call(mod.action, postJson("/api/v1/x", buyer, body), params);
          expect(res.status, `${file} ${action} ${JSON.stringify(body)}`).toBeLessThan(500);
          tried++;
        }
        const res = await call(mod.action, new Request(postJson("/api/v1/x", buyer, {}), { body: deep }), params);
        expect(res.status, `${file} ${action} deep`).toBeLessThan(500);
        if (res.status === 400) expect(JSON.stringify((await res.json()).error.fields ?? {})).toContain("a.0.0");
      }
    }
    expect(tried).toBeGreaterThan(20);
  });
});

describe("control characters in text, refused at every door", () => {
  const offerFields = (message: string) => ({
    amount: "120000",
    transactionMode: "transfer",
    expiryKind: "days",
    expiresInDays: "3",
    message,
  });

  it("a page form answers 400 naming the field and the character, stores nothing, and takes line breaks and tabs", async () => {
    const id = await listing("negotiable");
    for (const [message, code] of [
      ["您好\u0000", "U+0000"],
      ["粘贴自 PDF\u000c第二页", "U+000C"],
      ["\u001b[2J", "U+001B"],
      ["价格 \u202e0001", "U+202E"],
    ] as const) {
      const res = await call(offerPage.action, post(`/achievements/${id}/offer`, buyer, offerFields(message)), { id });
      expect(res.status, JSON.stringify(message)).toBe(400);
      const text = await res.text();
      expect(text).toMatch(/^message: /);
      expect(text).toContain(code);
      expect(text).toContain("控制字符");
    }
    expect(await Offer.countDocuments({ listing: id })).toBe(0);

    const ok = await call(offerPage.action, post(`/achievements/${id}/offer`, buyer, offerFields("第一行\r\n第二行\t缩进")), { id });
    expect(ok.status).toBeLessThan(400);
    const stored = await Offer.findOne({ listing: id }).lean();
    expect(stored?.message).toBe("第一行\r\n第二行\t缩进");
  });

  it("the JSON API answers 400 with the field's path and the character, bilingual, and stores nothing", async () => {
    const id = await listing("negotiable");
    const res = await call(
      apiOffers.action,
      postJson("/api/v1/offers", buyer, {
        listingId: id,
        amount: 1000,
        transactionMode: "transfer",
        expiresInDays: 3,
        message: "您好\u0007",
      }),
    );
    expect(res.status).toBe(400);
    const { error } = await res.json();
    expect(error.fields).toEqual({ message: [expect.stringContaining("U+0007")] });
    expect(error.fields.message[0]).toContain("控制字符");
    expect(error.fields.message[0]).toContain("control character");
    expect(await Offer.countDocuments({ listing: id })).toBe(0);
  });
});
