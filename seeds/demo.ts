import { seedDemoListings } from "./demo-listings.ts";
import { seedDemoRecommendations } from "./demo-recommendations.ts";
import { seedDemoWork } from "./demo-work.ts";
import { Organization } from "~/models/organization.server.ts";
import { User } from "~/models/user.server.ts";
import type { OrganizationType } from "~/utils/organization.ts";
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

export const DEMO_USERS: { email: string; name: string; roles: Role[]; org: string | null }[] = [
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
];

/** Demo organisations an admin has verified (the rest wait on /admin/organizations). */
const DEMO_VERIFIED = ["yaas", "sanqi", "bureau"];

/** Loads the demo data. Idempotent: run it again and it updates rather than duplicates. */
export async function seedDemo(log: (msg: string) => void = () => {}) {
  const orgs = new Map<string, { _id: unknown }>();
  for (const o of DEMO_ORGANIZATIONS) orgs.set(o.key, await upsertOrganization(o));
  log(`organisations: ${DEMO_ORGANIZATIONS.length}`);
  for (const u of DEMO_USERS) {
    await upsertUser({ ...u, password: DEMO_PASSWORD, organization: u.org ? orgs.get(u.org)! : null });
  }
  log(`users: ${DEMO_USERS.length} (password ${DEMO_PASSWORD})`);
  // Organisations the platform admin has checked show 已认证 on their listings (issue 13, point 11).
  const admin = await User.findOne({ email: "admin@demo.chengguo.cn" }).select("_id").lean();
  await Organization.updateMany(
    { _id: { $in: DEMO_VERIFIED.map((k) => orgs.get(k)!._id) }, verifiedAt: { $exists: false } },
    { $set: { verifiedAt: new Date(), verifiedBy: admin?._id } },
  );
  const listings = await seedDemoListings(log);
  await seedDemoRecommendations(log);
  await seedDemoWork(log);
  return { organizations: await Organization.countDocuments(), users: await User.countDocuments(), ...listings };
}

/** True when the database has no users yet: the first start of a fresh DATA_DIR. */
export async function isEmpty(): Promise<boolean> {
  return (await User.estimatedDocumentCount()) === 0;
}
