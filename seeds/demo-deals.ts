import { Achievement } from "~/models/achievement.server.ts";
import { Contract } from "~/models/contract.server.ts";
import { DealRefund } from "~/models/deal-refund.server.ts";
import { DealStage } from "~/models/deal-stage.server.ts";
import { Payout } from "~/models/payout.server.ts";
import { User } from "~/models/user.server.ts";
import type { AchievementDataInput } from "~/schemas/listing.ts";
import type { CardTermsInput } from "~/schemas/deal-rooms.ts";
import type { DistributionShare } from "~/schemas/contract.ts";
import { getSessionUserById } from "~/services/accounts/accounts.server.ts";
import { saveContract, signContract } from "~/services/contracts/commands.server.ts";
import type { Actor } from "~/services/kernel/actor.ts";
import { createAchievement } from "~/services/listings/commands.server.ts";
import { transitionListing } from "~/services/listings/workflow.server.ts";
import { inviteBroker } from "~/services/rooms/brokers.server.ts";
import { proposeCard, respondToCard } from "~/services/rooms/cards.server.ts";
import { openRoom } from "~/services/rooms/open.server.ts";
import { confirmCancellation, proposeCancellation, recordBankRefund } from "~/services/settlement/cancel.server.ts";
import { recordBankPayout } from "~/services/settlement/payouts.server.ts";
import { recordBankReceipt } from "~/services/settlement/receipts.server.ts";
import { fenToYuanText } from "~/utils/money.ts";
import { patent } from "./demo-listings.ts";
import { pdfBytes } from "./trading-fixtures.ts";

/**
 * Demo deals in each stage of a technology contract (issue 14, point 12), made the way people make
 * them: the buyer opens a deal room on a listing of its own, invites the demo broker, puts an offer
 * card with payment milestones on the table and the seller accepts; then the contract and the money
 * move through the same services the pages call.
 *
 * - demo-C01 being drafted: the template's version 1 and the broker's version 2 (non-technical
 *   items split out, a clause edited), so the diff shows; nobody has signed.
 * - demo-C02 signed, half paid: 首付款 received by bank transfer and recorded by the admin with its
 *   slip; the 尾款 is due (the buyer can pay it by card on the local Stripe page).
 * - demo-C03 paid out: both stages received by bank transfer, the seller's share and the broker's
 *   commission (3% of ¥150,000 = ¥4,500) paid out by bank and recorded with proof.
 * - demo-C04 cancelled with a refund: 首付款 received, then cancelled by agreement and the money
 *   returned by a bank transfer the admin recorded.
 *
 * Idempotent by the listing's `externalId`: a deal whose listing exists is not made again.
 */

type DemoStage = "drafting" | "half-paid" | "paid-out" | "cancelled";

interface DemoDeal {
  key: string;
  stage: DemoStage;
  seller: string;
  buyer: string;
  listing: AchievementDataInput;
  terms: CardTermsInput;
  /** The inventors' plan when the seller is a university or institute (at least 60% to the team). */
  distribution?: DistributionShare[];
}

const yuan = (n: number) => n * 100;
const BROKER = "broker@demo.chengguo.cn";

