import { randomBytes } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { Achievement } from "~/models/achievement.server.ts";
import { Notification, type NotificationType } from "~/models/notification.server.ts";
import { OutgoingMail } from "~/models/outgoing-mail.server.ts";
import * as notificationsPage from "~/routes/notifications.tsx";
import * as setLanguage from "~/routes/set-language.tsx";
import type { SessionUser } from "~/services/accounts/accounts.server.ts";
import { withTransaction } from "~/services/kernel/tx.server.ts";
import { createAchievement, createDemand, fileObjection, resolveObjection } from "~/services/listings/commands.server.ts";
import { expireOverdue } from "~/services/listings/expiry.server.ts";
import { startTradingAfterNotice } from "~/services/listings/notice-end.server.ts";
import { transitionListing, transitionListingInSession } from "~/services/listings/workflow.server.ts";
import { notify } from "~/services/notifications/notify.server.ts";
import { makeOffer } from "~/services/trading/offers/commands.server.ts";
import { assignReview } from "~/services/listings/review.server.ts";
import { User } from "~/models/user.server.ts";
import { formatDate } from "~/utils/china-time.ts";
import { publicUrl } from "~/utils/env.server.ts";
import { achievementContent, listingAt } from "../../seeds/trading-fixtures.ts";
import { linksIn, mailbox, type CaughtMail } from "../support/mailbox.ts";
import { pageRequests } from "../support/page-requests.ts";

/**
 * Issue 13, point 7: every workflow event that concerns a person tells them in-app and by email
 * (read back from the mail catcher), in the same transaction as the event, in their language,
 * with a link to the listing; the /notifications page lets them turn kinds of email off.
 */

const box = mailbox();
const pages = pageRequests();
const tag = randomBytes(3).toString("hex");
const address = (name: string) => `${name}-${tag}@wf-notify.cn`;

let owner: SessionUser, broker: SessionUser, objector: SessionUser, englishOwner: SessionUser, buyer: SessionUser;

beforeAll(async () => {
  await pages.init();
  owner = await pages.person(address("owner"), ["seller"], `文山三七研究所-${tag}`);
  englishOwner = await pages.person(address("owner-en"), ["seller"], `Lab-${tag}`);
  broker = await pages.person(address("broker"), ["broker"], `技术转移中心-${tag}`);
  objector = await pages.person(address("objector"), ["buyer"], `合作社-${tag}`);
  buyer = await pages.person(address("buyer"), ["buyer"], `另一合作社-${tag}`);
});

const uniqueTitle = (what: string) => `${what}${randomBytes(2).toString("hex")}`;

async function submitted(by: SessionUser, title: string, now = new Date()): Promise<string> {
  const id = await createAchievement(by, achievementContent({ title }));
  await transitionListing(by, "achievement", id, "submit", { now });
  return id;
}

async function published(by: SessionUser, title: string, now = new Date()): Promise<string> {
  const id = await submitted(by, title, now);
  await transitionListing(broker, "achievement", id, "approve", { now });
  return id;
}

const inbox = (user: SessionUser, type: NotificationType, listingId: string) =>
  Notification.find({ user: user.id, type, "subject.id": listingId }).lean();

const mailAbout = (user: SessionUser, title: string, text?: string) =>
  box.waitFor(user.email, (m) => m.subject.includes(title) && (!text || (m.text ?? "").includes(text)));

const listingUrl = (id: string) => `${publicUrl()}/achievements/${id}`;

function expectMail(mail: CaughtMail, parts: { subject: string; text: string[]; link: string }) {
  expect(mail.subject).toContain(parts.subject);
  for (const t of parts.text) expect(mail.text).toContain(t);
  expect(linksIn(mail)[0]).toBe(parts.link);
}

