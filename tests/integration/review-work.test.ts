import { beforeAll, describe, expect, it } from "vitest";
import { AuditEvent } from "~/models/audit-event.server.ts";
import { Notification } from "~/models/notification.server.ts";
import * as achievementDetail from "~/routes/achievements.$id.tsx";
import * as demandDetail from "~/routes/demands.$id.tsx";
import * as review from "~/routes/review/route.tsx";
import { resultFor, type ActionResult } from "~/schemas/action-result.ts";
import type { SessionUser } from "~/services/accounts/accounts.server.ts";
import { setOrganizationVerified } from "~/services/accounts/organizations.server.ts";
import { addAttachments } from "~/services/files/attachments.server.ts";
import { createAchievement, createDemand } from "~/services/listings/commands.server.ts";
import { transitionListing } from "~/services/listings/workflow.server.ts";
import { achievementContent, pdfBytes } from "../../seeds/trading-fixtures.ts";
import { pageRequests } from "../support/page-requests.ts";
import { renderPage } from "../support/render-page.ts";

/**
 * Reviewing (issue 13, point 12) through the real loaders and actions: no approve until the
 * reviewer opened the item's page (and no approve button on the queue), assignment of a
 * submission to a reviewer (audited, the assignee told in-app, "assigned to me" on the queue),
 * and the warnings on the review page.
 */

const pages = pageRequests({ orgType: "university", context: {} });
const { get, post, call } = pages;
let seller: SessionUser, broker: SessionUser, broker2: SessionUser, admin: SessionUser, buyer: SessionUser, ownBroker: SessionUser;

beforeAll(async () => {
  await pages.init();
  seller = await pages.person("seller@review.cn", ["seller"], "文山学院");
  broker = await pages.person("broker@review.cn", ["broker"], "文山州科技成果转移转化服务中心");
  broker2 = await pages.person("broker2@review.cn", ["broker"], "云南技术市场");
  admin = await pages.person("admin@review.cn", ["admin"], null);
  buyer = await pages.person("buyer@review.cn", ["buyer"], "兴街镇三七种植专业合作社");
  // A broker of the seller's own organisation: may not review its items.
  ownBroker = await pages.person("own-broker@review.cn", ["broker"], "文山学院");
});

let n = 0;
async function submitted(over: Parameters<typeof achievementContent>[0] = {}): Promise<string> {
  n++;
  const id = await createAchievement(
    seller,
    achievementContent({ title: `三七连作障碍修复技术 ${n}`, patentNumbers: [], ipType: "trade-secret", ...over }),
  );
  await transitionListing(seller, "achievement", id, "submit");
  return id;
}

const json = async (res: Response) => (await res.json()) as Record<string, unknown>;
async function refusal(res: Response) {
  const data = (await res.json()) as ActionResult;
  if (data.ok) throw new Error("expected a refusal");
  return { target: data.target, ...resultFor(data, data.intent, data.target)! };
}
const openDetail = (user: SessionUser, id: string) => call(achievementDetail.loader, get(`/achievements/${id}`, user), { id });
const detailHtml = async (user: SessionUser, id: string) =>
  (await renderPage(get(`/achievements/${id}`, user), achievementDetail, "/achievements/:id", pages.csrf.token)).html;

