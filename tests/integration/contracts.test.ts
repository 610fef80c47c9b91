import { beforeAll, describe, expect, it } from "vitest";
import { Achievement } from "~/models/achievement.server.ts";
import { AuditEvent } from "~/models/audit-event.server.ts";
import { Contract } from "~/models/contract.server.ts";
import { Deal } from "~/models/deal.server.ts";
import { Notification } from "~/models/notification.server.ts";
import type { AchievementDataInput } from "~/schemas/listing.ts";
import type { SessionUser } from "~/services/accounts/accounts.server.ts";
import { saveContract, signContract } from "~/services/contracts/commands.server.ts";
import { contractDiff, getContractPage } from "~/services/contracts/queries.server.ts";
import { textHash } from "~/services/contracts/rules.ts";
import { inviteBroker } from "~/services/rooms/brokers.server.ts";
import { openRoom } from "~/services/rooms/open.server.ts";
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from "~/utils/errors.ts";
import { achievementContent, listingAt, person, buyNowDeal } from "../../seeds/trading-fixtures.ts";

/**
 * Issue 14, points 2–4: drafting a technology contract from a deal's agreed terms, the price split,
 * versions and their diff, click-to-sign with the text's hash, voiding on edit, the signed and
 * frozen contract that moves the listing to `contracted`, the 60% rule for universities and
 * institutes, and who may read and write it.
 */

let seller: SessionUser, buyer: SessionUser, broker: SessionUser, dealBroker: SessionUser, bureau: SessionUser;
let admin: SessionUser, outsider: SessionUser, entSeller: SessionUser;
let n = 0;

beforeAll(async () => {
  seller = await person("seller@wsu.cn", ["seller"], "文山学院", "university");
  entSeller = await person("seller@sanqi.cn", ["seller"], "三七科技有限公司", "enterprise");
  buyer = await person("buyer@coop.cn", ["buyer"], "兴街镇三七种植专业合作社");
  broker = await person("broker@agency.cn", ["broker"], "文山州科技成果转移转化服务中心", "service-agency");
  dealBroker = await person("dealbroker@agency.cn", ["broker"], "文山州科技成果转移转化服务中心", "service-agency");
  bureau = await person("bureau@kjj.gov.cn", ["bureau"], "文山县科技局", "government");
  admin = await person("admin@chengguo.cn", ["admin"], null);
  outsider = await person("outsider@tea.cn", ["buyer"], "茶业公司");
});

const content = (over: Partial<AchievementDataInput> = {}): AchievementDataInput =>
  achievementContent({
    title: `三七连作障碍消减技术 ${++n}`,
    transactionModes: ["transfer", "license", "equity", "cooperation"],
    licenseExclusivity: ["exclusive", "sole", "non-exclusive"],
    price: { mode: "fixed", amount: 300_000_00 },
    inventors: [
      { name: "王教授", share: 50 },
      { name: "李博士", share: 30 },
    ],
    ...over,
  });

async function dealFor(
  mode: "transfer" | "license" | "equity" | "cooperation",
  over: Partial<AchievementDataInput> = {},
  exclusivity: "exclusive" | "sole" | "non-exclusive" | null = null,
  owner: SessionUser = seller,
): Promise<string> {
  const listing = await listingAt(owner, broker, "trading", content(over));
  return buyNowDeal(buyer, listing, { expectedAmountFen: 300_000_00, transactionMode: mode, licenseExclusivity: exclusivity });
}

const draftInput = (page: Awaited<ReturnType<typeof getContractPage>>, over: Record<string, unknown> = {}) => ({
  category: page.contract!.category,
  subCategory: page.contract!.subCategory,
  contractAmount: page.contract!.contractAmount,
  technologyAmount: page.contract!.technologyAmount,
  nonTechItems: page.contract!.nonTechItems,
  clauses: {},
  ...over,
});

const plan = [
  { name: "王教授", percent: 40 },
  { name: "李博士", percent: 30 },
];