describe("the listing workflow tells the people concerned", () => {
  it("tells the reviewers a listing waits for review, and the owner that it was approved with the end of its 公示", async () => {
    const title = uniqueTitle("高山茶园采摘机");
    const id = await submitted(owner, title);
    const [forBroker] = await inbox(broker, "listing.submitted", id);
    expect(forBroker).toBeTruthy();
    expectMail(await box.waitFor(broker.email, (m) => m.subject.includes(title)), {
      subject: `待审核：「${title}」`,
      text: [title, "等待审核"],
      link: listingUrl(id),
    });
    // The owner did that themselves: nothing for them.
    expect(await Notification.countDocuments({ user: owner.id, "subject.id": id })).toBe(0);

    expect(forBroker!.readAt).toBeNull();
    await transitionListing(broker, "achievement", id, "approve");
    // Handled: the review request no longer waits unread.
    expect((await inbox(broker, "listing.submitted", id))[0]!.readAt).toBeInstanceOf(Date);
    const [approved] = await inbox(owner, "listing.approved", id);
    const noticeEnds = formatDate((await Achievement.findById(id).lean())!.noticeEndsAt);
    expect(noticeEnds).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(approved!.params).toMatchObject({ noticeEnds });
    expectMail(await mailAbout(owner, title, "通过审核"), {
      subject: `已通过审核：「${title}」公示至 ${noticeEnds}`,
      text: [`「${title}」已通过审核并发布，公示期至 ${noticeEnds}`, owner.name],
      link: listingUrl(id),
    });
  });

  it("tells only the assigned reviewer when an assigned listing is resubmitted", async () => {
    const assignee = await pages.person(address("assignee"), ["broker"], `另一技术转移中心-${tag}`);
    const title = uniqueTitle("分配复审");
    const id = await submitted(owner, title);
    await assignReview(broker, "achievement", id, assignee.id);
    expect(await inbox(assignee, "review.assigned", id)).toHaveLength(1);
    await box.waitFor(assignee.email, (m) => (m.text ?? "").includes(title));
    await transitionListing(assignee, "achievement", id, "reject", { reason: "补充检测报告" });
    // Handled: the assignment and the review request are read now.
    expect((await inbox(assignee, "review.assigned", id))[0]!.readAt).toBeInstanceOf(Date);
    await transitionListing(owner, "achievement", id, "submit");
    // Both reviewers heard of the first submission; only the assignee of the second.
    expect(await inbox(assignee, "listing.submitted", id)).toHaveLength(2);
    expect(await inbox(broker, "listing.submitted", id)).toHaveLength(1);
    await box.waitFor(assignee.email, (m) => m.subject === `待审核：「${title}」`);
  });

  it("tells the owner that the listing was returned, with the reviewer's reason", async () => {
    const title = uniqueTitle("三七烘干热泵");
    const id = await submitted(owner, title);
    await transitionListing(broker, "achievement", id, "reject", { reason: "专利号与权利人不一致，请补充转让证明" });
    const [returned] = await inbox(owner, "listing.returned", id);
    expect(returned!.params).toMatchObject({ reason: "专利号与权利人不一致，请补充转让证明" });
    expectMail(await mailAbout(owner, title, "退回"), {
      subject: `已退回修改：「${title}」`,
      text: [title, "审核意见：专利号与权利人不一致，请补充转让证明"],
      // The owner can still open their returned listing.
      link: listingUrl(id),
    });
  });

  it("writes in the language the recipient chose on the site", async () => {
    // 语言 → English in the header, signed in: their emails follow.
    const switched = await pages.call(setLanguage.action, pages.post("/set-language", englishOwner, { lng: "en", redirectTo: "/" }));
    expect(switched.status).toBe(302);
    expect((await User.findById(englishOwner.id).lean())!.locale).toBe("en");
    const title = uniqueTitle("Terrace tea picker ");
    const id = await submitted(englishOwner, title);
    await transitionListing(broker, "achievement", id, "reject", { reason: "Add the assignment record" });
    expectMail(await mailAbout(englishOwner, title), {
      subject: `Returned for changes: “${title}”`,
      text: [`Hello ${englishOwner.name},`, "Reviewer's note: Add the assignment record"],
      link: listingUrl(id),
    });
  });

  it("tells the owner of an objection with its gist, and both sides when it is upheld, with the decision", async () => {
    const title = uniqueTitle("根腐病菌剂");
    const id = await published(owner, title);
    const objectionId = await fileObjection(objector, "achievement", id, "该成果的核心技术是我单位 2019 年的公开成果，不应由对方挂牌。");
    const [filed] = await inbox(owner, "objection.filed", id);
    expect(filed!.params!.gist).toContain("该成果的核心技术是我单位");
    expectMail(await mailAbout(owner, title, "收到异议"), {
      subject: `收到异议：「${title}」`,
      text: [title, "该成果的核心技术是我单位 2019 年的公开成果"],
      link: listingUrl(id),
    });

    // The reviewers are asked to decide it, with who objected.
    const [toReview] = await inbox(broker, "objection.toReview", id);
    expect(toReview!.params).toMatchObject({ by: objector.name });
    expectMail(await box.waitFor(broker.email, (m) => m.subject.includes(title) && m.subject.includes("待处理异议")), {
      subject: `待处理异议：「${title}」`,
      text: [title, `收到 ${objector.name} 的异议`, "该成果的核心技术是我单位"],
      link: listingUrl(id),
    });

    await resolveObjection(broker, objectionId, { uphold: true, resolution: "经核实权属存在争议，退回补充材料" });
    // Decided: it no longer waits unread in the reviewers' inboxes.
    expect((await inbox(broker, "objection.toReview", id))[0]!.readAt).toBeInstanceOf(Date);
    expect(await inbox(owner, "objection.upheld", id)).toHaveLength(1);
    expect(await inbox(objector, "objection.yoursUpheld", id)).toHaveLength(1);
    expectMail(await mailAbout(owner, title, "异议经审核成立"), {
      subject: `异议成立，已退回：「${title}」`,
      text: [title, "处理意见：经核实权属存在争议，退回补充材料"],
      link: listingUrl(id),
    });
    // On /notifications the owner's notice leads to their listing; the objector's says it is no longer public.
    type Item = { type: string; subject: { id: string }; gone: boolean; own: boolean };
    const itemsOf = async (u: SessionUser) =>
      ((await (await pages.call(notificationsPage.loader, pages.get("/notifications", u))).json()) as { items: Item[] }).items;
    expect((await itemsOf(owner)).find((n) => n.type === "objection.upheld" && n.subject.id === id)).toMatchObject({
      gone: false,
      own: true,
    });
    expect((await itemsOf(objector)).find((n) => n.type === "objection.yoursUpheld" && n.subject.id === id)).toMatchObject({
      gone: true,
      own: false,
    });
    // The listing is no longer public: the objector's link goes to their inbox, not to a 404.
    expectMail(await mailAbout(objector, title), {
      subject: `您的异议成立：「${title}」`,
      text: [title, "处理意见：经核实权属存在争议，退回补充材料"],
      link: `${publicUrl()}/notifications`,
    });
  });

  it("tells both sides when an objection is rejected", async () => {
    const title = uniqueTitle("节水滴灌");
    const id = await published(owner, title);
    const objectionId = await fileObjection(objector, "achievement", id, "价格明显高于同类技术，请核实。");
    await resolveObjection(broker, objectionId, { uphold: false, resolution: "定价属于权利人自主决定，异议不成立" });
    expect(await inbox(owner, "objection.dismissed", id)).toHaveLength(1);
    expectMail(await mailAbout(owner, title, "异议经审核不成立"), {
      subject: `异议不成立：「${title}」`,
      text: [title, "处理意见：定价属于权利人自主决定，异议不成立"],
      link: listingUrl(id),
    });
    expectMail(await mailAbout(objector, title), {
      subject: `您的异议不成立：「${title}」`,
      text: [title, "定价属于权利人自主决定"],
      link: listingUrl(id),
    });
  });

  it("tells the owner when the 公示 ends and the listing opens for trading by itself", async () => {
    const title = uniqueTitle("茶叶分级机");
    const id = await published(owner, title, new Date(Date.now() - 20 * 86_400_000));
    expect(await startTradingAfterNotice()).toBeGreaterThanOrEqual(1);
    expect(await inbox(owner, "listing.tradingOpened", id)).toHaveLength(1);
    expectMail(await mailAbout(owner, title, "开放交易"), {
      subject: `已开放交易：「${title}」`,
      text: [title, "公示期已结束"],
      link: listingUrl(id),
    });
  });

  it("tells the owner when a listing expires", async () => {
    const title = uniqueTitle("三七连作修复");
    const deadline = new Date(Date.now() + 10 * 86_400_000);
    const id = await createDemand(buyer, {
      title,
      description: "合作社三七地连作烂根，求可推广的土壤修复技术。",
      field: "plateau-agriculture",
      transactionModes: ["license"],
      deadline,
      region: "532623",
    });
    await transitionListing(buyer, "demand", id, "submit");
    await transitionListing(broker, "demand", id, "approve");
    expect(await expireOverdue(new Date(deadline.getTime() + 86_400_000))).toBeGreaterThanOrEqual(1);
    expect(await Notification.countDocuments({ user: buyer.id, type: "listing.expired", "subject.id": id })).toBe(1);
    const mail = await box.waitFor(buyer.email, (m) => m.subject.includes(title) && m.subject.includes("到期"));
    expectMail(mail, {
      subject: `已到期下架：「${title}」`,
      text: [title, "已到期下架"],
      // Expired: only its owner sees it, and they do.
      link: `${publicUrl()}/demands/${id}`,
    });
  });

  it("tells the owner when a reviewer withdraws their listing, with the reason; not when they withdraw it themselves", async () => {
    const title = uniqueTitle("重复挂牌");
    const id = await published(owner, title);
    await transitionListing(broker, "achievement", id, "withdraw", { reason: "与已有挂牌重复" });
    expect(await inbox(owner, "listing.withdrawn", id)).toHaveLength(1);
    expectMail(await mailAbout(owner, title, "撤回"), {
      subject: `已被撤回：「${title}」`,
      text: [title, "理由：与已有挂牌重复"],
      link: listingUrl(id),
    });
    const mine = await published(owner, uniqueTitle("自行撤回"));
    await transitionListing(owner, "achievement", mine, "withdraw");
    expect(await inbox(owner, "listing.withdrawn", mine)).toHaveLength(0);
  });

  it("sends the trading notifications by email too (an offer received)", async () => {
    const title = uniqueTitle("茶叶加工工艺");
    const id = await listingAt(
      owner,
      broker,
      "trading",
      achievementContent({ title, price: { mode: "negotiable" }, transactionModes: ["license"] }),
    );
    await makeOffer(buyer, id, {
      amountFen: 12_000_000,
      transactionMode: "license",
      licenseExclusivity: "non-exclusive",
      message: "希望分期付款",
    });
    const mail = await box.waitFor(owner.email, (m) => m.subject.includes(title) && (m.text ?? "").includes("报价"));
    expect(mail.text).toContain(`成果「${title}」收到 ${buyer.name} 的报价 ¥120,000`);
    expect(linksIn(mail)[0]).toMatch(new RegExp(`^${publicUrl()}/`));
  });

  it("tells nobody, in-app or by email, about a move whose transaction rolls back", async () => {
    const title = uniqueTitle("回滚");
    const id = await submitted(owner, title);
    await expect(
      withTransaction(async (session) => {
        await transitionListingInSession(session, broker, "achievement", id, "approve");
        throw new Error("rolled back");
      }),
    ).rejects.toThrow("rolled back");
    // Nor does a refused move (approving twice): the one approval is told once.
    await transitionListing(broker, "achievement", id, "approve");
    await expect(transitionListing(broker, "achievement", id, "approve")).rejects.toMatchObject({ status: 409 });
    expect(await inbox(owner, "listing.approved", id)).toHaveLength(1);
    await mailAbout(owner, title, "通过审核");
    const aboutIt = (await box.to(owner.email)).filter((m) => m.subject.includes(title));
    expect(aboutIt.map((m) => m.subject)).toHaveLength(1);
    expect(await OutgoingMail.countDocuments({ to: owner.email, subject: { $regex: title } })).toBe(1);
  });
});

