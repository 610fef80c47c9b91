import { Achievement } from "~/models/achievement.server.ts";
import { Demand } from "~/models/demand.server.ts";
import { User } from "~/models/user.server.ts";
import type { AchievementDataInput, DemandDataInput } from "~/schemas/listing.ts";
import { getSessionUserById } from "~/services/accounts/accounts.server.ts";
import { createAchievement, createDemand, setFeatured } from "~/services/listings/commands.server.ts";
import { transitionListing } from "~/services/listings/workflow.server.ts";
import { patentCheckChar } from "~/utils/patent.ts";
import { type Actor } from "~/services/kernel/actor.ts";

/**
 * Long (~460 lines) because it is data: the demo items written out one by one.
 *
 * Demo achievements and demands for 西畴县 and its neighbours, written the way the people there
 * would write them: researchers in their vocabulary, enterprises and cooperatives in theirs (the
 * matching issue depends on that gap). Idempotent by `externalId` (source "platform"). Long because
 * it is data: the demo catalogue reads best as one list next to the few helpers that publish it.
 */

/** A valid Chinese patent number: ZL + 12 digits + check character. */
export function patent(year: number, type: 1 | 2 | 3, serial: number): string {
  const digits = `${year}${type}${String(serial).padStart(7, "0")}`;
  return `ZL${digits}.${patentCheckChar(digits)}`;
}

type Stage = "draft" | "submitted" | "published" | "trading";
const yuan = (n: number) => n * 100;

interface SeedAchievement {
  key: string;
  by: string; // seller's email
  stage: Stage;
  featured?: boolean;
  data: AchievementDataInput;
}
interface SeedDemand {
  key: string;
  by: string;
  stage: Stage;
  data: DemandDataInput;
}

