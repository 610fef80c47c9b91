import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Deal } from "~/models/deal.server.ts";
import * as adminReceipts from "~/routes/admin.receipts.tsx";
import * as adminProof from "~/routes/admin.receipts_.proof.$fileId.ts";
import * as apiCheckout from "~/routes/api.v1.deals.$id.stages.$number.checkout.ts";
import * as apiRoyalty from "~/routes/api.v1.deals.$id.stages.$number.royalty-reports.ts";
import * as apiStages from "~/routes/api.v1.deals.$id.stages.ts";
import * as apiReceipts from "~/routes/api.v1.stages.receipts.ts";
import * as stagePage from "~/routes/deals.$id_.stages.$number.tsx";
import * as stagesPage from "~/routes/deals.$id_.stages._index.tsx";
import type { SessionUser } from "~/services/accounts/accounts.server.ts";
import { saveContract, signContract } from "~/services/contracts/commands.server.ts";
import { dealBooks } from "~/services/ledger/queries.server.ts";
import { resetPaymentGateway } from "~/services/payments/gateway.server.ts";
import { payCheckout } from "../../server/stripe-local/pay-checkout.ts";
import { achievementContent, listingAt, buyNowDeal } from "../../seeds/trading-fixtures.ts";
import { pageRequests } from "../support/page-requests.ts";
import { connectLocalStripe, type StripeWebhookListener } from "../support/stripe-webhooks.ts";

/**
 * The payment schedule's pages and API (issue 14, point 5) through their real loaders and actions,
 * as a browser without JavaScript and an API client use them: the stage page's pay button to the
 * local Stripe server's Checkout and back, the royalty form, the admin's receipts page with its
 * upload, the API's stages, checkout, royalty report and receipt, and who gets in.
 */
const pages = pageRequests({ orgType: "enterprise" });
const { person, get, post, postJson, call, csrf } = pages;
let seller: SessionUser, buyer: SessionUser, broker: SessionUser, admin: SessionUser, outsider: SessionUser;
let webhooks: StripeWebhookListener;
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 73, 72, 68, 82]);

beforeAll(async () => {
  await pages.init();
  ({ webhooks } = await connectLocalStripe());
  seller = await person("seller@sanqi-pages.cn", ["seller"], "三七科技有限公司");
  buyer = await person("buyer@coop-pages.cn", ["buyer"], "兴街镇三七种植专业合作社");
  broker = await person("broker@agency-pages.cn", ["broker"], "文山州科技成果转移转化服务中心");
  admin = await person("admin@chengguo-pages.cn", ["admin"], null);
  outsider = await person("outsider@tea-pages.cn", ["buyer"], "茶业公司");
});

afterAll(async () => {
  await webhooks.close();
  resetPaymentGateway();
});

async function signedDeal(royaltyPercent: number | null = null): Promise<string> {
  const listing = await listingAt(
    seller,
    broker,
    "trading",
    achievementContent({
      title: `三七粉质量快检技术 ${Math.random().toString(36).slice(2, 7)}`,
      transactionModes: ["transfer"],
      price: { mode: "fixed", amount: 120_000_00 },
    }),
  );
  const id = await buyNowDeal(buyer, listing, { expectedAmountFen: 120_000_00, transactionMode: "transfer" });
  if (royaltyPercent != null) await Deal.updateOne({ _id: id }, { $set: { "terms.royaltyPercent": royaltyPercent } });
  await saveContract(seller, id, null);
  await signContract(seller, id, { version: 1, ip: "x" });
  await signContract(buyer, id, { version: 1, ip: "y" });
  return id;
}

function uploadReceipt(user: SessionUser, fields: Record<string, string>, file: Uint8Array | null) {
  const body = new FormData();
  body.set("csrf", csrf.token);
  for (const [k, v] of Object.entries(fields)) body.set(k, v);
  body.set("file", file ? new File([new Uint8Array(file)], "回单.png", { type: "image/png" }) : new File([], ""));
  const cookie = get("/", user).headers.get("Cookie")!;
  return new Request("http://localhost/admin/receipts", { method: "POST", headers: { Cookie: cookie }, body });
}

