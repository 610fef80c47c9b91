import { beforeAll, describe, expect, it } from "vitest";
import { Achievement } from "~/models/achievement.server.ts";
import { Deal } from "~/models/deal.server.ts";
import * as contractEdit from "~/routes/deals.$id_.contract_.edit.tsx";
import * as contractPrint from "~/routes/deals.$id_.contract_.print.tsx";
import * as contractPage from "~/routes/deals.$id_.contract.tsx";
import * as dealPage from "~/routes/deals.$id.tsx";
import type { SessionUser } from "~/services/accounts/accounts.server.ts";
import { pageRequests } from "../support/page-requests.ts";
import { achievementContent, listingAt, buyNowDeal } from "../../seeds/trading-fixtures.ts";

/**
 * The contract's pages (issue 14) through their real loaders and actions, as a browser without
 * JavaScript uses them: the deal page's contract section, drafting with the amount split, the
 * versions' diff, signing with the revenue-distribution plan, the printable page, and who gets in.
 */

const pages = pageRequests({ orgType: "university" });
const { person, get, post, call } = pages;

let seller: SessionUser, buyer: SessionUser, broker: SessionUser, bureau: SessionUser, outsider: SessionUser;

beforeAll(async () => {
  await pages.init();
  seller = await person("seller@wsu.cn", ["seller"], "文山学院");
  buyer = await person("buyer@coop.cn", ["buyer"], "兴街镇三七种植专业合作社");
  broker = await person("broker@agency.cn", ["broker"], "文山州科技成果转移转化服务中心");
  bureau = await person("bureau@kjj.gov.cn", ["bureau"], "文山县科技局");
  outsider = await person("outsider@tea.cn", ["buyer"], "茶业公司");
});

async function deal(): Promise<string> {
  const listing = await listingAt(
    seller,
    broker,
    "trading",
    achievementContent({
      title: `三七粉质量快检技术 ${Math.random().toString(36).slice(2, 7)}`,
      transactionModes: ["transfer"],
      price: { mode: "fixed", amount: 120_000_00 },
      inventors: [{ name: "王教授" }, { name: "李博士" }],
    }),
  );
  return buyNowDeal(buyer, listing, { expectedAmountFen: 120_000_00, transactionMode: "transfer" });
}

const form = (over: Record<string, string> = {}) => ({
  intent: "save",
  kind: "transfer.patent",
  contractAmount: "120000",
  technologyAmount: "100000",
  item0Label: "检测设备",
  item0Amount: "20000",
  ...over,
});