export const DEMO_ACHIEVEMENTS: SeedAchievement[] = [
  {
    key: "demo-A01",
    by: "sanqi@demo.chengguo.cn",
    stage: "trading",
    featured: true,
    data: {
      title: "三七根腐病生物防治菌剂及施用技术",
      summary: "以拮抗木霉与解淀粉芽孢杆菌复配的微生物菌剂，防治三七根腐病，田间防效 72% 以上，减少化学农药用量。",
      description:
        "针对三七连作条件下由腐皮镰刀菌、锈腐柱孢菌等引起的根腐病，筛选出拮抗木霉 T-21 与解淀粉芽孢杆菌 B-7，研制复配微生物菌剂及“土壤处理＋移栽蘸根＋生长期灌根”三段式施用技术。在文山、砚山、西畴等地连续三年田间试验，防效 72.4%–81.6%，存苗率提高 18 个百分点，化学农药用量减少 40%。已完成中试，菌剂有效活菌数≥2×10^9 CFU/g，货架期 12 个月。",
      field: "plateau-agriculture",
      keywords: ["三七", "根腐病", "生物防治", "木霉", "芽孢杆菌", "微生物菌剂"],
      ipType: "invention-patent",
      patentNumbers: [patent(2021, 1, 512873), patent(2022, 1, 104456)],
      trl: 7,
      transactionModes: ["license", "transfer"],
      licenseExclusivity: ["exclusive", "non-exclusive"],
      // 分项挂牌价 (issue 13, point 5): a non-exclusive licence can be bought by many cooperatives.
      price: { mode: "fixed" },
      prices: [
        { transactionMode: "transfer", amount: yuan(380_000) },
        { transactionMode: "license", licenseExclusivity: "exclusive", amount: yuan(260_000) },
        { transactionMode: "license", licenseExclusivity: "non-exclusive", amount: yuan(80_000) },
      ],
      inventors: [
        { name: "周博士", share: 40 },
        { name: "李红梅", share: 30 },
        { name: "王建国", share: 30 },
      ],
      region: "532601",
      fiscalFunding: { funded: true, project: "云南省重大科技专项（三七产业）" },
    },
  },
  {
    key: "demo-A02",
    by: "sanqi@demo.chengguo.cn",
    stage: "trading",
    featured: true,
    data: {
      title: "三七连作障碍土壤修复与轮作间隔缩短技术",
      summary: "通过土壤熏蒸、有益菌群重建与有机物料调理，将三七轮作间隔由 8–10 年缩短至 3–4 年。",
      description:
        "三七忌连作，种过三七的地块通常需间隔 8 年以上。本技术集成棉隆熏蒸、有益微生物群落重建和秸秆生物炭调理，配套土壤障碍因子快速检测方法，在西畴县兴街镇、文山市古木镇示范 320 亩，连作地块三七存苗率由 31% 提高到 78%。适合三七种植合作社、种植企业规模化应用。",
      field: "plateau-agriculture",
      keywords: ["三七", "连作障碍", "土壤修复", "轮作", "生物炭"],
      ipType: "invention-patent",
      patentNumbers: [patent(2020, 1, 877302)],
      trl: 6,
      transactionModes: ["license", "cooperation"],
      licenseExclusivity: ["non-exclusive"],
      price: { mode: "negotiable" },
      inventors: [{ name: "周博士" }, { name: "陈晓" }],
      region: "532601",
      fiscalFunding: { funded: true, project: "国家重点研发计划课题" },
    },
  },
  {
    key: "demo-A03",
    by: "seller@demo.chengguo.cn",
    stage: "trading",
    featured: true,
    data: {
      title: "喀斯特石漠化区花椒—金银花复合植被恢复模式",
      summary: "适用于西畴“六子登科”石漠化治理的经济林植被恢复技术，三年覆盖度提升至 65%。",
      description:
        "面向岩溶山区石漠化治理，集成“炸石造地＋鱼鳞坑整地＋花椒、金银花、任豆混交”模式与保水剂、穴状覆盖技术。在西畴县蚌谷乡、法斗乡示范 1,200 亩，三年植被覆盖度由 18% 提高到 65%，亩均经济收益 2,400 元。提供整地、苗木配置、抚育管护技术规程。",
      field: "eco-environment",
      keywords: ["石漠化治理", "植被恢复", "花椒", "金银花", "岩溶", "喀斯特"],
      ipType: "trade-secret",
      trl: 8,
      transactionModes: ["cooperation", "license"],
      licenseExclusivity: ["non-exclusive"],
      price: { mode: "fixed", amount: yuan(150_000) },
      inventors: [
        { name: "张教授", share: 60 },
        { name: "杨帆", share: 40 },
      ],
      region: "532623",
      fiscalFunding: { funded: true, project: "云南省石漠化综合治理科技示范项目" },
    },
  },
  {
    key: "demo-A04",
    by: "seller2@demo.chengguo.cn",
    stage: "trading",
    featured: true,
    data: {
      title: "高山绿茶清洁化连续加工生产线工艺",
      summary: "杀青、揉捻、烘干连续化并以电代柴，单线日处理鲜叶 3 吨，品质稳定、能耗降低 35%。",
      description:
        "针对山区小茶厂柴火杀青、手工揉捻导致品质不稳、卫生难达标的问题，研制滚筒电磁杀青—连续揉捻—链板烘干的清洁化生产线工艺参数与配套设备选型方案，已在文山州 4 家茶厂应用。成品茶感官评分提高 4.2 分，农残与卫生指标符合出口要求。",
      field: "food-processing",
      keywords: ["茶叶加工", "清洁化", "连续化生产线", "绿茶", "电磁杀青"],
      ipType: "utility-model",
      patentNumbers: [patent(2022, 2, 318840), patent(2022, 2, 318841)],
      trl: 8,
      transactionModes: ["transfer", "license"],
      licenseExclusivity: ["sole", "non-exclusive"],
      price: { mode: "fixed", amount: yuan(260_000) },
      inventors: [
        { name: "刘研究员", share: 50 },
        { name: "段志强", share: 50 },
      ],
      region: "530103",
      fiscalFunding: { funded: false },
    },
  },
  {
    key: "demo-A05",
    by: "seller@demo.chengguo.cn",
    stage: "published",
    data: {
      title: "山地丘陵小型履带式多功能农机",
      summary: "适合 25° 以下坡地的微耕、开沟、施肥、运输一体化履带底盘，整机 280 kg。",
      description:
        "针对文山州坡地多、地块碎的特点，设计低重心橡胶履带底盘与快换农具接口，可挂接旋耕、开沟、施肥和运输模块，爬坡能力 25°，作业效率为人工的 8 倍。样机已通过田间小试，正在寻求农机企业合作开展中试与量产。",
      field: "advanced-manufacturing",
      keywords: ["山地农机", "履带底盘", "微耕机", "坡地", "农业机械化"],
      ipType: "utility-model",
      patentNumbers: [patent(2023, 2, 45120)],
      trl: 5,
      transactionModes: ["cooperation", "equity"],
      price: { mode: "negotiable" },
      inventors: [{ name: "张教授" }, { name: "罗成" }],
      region: "532601",
      fiscalFunding: { funded: false },
    },
  },
  {
    key: "demo-A06",
    by: "seller2@demo.chengguo.cn",
    stage: "trading",
    data: {
      title: "辣椒主要病虫害绿色防控集成技术",
      summary: "以抗病品种、性诱剂、防虫网与生物农药为核心，辣椒疫病与烟青虫为害降低 60% 以上。",
      description:
        "集成抗疫病辣椒品种“滇椒 13 号”、高垄覆膜栽培、烟青虫性信息素诱捕、枯草芽孢杆菌灌根和精准用药技术规程，在丘北、广南、西畴示范 5,000 亩，化学农药使用次数减少 4 次，亩增收 600 元。",
      field: "plateau-agriculture",
      keywords: ["辣椒", "病虫害", "绿色防控", "疫病", "性诱剂"],
      ipType: "plant-variety",
      trl: 8,
      transactionModes: ["license"],
      licenseExclusivity: ["non-exclusive"],
      price: { mode: "auction", amount: yuan(80_000) },
      inventors: [{ name: "刘研究员" }],
      region: "532626",
      fiscalFunding: { funded: true, project: "云南省现代农业产业技术体系" },
    },
  },
  {
    key: "demo-A07",
    by: "sanqi@demo.chengguo.cn",
    stage: "published",
    data: {
      title: "三七花茶低温干燥与保色工艺",
      summary: "采用变温热泵干燥与护色处理，三七花皂苷保留率 92%，色泽翠绿，可规模化加工。",
      description:
        "三七花传统晒干易褐变、皂苷损失大。本工艺采用 45→55℃ 变温热泵干燥、护色漂烫与真空包装，皂苷保留率 92%、复水比 4.6，已完成 500 kg 级中试，适合食品加工企业开发三七花茶、三七花饮品。",
      field: "food-processing",
      keywords: ["三七花", "干燥", "热泵", "保色", "花茶"],
      ipType: "invention-patent",
      patentNumbers: [patent(2021, 1, 390021)],
      trl: 6,
      transactionModes: ["transfer", "license"],
      licenseExclusivity: ["exclusive"],
      price: { mode: "fixed", amount: yuan(120_000) },
      inventors: [{ name: "周博士" }, { name: "黄丽" }],
      region: "532601",
      fiscalFunding: { funded: false },
    },
  },
  {
    key: "demo-A08",
    by: "seller@demo.chengguo.cn",
    stage: "published",
    data: {
      title: "中药材种植全过程质量追溯系统",
      summary: "基于一物一码的种植、采收、加工、流通追溯平台，支持合作社手机端记录农事。",
      description:
        "为三七、重楼、白及等中药材提供地块档案、农事记录、投入品管理、采收批次与检测报告关联、扫码溯源功能；支持离线记录、国产数据库部署，已在 2 家合作社试运行。",
      field: "info-tech",
      keywords: ["质量追溯", "中药材", "一物一码", "农事记录", "溯源"],
      ipType: "software-copyright",
      trl: 7,
      transactionModes: ["license", "cooperation"],
      licenseExclusivity: ["non-exclusive"],
      price: { mode: "fixed", amount: yuan(50_000) },
      inventors: [{ name: "张教授" }],
      region: "532601",
      fiscalFunding: { funded: false },
    },
  },
  {
    key: "demo-A09",
    by: "seller2@demo.chengguo.cn",
    stage: "published",
    data: {
      title: "农光互补光伏板下耐阴作物种植模式",
      summary: "光伏阵列下种植魔芋、食用菌等耐阴作物，土地综合收益提高 1.8 倍。",
      description:
        "依据板下光照分布，筛选魔芋、羊肚菌、黄精等耐阴作物，配套滴灌和清洗水回用方案，已在董马乡光伏电站开展 200 亩试验，亩产值 6,800 元。",
      field: "new-energy",
      keywords: ["农光互补", "光伏", "魔芋", "耐阴作物", "食用菌"],
      ipType: "none",
      trl: 6,
      transactionModes: ["cooperation"],
      price: { mode: "negotiable" },
      region: "532623",
      fiscalFunding: { funded: false },
    },
  },
  {
    key: "demo-A10",
    by: "seller@demo.chengguo.cn",
    stage: "published",
    data: {
      title: "岩溶山区雨水集蓄与坡面水窖节水灌溉技术",
      summary: "石漠化山区屋面和坡面集雨、水窖蓄水与重力滴灌结合，解决季节性缺水。",
      description:
        "提供小型水窖选址、防渗结构、沉沙过滤和重力滴灌系统设计图集，单窖 30 m³ 可保障 3 亩经济林旱季灌溉，已在西畴县建成示范窖 46 口。",
      field: "eco-environment",
      keywords: ["雨水集蓄", "水窖", "节水灌溉", "石漠化", "滴灌"],
      ipType: "utility-model",
      patentNumbers: [patent(2019, 2, 772310)],
      trl: 9,
      transactionModes: ["license", "transfer"],
      licenseExclusivity: ["non-exclusive"],
      price: { mode: "fixed", amount: yuan(30_000) },
      region: "532623",
      fiscalFunding: { funded: true, project: "西畴县科技计划项目" },
    },
  },
  {
    key: "demo-A11",
    by: "sanqi@demo.chengguo.cn",
    stage: "submitted",
    data: {
      title: "三七总皂苷高效提取纯化工艺",
      summary: "大孔树脂—膜分离联用，总皂苷得率提高 12%，溶剂消耗下降 30%。",
      description: "提取、纯化工艺参数与质量标准草案，已完成小试，需中试放大合作。",
      field: "biomedicine",
      keywords: ["三七总皂苷", "提取", "纯化", "大孔树脂", "膜分离"],
      ipType: "invention-patent",
      patentNumbers: [patent(2023, 1, 660218)],
      trl: 5,
      transactionModes: ["transfer", "cooperation"],
      price: { mode: "negotiable" },
      region: "532601",
      fiscalFunding: { funded: false },
    },
  },
  {
    key: "demo-A12",
    by: "seller@demo.chengguo.cn",
    stage: "draft",
    data: {
      title: "魔芋软腐病快速检测试纸条",
      summary: "田间 15 分钟检出魔芋软腐病菌，便于早期剔除病株。",
      description: "基于重组酶聚合酶扩增与侧流层析，检测限 10^3 CFU/mL，正在优化稳定性。",
      field: "biomedicine",
      keywords: ["魔芋", "软腐病", "快速检测", "试纸条"],
      ipType: "none",
      trl: 3,
      transactionModes: ["cooperation"],
      price: { mode: "negotiable" },
      region: "532601",
      fiscalFunding: { funded: false },
    },
  },
];