describe("the stage pages", () => {
  it("the buyer sees what is due and the bank instructions, pays by card through Checkout and comes back to it paid", async () => {
    const id = await signedDeal();
    const list = await (await call(stagesPage.loader, get(`/deals/${id}/stages`, seller), { id })).json();
    expect(list.stages).toHaveLength(1);
    expect(list.payer).toBe(false);

    const params = { id, number: "1" };
    const page = await (await call(stagePage.loader, get(`/deals/${id}/stages/1`, buyer), params)).json();
    expect(page.page).toMatchObject({
      canPay: true,
      stage: { outstandingFen: 120_000_00, reference: `CG${id.slice(-6).toUpperCase()}-1` },
    });
    expect(page.page.bankAccount.number).toBeTruthy();
    // The seller sees the stage but has no pay button; the pay action refuses them.
    expect((await (await call(stagePage.loader, get(`/deals/${id}/stages/1`, seller), params)).json()).page.canPay).toBe(false);
    expect((await call(stagePage.action, post(`/deals/${id}/stages/1`, seller, { intent: "pay" }), params)).status).toBe(403);
    expect((await call(stagePage.loader, get(`/deals/${id}/stages/1`, outsider), params)).status).toBe(404);

    const pay = await call(stagePage.action, post(`/deals/${id}/stages/1`, buyer, { intent: "pay" }), params);
    expect(pay.status).toBe(302);
    const checkoutUrl = pay.headers.get("Location")!;
    const paid = await payCheckout(checkoutUrl);
    expect(paid.location).toBe(`http://localhost/deals/${id}/stages/1?checkout=done`);
    const back = await (await call(stagePage.loader, get(`/deals/${id}/stages/1?checkout=done`, buyer), params)).json();
    expect(back.checkout).toBe("succeeded");
    expect(back.page).toMatchObject({ canPay: false, stage: { status: "paid", paidFen: 120_000_00 } });
    expect((await dealBooks(id)).balanced).toBe(true);
  });

  it("the royalty form: field errors keep what was typed; a good report raises what is due", async () => {
    const id = await signedDeal(5);
    const params = { id, number: "2" };
    const bad = await call(
      stagePage.action,
      post(`/deals/${id}/stages/2`, buyer, { intent: "report", periodFrom: "2026-02-01", periodTo: "2026-01-01", sales: "abc" }),
      params,
    );
    expect(bad.status).toBe(400);
    const body = await bad.json();
    expect(Object.keys(body.reply.error).sort()).toEqual(["periodTo", "sales"]);
    expect(body.reply.initialValue.sales).toBe("abc");
    const ok = await call(
      stagePage.action,
      post(`/deals/${id}/stages/2`, buyer, { intent: "report", periodFrom: "2026-01-01", periodTo: "2026-01-31", sales: "10000.10" }),
      params,
    );
    expect(ok.status).toBe(302);
    expect(ok.headers.get("Location")).toBe(`/deals/${id}/stages/2?done=reported`);
    const page = await (await call(stagePage.loader, get(`/deals/${id}/stages/2`, buyer), params)).json();
    // 10 000.10 × 5% = 500.005 → 500.01
    expect(page.page.stage).toMatchObject({ kind: "royalty", amountFen: 500_01, outstandingFen: 500_01 });
    expect(
      (
        await call(
          stagePage.action,
          post(`/deals/${id}/stages/2`, seller, { intent: "report", periodFrom: "2026-02-01", periodTo: "2026-02-28", sales: "1" }),
          params,
        )
      ).status,
    ).toBe(403);
  });
});

describe("the admin's receipts page", () => {
  it("finds the stage by reference, records a short receipt with its slip, then shows it 少付; others are refused", async () => {
    const id = await signedDeal();
    const reference = `CG${id.slice(-6).toUpperCase()}-1`;
    const found = await (await call(adminReceipts.loader, get(`/admin/receipts?reference=${reference.toLowerCase()}`, admin))).json();
    expect(found.found).toMatchObject({ dealId: id, number: 1, reference });

    const noFile = await call(
      adminReceipts.action,
      uploadReceipt(admin, { reference, amount: "20000", receivedOn: "2026-11-20", bankRef: `P-${id}` }, null),
    );
    expect(noFile.status).toBe(400);
    expect((await noFile.json()).reply.error.proof).toEqual(["settlement.errors.proofRequired"]);
    const res = await call(
      adminReceipts.action,
      uploadReceipt(admin, { reference, amount: "20000", receivedOn: "2026-11-20", bankRef: `P-${id}` }, PNG),
    );
    expect(res.status).toBe(302);
    const after = await (await call(adminReceipts.loader, get(`/admin/receipts?reference=${reference}`, admin))).json();
    expect(after.found).toMatchObject({ status: "partly-paid", paidFen: 20_000_00, shortFen: 100_000_00 });
    expect(after.recent[0]).toMatchObject({ bankRef: `P-${id}`, hasProof: true, dealId: id });
    expect((await dealBooks(id)).balanced).toBe(true);
    const slip = await call(adminProof.loader, get(`/admin/receipts/proof/${after.recent[0].proofFile}`, admin), {
      fileId: after.recent[0].proofFile,
    });
    expect(slip.status).toBe(200);
    expect(slip.headers.get("Content-Type")).toBe("image/png");
    expect(new Uint8Array(await slip.arrayBuffer())).toEqual(PNG);

    for (const who of [buyer, seller, broker]) {
      expect(
        (
          await call(adminProof.loader, get(`/admin/receipts/proof/${after.recent[0].proofFile}`, who), {
            fileId: after.recent[0].proofFile,
          })
        ).status,
      ).toBe(403);
      expect((await call(adminReceipts.loader, get("/admin/receipts", who))).status).toBe(403);
      expect(
        (await call(adminReceipts.action, uploadReceipt(who, { reference, amount: "1", receivedOn: "2026-11-20", bankRef: "x" }, PNG)))
          .status,
      ).toBe(403);
    }
  });
});

