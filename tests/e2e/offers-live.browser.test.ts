import { io } from "socket.io-client";
import { describe, expect, inject, it } from "vitest";
import { makeOffer } from "~/services/trading/offers/commands.server.ts";
import { DEMO_PASSWORD } from "../../seeds/demo.ts";
import { tradingAchievement } from "../../seeds/trading-fixtures.ts";
import { useAppDatabase } from "../support/app-database.ts";
import { useBrowser } from "../support/browser.ts";
import { HttpClient } from "../support/http.ts";

/**
 * An offer thread (/offers/:id) in Chromium, live for both sides (issue 13, point 17): the buyer's
 * offer is open on the buyer's screen; the seller rejects it with a reason on theirs, and the
 * buyer's page shows the rejection and the reason without a reload. Only the thread's two sides
 * may watch it. The listing (negotiable, trading) and the offer
 * are made for the test through the app's own database, as the demo's buyer and seller.
 */
const { loggedIn } = useBrowser();

const { demoUser } = useAppDatabase();
const POLL = { timeout: 10_000 };

describe("an offer thread in the browser", () => {
  it("shows the seller's answer on the buyer's open page without a reload", async () => {
    const [sellerUser, buyerUser, brokerUser] = await Promise.all([
      demoUser("seller@demo.chengguo.cn"),
      demoUser("buyer@demo.chengguo.cn"),
      demoUser("broker@demo.chengguo.cn"),
    ]);
    const listing = await tradingAchievement(sellerUser, brokerUser, {
      title: "三七连作障碍土壤熏蒸替代技术（报价实时测试）",
      price: { mode: "negotiable" },
    });
    const offer = await makeOffer(buyerUser, listing, {
      amountFen: 80_000_00,
      transactionMode: "license",
      licenseExclusivity: "non-exclusive",
      message: "希望先在兴街镇试用",
    });
    const threadPath = `/offers/${offer.thread}`;

    const buyer = await loggedIn("buyer@demo.chengguo.cn");
    await buyer.goto(threadPath);
    await buyer.locator('[data-testid="offer-thread"][data-live="true"]').waitFor(POLL);
    await buyer.getByTestId("withdraw-form").waitFor();
    // A mark on the window: a reload would lose it.
    await buyer.evaluate(() => ((window as unknown as { __samePage: boolean }).__samePage = true));

    const seller = await loggedIn("seller@demo.chengguo.cn");
    await seller.goto(threadPath);
    await seller.locator('[data-testid="offer-thread"][data-live="true"]').waitFor(POLL);
    await seller.getByTestId("reject-form").locator("textarea").fill("价格低于最低许可费");
    await seller.getByTestId("action-reject").click();
    await seller.getByTestId("offer-reason").waitFor();

    // The buyer's page follows by itself: the reason, no more withdraw button, the same window.
    await expect
      .poll(
        () =>
          buyer
            .getByTestId("offer-reason")
            .textContent()
            .catch(() => null),
        POLL,
      )
      .toContain("价格低于最低许可费");
    await expect.poll(() => buyer.getByTestId("withdraw-form").count(), POLL).toBe(0);
    expect(await buyer.evaluate(() => (window as unknown as { __samePage?: boolean }).__samePage)).toBe(true);
  });

  it("lets only the thread's two sides watch it", async () => {
    const [sellerUser, buyerUser, brokerUser] = await Promise.all([
      demoUser("seller@demo.chengguo.cn"),
      demoUser("buyer@demo.chengguo.cn"),
      demoUser("broker@demo.chengguo.cn"),
    ]);
    const listing = await tradingAchievement(sellerUser, brokerUser, {
      title: "三七种苗脱毒快繁技术（报价观看测试）",
      price: { mode: "negotiable" },
    });
    const offer = await makeOffer(buyerUser, listing, { amountFen: 50_000_00, transactionMode: "transfer" });
    const watch = async (email: string | null, offerId: string) => {
      let cookie = "";
      if (email) {
        const c = new HttpClient(inject("baseURL"));
        expect((await c.login(email, DEMO_PASSWORD)).status).toBe(302);
        cookie = c.cookieHeader();
      }
      const socket = io(inject("baseURL"), {
        transports: ["websocket"],
        extraHeaders: cookie ? { Cookie: cookie } : {},
        reconnection: false,
      });
      try {
        await new Promise((resolve, reject) => {
          socket.once("session", resolve);
          socket.once("connect_error", reject);
        });
        return (await socket.timeout(15_000).emitWithAck("offer:watch", { offerId })) as { ok: boolean; error?: string };
      } finally {
        socket.disconnect();
      }
    };
    expect(await watch("buyer@demo.chengguo.cn", offer.thread)).toEqual({ ok: true });
    expect(await watch("seller@demo.chengguo.cn", offer.thread)).toEqual({ ok: true });
    expect(await watch("eco@demo.chengguo.cn", offer.thread)).toEqual({ ok: false, error: "errors.notFound" });
    expect(await watch(null, offer.thread)).toEqual({ ok: false, error: "errors.notFound" });
    expect(await watch("buyer@demo.chengguo.cn", "not-an-id")).toEqual({ ok: false, error: "errors.invalidInput" });
  });
});
