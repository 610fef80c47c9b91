import { clearSchedule } from "../support/hand-schedule.ts";
import mongoose from "mongoose";
import { beforeAll, describe, expect, it } from "vitest";
import { Contract } from "~/models/contract.server.ts";
import { Deal } from "~/models/deal.server.ts";
import { DealStage } from "~/models/deal-stage.server.ts";
import { Payout } from "~/models/payout.server.ts";
import * as apiContractDiff from "~/routes/api.v1.deals.$id.contract.diff.ts";
import * as apiSignatures from "~/routes/api.v1.deals.$id.contract.signatures.ts";
import * as apiContract from "~/routes/api.v1.deals.$id.contract.ts";
import * as apiDeal from "~/routes/api.v1.deals.$id.ts";
import * as apiDeals from "~/routes/api.v1.deals._index.ts";
import type { SessionUser } from "~/services/accounts/accounts.server.ts";
import { CLI_ISSUER, createApiToken } from "~/services/accounts/api-tokens.server.ts";
import { withTransaction } from "~/services/kernel/tx.server.ts";
import { initLedger } from "~/services/ledger/book.server.ts";
import { postPaymentReceived, postPayout, postStageDue } from "~/services/ledger/deals.server.ts";
import { dealBooks } from "~/services/ledger/queries.server.ts";
import { inviteBroker } from "~/services/rooms/brokers.server.ts";
import { openRoom } from "~/services/rooms/open.server.ts";
import { pageRequests } from "../support/page-requests.ts";
import { achievementContent, listingAt, buyNowDeal } from "../../seeds/trading-fixtures.ts";

/**
 * The deals and contracts API (issue 14, point 11) through the real resource routes, with personal
 * API tokens as a program would call it: draft → edit → diff → both sides sign; the deal with its
 * contract, schedule, ledger and timeline; the list's filters; who may do what; bad input.
 */

const pages = pageRequests({ orgType: "enterprise" });
const { person, call } = pages;
const BASE = "http://localhost";

let seller: SessionUser, buyer: SessionUser, reviewer: SessionUser, stranger: SessionUser;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  await pages.init();
  await initLedger();
  seller = await person("seller@sanqi.cn", ["seller"], "文山三七科技有限公司");
  buyer = await person("buyer@coop.cn", ["buyer"], "兴街镇三七种植专业合作社");
  reviewer = await person("reviewer@agency.cn", ["broker"], "文山州科技成果转移转化服务中心");
  await person("dealbroker@agency.cn", ["broker"], "文山州科技成果转移转化服务中心");
  await person("bureau@kjj.gov.cn", ["bureau"], "文山县科技局");
  stranger = await person("stranger@tea.cn", ["buyer"], "茶业公司");
  for (const [key, email] of [
    ["seller", "seller@sanqi.cn"],
    ["buyer", "buyer@coop.cn"],
    ["dealBroker", "dealbroker@agency.cn"],
    ["otherBroker", "reviewer@agency.cn"],
    ["bureau", "bureau@kjj.gov.cn"],
    ["stranger", "stranger@tea.cn"],
  ] as const)
    tokens[key] = (await createApiToken(CLI_ISSUER, { name: `test ${key}`, userEmail: email })).token;
  tokens.roleOnly = (await createApiToken(CLI_ISSUER, { name: "州平台", roles: ["broker"] })).token;
  void stranger;
});

async function deal(): Promise<string> {
  const listing = await listingAt(
    seller,
    reviewer,
    "trading",
    achievementContent({
      title: `三七种苗脱毒技术 ${Math.random().toString(36).slice(2, 7)}`,
      transactionModes: ["transfer"],
      price: { mode: "fixed", amount: 100_000_00 },
    }),
  );
  const id = await buyNowDeal(buyer, listing, { expectedAmountFen: 100_000_00, transactionMode: "transfer" });
  const room = await openRoom(buyer, { from: "deal", dealId: id });
  await inviteBroker(buyer, room, { email: "dealbroker@agency.cn" });
  return id;
}

