import { Commissioner } from "~/models/commissioner.server.ts";
import { CommissionerActivity } from "~/models/commissioner-activity.server.ts";
import { CommissionerAssignment } from "~/models/commissioner-assignment.server.ts";
import { Organization } from "~/models/organization.server.ts";
import { User } from "~/models/user.server.ts";
import { currentYear } from "~/services/commissioners/queries.server.ts";
import { chinaToday, DAY_MS } from "~/utils/china-time.ts";
import type { ActivityKind, AssignmentTargetType } from "~/utils/commissioners.ts";
import { regionName } from "~/utils/regions.server.ts";
import type { Field } from "~/utils/taxonomy.ts";

/**
 * Demo 科技特派员 (issue 15, points 7 and 11): twelve commissioners from the prefecture's and the
 * province's institutions, this year's assignments to demo organisations and to villages in
 * 西畴县's towns, and a few activity entries each (dated before today). One of them, 农科院
 * 刘研究员, is linked to the demo account seller2@ and can log their own activity. Names are
 * illustrative. Changes nothing when run again: a commissioner is found by name and unit, and
 * gets assignments (activity) only when they have none this year (none at all).
 */
type Place = { org: string } | { place: string; town: string };
const DEMO_COMMISSIONERS: {
  name: string;
  unit: string;
  field: Field;
  phone?: string;
  account?: string;
  assign: { type: AssignmentTargetType; to: Place }[];
  activity: { kind: ActivityKind; daysAgo: number; town: string; people: number; note: string }[];
}[] = [
  {
    name: "刘建华",
    unit: "云南省农业科学院",
    field: "plateau-agriculture",
    account: "seller2@demo.chengguo.cn",
    assign: [{ type: "cooperative", to: { org: "西畴县兴街镇三七种植专业合作社" } }],
    activity: [
      { kind: "training", daysAgo: 40, town: "532623102", people: 56, note: "三七林下种植与病害绿色防控培训" },
      { kind: "advice", daysAgo: 12, town: "532623102", people: 8, note: "合作社基地根腐病现场诊断" },
    ],
  },
  {
    name: "陈晓梅",
    unit: "文山学院",
    field: "food-processing",
    phone: "0876-2123401",
    assign: [{ type: "enterprise", to: { org: "西畴县莲花塘乡特色食品加工有限公司" } }],
    activity: [
      { kind: "advice", daysAgo: 33, town: "532623202", people: 12, note: "魔芋精粉加工工艺改进指导" },
      { kind: "trial", daysAgo: 20, town: "532623202", people: 15, note: "低糖果脯小试示范" },
    ],
  },
  {
    name: "王志强",
    unit: "文山三七研究院",
    field: "biomedicine",
    assign: [{ type: "village", to: { place: "兴街镇岩头村", town: "532623102" } }],
    activity: [{ kind: "training", daysAgo: 55, town: "532623102", people: 80, note: "三七规范化种植（GAP）培训" }],
  },
  {
    name: "杨丽",
    unit: "云南农业大学",
    field: "plateau-agriculture",
    assign: [{ type: "enterprise", to: { org: "西畴县法斗乡高山茶业有限公司" } }],
    activity: [
      { kind: "trial", daysAgo: 70, town: "532623205", people: 25, note: "高山茶园有机肥替代化肥试验" },
      { kind: "training", daysAgo: 18, town: "532623205", people: 42, note: "茶园春季修剪与采摘技术培训" },
    ],
  },
  {
    name: "李国平",
    unit: "云南省农业科学院",
    field: "eco-environment",
    assign: [
      { type: "enterprise", to: { org: "西畴县石漠化治理生态科技有限公司" } },
      { type: "village", to: { place: "西洒镇岩头村", town: "532623101" } },
    ],
    activity: [{ kind: "trial", daysAgo: 60, town: "532623101", people: 30, note: "石漠化坡地花椒—牧草复合种植示范" }],
  },
  {
    name: "张晓东",
    unit: "文山学院",
    field: "new-energy",
    assign: [{ type: "enterprise", to: { org: "西畴县董马乡光伏新能源有限公司" } }],
    activity: [{ kind: "advice", daysAgo: 25, town: "532623206", people: 6, note: "农光互补电站运维技术指导" }],
  },
  {
    name: "黄海燕",
    unit: "文山州农业科学院",
    field: "plateau-agriculture",
    assign: [{ type: "village", to: { place: "蚌谷乡木者村", town: "532623201" } }],
    activity: [
      { kind: "training", daysAgo: 45, town: "532623201", people: 64, note: "玉米—大豆带状复合种植培训" },
      { kind: "advice", daysAgo: 9, town: "532623201", people: 10, note: "秋冬种田间管理指导" },
    ],
  },
  {
    name: "周明",
    unit: "文山三七研究院",
    field: "biomedicine",
    assign: [{ type: "cooperative", to: { place: "新马街乡中药材种植专业合作社", town: "532623203" } }],
    activity: [{ kind: "trial", daysAgo: 80, town: "532623203", people: 20, note: "重楼林下仿野生种植示范" }],
  },
  {
    name: "赵文静",
    unit: "云南农业大学",
    field: "food-processing",
    assign: [{ type: "village", to: { place: "柏林乡龙坪村", town: "532623204" } }],
    activity: [{ kind: "training", daysAgo: 30, town: "532623204", people: 38, note: "农产品电商与包装设计培训" }],
  },
  {
    name: "孙立新",
    unit: "文山学院",
    field: "advanced-manufacturing",
    assign: [{ type: "village", to: { place: "鸡街乡鸡街村", town: "532623207" } }],
    activity: [{ kind: "advice", daysAgo: 15, town: "532623207", people: 5, note: "小型农机维修技术指导" }],
  },
  {
    name: "吴春兰",
    unit: "云南省农业科学院",
    field: "plateau-agriculture",
    assign: [{ type: "village", to: { place: "董马乡董马村", town: "532623206" } }],
    activity: [],
  },
  {
    // Registered, not yet dispatched this year.
    name: "郑凯",
    unit: "文山州林业和草原科学研究所",
    field: "eco-environment",
    assign: [],
    activity: [],
  },
];

