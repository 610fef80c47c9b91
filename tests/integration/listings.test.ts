import { beforeAll, describe, expect, it } from "vitest";
import { Achievement } from "~/models/achievement.server.ts";
import { AuditEvent } from "~/models/audit-event.server.ts";
import { Demand } from "~/models/demand.server.ts";
import type { AchievementDataInput } from "~/schemas/listing.ts";
import { getSessionUserById, type SessionUser } from "~/services/accounts/accounts.server.ts";
import { createAchievement, createDemand, fileObjection, resolveObjection, updateListing } from "~/services/listings/commands.server.ts";
import { expireOverdue } from "~/services/listings/expiry.server.ts";
import { listingsNoticeEndJob } from "~/services/listings/jobs.server.ts";
import { SearchOutbox } from "~/models/search-outbox.server.ts";
import { getListing, listMine, listPublic, reviewQueue } from "~/services/listings/queries.server.ts";
import { transitionListing } from "~/services/listings/workflow.server.ts";
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from "~/utils/errors.ts";
import type { Role } from "~/utils/permissions.ts";
import { upsertOrganization, upsertUser } from "../../seeds/factories.ts";
import { seedDemo } from "../../seeds/demo.ts";

async function person(email: string, roles: Role[], org: string | null): Promise<SessionUser> {
  const organization = org ? await upsertOrganization({ name: org, type: "institute", region: "532601" }) : null;
  const u = await upsertUser({ email, name: email.split("@")[0]!, password: "Terraces2025", roles, organization });
  return (await getSessionUserById(String(u._id)))!;
}

let seller: SessionUser, colleague: SessionUser, otherSeller: SessionUser, broker: SessionUser, brokerSeller: SessionUser;
let buyer: SessionUser, admin: SessionUser;

beforeAll(async () => {
  seller = await person("seller@lab.cn", ["seller"], "文山三七研究所");
  colleague = await person("colleague@lab.cn", ["seller"], "文山三七研究所");
  otherSeller = await person("other@uni.cn", ["seller"], "某大学");
  broker = await person("broker@agency.cn", ["broker"], "技术转移中心");
  brokerSeller = await person("bs@agency.cn", ["broker", "seller"], "另一技术转移中心");
  buyer = await person("buyer@coop.cn", ["buyer"], "兴街镇合作社");
  await person("bureau@gov.cn", ["bureau"], "西畴县科学技术局");
  admin = await person("admin@platform.cn", ["admin"], null);
});

const content = (over: Partial<AchievementDataInput> = {}): AchievementDataInput => ({
  title: "三七根腐病生物防治菌剂",
  summary: "拮抗菌复配菌剂，田间防效 72%",
  description: "针对三七连作根腐病的微生物菌剂及施用技术。",
  field: "plateau-agriculture",
  keywords: ["三七", "根腐病"],
  ipType: "invention-patent",
  patentNumbers: ["ZL201910123456.X"],
  trl: 6,
  transactionModes: ["license"],
  licenseExclusivity: ["exclusive"],
  price: { mode: "fixed", amount: 30_000_000 },
  region: "532623",
  ...over,
});

async function publishedBy(owner: SessionUser, at = new Date()) {
  const id = await createAchievement(owner, content());
  await transitionListing(owner, "achievement", id, "submit", { now: at });
  await transitionListing(broker, "achievement", id, "approve", { now: at });
  return id;
}