function req(method: string, path: string, who: string | null, body?: unknown): Request {
  const headers: Record<string, string> = {};
  if (who) headers.Authorization = `Bearer ${tokens[who]}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  return new Request(BASE + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
}

type Route = { loader: unknown; action: unknown };
async function api(route: Route, method: string, path: string, who: string | null, id: string, body?: unknown) {
  const res = await call(method === "GET" ? route.loader : route.action, req(method, path, who, body), { id });
  return { status: res.status, body: await res.json() };
}

const getDeal = (id: string, who: string | null) => api(apiDeal, "GET", `/api/v1/deals/${id}`, who, id);
const contractPath = (id: string) => `/api/v1/deals/${id}/contract`;

async function draftBody(id: string, over: Record<string, unknown> = {}) {
  const page = (await api(apiContract, "GET", contractPath(id), "seller", id)).body;
  const c = page.contract ?? page.proposal;
  return {
    category: c.category,
    subCategory: c.subCategory,
    contractAmount: 100000,
    technologyAmount: 90000,
    nonTechItems: [{ label: "检测设备", amount: 10000 }],
    clauses: {},
    ...over,
  };
}

describe("the contract over the API", () => {
  it("drafts, edits, diffs, and both sides sign with their personal tokens; the deal answers with its signed contract and timeline", async () => {
    const id = await deal();
    const before = await api(apiContract, "GET", contractPath(id), "buyer", id);
    expect(before.status).toBe(200);
    expect(before.body).toMatchObject({ contract: null, canEdit: true, proposal: { category: "transfer", contractAmount: 100000 } });

    const drafted = await api(apiContract, "POST", contractPath(id), "buyer", id, {});
    expect(drafted.status).toBe(201);
    expect(drafted.body.contract).toMatchObject({ status: "draft", version: 1, versions: [{ number: 1, authorName: "buyer" }] });

    const edited = await api(
      apiContract,
      "PUT",
      contractPath(id),
      "dealBroker",
      id,
      await draftBody(id, { clauses: { disputes: "争议由西畴县人民法院管辖。" } }),
    );
    expect(edited.status).toBe(200);
    expect(edited.body.contract).toMatchObject({
      version: 2,
      amounts: { contractAmount: 100000, technologyAmount: 90000, nonTechItems: [{ label: "检测设备", amount: 10000 }] },
    });
    expect(edited.body.contract.text).toContain("争议由西畴县人民法院管辖。");

    const diff = await api(apiContractDiff, "GET", `${contractPath(id)}/diff?from=1&to=2`, "seller", id);
    expect(diff.status).toBe(200);
    expect(diff.body.lines).toContainEqual({ kind: "added", text: "争议由西畴县人民法院管辖。" });

    const stale = await api(apiSignatures, "POST", `${contractPath(id)}/signatures`, "seller", id, { version: 1 });
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe("stale_version");
    const first = await api(apiSignatures, "POST", `${contractPath(id)}/signatures`, "seller", id, { version: 2 });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ side: "seller", signed: false });
    const again = await api(apiSignatures, "POST", `${contractPath(id)}/signatures`, "seller", id, { version: 2 });
    expect(again.body.error.code).toBe("already_signed");
    const second = await api(apiSignatures, "POST", `${contractPath(id)}/signatures`, "buyer", id, { version: 2 });
    expect(second.status).toBe(201);
    expect(second.body).toMatchObject({ side: "buyer", signed: true, contract: { status: "signed" } });
    // Frozen: no more versions.
    const frozen = await api(apiContract, "PUT", contractPath(id), "seller", id, await draftBody(id));
    expect(frozen.status).toBe(409);
    expect(frozen.body.error.code).toBe("contract_signed");

    const read = await getDeal(id, "buyer");
    expect(read.status).toBe(200);
    const d = read.body.deal;
    expect(d).toMatchObject({
      id,
      status: "open",
      contractState: "signed",
      contract: {
        status: "signed",
        category: "transfer",
        version: 2,
        amounts: { contractAmount: 100000, technologyAmount: 90000, nonTechItems: [{ label: "检测设备", amount: 10000 }] },
      },
    });
    expect(d.contract.textHash).toMatch(/^[a-f0-9]{64}$/);
    expect(d.contract.signatures).toEqual([
      expect.objectContaining({ side: "seller", name: "seller", organizationName: "文山三七科技有限公司", textHash: d.contract.textHash }),
      expect.objectContaining({
        side: "buyer",
        name: "buyer",
        organizationName: "兴街镇三七种植专业合作社",
        textHash: d.contract.textHash,
      }),
    ]);
    expect(d.contract.signatures[0].at).toMatch(/Z$/);
    expect(d.signBy).toMatch(/Z$/);
    const actions = d.timeline.map((e: { action: string }) => e.action);
    // Signing both sides also made the payment schedule, in the same moment.
    expect(actions.filter((a: string) => a !== "schedule.created")).toEqual([
      "open:buy-now",
      "contract.draft",
      "contract.edit",
      "contract.sign.seller",
      "contract.sign.buyer",
    ]);
    expect(actions).toContain("schedule.created");
    expect(d.timeline.filter((e: { via: string }) => e.via === "api")).toHaveLength(4);
  });

  it("answers bad input with 400 naming the field, and refuses a closed deal with its code", async () => {
    const id = await deal();
    const bad = await api(apiContract, "PUT", contractPath(id), "seller", id, {
      category: "bogus",
      subCategory: "patent",
      contractAmount: "abc",
      technologyAmount: 0.1 + 0.2,
      clauses: { price: "一元", disputes: "仲裁" },
      extra: 1,
    });
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.body.error.fields).sort()).toEqual(["category", "clauses.price", "contractAmount", "extra", "technologyAmount"]);

    const mismatch = await api(apiContract, "PUT", contractPath(id), "seller", id, await draftBody(id, { technologyAmount: 80000 }));
    expect(mismatch.status).toBe(400);
    expect(Object.keys(mismatch.body.error.fields)).toContain("contractAmount");
    expect(await Contract.countDocuments({ deal: id })).toBe(0);

    await api(apiContract, "POST", contractPath(id), "seller", id, {});
    const badSign = await api(apiSignatures, "POST", `${contractPath(id)}/signatures`, "buyer", id, { version: "x" });
    expect(badSign.status).toBe(400);
    expect(Object.keys(badSign.body.error.fields)).toEqual(["version"]);
    const badDiff = await api(apiContractDiff, "GET", `${contractPath(id)}/diff?from=1`, "buyer", id);
    expect(badDiff.status).toBe(400);
    expect(Object.keys(badDiff.body.error.fields)).toEqual(["to"]);

    await Deal.updateOne({ _id: id }, { $set: { status: "lapsed", ended: { at: new Date(), reason: "未在签约期限内签署" } } });
    const lapsed = await api(apiSignatures, "POST", `${contractPath(id)}/signatures`, "buyer", id, { version: 1 });
    expect(lapsed.status).toBe(409);
    expect(lapsed.body.error).toMatchObject({ code: "deal_lapsed" });
    expect(lapsed.body.error.message).toContain("逾期失效");
    const edit = await api(apiContract, "PUT", contractPath(id), "seller", id, await draftBody(id));
    expect(edit.body.error.code).toBe("deal_lapsed");
  });

  it("lets the parties and the deal's broker write, the bureau read only, and nobody else in", async () => {
    const id = await deal();
    expect((await api(apiContract, "POST", contractPath(id), "dealBroker", id, {})).status).toBe(201);
    expect((await getDeal(id, "bureau")).status).toBe(200);
    expect((await api(apiContract, "GET", contractPath(id), "bureau", id)).body).toMatchObject({ access: "bureau", canEdit: false });
    const bureauEdit = await api(apiContract, "PUT", contractPath(id), "bureau", id, {});
    expect(bureauEdit.status).toBe(403);
    expect((await api(apiSignatures, "POST", `${contractPath(id)}/signatures`, "bureau", id, { version: 1 })).status).toBe(403);
    // The deal's broker drafts but does not sign.
    expect((await api(apiSignatures, "POST", `${contractPath(id)}/signatures`, "dealBroker", id, { version: 1 })).status).toBe(403);
    for (const who of ["stranger", "otherBroker"]) {
      expect((await getDeal(id, who)).status, who).toBe(404);
      expect((await api(apiContract, "GET", contractPath(id), who, id)).status, who).toBe(404);
      expect((await api(apiContract, "PUT", contractPath(id), who, id, {})).status, who).toBe(404);
      expect((await api(apiSignatures, "POST", `${contractPath(id)}/signatures`, who, id, { version: 1 })).status, who).toBe(404);
      expect((await api(apiContractDiff, "GET", `${contractPath(id)}/diff?from=1&to=2`, who, id)).status, who).toBe(404);
    }
    expect((await getDeal(id, "roleOnly")).status).toBe(403);
    expect((await getDeal(id, null)).status).toBe(401);
    // A cookie-less, token-less write; and a method the route does not serve.
    expect((await api(apiContract, "PUT", contractPath(id), null, id, {})).status).toBe(401);
    expect((await api(apiContract, "DELETE", contractPath(id), "seller", id)).status).toBe(405);
  });
});

describe("GET /api/v1/deals/:id and /api/v1/deals", () => {
  it("answers the payment schedule with due, paid, short, late and paid out, and the deal's ledger balances", async () => {
    const id = await deal();
    await api(apiContract, "POST", contractPath(id), "seller", id, {});
    await api(apiSignatures, "POST", `${contractPath(id)}/signatures`, "seller", id, { version: 1 });
    await api(apiSignatures, "POST", `${contractPath(id)}/signatures`, "buyer", id, { version: 1 });
    const contract = (await Contract.findOne({ deal: id }).lean())!;
    const dealBroker = (await getDeal(id, "dealBroker")).body.deal.brokers[0];
    await Deal.updateOne(
      { _id: id },
      { $set: { broker: { user: dealBroker.id, name: dealBroker.name }, commissionBps: 300, paymentState: "partly-paid" } },
    );
    const day = 86_400_000;
    // Signing made the schedule from the terms; this test writes its own stages in its place.
    await clearSchedule(id);
    const [first] = await DealStage.create([
      {
        deal: id,
        contract: contract._id,
        number: 1,
        title: "首付款",
        kind: "fixed",
        amount: 30_000_00,
        paid: 30_000_00,
        status: "paid",
        dueAt: new Date(Date.now() - 5 * day),
        paidAt: new Date(Date.now() - 6 * day),
        reference: `CGA${id.slice(-6)}`,
      },
      {
        deal: id,
        contract: contract._id,
        number: 2,
        title: "验收款",
        kind: "fixed",
        amount: 70_000_00,
        paid: 20_000_00,
        status: "partly-paid",
        dueAt: new Date(Date.now() - day),
        reference: `CGB${id.slice(-6)}`,
      },
    ]);
    const [sellerPayout] = await Payout.create([
      {
        deal: id,
        stage: first!._id,
        to: "seller",
        party: seller.organization!.id,
        partyName: "文山三七科技有限公司",
        amount: 29_100_00,
        status: "paid",
        via: "bank",
        paidAt: new Date(),
      },
      { deal: id, stage: first!._id, to: "broker", party: dealBroker.id, partyName: dealBroker.name, amount: 900_00, status: "owed" },
    ]);
    await withTransaction(async (session) => {
      await postStageDue(session, {
        deal: id,
        stage: String(first!._id),
        buyer: buyer.id,
        seller: seller.organization!.id,
        amountFen: 30_000_00,
      });
      await postPaymentReceived(session, {
        deal: id,
        receipt: String(new mongoose.Types.ObjectId()),
        buyer: buyer.id,
        amountFen: 30_000_00,
        via: "bank",
      });
      await postPayout(session, {
        deal: id,
        payout: String(sellerPayout!._id),
        to: "seller",
        party: seller.organization!.id,
        amountFen: 29_100_00,
        via: "bank",
      });
    });
    expect((await dealBooks(id)).balanced).toBe(true);

    const d = (await getDeal(id, "seller")).body.deal;
    expect(d).toMatchObject({ paymentState: "partly-paid", broker: { name: dealBroker.name }, commissionBps: 300 });
    expect(d.schedule.stages).toEqual([
      expect.objectContaining({
        number: 1,
        title: "首付款",
        kind: "fixed",
        amountDue: 30000,
        paid: 30000,
        status: "paid",
        late: false,
        short: 0,
        paidOut: 29100,
        commission: 900,
      }),
      expect.objectContaining({
        number: 2,
        amountDue: 70000,
        paid: 20000,
        status: "partly-paid",
        late: true,
        short: 50000,
        excess: 0,
        paidOut: 0,
      }),
    ]);
    expect(d.schedule.stages[0].payouts).toEqual([
      expect.objectContaining({ to: "seller", amount: 29100, status: "paid", via: "bank" }),
      expect.objectContaining({ to: "broker", amount: 900, status: "owed" }),
    ]);
    expect(d.schedule.totals).toMatchObject({ due: 100000, paid: 50000, paidOut: 29100 });
    expect(d.ledger.balanced).toBe(true);
    const balance = (account: string) => d.ledger.accounts.find((a: { account: string }) => a.account === account)?.balance;
    expect(balance("cashBank")).toBe(900);
    expect(balance("sellerPayable")).toBe(900);
    expect(balance("buyerReceivable")).toBe(0);
  });

  it("filters the list by contract and payment state; a bad value or an unknown parameter is a 400 naming it", async () => {
    const drafted = await deal();
    await api(apiContract, "POST", contractPath(drafted), "seller", drafted, {});
    const untouched = await deal();
    const list = async (query: string) => {
      const res = await call(apiDeals.loader, req("GET", `/api/v1/deals${query}`, "buyer"));
      return { status: res.status, body: await res.json() };
    };
    const drafts = await list("?contractState=draft");
    expect(drafts.status).toBe(200);
    const ids = drafts.body.deals.map((d: { id: string }) => d.id);
    expect(ids).toContain(drafted);
    expect(ids).not.toContain(untouched);
    for (const d of drafts.body.deals) expect(d.contractState).toBe("draft");
    const none = await list("?contractState=none&paymentState=none");
    expect(none.body.deals.map((d: { id: string }) => d.id)).toContain(untouched);
    expect(none.body.deals.map((d: { id: string }) => d.id)).not.toContain(drafted);

    const bad = await list("?paymentState=owing&contractState=done");
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.body.error.fields).sort()).toEqual(["contractState", "paymentState"]);
    expect(bad.body.error.fields.paymentState[0]).toContain("paymentState");
    const unknown = await list("?state=draft");
    expect(unknown.status).toBe(400);
    expect(Object.keys(unknown.body.error.fields)).toEqual(["state"]);
  });
});
