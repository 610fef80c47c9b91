import { beforeAll, describe, expect, it } from "vitest";
import { Achievement } from "~/models/achievement.server.ts";
import { Deal } from "~/models/deal.server.ts";
import { actorOf } from "~/services/kernel/actor.ts";
import { withTransaction } from "~/services/kernel/tx.server.ts";
import { openDeal } from "~/services/trading/deals/open.server.ts";
import { tradingAchievement } from "../../seeds/trading-fixtures.ts";
import { useAppDatabase } from "../support/app-database.ts";
import { scrollsSideways, useBrowser } from "../support/browser.ts";

/**
 * 取消成交 on a phone (390 px, no JavaScript; issue 14, point 8): the buyer proposes cancelling
 * with a reason, the seller confirms, the deal is cancelled and the achievement trades again.
 */
const { loggedIn } = useBrowser();
const { demoUser } = useAppDatabase();
let dealId = "";
let listingId = "";

beforeAll(async () => {
  const seller = await demoUser("seller@demo.chengguo.cn");
  const broker = await demoUser("broker@demo.chengguo.cn");
  const buyer = await demoUser("buyer@demo.chengguo.cn");
  const tag = `${Date.now()}-${Math.random().toString(36).slice(2, 6)}`;
  listingId = await tradingAchievement(seller, broker, {
    title: `手机取消成交成果 ${tag}`,
    transactionModes: ["transfer"],
    price: { mode: "fixed", amount: 50_000_00 },
  });
  dealId = await withTransaction((session) =>
    openDeal(session, {
      listingId,
      buyer: { userId: buyer.id, name: buyer.name, organization: buyer.organization },
      source: "offer",
      terms: { price: 50_000_00, transactionMode: "transfer" },
      actor: actorOf(buyer),
      via: "ui",
    }),
  );
});

describe("cancelling a deal on a phone", () => {
  it("the buyer proposes, the seller confirms, without JavaScript at 390 px", async () => {
    const as = async (email: string) => {
      const page = await loggedIn(email, { phone: true, javaScript: false });
      return { context: page.context(), page };
    };
    const buyer = await as("buyer@demo.chengguo.cn");
    await buyer.page.goto(`/deals/${dealId}`);
    await buyer.page.getByTestId("cancel-link").click();
    await buyer.page.getByLabel("取消理由").fill("项目预算被取消");
    await buyer.page.getByTestId("propose-button").click();
    await expect(buyer.page.getByTestId("done-notice").textContent()).resolves.toContain("已提出取消申请");
    expect(await scrollsSideways(buyer.page)).toBe(false);
    await buyer.context.close();

    const seller = await as("seller@demo.chengguo.cn");
    await seller.page.goto(`/deals/${dealId}/cancel`);
    await expect(seller.page.getByTestId("cancel-proposal").textContent()).resolves.toContain("项目预算被取消");
    expect(await scrollsSideways(seller.page)).toBe(false);
    await seller.page.getByTestId("confirm-cancel").click();
    await expect(seller.page.getByTestId("done-notice").textContent()).resolves.toContain("成交已取消");
    await seller.context.close();

    expect((await Deal.findById(dealId).lean())!.status).toBe("cancelled");
    expect((await Achievement.findById(listingId).lean())!.status).toBe("trading");
  });
});