describe("drafting", () => {
  it("suggests the category and sub-category from the terms and fills the template from them", async () => {
    const transfer = await dealFor("transfer");
    await saveContract(seller, transfer, null);
    let page = await getContractPage(buyer, transfer);
    expect(page.contract).toMatchObject({
      status: "draft",
      category: "transfer",
      subCategory: "patent",
      version: 1,
      contractAmount: 300_000_00,
    });
    expect(page.contract!.text).toContain("技术转让合同（专利权转让）");
    expect(page.contract!.text).toContain("ZL201910123456.X");
    expect(page.contract!.text).toContain("成交额（合同总金额）：人民币 300000.00 元");
    expect(page.contract!.textHash).toBe(textHash(page.contract!.text));

    const knowHow = await dealFor("transfer", { ipType: "trade-secret", patentNumbers: [] });
    await saveContract(buyer, knowHow, null);
    expect((await getContractPage(buyer, knowHow)).contract).toMatchObject({ category: "transfer", subCategory: "know-how" });

    const licence = await dealFor("license", {}, "exclusive");
    // The room's card added territory, term, royalty and milestones to the terms.
    await Deal.updateOne(
      { _id: licence },
      {
        $set: {
          "terms.territory": "云南省",
          "terms.termMonths": 36,
          "terms.royaltyPercent": 3,
          "terms.milestones": [
            { title: "首付款", amount: 100_000_00, dueInDays: 10 },
            { title: "验收款", amount: 200_000_00, dueInDays: 90 },
          ],
        },
      },
    );
    await saveContract(seller, licence, null);
    page = await getContractPage(seller, licence);
    expect(page.contract).toMatchObject({ category: "license", subCategory: "patent" });
    const text = page.contract!.text;
    expect(text).toContain("技术许可合同（专利实施许可）");
    expect(text).toContain("在云南省内以独占许可方式实施");
    expect(text).toContain("许可期限 36 个月");
    expect(text).toContain("按乙方实施本技术所得销售额的 3% 按期支付");
    expect(text).toContain("分期付款（1）首付款：人民币 100000.00 元");
    expect(text).toContain("（2）验收款：合同生效后 90 日内完成");

    const coop = await dealFor("cooperation");
    await saveContract(seller, coop, null);
    page = await getContractPage(seller, coop);
    expect(page.contract).toMatchObject({ category: "development", subCategory: "cooperative" });
    expect(page.contract!.text).toContain("技术开发合同（合作开发）");

    const equity = await dealFor("equity");
    await saveContract(seller, equity, null);
    page = await getContractPage(seller, equity);
    expect(page.contract).toMatchObject({ category: "transfer", subCategory: "patent", paidInShares: true });
    expect(page.contract!.text).toContain("价款以乙方（或其指定企业）的股权支付（作价投资）");
  });

  it("lets the parties change the category: the untouched clauses follow the new template, a sub-category must belong to it", async () => {
    const id = await dealFor("transfer");
    await saveContract(seller, id, null);
    const page = await getContractPage(seller, id);
    await expect(saveContract(buyer, id, draftInput(page, { category: "service", subCategory: "patent" }))).rejects.toSatisfy(
      (e) => e instanceof ValidationError && e.fieldErrors.subCategory?.[0] === "contracts.errors.subCategory",
    );
    for (const [category, subCategory, title] of [
      ["service", "training", "技术服务合同（技术培训）"],
      ["consulting", "general", "技术咨询合同（技术咨询）"],
      ["development", "commissioned", "技术开发合同（委托开发）"],
    ] as const) {
      await saveContract(buyer, id, draftInput(await getContractPage(buyer, id), { category, subCategory }));
      const after = await getContractPage(buyer, id);
      expect(after.contract).toMatchObject({ category, subCategory });
      expect(after.contract!.text.split("\n")[0]).toBe(title);
    }
    expect((await getContractPage(buyer, id)).contract!.text).toContain("委托方委托研究开发方");
  });

  it("splits the price: the contract amount equals the technology amount plus the itemised parts, to the fen, else an error on contractAmount", async () => {
    const id = await dealFor("transfer");
    await saveContract(seller, id, null);
    const page = await getContractPage(seller, id);
    const items = [
      { label: "采摘设备", amount: 20_000_00 },
      { label: "材料", amount: 5_000_01 },
    ];
    await expect(
      saveContract(seller, id, draftInput(page, { contractAmount: 300_000_00, technologyAmount: 275_000_00, nonTechItems: items })),
    ).rejects.toSatisfy((e) => e instanceof ValidationError && e.fieldErrors.contractAmount?.[0] === "contracts.errors.amountMismatch");
    expect((await getContractPage(seller, id)).contract!.version).toBe(1);

    const v = await saveContract(
      seller,
      id,
      draftInput(page, { contractAmount: 300_000_00, technologyAmount: 274_999_99, nonTechItems: items }),
    );
    expect(v).toBe(2);
    const after = (await getContractPage(seller, id)).contract!;
    expect(after).toMatchObject({ contractAmount: 300_000_00, technologyAmount: 274_999_99, nonTechItems: items });
    expect(after.text).toContain("其中技术交易额：人民币 274999.99 元");
    expect(after.text).toContain("非技术性款项 · 材料：人民币 5000.01 元");
  });

  it("keeps every version with its author and time, and shows the diff between two versions", async () => {
    const id = await dealFor("transfer");
    await saveContract(seller, id, null);
    const page = await getContractPage(seller, id);
    const v2 = await saveContract(buyer, id, draftInput(page, { clauses: { disputes: "争议提交文山州仲裁委员会仲裁。" } }));
    expect(v2).toBe(2);
    // Saving the same text makes no new version.
    expect(await saveContract(buyer, id, draftInput(page, { clauses: { disputes: "争议提交文山州仲裁委员会仲裁。" } }))).toBe(2);
    const c = (await getContractPage(broker.roles.includes("admin") ? broker : admin, id)).contract!;
    expect(c.versions.map((v) => [v.number, v.authorName])).toEqual([
      [1, seller.name],
      [2, buyer.name],
    ]);
    const stored = await Contract.findOne({ deal: id }).lean();
    expect(stored!.versions[0]!.text).not.toContain("争议提交文山州仲裁委员会仲裁。");
    const diff = await contractDiff(seller, id, 1, 2);
    expect(diff).toContainEqual({ kind: "added", text: "争议提交文山州仲裁委员会仲裁。" });
    expect(diff.filter((l) => l.kind === "removed")).toHaveLength(1);
    expect(diff.find((l) => l.kind === "removed")!.text).toContain("协商解决");
    const audit = await AuditEvent.find({ subjectType: "contract", subject: c.id }).sort({ at: 1 }).lean();
    expect(audit.map((a) => a.action)).toEqual(["contract.draft", "contract.edit"]);
  });
});