export const DEMO_DEMANDS: SeedDemand[] = [
  {
    key: "demo-D01",
    by: "buyer@demo.chengguo.cn",
    stage: "published",
    data: {
      title: "三七地块连年种植烂根死苗严重，求治理办法",
      description:
        "我们合作社在兴街镇有 260 亩三七地，换地越来越难，老地块再种三七第二年就大片烂根、死苗，用过几种药效果都不好。希望找到能让老地块重新种三七、又不过量用农药的技术，最好有人来地里指导。",
      field: "plateau-agriculture",
      keywords: ["三七", "烂根", "死苗", "老地块"],
      budget: { max: yuan(400_000) },
      transactionModes: ["license", "cooperation"],
      minTrl: 6,
      region: "532623102",
    },
  },
  {
    key: "demo-D02",
    by: "tea@demo.chengguo.cn",
    stage: "published",
    data: {
      title: "小茶厂想把烧柴炒茶改成用电，品质要稳定",
      description:
        "法斗乡茶厂现在用柴火炒茶，每批茶口感不一样，卫生检查也过不了。想上一条用电的加工线，一天能处理两三吨鲜叶，要适合山区小厂的投资规模。",
      field: "food-processing",
      keywords: ["炒茶", "用电", "加工线", "茶厂"],
      budget: { min: yuan(100_000), max: yuan(300_000) },
      transactionModes: ["transfer", "license"],
      minTrl: 7,
      region: "532623205",
    },
  },
  {
    key: "demo-D03",
    by: "eco@demo.chengguo.cn",
    stage: "published",
    data: {
      title: "石头山上种树成活率低，需要既能治理又有收益的办法",
      description:
        "公司承接了西洒镇一片石漠化山地的治理工程，土少石头多，去年种的树成活不到一半。需要适合本地的树种搭配和整地方法，最好种的东西几年后能卖钱，让农户愿意管护。",
      field: "eco-environment",
      keywords: ["石漠化", "种树", "成活率", "经济林"],
      budget: { max: yuan(200_000) },
      transactionModes: ["cooperation", "license"],
      minTrl: 6,
      region: "532623101",
    },
  },
  {
    key: "demo-D04",
    by: "food@demo.chengguo.cn",
    stage: "published",
    data: {
      title: "开发三七花饮品，晒干的三七花颜色发黑",
      description:
        "我们想做三七花茶和三七花饮料，现在收来的三七花晒干后发黑发褐，卖相不好，有效成分听说也损失不少。需要能批量加工、颜色好看的干燥技术。",
      field: "food-processing",
      keywords: ["三七花", "发黑", "干燥", "饮品"],
      budget: { max: yuan(150_000) },
      transactionModes: ["transfer", "license"],
      minTrl: 5,
      region: "532623202",
    },
  },
  {
    key: "demo-D05",
    by: "buyer@demo.chengguo.cn",
    stage: "published",
    data: {
      title: "坡地耕作全靠人工，求适合陡坡的小型农机",
      description: "合作社的地大多在山坡上，大型拖拉机上不去，微耕机在坡上容易翻。想找能在坡地开沟、施肥、拉东西的小机器。",
      field: "advanced-manufacturing",
      keywords: ["坡地", "农机", "开沟", "施肥"],
      budget: { max: yuan(80_000) },
      transactionModes: ["cooperation", "transfer"],
      minTrl: 6,
      region: "532623102",
    },
  },
  {
    key: "demo-D06",
    by: "sanqi@demo.chengguo.cn",
    stage: "published",
    data: {
      title: "三七种植基地需要可追溯管理系统",
      description: "研究院的种植基地要对接药企采购，药企要求每批三七能查到种植、用药和采收记录，需要一套手机上就能记录的追溯系统。",
      field: "info-tech",
      keywords: ["追溯", "三七", "种植记录", "药企"],
      budget: { max: yuan(60_000) },
      transactionModes: ["license"],
      minTrl: 7,
      region: "532601",
    },
  },
  {
    key: "demo-D07",
    by: "eco@demo.chengguo.cn",
    stage: "submitted",
    data: {
      title: "山区旱季缺水，经济林灌溉难",
      description: "治理区的花椒和金银花旱季缺水严重，山上没有水源，需要低成本的蓄水灌溉办法。",
      field: "eco-environment",
      keywords: ["缺水", "灌溉", "旱季", "蓄水"],
      budget: { max: yuan(50_000) },
      transactionModes: ["license", "transfer"],
      minTrl: 7,
      region: "532623101",
    },
  },
];