describe("approving needs the item opened first", () => {
  it("refuses an approve from the queue or the page until the reviewer opened the page; then approves", async () => {
    const id = await submitted();
    const fromQueue = await call(review.action, post("/review", broker, { intent: "approve", kind: "achievement", id }));
    expect(fromQueue.status).toBe(409);
    expect(await refusal(fromQueue)).toMatchObject({ target: `achievement:${id}`, formError: "review.errors.openFirst" });
    const fromPage = await call(achievementDetail.action, post(`/achievements/${id}`, broker, { intent: "approve" }), { id });
    expect(fromPage.status).toBe(409);
    expect((await json(await openDetail(seller, id))).item).toMatchObject({ status: "submitted" });

    // Another reviewer opening it does not count for this one.
    expect((await openDetail(broker2, id)).status).toBe(200);
    expect((await call(review.action, post("/review", broker, { intent: "approve", kind: "achievement", id }))).status).toBe(409);

    expect((await openDetail(broker, id)).status).toBe(200);
    const ok = await call(achievementDetail.action, post(`/achievements/${id}`, broker, { intent: "approve" }), { id });
    expect(ok.status).toBe(302);
    expect((await json(await openDetail(seller, id))).item).toMatchObject({ status: "published" });
  });

  it("asks for a new opening after the item was returned and submitted again", async () => {
    const id = await submitted();
    await openDetail(broker, id);
    await call(achievementDetail.action, post(`/achievements/${id}`, broker, { intent: "reject", reason: "请补充检测报告" }), { id });
    await transitionListing(seller, "achievement", id, "submit", { now: new Date(Date.now() + 1000) });
    const again = await call(review.action, post("/review", broker, { intent: "approve", kind: "achievement", id }));
    expect(again.status).toBe(409);
  });

  it("shows no approve button on the queue, but a link to the item's review page", async () => {
    const id = await submitted({ title: "三七根腐病生防菌剂（队列测试）" });
    const { html } = await renderPage(get("/review", broker), review, "/review", pages.csrf.token);
    const row = html.slice(html.indexOf(`data-testid="queue-achievement:${id}"`));
    const item = row.slice(0, row.indexOf("</li>"));
    expect(item).toContain("三七根腐病生防菌剂（队列测试）");
    expect(item).toContain(`href="/achievements/${id}"`);
    expect(item).toContain("打开审核");
    expect(item).not.toContain('data-testid="action-approve"');
    // The item's page, opened, offers it.
    expect(await detailHtml(broker, id)).toContain('data-testid="action-approve"');
  });
});

describe("assigning a submission", () => {
  it("assigns to a broker: audited, the broker told in-app, and the queue says 'assigned to me'", async () => {
    const id = await submitted({ title: "三七种子包衣防腐技术（分配测试）" });
    const res = await call(review.action, post("/review", admin, { intent: "assign", kind: "achievement", id, assignee: broker.id }));
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toBe("/review?done=assigned");

    const audit = await AuditEvent.findOne({ subject: id, action: "assignReview" }).lean();
    expect(audit).toMatchObject({ reason: broker.name, actorName: admin.name });
    const told = await Notification.find({ user: broker.id, type: "review.assigned", "subject.id": id }).lean();
    expect(told).toHaveLength(1);
    expect(told[0]).toMatchObject({ link: `/achievements/${id}`, params: { by: admin.name } });

    const queue = await json(await call(review.loader, get("/review", broker)));
    const row = (queue.achievements as { item: { id: string }; assignee: { id: string; name: string } | null }[]).find(
      (r) => r.item.id === id,
    );
    expect(row?.assignee).toEqual({ id: broker.id, name: broker.name });
    const mine = await json(await call(review.loader, get("/review?mine=1", broker)));
    expect((mine.achievements as { item: { id: string } }[]).map((r) => r.item.id)).toEqual([id]);
    const others = await json(await call(review.loader, get("/review?mine=1", broker2)));
    expect(others.achievements).toEqual([]);
    const { html } = await renderPage(get("/review", broker), review, "/review", pages.csrf.token);
    expect(html).toContain("分配给我");
    const { html: forOther } = await renderPage(get("/review", broker2), review, "/review", pages.csrf.token);
    expect(forOther).toContain(`已分配给 ${broker.name}`);
    // The item's page says so too.
    expect(await detailHtml(broker, id)).toContain("已分配给您");

    // Assigning again to the same broker changes nothing and tells nobody twice.
    await call(review.action, post("/review", admin, { intent: "assign", kind: "achievement", id, assignee: broker.id }));
    expect(await Notification.countDocuments({ user: broker.id, type: "review.assigned", "subject.id": id })).toBe(1);
  });

  it("refuses assignees who may not review it, and people who may not assign", async () => {
    const id = await submitted();
    const toBuyer = await call(review.action, post("/review", broker, { intent: "assign", kind: "achievement", id, assignee: buyer.id }));
    expect(toBuyer.status).toBe(400);
    expect((await refusal(toBuyer)).fieldErrors.assignee).toEqual(["review.errors.notAReviewer"]);
    const toOwn = await call(review.action, post("/review", broker, { intent: "assign", kind: "achievement", id, assignee: ownBroker.id }));
    expect(toOwn.status).toBe(400);
    expect((await refusal(toOwn)).fieldErrors.assignee).toEqual(["review.errors.assigneeOwns"]);
    const none = await call(review.action, post("/review", broker, { intent: "assign", kind: "achievement", id, assignee: "" }));
    expect(none.status).toBe(400);
    expect(
      (await call(review.action, post("/review", seller, { intent: "assign", kind: "achievement", id, assignee: broker.id }))).status,
    ).toBe(403);
    expect(await AuditEvent.countDocuments({ subject: id, action: "assignReview" })).toBe(0);
  });
});

