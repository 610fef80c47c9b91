import { seedDemoCommissioners } from "./demo-commissioners.ts";
import { seedDemoDeals } from "./demo-deals.ts";
import { seedDemoListings } from "./demo-listings.ts";
import { seedDemoPolicies } from "./demo-policies.ts";
import { seedDemoRecommendations } from "./demo-recommendations.ts";
import { seedDemoRegistrations } from "./demo-registrations.ts";
import { seedDemoWork } from "./demo-work.ts";
import { Achievement } from "~/models/achievement.server.ts";
import { Deal } from "~/models/deal.server.ts";
import { Demand } from "~/models/demand.server.ts";
import { Organization } from "~/models/organization.server.ts";
import { User } from "~/models/user.server.ts";
import { JoinRequest } from "~/models/join-request.server.ts";
import { notify } from "~/services/notifications/notify.server.ts";
import type { OrganizationType, OrgRole } from "~/utils/organization.ts";
import type { Role } from "~/utils/permissions.ts";
import { upsertOrganization, upsertUser } from "./factories.ts";

/** The password of every demo account (README lists them). */
export const DEMO_PASSWORD = "Demo1234";

/**
 * Organisations around 西畴县 (532623), 文山州, 云南. Towns are 9-digit GB/T 2260 codes,
 * e.g. 532623101 西洒镇, 532623102 兴街镇. Names are illustrative, not real registrations.
 */
export const DEMO_ORGANIZATIONS: { key: string; name: string; type: OrganizationType; region: string }[] = [
  { key: "bureau", name: "西畴县科学技术局", type: "government", region: "532623101" },
  { key: "agency", name: "文山州科技成果转移转化服务中心", type: "service-agency", region: "532601" },
  { key: "wsu", name: "文山学院", type: "university", region: "532601" },
  { key: "yaas", name: "云南省农业科学院", type: "institute", region: "530103" },
  { key: "sanqi", name: "文山三七研究院", type: "institute", region: "532601" },
  { key: "ynau", name: "云南农业大学", type: "university", region: "530103" },
  { key: "coop", name: "西畴县兴街镇三七种植专业合作社", type: "enterprise", region: "532623102" },
  { key: "tea", name: "西畴县法斗乡高山茶业有限公司", type: "enterprise", region: "532623205" },
  { key: "eco", name: "西畴县石漠化治理生态科技有限公司", type: "enterprise", region: "532623101" },
  { key: "food", name: "西畴县莲花塘乡特色食品加工有限公司", type: "enterprise", region: "532623202" },
  { key: "machinery", name: "文山州山地农机制造有限公司", type: "enterprise", region: "532622" },
  { key: "energy", name: "西畴县董马乡光伏新能源有限公司", type: "enterprise", region: "532623206" },
];

/** Each organisation's first person is its admin (decision 015); `orgRole: "member"` marks a colleague. */
export const DEMO_USERS: { email: string; name: string; roles: Role[]; org: string | null; orgRole?: OrgRole }[] = [
  { email: "admin@demo.chengguo.cn", name: "平台管理员 李文", roles: ["admin"], org: null },
  { email: "bureau@demo.chengguo.cn", name: "科技局 王芳", roles: ["bureau"], org: "bureau" },
  { email: "broker@demo.chengguo.cn", name: "技术经纪人 陈刚", roles: ["broker"], org: "agency" },
  { email: "seller@demo.chengguo.cn", name: "文山学院 张教授", roles: ["seller"], org: "wsu" },
  { email: "buyer@demo.chengguo.cn", name: "合作社 杨社长", roles: ["buyer"], org: "coop" },
  { email: "seller2@demo.chengguo.cn", name: "农科院 刘研究员", roles: ["seller"], org: "yaas" },
  { email: "sanqi@demo.chengguo.cn", name: "三七研究院 周博士", roles: ["seller", "buyer"], org: "sanqi" },
  { email: "tea@demo.chengguo.cn", name: "茶业公司 赵经理", roles: ["buyer", "seller"], org: "tea" },
  { email: "eco@demo.chengguo.cn", name: "生态科技 黄工", roles: ["buyer"], org: "eco" },
  { email: "food@demo.chengguo.cn", name: "食品公司 孙总", roles: ["buyer"], org: "food" },
  // 文山学院 has two people: 张教授 (its admin) and a colleague.
  { email: "seller3@demo.chengguo.cn", name: "文山学院 李老师", roles: ["seller"], org: "wsu", orgRole: "member" },
  // Registered with the cooperative's credit code: a join request waits for 杨社长.
  { email: "applicant@demo.chengguo.cn", name: "合作社 何明", roles: ["buyer"], org: null },
];