async function actor(email: string): Promise<Actor> {
  const user = await User.findOne({ email }, { _id: 1 }).lean();
  if (!user) throw new Error(`seed user ${email} is missing: seed the users first`);
  return (await getSessionUserById(String(user._id)))!;
}

async function advance(kind: "achievement" | "demand", id: string, owner: Actor, broker: Actor, stage: Stage, index: number) {
  if (stage === "draft") return;
  // Submitted some weeks ago, staggered, so lists have an order. Trading items were published the
  // next day and passed 公示 long ago; published items were approved in the last days and are on
  // 公示 now (the demo shows 公示中 with its end date; the listings.notice-end job opens them when it ends).
  const submittedAt = new Date(Date.now() - (40 - index) * 86_400_000);
  await transitionListing(owner, kind, id, "submit", { now: submittedAt });
  if (stage === "submitted") return;
  const publishedAt =
    stage === "trading" ? new Date(submittedAt.getTime() + 86_400_000) : new Date(Date.now() - ((index % 10) + 1) * 86_400_000);
  await transitionListing(broker, kind, id, "approve", { now: publishedAt });
  if (stage === "trading") await transitionListing(owner, kind, id, "startTrading");
}

/** Creates the demo listings that do not exist yet and moves them to their stage. */
export async function seedDemoListings(log: (msg: string) => void = () => {}) {
  const broker = await actor("broker@demo.chengguo.cn");
  const admin = await actor("admin@demo.chengguo.cn");
  let created = 0;
  for (const [i, a] of DEMO_ACHIEVEMENTS.entries()) {
    if (await Achievement.exists({ source: "platform", externalId: a.key })) continue;
    const owner = await actor(a.by);
    const id = await createAchievement(owner, a.data);
    await Achievement.updateOne({ _id: id }, { $set: { externalId: a.key } });
    await advance("achievement", id, owner, broker, a.stage, i);
    if (a.featured) await setFeatured(admin, "achievement", id, true);
    created++;
  }
  for (const [i, d] of DEMO_DEMANDS.entries()) {
    if (await Demand.exists({ source: "platform", externalId: d.key })) continue;
    const owner = await actor(d.by);
    const id = await createDemand(owner, d.data);
    await Demand.updateOne({ _id: id }, { $set: { externalId: d.key } });
    await advance("demand", id, owner, broker, d.stage, i);
    created++;
  }
  log(`listings: ${DEMO_ACHIEVEMENTS.length} achievements, ${DEMO_DEMANDS.length} demands (${created} new)`);
  return { achievements: await Achievement.countDocuments(), demands: await Demand.countDocuments() };
}
