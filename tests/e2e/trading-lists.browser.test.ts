import { beforeAll, describe, expect, it } from "vitest";
import { makeOffer } from "~/services/trading/offers/commands.server.ts";
import { tradingAchievement, buyNowDeal } from "../../seeds/trading-fixtures.ts";
import { useAppDatabase } from "../support/app-database.ts";
import { scrollsSideways, useBrowser } from "../support/browser.ts";
import { ROOT } from "../setup/tmp.ts";

/**
 * 我的交易 and 我的报价 on a phone (390 px wide, no JavaScript): every row is a card whose fields
 * each get the full width, so nothing scrolls sideways and no title wraps one character per line.
 * A demo buyer gets one more offer and one more deal first (the demo data has no offer of theirs).
 */
const { loggedIn } = useBrowser();
const { demoUser } = useAppDatabase();

beforeAll(async () => {
  const seller = await demoUser("seller@demo.chengguo.cn");
  const broker = await demoUser("broker@demo.chengguo.cn");
  const buyer = await demoUser("buyer@demo.chengguo.cn");
  const tag = `${Date.now()}-${Math.random().toString(36).slice(2, 6)}`;
  const negotiable = await tradingAchievement(seller, broker, {
    title: `手机列表报价成果 ${tag}`,
    transactionModes: ["transfer"],
    price: { mode: "negotiable", amount: 150_000_00 },
  });
  await makeOffer(buyer, negotiable, { amountFen: 120_000_00, transactionMode: "transfer", message: "手机上看报价" });
  const fixed = await tradingAchievement(seller, broker, {
    title: `手机列表成交成果 ${tag}`,
    transactionModes: ["transfer"],
    price: { mode: "fixed", amount: 90_000_00 },
  });
  await buyNowDeal(buyer, fixed, { expectedAmountFen: 90_000_00, transactionMode: "transfer" });
});

describe("the trading lists on a phone", () => {
  it("shows /deals and /offers as cards at 390 px: no sideways scrolling, titles readable", async () => {
    const page = await loggedIn("buyer@demo.chengguo.cn", { phone: true, javaScript: false });

    for (const [url, row] of [
      ["/deals", "deal-row"],
      ["/offers", "offer-row"],
    ] as const) {
      await page.goto(url);
      const first = page.getByTestId(row).first();
      await first.waitFor();
      expect(await scrollsSideways(page), `${url} scrolls sideways`).toBe(false);
      // Nothing inside scrolls sideways either (a table in an overflow box would).
      const inner = await page.evaluate(() =>
        [...document.querySelectorAll(".table-wrap")].map((el) => el.scrollWidth - el.clientWidth).reduce((a, b) => Math.max(a, b), 0),
      );
      expect(inner, `${url} has a box that scrolls sideways`).toBeLessThanOrEqual(0);
      // Each field of a row gets (nearly) the card's width: the title is one readable line, not a column of characters.
      const title = first.getByRole("link").first();
      const box = (await title.boundingBox())!;
      expect(box.width, `${url}: the title link is ${box.width}px wide`).toBeGreaterThan(150);
      const cells = await first.locator("td").evaluateAll((tds) => tds.map((td) => td.getBoundingClientRect().width));
      for (const w of cells) expect(w, `${url}: a field is ${w}px wide`).toBeGreaterThan(300);
      // Each field says what it is.
      expect(await first.locator("td").first().getAttribute("data-label")).toBeTruthy();
      await page.screenshot({ path: `${ROOT}/tests/.tmp/${url.slice(1)}-phone.png`, fullPage: true });
    }
    await page.context().close();
  });
});