describe("the review page's warnings", () => {
  it("warns of missing evidence, a same-titled listing, TRL 7+ without a report and a price far above the field's", async () => {
    // Three public fixed-price achievements in the field make a median of ¥100,000.
    for (const amount of [80_000_00, 100_000_00, 120_000_00]) {
      const p = await createAchievement(
        seller,
        achievementContent({
          title: amount === 100_000_00 ? "高原蓝莓气调保鲜技术" : `高原蓝莓保鲜技术 ${amount}`,
          field: "food-processing",
          price: { mode: "fixed", amount },
          patentNumbers: [],
          ipType: "trade-secret",
        }),
      );
      await transitionListing(seller, "achievement", p, "submit");
      await transitionListing(admin, "achievement", p, "approve");
    }
    const id = await submitted({
      title: "高原蓝莓气调保鲜技术",
      field: "food-processing",
      trl: 8,
      price: { mode: "fixed", amount: 2_000_000_00 },
    });
    await openDetail(broker, id);
    const state = (await json(await openDetail(broker, id))).review as { warnings: { code: string; medianFen?: number }[] };
    expect(state.warnings.map((w) => w.code).sort()).toEqual([
      "highTrlNoReport",
      "noEvidence",
      "ownerUnverified",
      "priceFarAbove",
      "sameTitle",
    ]);
    expect(state.warnings.find((w) => w.code === "priceFarAbove")?.medianFen).toBe(100_000_00);
    const html = await detailHtml(broker, id);
    expect(html).toContain("未上传任何证明材料");
    expect(html).toContain("与另一条目同名");
    expect(html).toContain("没有上传检测报告或中试报告");
    expect(html).toContain("挂牌价高于本领域公开成果挂牌价中位数（¥100,000）的 10 倍以上");
    expect(html).toContain("所属机构尚未经平台认证");
    // Only reviewers see them; the owner does not.
    expect(await detailHtml(seller, id)).not.toContain('data-testid="review-panel"');
  });

  it("shows none for a sound submission of a verified organisation, and warns of a demand past its deadline", async () => {
    await setOrganizationVerified(admin, seller.organization!.id, true);
    const id = await createAchievement(
      seller,
      achievementContent({
        title: "魔芋软腐病绿色防控技术",
        trl: 8,
        patentNumbers: [],
        ipType: "trade-secret",
        price: { mode: "negotiable" },
      }),
    );
    await addAttachments(seller, "achievement", id, [{ filename: "report.pdf", bytes: Buffer.from(pdfBytes()), kind: "test-report" }]);
    await transitionListing(seller, "achievement", id, "submit");
    const state = (await json(await openDetail(broker, id))).review as { warnings: unknown[] };
    expect(state.warnings).toEqual([]);
    expect(await detailHtml(broker, id)).toContain("未发现需要特别注意的问题");

    const demand = await createDemand(buyer, {
      title: "三七烘干设备节能改造需求",
      description: "合作社现有烘干房能耗高，希望找到节能改造方案。",
      field: "advanced-manufacturing",
      keywords: ["烘干"],
      transactionModes: ["license"],
      region: "532623",
      deadline: new Date(Date.now() + 2 * 86_400_000),
    });
    await transitionListing(buyer, "demand", demand, "submit");
    const later = new Date(Date.now() + 5 * 86_400_000);
    const { reviewState } = await import("~/services/listings/review.server.ts");
    const s = await reviewState(broker, "demand", demand, later);
    expect(s?.warnings.map((w) => w.code)).toContain("deadlinePassed");
    const page = await json(await call(demandDetail.loader, get(`/demands/${demand}`, broker), { id: demand }));
    expect((page.review as { warnings: { code: string }[] }).warnings.map((w) => w.code)).not.toContain("deadlinePassed");
  });
});