describe("email settings on /notifications", () => {
  it("turns the workflow emails off (the in-app notification stays) and back on; matches come by email only when asked for", async () => {
    const seller = await pages.person(address("quiet"), ["seller"], `安静研究所-${tag}`);
    const page = async () =>
      (await (await pages.call(notificationsPage.loader, pages.get("/notifications", seller))).json()) as {
        mail: Record<string, boolean>;
        email: string;
      };
    expect((await page()).mail).toEqual({ listings: true, trading: true, matches: false });

    const saved = await pages.call(
      notificationsPage.action,
      pages.post("/notifications", seller, { intent: "mailPreferences", trading: "on" }),
    );
    expect(saved.status).toBe(302);
    expect(saved.headers.get("Location")).toBe("/notifications?done=mailSaved#mail-settings");
    expect((await page()).mail).toEqual({ listings: false, trading: true, matches: false });

    const quietTitle = uniqueTitle("静音");
    const id = await submitted(seller, quietTitle);
    await transitionListing(broker, "achievement", id, "reject", { reason: "材料不全" });
    expect(await inbox(seller, "listing.returned", id)).toHaveLength(1);
    // A match (off by default) and a trading notice (on) after it: only the trading one arrives.
    const subject = { kind: "achievement" as const, id, title: quietTitle };
    await notify(null, [{ user: seller.id, type: "match.achievement", subject, counterpart: subject, score: 0.7 }]);
    await notify(null, [
      { user: seller.id, type: "offer.received", subject, link: "/offers", params: { amount: "¥1,000", buyer: "某合作社" } },
    ]);
    const trading = await box.waitFor(seller.email, (m) => m.subject.includes(quietTitle));
    expect(trading.text).toContain("收到 某合作社 的报价 ¥1,000");
    expect(linksIn(trading)[0]).toBe(`${publicUrl()}/offers`);
    expect((await box.to(seller.email)).map((m) => m.subject)).toEqual([trading.subject]);
    expect(await OutgoingMail.countDocuments({ to: seller.email })).toBe(1);

    // Back on, with matches: both kinds arrive again.
    await pages.call(
      notificationsPage.action,
      pages.post("/notifications", seller, { intent: "mailPreferences", listings: "on", trading: "on", matches: "on" }),
    );
    expect((await page()).mail).toEqual({ listings: true, trading: true, matches: true });
    await transitionListing(seller, "achievement", id, "submit");
    await transitionListing(broker, "achievement", id, "reject", { reason: "仍缺专利证书" });
    await mailAbout(seller, quietTitle, "仍缺专利证书");
    await notify(null, [{ user: seller.id, type: "match.achievement", subject, counterpart: subject, score: 0.7 }]);
    await box.waitFor(seller.email, (m) => m.subject.includes(quietTitle) && (m.text ?? "").includes("匹配到需求"));
  });
});
