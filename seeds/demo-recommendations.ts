import { Achievement } from "~/models/achievement.server.ts";
import { Demand } from "~/models/demand.server.ts";
import { Recommendation } from "~/models/recommendation.server.ts";
import { User } from "~/models/user.server.ts";
import { getSessionUserById } from "~/services/accounts/accounts.server.ts";
import { recommendAchievement } from "~/services/recommendations/commands.server.ts";

/**
 * A recommended achievement on a demand (issue 13, point 9): 三七研究院 周博士 answers the
 * cooperative's 烂根死苗 demand (demo-D01) with the root-rot biocontrol agent (demo-A01), which
 * opens their deal room with the note as its first message and tells 杨社长. Idempotent.
 */
export const DEMO_RECOMMENDATIONS = [
  {
    demand: "demo-D01",
    achievement: "demo-A01",
    by: "sanqi@demo.chengguo.cn",
    note: "杨社长您好：我们的根腐病生物防治菌剂在兴街镇连作地块试验过，存苗率提高 18 个百分点，可以先拿 5 亩地做示范，欢迎来研究院看田间数据。",
  },
];

export async function seedDemoRecommendations(log: (msg: string) => void = () => {}) {
  let created = 0;
  for (const r of DEMO_RECOMMENDATIONS) {
    const [demand, achievement, user] = await Promise.all([
      Demand.findOne({ source: "platform", externalId: r.demand }, { _id: 1, status: 1 }).lean(),
      Achievement.findOne({ source: "platform", externalId: r.achievement }, { _id: 1 }).lean(),
      User.findOne({ email: r.by }, { _id: 1 }).lean(),
    ]);
    if (!demand || !achievement || !user || demand.status !== "published") continue;
    if (await Recommendation.exists({ demand: demand._id, achievement: achievement._id })) continue;
    const actor = (await getSessionUserById(String(user._id)))!;
    await recommendAchievement(actor, String(demand._id), { achievementId: String(achievement._id), note: r.note }, { via: "system" });
    created++;
  }
  log(`recommendations: ${DEMO_RECOMMENDATIONS.length} (${created} new)`);
}