describe("signing", () => {
  it("records each side's signature with the hash; an edit after the first signature voids it and tells both sides", async () => {
    const id = await dealFor("transfer", {}, null, entSeller);
    await saveContract(buyer, id, null);
    let c: NonNullable<Awaited<ReturnType<typeof getContractPage>>["contract"]>;
    await signContract(buyer, id, { version: 1, ip: "203.0.113.7" });
    c = (await getContractPage(buyer, id)).contract!;
    expect(c.signatures).toEqual([
      expect.objectContaining({
        side: "buyer",
        name: buyer.name,
        organizationName: "兴街镇三七种植专业合作社",
        ip: "203.0.113.7",
        textHash: c.textHash,
        version: 1,
      }),
    ]);
    await expect(signContract(buyer, id, { version: 1, ip: "x" })).rejects.toSatisfy(
      (e) => e instanceof ConflictError && e.message === "contracts.errors.alreadySigned",
    );

    await saveContract(entSeller, id, draftInput(await getContractPage(entSeller, id), { clauses: { confidentiality: "保密期限五年。" } }));
    c = (await getContractPage(buyer, id)).contract!;
    expect(c.version).toBe(2);
    expect(c.signatures).toEqual([]);
    expect(c.voidedSignatures).toEqual([expect.objectContaining({ side: "buyer", version: 1, voidedAt: expect.any(String) })]);
    const notes = await Notification.find({
      type: "contract.signatureVoided",
      "subject.id": (await Deal.findById(id).lean())!.listing,
    }).lean();
    expect(notes.map((x) => String(x.user)).sort()).toEqual([buyer.id, entSeller.id].sort());
    expect(notes[0]!.params).toMatchObject({ by: entSeller.name, version: "2" });

    // Signing an old version is refused: the signer must read the new one.
    await expect(signContract(buyer, id, { version: 1, ip: "x" })).rejects.toSatisfy(
      (e) => e instanceof ConflictError && e.message === "contracts.errors.staleVersion",
    );
  });

  it("when both sides signed: the contract is signed, the listing contracted, the text frozen", async () => {
    const id = await dealFor("transfer", {}, null, entSeller);
    const listing = String((await Deal.findById(id).lean())!.listing);
    await saveContract(entSeller, id, null);
    await signContract(entSeller, id, { version: 1, ip: "198.51.100.1" });
    expect((await Achievement.findById(listing).lean())!.status).toBe("deal");
    const res = await signContract(buyer, id, { version: 1, ip: "198.51.100.2" });
    expect(res).toEqual({ side: "buyer", signed: true });
    const c = (await getContractPage(buyer, id)).contract!;
    expect(c.status).toBe("signed");
    expect(c.signatures.map((s) => s.side).sort()).toEqual(["buyer", "seller"]);
    expect(c.signatures.every((s) => s.textHash === c.textHash)).toBe(true);
    expect((await Achievement.findById(listing).lean())!.status).toBe("contracted");
    const page = await getContractPage(buyer, id);
    expect(page.canEdit).toBe(false);
    await expect(saveContract(entSeller, id, draftInput(page, { clauses: { liability: "改" } }))).rejects.toSatisfy(
      (e) => e instanceof ConflictError && e.message === "contracts.errors.frozen",
    );
    expect(await Notification.countDocuments({ type: "contract.signed", "subject.id": listing })).toBe(2);
  });
});