/** The pending join request of the demo: applicant → the cooperative. */
export const DEMO_JOIN_REQUESTS: { email: string; org: string; message: string }[] = [
  { email: "applicant@demo.chengguo.cn", org: "coop", message: "我是合作社新聘的技术员，负责三七种植技术引进。" },
];

/** Demo organisations an admin has verified (the rest wait on /admin/organizations). */
const DEMO_VERIFIED = ["yaas", "sanqi", "bureau"];

/** Loads the demo data. Idempotent: run it again and it updates rather than duplicates. */
export async function seedDemo(log: (msg: string) => void = () => {}) {
  const orgs = new Map<string, { _id: unknown }>();
  for (const o of DEMO_ORGANIZATIONS) orgs.set(o.key, await upsertOrganization(o));
  log(`organisations: ${DEMO_ORGANIZATIONS.length}`);
  for (const u of DEMO_USERS) {
    await upsertUser({ ...u, password: DEMO_PASSWORD, organization: u.org ? orgs.get(u.org)! : null, orgRole: u.orgRole ?? "admin" });
  }
  for (const r of DEMO_JOIN_REQUESTS) {
    const user = await User.findOne({ email: r.email }).select("_id name email").lean();
    const org = (await Organization.findById(orgs.get(r.org)!._id).select("name").lean())!;
    const res = await JoinRequest.updateOne(
      { user: user!._id, status: "pending" },
      { $setOnInsert: { organization: org._id, message: r.message } },
      { upsert: true },
    );
    // The organisation's admin finds it in their messages (and the mail catcher) too.
    if (res.upsertedCount) {
      const admins = await User.find({ organization: org._id, orgRole: "admin" }).select("_id").lean();
      await notify(
        null,
        admins.map((a) => ({
          user: a._id,
          type: "org.joinRequested" as const,
          subject: { kind: "organization" as const, id: String(org._id), title: org.name },
          link: "/account/organization",
          params: { person: user!.name, email: user!.email },
        })),
      );
    }
  }
  log(`users: ${DEMO_USERS.length} (password ${DEMO_PASSWORD})`);
  // Organisations the platform admin has checked show 已认证 on their listings (issue 13, point 11).
  const admin = await User.findOne({ email: "admin@demo.chengguo.cn" }).select("_id").lean();
  await Organization.updateMany(
    { _id: { $in: DEMO_VERIFIED.map((k) => orgs.get(k)!._id) }, verifiedAt: { $exists: false } },
    { $set: { verifiedAt: new Date(), verifiedBy: admin?._id } },
  );
  await seedDemoListings(log);
  await seedDemoRecommendations(log);
  await seedDemoWork(log);
  await seedDemoDeals(log);
  await seedDemoPolicies(log);
  await seedDemoRegistrations(log);
  await seedDemoCommissioners(log);
  return {
    organizations: await Organization.countDocuments(),
    users: await User.countDocuments(),
    achievements: await Achievement.countDocuments(),
    demands: await Demand.countDocuments(),
    deals: await Deal.countDocuments(),
  };
}

/** True when the database has no users yet: the first start of a fresh DATA_DIR. */
export async function isEmpty(): Promise<boolean> {
  return (await User.estimatedDocumentCount()) === 0;
}