export const DEMO_DEALS: DemoDeal[] = [
  {
    key: "demo-C01",
    stage: "drafting",
    seller: "sanqi@demo.chengguo.cn",
    buyer: "food@demo.chengguo.cn",
    listing: {
      title: "三七花茶低温冻干与无菌包装技术",
      summary: "三七花低温真空冷冻干燥、护色和无菌小包装成套工艺，花形完整率 95% 以上，皂苷保留率提高 30%。",
      description:
        "针对三七花热风烘干易褐变、有效成分损失大的问题，研究院开发了预冻—升华—解析三段冻干曲线与护色处理，配套洁净车间无菌小包装工艺。在文山两家加工厂中试，每批 300 kg 鲜花，成品花形完整率 95.8%，总皂苷保留率较热风烘干提高 31%，货架期 18 个月。",
      field: "food-processing",
      keywords: ["三七花", "冻干", "护色", "无菌包装"],
      ipType: "invention-patent",
      patentNumbers: [patent(2023, 1, 318207)],
      trl: 7,
      transactionModes: ["license"],
      licenseExclusivity: ["non-exclusive"],
      price: { mode: "fixed", amount: yuan(80_000) },
      inventors: [
        { name: "周博士", share: 50 },
        { name: "罗丽", share: 50 },
      ],
      region: "532601",
    },
    terms: {
      price: "80000",
      transactionMode: "license",
      licenseExclusivity: "non-exclusive",
      territory: "云南省文山州",
      termMonths: "36",
      milestones: [
        { title: "入门费（合同生效后）", amount: "30000", dueInDays: "15" },
        { title: "中试验收合格", amount: "50000", dueInDays: "120" },
      ],
      note: "含现场指导两次",
    },
  },
  {
    key: "demo-C02",
    stage: "half-paid",
    seller: "seller@demo.chengguo.cn",
    buyer: "buyer@demo.chengguo.cn",
    listing: {
      title: "三七种苗漂浮育苗与脱毒快繁技术",
      summary: "漂浮育苗盘与组培脱毒结合，三七种苗出苗率 92%，带病率降到 3% 以下，育苗周期缩短两个月。",
      description:
        "文山学院团队将组织培养脱毒与漂浮育苗结合：种子经消毒和层积处理后在漂浮盘中出苗，再以脱毒组培苗扩繁。兴街镇合作社两年试点，出苗率 92.3%，种苗带病率 2.6%，每亩种苗成本下降 18%。技术包括育苗基质配方、营养液管理和病害监测规程。",
      field: "plateau-agriculture",
      keywords: ["三七", "种苗", "漂浮育苗", "脱毒", "组培"],
      ipType: "invention-patent",
      patentNumbers: [patent(2022, 1, 640519)],
      trl: 7,
      transactionModes: ["transfer"],
      price: { mode: "fixed", amount: yuan(120_000) },
      inventors: [
        { name: "张教授", share: 60 },
        { name: "杨帆", share: 40 },
      ],
      region: "532601",
    },
    terms: {
      price: "120000",
      transactionMode: "transfer",
      milestones: [{ title: "首付款（合同生效后）", amount: "60000", dueInDays: "10" }],
    },
    distribution: [
      { name: "张教授", percent: 42 },
      { name: "杨帆", percent: 28 },
    ],
  },
  {
    key: "demo-C03",
    stage: "paid-out",
    seller: "seller2@demo.chengguo.cn",
    buyer: "eco@demo.chengguo.cn",
    listing: {
      title: "石漠化坡地花椒—牧草复合种植技术",
      summary: "花椒与耐旱牧草间作、鱼鳞坑保水和生物篱护坡，石漠化坡地植被覆盖率三年提高到 65%。",
      description:
        "农科院在西畴、麻栗坡石漠化片区集成花椒—牧草复合种植：鱼鳞坑整地保水，花椒行间种植耐旱牧草，坡面布设生物篱。三年监测，植被覆盖率由 21% 提高到 65%，水土流失量下降 58%，每亩年收益 2,300 元。",
      field: "eco-environment",
      keywords: ["石漠化", "花椒", "牧草", "水土保持", "坡地"],
      ipType: "invention-patent",
      patentNumbers: [patent(2021, 1, 207734)],
      trl: 8,
      transactionModes: ["transfer"],
      price: { mode: "fixed", amount: yuan(150_000) },
      inventors: [
        { name: "刘研究员", share: 70 },
        { name: "马骏", share: 30 },
      ],
      region: "530103",
    },
    terms: {
      price: "150000",
      transactionMode: "transfer",
      milestones: [{ title: "首付款（合同生效后）", amount: "50000", dueInDays: "10" }],
    },
    distribution: [
      { name: "刘研究员", percent: 50 },
      { name: "马骏", percent: 20 },
    ],
  },
  {
    key: "demo-C04",
    stage: "cancelled",
    seller: "tea@demo.chengguo.cn",
    buyer: "food@demo.chengguo.cn",
    listing: {
      title: "高山绿茶揉捻杀青连续化生产线改造方案",
      summary: "把单机杀青、揉捻改成连续化生产线，日加工鲜叶 3 吨，人工减少一半，茶叶品质更稳定。",
      description:
        "茶业公司在法斗乡自有茶厂完成的改造：滚筒杀青机、揉捻机组和输送冷却段联动，配套温度与时间的自动控制。改造后日加工鲜叶 3 吨，每吨用工由 6 人降到 3 人，成品一级率由 62% 提高到 80%。提供设备选型、布局图纸和工艺参数。",
      field: "advanced-manufacturing",
      keywords: ["茶叶", "杀青", "揉捻", "连续化", "生产线"],
      ipType: "utility-model",
      patentNumbers: [patent(2024, 2, 115903)],
      trl: 8,
      transactionModes: ["transfer"],
      price: { mode: "fixed", amount: yuan(50_000) },
      region: "532623205",
    },
    terms: {
      price: "50000",
      transactionMode: "transfer",
      milestones: [{ title: "首付款（合同生效后）", amount: "20000", dueInDays: "10" }],
    },
  },
];

async function actor(email: string): Promise<Actor> {
  const user = await User.findOne({ email }, { _id: 1 }).lean();
  if (!user) throw new Error(`seed user ${email} is missing: seed the users first`);
  return (await getSessionUserById(String(user._id)))!;
}

const slip = (what: string) => ({ filename: `${what}.pdf`, bytes: pdfBytes(what) });
/** Today in Beijing as YYYY-MM-DD, the form of a bank statement's value date. */
const chinaToday = () => new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);