describe("revenue distribution (县方案 §2)", () => {
  it("a university seller signs only with a plan giving the team at least 60%", async () => {
    const id = await dealFor("transfer");
    await saveContract(seller, id, null);
    const page = await getContractPage(seller, id);
    expect(page.needsDistribution).toBe(true);
    expect(page.inventors.map((i) => i.name)).toEqual(["王教授", "李博士"]);
    await expect(signContract(seller, id, { version: 1, ip: "x" })).rejects.toSatisfy(
      (e) => e instanceof ValidationError && e.fieldErrors.distribution?.[0] === "contracts.errors.distributionRequired",
    );
    await expect(
      signContract(seller, id, {
        version: 1,
        ip: "x",
        distribution: [
          { name: "王教授", percent: 40 },
          { name: "李博士", percent: 19.5 },
        ],
      }),
    ).rejects.toSatisfy((e) => e instanceof ValidationError && e.fieldErrors.distribution?.[0] === "contracts.errors.distributionBelow60");
    expect((await getContractPage(seller, id)).contract!.signatures).toEqual([]);
    await signContract(seller, id, { version: 1, ip: "x", distribution: plan });
    const c = (await getContractPage(buyer, id)).contract!;
    expect(c.distribution).toEqual(plan);
    expect(c.signatures.map((s) => s.side)).toEqual(["seller"]);
  });

  it("an enterprise seller signs without a plan", async () => {
    const id = await dealFor("transfer", {}, null, entSeller);
    await saveContract(entSeller, id, null);
    expect((await getContractPage(entSeller, id)).needsDistribution).toBe(false);
    await signContract(entSeller, id, { version: 1, ip: "x" });
    expect((await getContractPage(entSeller, id)).contract!.signatures).toHaveLength(1);
  });
});

describe("who may read and write the contract", () => {
  it("parties, their broker and admins write; the bureau reads; other brokers and outsiders learn nothing", async () => {
    const id = await dealFor("transfer");
    // The deal's broker: invited into the deal room of its listing and buyer.
    const room = await openRoom(buyer, { from: "deal", dealId: id });
    await inviteBroker(buyer, room, { email: "dealbroker@agency.cn" });
    await saveContract(dealBroker, id, null);
    const page = await getContractPage(admin, id);
    await saveContract(admin, id, draftInput(page, { clauses: { definitions: "管理员修改。" } }));
    expect((await getContractPage(bureau, id)).access).toBe("bureau");
    await expect(saveContract(bureau, id, draftInput(page))).rejects.toBeInstanceOf(ForbiddenError);
    await expect(signContract(dealBroker, id, { version: 2, ip: "x" })).rejects.toBeInstanceOf(ForbiddenError);
    await expect(signContract(bureau, id, { version: 2, ip: "x" })).rejects.toBeInstanceOf(ForbiddenError);
    for (const who of [outsider, broker]) {
      await expect(getContractPage(who, id)).rejects.toBeInstanceOf(NotFoundError);
      await expect(saveContract(who, id, null)).rejects.toBeInstanceOf(NotFoundError);
      await expect(signContract(who, id, { version: 2, ip: "x" })).rejects.toBeInstanceOf(NotFoundError);
    }
  });
});
