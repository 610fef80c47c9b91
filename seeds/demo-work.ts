import { Achievement } from "~/models/achievement.server.ts";
import { DealRoom } from "~/models/deal-room.server.ts";
import { User } from "~/models/user.server.ts";
import { getSessionUserById } from "~/services/accounts/accounts.server.ts";
import type { Actor } from "~/services/kernel/actor.ts";
import { assignReview } from "~/services/listings/review.server.ts";
import { postMessage } from "~/services/rooms/messages.server.ts";
import { openRoom } from "~/services/rooms/open.server.ts";

/**
 * Demo data for the brokers' work (issue 13, point 12): a negotiation without a broker (茶业公司 asks
 * 文山三七研究院 about demo-A02), which the demo broker finds on /work, and the submitted demo-A11
 * assigned to the demo broker for review (分配给我 on /review). Runs after the listings; changes
 * nothing when run again.
 */
export async function seedDemoWork(log: (msg: string) => void = () => {}) {
  const person = async (email: string): Promise<Actor> => {
    const u = await User.findOne({ email }, { _id: 1 }).lean();
    if (!u) throw new Error(`seed user ${email} is missing`);
    return (await getSessionUserById(String(u._id)))!;
  };
  const [buyer, broker, admin] = await Promise.all([
    person("tea@demo.chengguo.cn"),
    person("broker@demo.chengguo.cn"),
    person("admin@demo.chengguo.cn"),
  ]);
  const a02 = await Achievement.findOne({ source: "platform", externalId: "demo-A02" }, { _id: 1 }).lean();
  if (a02 && !(await DealRoom.exists({ listing: a02._id, "buyer.user": buyer.id }))) {
    const room = await openRoom(buyer, { from: "listing", listingId: String(a02._id) });
    await postMessage(buyer, room, { text: "您好，我们在法斗乡有一片老茶园想改种三七，连作障碍修复技术能否先做一季小面积示范？" });
  }
  const a11 = await Achievement.findOne(
    { source: "platform", externalId: "demo-A11", status: "submitted" },
    { _id: 1, reviewAssignee: 1 },
  ).lean();
  if (a11 && !a11.reviewAssignee) await assignReview(admin, "achievement", String(a11._id), broker.id!);
  log("brokers' work: a negotiation without a broker, a submission assigned to the demo broker");
}