export async function seedDemoCommissioners(log: (msg: string) => void = () => {}) {
  const year = currentYear();
  const today = chinaToday();
  const dayBefore = (n: number) => chinaToday(new Date(Date.parse(`${today}T12:00:00+08:00`) - n * DAY_MS));
  let added = 0;
  for (const c of DEMO_COMMISSIONERS) {
    const user = c.account ? await User.findOne({ email: c.account }).select("_id name email").lean() : null;
    const doc = await Commissioner.findOneAndUpdate(
      { name: c.name, unit: c.unit },
      {
        $setOnInsert: {
          name: c.name,
          unit: c.unit,
          field: c.field,
          ...(c.phone ? { phone: c.phone } : {}),
          ...(user ? { user: user._id, userName: user.name, userEmail: user.email } : {}),
        },
      },
      { upsert: true, returnDocument: "after" },
    ).lean();
    if (!(await CommissionerAssignment.exists({ commissioner: doc!._id, year }))) {
      for (const a of c.assign) {
        if ("org" in a.to) {
          const org = await Organization.findOne({ name: a.to.org }).select("name region").lean();
          if (!org) continue;
          await CommissionerAssignment.create({
            commissioner: doc!._id,
            year,
            targetType: a.type,
            organization: org._id,
            targetName: org.name,
            ...(org.region?.length === 9 ? { town: org.region } : {}),
          });
        } else {
          await CommissionerAssignment.create({
            commissioner: doc!._id,
            year,
            targetType: a.type,
            targetName: a.to.place,
            town: a.to.town,
          });
        }
      }
    }
    if (!(await CommissionerActivity.exists({ commissioner: doc!._id }))) {
      for (const e of c.activity) {
        const date = dayBefore(e.daysAgo);
        await CommissionerActivity.create({
          commissioner: doc!._id,
          kind: e.kind,
          date,
          year: Number(date.slice(0, 4)),
          town: e.town,
          townName: regionName(e.town),
          peopleReached: e.people,
          note: e.note,
          enteredBy: { name: "科技局 王芳", self: false },
        });
        added++;
      }
    }
  }
  log(`commissioners: ${DEMO_COMMISSIONERS.length} in the registry, ${added} activity entries added`);
}