/** The deal of one demo listing: a room, the broker invited, a card with the terms accepted by the seller. */
async function agreeDeal(d: DemoDeal, seller: Actor, buyer: Actor, broker: Actor): Promise<string> {
  const listingId = await createAchievement(seller, d.listing);
  await Achievement.updateOne({ _id: listingId }, { $set: { externalId: d.key } });
  // Published three weeks ago: the 公示 is over and the listing is trading.
  const past = new Date(Date.now() - 21 * 86_400_000);
  await transitionListing(seller, "achievement", listingId, "submit", { now: past });
  await transitionListing(broker, "achievement", listingId, "approve", { now: new Date(past.getTime() + 86_400_000) });
  await transitionListing(seller, "achievement", listingId, "startTrading");
  const roomId = await openRoom(buyer, { from: "listing", listingId });
  await inviteBroker(buyer, roomId, { email: BROKER });
  const card = await proposeCard(buyer, roomId, { terms: d.terms });
  const { dealId } = await respondToCard(seller, roomId, { action: "accept", cardId: card.id });
  if (!dealId) throw new Error(`demo deal ${d.key}: the card was accepted without a deal`);
  return dealId;
}

async function sign(d: DemoDeal, dealId: string, seller: Actor, buyer: Actor): Promise<void> {
  await saveContract(seller, dealId, null);
  await signContract(seller, dealId, { version: 1, ip: "10.20.30.41", distribution: d.distribution ?? null });
  await signContract(buyer, dealId, { version: 1, ip: "10.20.30.42" });
}

/** The admin records the bank transfer that paid stage `number` in full. */
async function receive(admin: Actor, dealId: string, number: number, key: string): Promise<void> {
  const stage = await DealStage.findOne({ deal: dealId, number }, { reference: 1, amount: 1 }).lean();
  if (!stage) throw new Error(`demo deal ${key}: no stage ${number}`);
  await recordBankReceipt(
    admin,
    { reference: stage.reference, amount: fenToYuanText(stage.amount), receivedOn: chinaToday(), bankRef: `${key}-IN-${number}` },
    slip(`${key} 第${number}期 进账单`),
  );
}

async function seedDeal(d: DemoDeal, admin: Actor, broker: Actor): Promise<void> {
  const [seller, buyer] = await Promise.all([actor(d.seller), actor(d.buyer)]);
  const dealId = await agreeDeal(d, seller, buyer, broker);
  if (d.stage === "drafting") {
    await saveContract(seller, dealId, null);
    // The broker's second version: the training materials split out of 技术交易额, the acceptance clause sharpened.
    const c = (await Contract.findOne({ deal: dealId }).lean())!;
    const item = yuan(6_000);
    const clauses = c.clauses as Record<string, string>;
    await saveContract(broker, dealId, {
      category: c.category,
      subCategory: c.subCategory,
      contractAmount: c.contractAmount,
      technologyAmount: c.contractAmount - item,
      nonTechItems: [{ label: "冻干试验耗材及包装材料", amount: item }],
      clauses: {
        deliverables: `${clauses.deliverables ?? ""}\n中试验收以连续三批、每批不少于 300 kg 鲜花的冻干成品为准，花形完整率不低于 95%。`,
      },
    });
    return;
  }
  await sign(d, dealId, seller, buyer);
  await receive(admin, dealId, 1, d.key);
  if (d.stage === "half-paid") return;
  if (d.stage === "paid-out") {
    await receive(admin, dealId, 2, d.key);
    const payouts = await Payout.find({ deal: dealId, status: "owed" }, { _id: 1 }).sort({ _id: 1 }).lean();
    for (const [i, p] of payouts.entries()) {
      await recordBankPayout(admin, String(p._id), {
        bankRef: `${d.key}-OUT-${i + 1}`,
        paidAt: new Date(),
        proof: slip(`${d.key} 付款回单 ${i + 1}`),
      });
    }
    return;
  }
  // Cancelled by agreement before anything was delivered: the buyer asks, the seller agrees, the admin returns the money.
  await proposeCancellation(buyer, dealId, "合作社今年的加工厂扩建推迟，双方协商解除合同");
  await confirmCancellation(seller, dealId);
  const refunds = await DealRefund.find({ deal: dealId, status: "due" }, { _id: 1 }).lean();
  for (const r of refunds) {
    await recordBankRefund(admin, String(r._id), { bankRef: `${d.key}-REFUND`, paidOn: new Date(), proof: slip(`${d.key} 退款回单`) });
  }
}

/** Creates the demo deals whose listing does not exist yet. */
export async function seedDemoDeals(log: (msg: string) => void = () => {}) {
  const [admin, broker] = await Promise.all([actor("admin@demo.chengguo.cn"), actor(BROKER)]);
  let created = 0;
  for (const d of DEMO_DEALS) {
    if (await Achievement.exists({ source: "platform", externalId: d.key })) continue;
    await seedDeal(d, admin, broker);
    created++;
  }
  log(`deals: ${DEMO_DEALS.length} in each stage of a contract (${created} new)`);
}
