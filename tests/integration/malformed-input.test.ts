import { beforeAll, describe, expect, it } from "vitest";
import { Deal } from "~/models/deal.server.ts";
import { Offer } from "~/models/offer.server.ts";
import * as offerPage from "~/routes/achievements.$id_.offer.tsx";

import * as apiBuy from "~/routes/api.v1.achievements.$id.buy.ts";

import * as apiOfferAction from "~/routes/api.v1.offers.$id.$action.ts";
import * as apiOffers from "~/routes/api.v1.offers._index.ts";
import type { SessionUser } from "~/services/accounts/accounts.server.ts";

import { achievementContent, listingAt } from "../../seeds/trading-fixtures.ts";
import { pageRequests } from "../support/page-requests.ts";

const pages = pageRequests({ orgType: "institute" });
const { person, post, postJson, call } = pages;

let seller: SessionUser, buyer: SessionUser, broker: SessionUser;

beforeAll(async () => {
  await pages.init();
  seller = await person("seller@probe.cn", ["seller"], "文山学院");
  buyer = await person("buyer@probe.cn", ["buyer"], "兴街镇三七种植专业合作社");
  broker = await person("broker@probe.cn", ["broker"], "文山州科技成果转移转化服务中心");
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
