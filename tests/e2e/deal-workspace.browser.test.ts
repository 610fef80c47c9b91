import { beforeAll, describe, expect, it } from "vitest";
import { saveContract } from "~/services/contracts/commands.server.ts";
import { tradingAchievement, buyNowDeal } from "../../seeds/trading-fixtures.ts";
import { useAppDatabase } from "../support/app-database.ts";
import { scrollsSideways, useBrowser } from "../support/browser.ts";
import { ROOT } from "../setup/tmp.ts";

/**
 * The deal's workspace (/deals/:id, issue 14, point 1) on a phone, 390 px wide, without
 * JavaScript: every section is a card; nothing scrolls sideways.
 */
const { loggedIn } = useBrowser();
const { demoUser } = useAppDatabase();
let dealId = "";

beforeAll(async () => {
  const seller = await demoUser("seller@demo.chengguo.cn");
  const broker = await demoUser("broker@demo.chengguo.cn");
  const buyer = await demoUser("buyer@demo.chengguo.cn");
  const listing = await tradingAchievement(seller, broker, {
    title: `手机成交工作台成果 ${Date.now()}-${Math.random().toString(36).slice(2, 6)}`,
    transactionModes: ["transfer"],
    price: { mode: "fixed", amount: 88_000_00 },
  });
  dealId = await buyNowDeal(buyer, listing, { expectedAmountFen: 88_000_00, transactionMode: "transfer" });
  await saveContract(buyer, dealId, null);
});

describe("the deal's workspace on a phone", () => {
  it("shows parties, terms, contract, schedule, books and timeline at 390 px without sideways scrolling", async () => {
    const page = await loggedIn("buyer@demo.chengguo.cn", { phone: true, javaScript: false });

    await page.goto(`/deals/${dealId}`);
    for (const id of ["deal-state", "deal-parties", "deal-terms", "deal-contract", "deal-schedule", "deal-books", "deal-timeline"])
      expect(await page.getByTestId(id).isVisible(), id).toBe(true);
    expect(await page.getByTestId("deal-timeline").textContent()).toContain("起草合同");
    expect(await scrollsSideways(page), "the deal page scrolls sideways").toBe(false);
    await page.screenshot({ path: `${ROOT}/tests/.tmp/deal-workspace-phone.png`, fullPage: true });
    await page.context().close();
  });
});