describe("achievements through the workflow", () => {
  it("goes draft → submitted → published with the notice period, every step in the audit log", async () => {
    const id = await createAchievement(seller, content());
    const draft = await getListing(seller, "achievement", id);
    expect(draft.item).toMatchObject({ status: "draft", regionName: "云南省文山壮族苗族自治州西畴县", maturity: "pilot" });
    expect(draft.actions).toEqual(["submit"]); // no 撤回 on a draft (issue 13, point 17)

    await transitionListing(seller, "achievement", id, "submit");
    const now = new Date("2026-11-24T08:00:00Z");
    await transitionListing(broker, "achievement", id, "approve", { now });
    const seen = await getListing(seller, "achievement", id);
    expect(seen.item.status).toBe("published");
    expect(seen.item.noticeEndsAt).toBe("2026-12-09T08:00:00.000Z");
    expect(seen.audit.map((e) => [e.action, e.from ?? null, e.to, e.actorName])).toEqual([
      ["create", null, "draft", "seller"],
      ["submit", "draft", "submitted", "seller"],
      ["approve", "submitted", "published", "broker"],
    ]);
  });

  it("shows a draft only to its owner's side and reviewers; strangers get 404; the log only to insiders", async () => {
    const id = await createAchievement(seller, content());
    await expect(getListing(null, "achievement", id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(getListing(otherSeller, "achievement", id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(getListing(buyer, "achievement", id)).rejects.toBeInstanceOf(NotFoundError);
    expect((await getListing(colleague, "achievement", id)).relations).toContain("owner");
    expect((await getListing(broker, "achievement", id)).relations).toEqual(["reviewer"]);

    const pub = await publishedBy(seller);
    const anonymous = await getListing(null, "achievement", pub);
    expect(anonymous.item.status).toBe("published");
    expect(anonymous.audit).toEqual([]);
    expect((await getListing(buyer, "achievement", pub)).audit).toEqual([]);
    expect((await getListing(broker, "achievement", pub)).audit.length).toBe(3);
  });

  it("a seller cannot edit or submit another seller's item; a colleague of the same organisation can", async () => {
    const id = await createAchievement(seller, content());
    await expect(updateListing(otherSeller, "achievement", id, content({ title: "改名" }))).rejects.toBeInstanceOf(ForbiddenError);
    await expect(transitionListing(otherSeller, "achievement", id, "submit")).rejects.toBeInstanceOf(NotFoundError);
    await updateListing(colleague, "achievement", id, content({ title: "三七根腐病生物防治菌剂（第二版）" }));
    expect((await Achievement.findById(id).lean())!.title).toBe("三七根腐病生物防治菌剂（第二版）");
  });

  it("nobody approves their own item, not even a broker who is also its seller", async () => {
    const own = await createAchievement(seller, content());
    await transitionListing(seller, "achievement", own, "submit");
    await expect(transitionListing(seller, "achievement", own, "approve")).rejects.toBeInstanceOf(ForbiddenError);

    const brokers = await createAchievement(brokerSeller, content());
    await transitionListing(brokerSeller, "achievement", brokers, "submit");
    await expect(transitionListing(brokerSeller, "achievement", brokers, "approve")).rejects.toBeInstanceOf(ForbiddenError);
    expect((await Achievement.findById(brokers).lean())!.status).toBe("submitted");
    // …and it waits in the queue for another reviewer.
    expect((await reviewQueue(broker)).achievements.map((a) => a.id)).toContain(brokers);
    await expect(reviewQueue(seller)).rejects.toBeInstanceOf(ForbiddenError);
  });

  it("a rejection needs a reason, which the owner sees; the owner fixes and resubmits", async () => {
    const id = await createAchievement(seller, content());
    await transitionListing(seller, "achievement", id, "submit");
    await expect(transitionListing(broker, "achievement", id, "reject", { reason: " " })).rejects.toBeInstanceOf(ValidationError);
    expect((await Achievement.findById(id).lean())!.status).toBe("submitted");

    await transitionListing(broker, "achievement", id, "reject", { reason: "请补充中试报告" });
    const back = await getListing(seller, "achievement", id);
    expect(back.item).toMatchObject({ status: "rejected", rejectionReason: "请补充中试报告" });
    expect(back.audit.at(-1)).toMatchObject({ action: "reject", reason: "请补充中试报告" });
    await updateListing(seller, "achievement", id, content({ summary: "补充了中试数据" }));
    await transitionListing(seller, "achievement", id, "submit");
    expect((await Achievement.findById(id).lean())!.status).toBe("submitted");
  });

  it("published content is frozen: editing it is refused and nothing changes", async () => {
    const id = await publishedBy(seller);
    await expect(updateListing(seller, "achievement", id, content({ title: "偷偷改价" }))).rejects.toBeInstanceOf(ConflictError);
    expect((await Achievement.findById(id).lean())!.title).toBe("三七根腐病生物防治菌剂");
  });

  it("bad content is refused field by field and nothing is stored", async () => {
    const before = await Achievement.countDocuments();
    const err = await createAchievement(seller, content({ region: "999999", trl: 0 })).catch((e) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.fieldErrors).toMatchObject({ trl: ["errors.trl"] });
    const err2 = await createAchievement(seller, content({ region: "999999" })).catch((e) => e);
    expect(err2.fieldErrors).toEqual({ region: ["errors.regionUnknown"] });
    expect(await Achievement.countDocuments()).toBe(before);
    await expect(createAchievement(buyer, content())).rejects.toBeInstanceOf(ForbiddenError);
  });

  it("two reviewers approving at once: one wins, one is told, one audit event", async () => {
    const id = await createAchievement(seller, content());
    await transitionListing(seller, "achievement", id, "submit");
    const results = await Promise.allSettled([
      transitionListing(broker, "achievement", id, "approve"),
      transitionListing(admin, "achievement", id, "approve"),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const failed = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
    expect(failed.reason).toBeInstanceOf(ConflictError);
    expect(await AuditEvent.countDocuments({ subject: id, action: "approve" })).toBe(1);
  });
});

describe("public notice, objections, expiry", () => {
  it("trading waits for the end of 公示; an objection blocks it until a reviewer decides", async () => {
    const t0 = new Date("2026-11-01T00:00:00Z");
    const id = await publishedBy(seller, t0);
    await expect(transitionListing(seller, "achievement", id, "startTrading", { now: new Date("2026-11-10T00:00:00Z") })).rejects.toThrow(
      "workflow.noticeNotOver",
    );

    await expect(fileObjection(seller, "achievement", id, "我自己反对自己", new Date("2026-11-05"))).rejects.toBeInstanceOf(ForbiddenError);
    const objectionId = await fileObjection(
      buyer,
      "achievement",
      id,
      "该专利权属存在争议，发明人之一已离职并主张权利。",
      new Date("2026-11-05"),
    );
    await expect(transitionListing(seller, "achievement", id, "startTrading", { now: new Date("2026-11-20T00:00:00Z") })).rejects.toThrow(
      "workflow.openObjections",
    );

    await expect(resolveObjection(seller, objectionId, { uphold: false, resolution: "无" })).rejects.toBeInstanceOf(ForbiddenError);
    await resolveObjection(broker, objectionId, { uphold: false, resolution: "权属证明齐全，异议不成立" });
    await transitionListing(seller, "achievement", id, "startTrading", { now: new Date("2026-11-20T00:00:00Z") });
    const seen = await getListing(seller, "achievement", id);
    expect(seen.item.status).toBe("trading");
    expect(seen.objections).toMatchObject([{ status: "dismissed", resolution: "权属证明齐全，异议不成立" }]);
    expect(seen.audit.map((e) => e.action)).toEqual(["create", "submit", "approve", "objection", "objectionDismissed", "startTrading"]);
  });

  it("the listings.notice-end job opens an achievement for trading when its 公示 ends, not before and not with an open objection", async () => {
    const t0 = new Date("2026-10-01T00:00:00Z");
    const ended = await publishedBy(seller, t0);
    const objected = await publishedBy(seller, t0);
    await fileObjection(buyer, "achievement", objected, "该成果的权属材料与公开专利信息不一致。", new Date("2026-10-05"));
    const running = await publishedBy(seller, new Date("2026-10-10T00:00:00Z"));
    const demand = await createDemand(buyer, {
      title: "坡地小型农机",
      description: "合作社需要能在坡地开沟施肥的小型农机。",
      field: "advanced-manufacturing",
      keywords: ["农机"],
      transactionModes: ["transfer"],
      region: "532623",
    });
    await transitionListing(buyer, "demand", demand, "submit", { now: t0 });
    await transitionListing(broker, "demand", demand, "approve", { now: t0 });

    const justAfter = new Date(t0.getTime() + 15 * 86_400_000 + 1000); // the first run after the notice of `ended` ends
    const outboxBefore = await SearchOutbox.countDocuments({ listingId: ended });
    expect(listingsNoticeEndJob).toMatchObject({ name: "listings.notice-end", everyMs: 60_000 });
    expect(await listingsNoticeEndJob.run(justAfter)).toBeGreaterThanOrEqual(1);
    const status = async (kind: "achievement" | "demand", id: string) => (await getListing(admin, kind, id)).item.status;
    expect(await status("achievement", ended)).toBe("trading");
    expect(await status("achievement", objected)).toBe("published");
    expect(await status("achievement", running)).toBe("published");
    expect(await status("demand", demand)).toBe("published");
    const audit = await AuditEvent.find({ subject: ended, action: "startTrading" }).lean();
    expect(audit).toMatchObject([{ from: "published", to: "trading", via: "system", actorName: "系统" }]);
    expect(await SearchOutbox.countDocuments({ listingId: ended })).toBe(outboxBefore + 1); // the index follows

    // A second run (or a second instance) changes nothing.
    await listingsNoticeEndJob.run(justAfter);
    expect(await AuditEvent.countDocuments({ subject: ended, action: "startTrading" })).toBe(1);
  });

  it("an upheld objection sends the item back to its owner with the reason", async () => {
    const id = await publishedBy(seller);
    const objectionId = await fileObjection(buyer, "achievement", id, "成果与我单位 2019 年专利重复。");
    await resolveObjection(broker, objectionId, { uphold: true, resolution: "核实重复，退回修改" });
    const item = await getListing(seller, "achievement", id);
    expect(item.item).toMatchObject({ status: "rejected", rejectionReason: "核实重复，退回修改", openObjections: 0 });
    await expect(getListing(null, "achievement", id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it("objections close with the notice period", async () => {
    const id = await publishedBy(seller, new Date("2026-01-01"));
    await expect(fileObjection(buyer, "achievement", id, "过期的异议内容", new Date("2026-02-01"))).rejects.toThrow("workflow.noticeOver");
  });

  it("published demands past their deadline expire by themselves; the owner can reopen them", async () => {
    const demand = await createDemand(buyer, {
      title: "三七烂根求治理",
      description: "老地块种三七烂根死苗",
      field: "plateau-agriculture",
      transactionModes: ["license"],
      minTrl: 5,
      deadline: new Date("2026-12-31"),
      region: "532623",
    });
    await transitionListing(buyer, "demand", demand, "submit");
    await transitionListing(broker, "demand", demand, "approve");
    expect(await expireOverdue(new Date("2026-12-30"))).toBe(0);
    expect(await expireOverdue(new Date("2027-01-01"))).toBe(1);
    const d = await getListing(buyer, "demand", demand);
    expect(d.item.status).toBe("expired");
    expect(d.audit.at(-1)).toMatchObject({ action: "expire", via: "system", actorName: "系统" });
    await expect(getListing(null, "demand", demand)).rejects.toBeInstanceOf(NotFoundError);
    await transitionListing(buyer, "demand", demand, "reopen");
    expect((await Demand.findById(demand).lean())!.status).toBe("draft");
  });
});

describe("lists", () => {
  it("the public list shows published items newest first; my items show all of mine", async () => {
    const first = await publishedBy(otherSeller, new Date("2026-03-01"));
    const second = await publishedBy(otherSeller, new Date("2026-03-02"));
    const draft = await createAchievement(otherSeller, content({ title: "草稿" }));
    const page = await listPublic("achievement", { pageSize: 100 });
    const ids = page.items.map((i) => i.id);
    expect(ids.indexOf(second)).toBeLessThan(ids.indexOf(first));
    expect(ids).not.toContain(draft);
    expect((await listMine(otherSeller, "achievement")).map((i) => i.id)).toEqual(expect.arrayContaining([first, second, draft]));
    expect((await listMine(seller, "achievement")).map((i) => i.id)).not.toContain(first);
  });
});

describe("demo data", () => {
  it("seeds realistic listings in every stage, and seeding again adds nothing", async () => {
    const first = await seedDemo();
    expect(first.achievements).toBeGreaterThanOrEqual(10);
    expect(first.demands).toBeGreaterThanOrEqual(6);
    // The catalogue (demo-A…); the demo deals' listings (demo-C…) are under contract (seed-and-health.test.ts).
    const statuses = await Achievement.distinct("status", { source: "platform", externalId: /^demo-A/ });
    expect(statuses.sort()).toEqual(["draft", "published", "submitted", "trading"]);
    // The demo shows listings on 公示 with their end date (and none waiting past it).
    const now = new Date();
    expect(await Achievement.countDocuments({ externalId: /^demo-/, status: "published", noticeEndsAt: { $gt: now } })).toBeGreaterThan(0);
    expect(await Achievement.countDocuments({ externalId: /^demo-/, status: "published", noticeEndsAt: { $lte: now } })).toBe(0);
    const again = await seedDemo();
    expect(again.achievements).toBe(first.achievements);
    expect(again.demands).toBe(first.demands);
  });
});