describe("API v1", () => {
  it("lists the stages, starts a checkout for the buyer, takes a royalty report and an admin's receipt; refuses the others", async () => {
    const id = await signedDeal(2);
    const list = await call(apiStages.loader, get(`/api/v1/deals/${id}/stages`, seller), { id });
    expect(list.status).toBe(200);
    const body = await list.json();
    const stages = body.stages;
    // What a bank transfer needs: the platform's account, and each stage's reference and what is still due.
    expect(body.bankAccount).toEqual({ name: expect.any(String), bank: expect.any(String), number: expect.any(String) });
    expect(stages[0]).toMatchObject({ reference: `CG${id.slice(-6).toUpperCase()}-1`, outstanding: 120_000 });
    expect(stages.map((s: { kind: string; amount: number }) => [s.kind, s.amount])).toEqual([
      ["fixed", 120_000],
      ["royalty", 0],
    ]);
    expect((await call(apiStages.loader, get(`/api/v1/deals/${id}/stages`, outsider), { id })).status).toBe(404);

    const checkout = await call(apiCheckout.action, postJson(`/api/v1/deals/${id}/stages/1/checkout`, buyer, {}), { id, number: "1" });
    expect(checkout.status).toBe(201);
    expect(await checkout.json()).toMatchObject({ amount: 120_000, checkoutUrl: expect.stringContaining("/pay/cs_test_") });
    expect(
      (await call(apiCheckout.action, postJson(`/api/v1/deals/${id}/stages/1/checkout`, seller, {}), { id, number: "1" })).status,
    ).toBe(403);
    expect(
      (await call(apiCheckout.action, postJson(`/api/v1/deals/${id}/stages/1/checkout`, outsider, {}), { id, number: "1" })).status,
    ).toBe(404);

    const report = await call(
      apiRoyalty.action,
      postJson(`/api/v1/deals/${id}/stages/2/royalty-reports`, buyer, { periodFrom: "2026-01-01", periodTo: "2026-03-31", sales: 50_000 }),
      { id, number: "2" },
    );
    expect(report.status).toBe(201);
    expect(await report.json()).toMatchObject({ ratePercent: 2, due: 1_000 });
    const badReport = await call(apiRoyalty.action, postJson(`/api/v1/deals/${id}/stages/2/royalty-reports`, buyer, { periodFrom: "x" }), {
      id,
      number: "2",
    });
    expect(badReport.status).toBe(400);

    const reference = `CG${id.slice(-6).toUpperCase()}-2`;
    const receipt = await call(
      apiReceipts.action,
      postJson("/api/v1/stages/receipts", admin, {
        reference,
        amount: "1000",
        receivedOn: "2026-11-20",
        bankRef: `API-${id}`,
        proof: { filename: "slip.png", contentBase64: Buffer.from(PNG).toString("base64") },
      }),
    );
    expect(receipt.status).toBe(201);
    expect(await receipt.json()).toMatchObject({ dealId: id, number: 2 });
    const denied = await call(
      apiReceipts.action,
      postJson("/api/v1/stages/receipts", buyer, { reference, amount: "1", receivedOn: "2026-11-20", bankRef: "z" }),
    );
    expect(denied.status).toBe(403);
    const unknown = await call(
      apiReceipts.action,
      postJson("/api/v1/stages/receipts", admin, { reference: "CGX-9", amount: "1", receivedOn: "2026-11-20", bankRef: "z" }),
    );
    expect(unknown.status).toBe(400);
    const after = (await (await call(apiStages.loader, get(`/api/v1/deals/${id}/stages`, buyer), { id })).json()).stages;
    expect(after[1]).toMatchObject({ status: "paid", amount: 1_000, paid: 1_000 });
    expect((await dealBooks(id)).balanced).toBe(true);
  });
});