describe("contract pages", () => {
  it("drafts from the deal page, refuses an amount split that does not add up, and shows the versions' diff", async () => {
    const id = await deal();
    let page = await (await call(dealPage.loader, get(`/deals/${id}`, seller), { id })).json();
    expect(page.contract).toMatchObject({ contract: null, canEdit: true, proposal: { category: "transfer", subCategory: "patent" } });

    const edit = await call(contractEdit.loader, get(`/deals/${id}/contract/edit`, buyer), { id });
    expect(edit.status).toBe(200);

    const bad = await call(contractEdit.action, post(`/deals/${id}/contract/edit`, buyer, form({ item0Amount: "19999.99" })), { id });
    expect(bad.status).toBe(400);
    const badBody = await bad.json();
    expect(badBody.reply.error.contractAmount).toEqual(["contracts.errors.amountMismatch"]);
    expect(badBody.reply.initialValue.item0Amount).toBe("19999.99");

    const ok = await call(contractEdit.action, post(`/deals/${id}/contract/edit`, buyer, form()), { id });
    expect(ok.status).toBe(302);
    expect(ok.headers.get("Location")).toBe(`/deals/${id}/contract?done=saved`);

    const again = await call(
      contractEdit.action,
      post(`/deals/${id}/contract/edit`, seller, form({ clause_disputes: "争议由文山县人民法院管辖。" })),
      { id },
    );
    expect(again.status).toBe(302);
    const view = await (await call(contractPage.loader, get(`/deals/${id}/contract?from=1&to=2`, seller), { id })).json();
    expect(view.page.contract).toMatchObject({
      version: 2,
      technologyAmount: 100_000_00,
      nonTechItems: [{ label: "检测设备", amount: 20_000_00 }],
    });
    expect(view.diff.lines).toContainEqual({ kind: "added", text: "争议由文山县人民法院管辖。" });

    page = await (await call(dealPage.loader, get(`/deals/${id}`, bureau), { id })).json();
    expect(page.contract).toMatchObject({
      access: "bureau",
      canEdit: false,
      contract: { status: "draft", category: "transfer", contractAmount: 120_000_00 },
    });
  });

  it("signs: the university seller with a plan of at least 60%, then the buyer; the listing is contracted and the print page carries hash and signatures", async () => {
    const id = await deal();
    await call(contractEdit.action, post(`/deals/${id}/contract/edit`, seller, form()), { id });

    const noTick = await call(contractPage.action, post(`/deals/${id}/contract`, seller, { intent: "sign", version: "1" }), { id });
    expect(noTick.status).toBe(400);
    expect((await noTick.json()).reply.error.confirm).toEqual(["contracts.errors.mustConfirm"]);

    const low = await call(
      contractPage.action,
      post(`/deals/${id}/contract`, seller, {
        intent: "sign",
        version: "1",
        confirm: "on",
        dist0Name: "王教授",
        dist0Percent: "30",
        dist1Name: "李博士",
        dist1Percent: "29",
      }),
      { id },
    );
    expect(low.status).toBe(400);
    expect((await low.json()).reply.error.distribution).toEqual(["contracts.errors.distributionBelow60"]);

    const signed = await call(
      contractPage.action,
      post(`/deals/${id}/contract`, seller, {
        intent: "sign",
        version: "1",
        confirm: "on",
        dist0Name: "王教授",
        dist0Percent: "40",
        dist1Name: "李博士",
        dist1Percent: "30",
      }),
      { id },
    );
    expect(signed.headers.get("Location")).toBe(`/deals/${id}/contract?done=signed`);
    const both = await call(contractPage.action, post(`/deals/${id}/contract`, buyer, { intent: "sign", version: "1", confirm: "on" }), {
      id,
    });
    expect(both.headers.get("Location")).toBe(`/deals/${id}/contract?done=completed`);
    const listing = (await Deal.findById(id).lean())!.listing;
    expect((await Achievement.findById(listing).lean())!.status).toBe("contracted");

    const print = await (await call(contractPrint.loader, get(`/deals/${id}/contract/print`, buyer), { id })).json();
    expect(print.contract.status).toBe("signed");
    expect(print.contract.signatures.map((s: { side: string; ip: string; textHash: string }) => [s.side, s.ip, s.textHash])).toEqual([
      ["seller", "127.0.0.1", print.contract.textHash],
      ["buyer", "127.0.0.1", print.contract.textHash],
    ]);
    // Frozen: the edit page is refused.
    expect((await call(contractEdit.loader, get(`/deals/${id}/contract/edit`, seller), { id })).status).toBe(403);
  });

  it("keeps others out: a broker who is not the deal's gets 404, an outsider gets 404, the bureau may not edit", async () => {
    const id = await deal();
    await call(contractEdit.action, post(`/deals/${id}/contract/edit`, seller, form()), { id });
    // The deal's workspace is for the deal's brokers only (issue 14, point 1).
    expect((await call(dealPage.loader, get(`/deals/${id}`, broker), { id })).status).toBe(404);
    expect((await call(contractPage.loader, get(`/deals/${id}/contract`, broker), { id })).status).toBe(404);
    expect((await call(contractPage.loader, get(`/deals/${id}/contract`, outsider), { id })).status).toBe(404);
    expect((await call(contractPrint.loader, get(`/deals/${id}/contract/print`, outsider), { id })).status).toBe(404);
    expect((await call(contractEdit.loader, get(`/deals/${id}/contract/edit`, bureau), { id })).status).toBe(403);
    expect((await call(contractEdit.action, post(`/deals/${id}/contract/edit`, bureau, form()), { id })).status).toBe(403);
    expect(
      (await call(contractPage.action, post(`/deals/${id}/contract`, bureau, { intent: "sign", version: "1", confirm: "on" }), { id }))
        .status,
    ).toBe(403);
  });
});
