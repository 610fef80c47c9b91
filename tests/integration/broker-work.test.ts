import { beforeAll, describe, expect, it } from "vitest";
import { Notification } from "~/models/notification.server.ts";
import * as workPage from "~/routes/work.tsx";
import { resultFor, type ActionResult } from "~/schemas/action-result.ts";
import type { SessionUser } from "~/services/accounts/accounts.server.ts";
import { inviteBroker } from "~/services/rooms/brokers.server.ts";
import { postMessage } from "~/services/rooms/messages.server.ts";
import { openRoom } from "~/services/rooms/open.server.ts";
import { tradingAchievement, buyNowDeal } from "../../seeds/trading-fixtures.ts";
import { pageRequests } from "../support/page-requests.ts";
import { renderPage } from "../support/render-page.ts";

/**
 * 经纪工作台 /work (issue 13, point 12) through its real loader and action: only brokers see it;
 * it lists negotiations and deals without a broker in the broker's fields and regions, showing
 * nothing private of them; 表示愿意协助 tells both parties (who may then invite the broker), and a
 * room with a broker leaves the list.
 */

const pages = pageRequests({ orgType: "university", context: {} });
const { get, post, call } = pages;
let seller: SessionUser, buyer: SessionUser, buyer2: SessionUser, broker: SessionUser, otherBroker: SessionUser;
let roomA: string, roomC: string, deal: string;

beforeAll(async () => {
  await pages.init();
  seller = await pages.person("seller@work.cn", ["seller"], "文山学院");
  buyer = await pages.person("buyer@work.cn", ["buyer"], "兴街镇三七种植专业合作社");
  buyer2 = await pages.person("buyer2@work.cn", ["buyer"], "昆明药业有限公司");
  broker = await pages.person("broker@work.cn", ["broker"], "文山州科技成果转移转化服务中心");
  otherBroker = await pages.person("broker2@work.cn", ["broker"], "云南技术市场");

  // A: advanced manufacturing in 西畴县 (文山州); B: biomedicine in 昆明 五华区; C: has a broker already.
  const a = await tradingAchievement(seller, otherBroker, { title: "三七清洗分选一体机", price: { mode: "negotiable" } });
  const b = await tradingAchievement(seller, otherBroker, {
    title: "三七皂苷纳米制剂",
    field: "biomedicine",
    region: "530102",
    price: { mode: "negotiable" },
  });
  const c = await tradingAchievement(seller, otherBroker, { title: "三七烘干房余热回收装置", price: { mode: "negotiable" } });
  roomA = await openRoom(buyer, { from: "listing", listingId: a });
  await postMessage(buyer, roomA, { text: "我们的心理价位是十二万，请保密" });
  await openRoom(buyer2, { from: "listing", listingId: b });
  roomC = await openRoom(buyer, { from: "listing", listingId: c });
  await inviteBroker(buyer, roomC, { email: "broker2@work.cn" });
  // D: a deal (bought at its fixed price), no broker.
  const d = await tradingAchievement(seller, otherBroker, {
    title: "三七种植水肥一体化系统",
    price: { mode: "fixed", amount: 150_000_00 },
  });
  deal = await buyNowDeal(buyer, d, { expectedAmountFen: 150_000_00, transactionMode: "transfer" });
});

type WorkData = {
  rooms: { id: string; listing: { title: string }; offered: boolean }[];
  deals: { id: string; listing: { title: string } }[];
};
const load = async (user: SessionUser) => (await (await call(workPage.loader, get("/work", user))).json()) as WorkData;
const titles = (items: { listing: { title: string } }[]) => items.map((i) => i.listing.title).sort();

describe("the broker work page", () => {
  it("is for brokers only", async () => {
    expect((await call(workPage.loader, get("/work", seller))).status).toBe(403);
    expect((await call(workPage.loader, get("/work", buyer))).status).toBe(403);
    const anonymous = await call(workPage.loader, get("/work", null));
    expect(anonymous.status).toBe(302);
    expect((await call(workPage.action, post("/work", seller, { intent: "offerHelp", target: "room", id: roomA }))).status).toBe(403);
  });

  it("lists rooms and deals without a broker, filtered by the broker's fields and regions, and nothing private", async () => {
    const all = await load(broker);
    expect(titles(all.rooms)).toEqual(["三七清洗分选一体机", "三七皂苷纳米制剂"]);
    expect(titles(all.deals)).toEqual(["三七种植水肥一体化系统"]);

    const saved = await call(
      workPage.action,
      post("/work", broker, { intent: "savePrefs", fields: "advanced-manufacturing", regions: "5326" }),
    );
    expect(saved.status).toBe(302);
    expect(saved.headers.get("Location")).toBe("/work?done=prefsSaved");
    const mine = await load(broker);
    expect(titles(mine.rooms)).toEqual(["三七清洗分选一体机"]);
    expect(titles(mine.deals)).toEqual(["三七种植水肥一体化系统"]);

    // Only the region: 昆明 (5301) shows the biomedicine room and no 文山 ones.
    await call(workPage.action, post("/work", broker, { intent: "savePrefs", regions: "5301" }));
    expect(titles((await load(broker)).rooms)).toEqual(["三七皂苷纳米制剂"]);
    expect((await load(broker)).deals).toEqual([]);
    await call(workPage.action, post("/work", broker, { intent: "savePrefs" }));

    const { html } = await renderPage(get("/work", broker), workPage, "/work", pages.csrf.token);
    expect(html).toContain("三七清洗分选一体机");
    expect(html).toContain("表示愿意协助");
    expect(html).not.toContain("十二万");
    expect(html).not.toContain(buyer.name);
    expect(html).not.toContain(`/rooms/${roomA}`);
  });

  it("refuses an unknown region with a 400 naming the field", async () => {
    const res = await call(workPage.action, post("/work", broker, { intent: "savePrefs", regions: "9999" }));
    expect(res.status).toBe(400);
    const data = (await res.json()) as ActionResult;
    expect(resultFor(data, "savePrefs")?.fieldErrors.regions).toEqual(["brokerWork.errors.region"]);
  });

  it("offers help in a room: both parties are told with the broker's email, once; invited, the room leaves the list", async () => {
    const res = await call(workPage.action, post("/work", broker, { intent: "offerHelp", target: "room", id: roomA }));
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toBe("/work?done=helpOffered");
    for (const party of [buyer, seller]) {
      const told = await Notification.find({ user: party.id, type: "room.brokerOffer" }).lean();
      expect(told).toHaveLength(1);
      expect(told[0]).toMatchObject({ link: `/rooms/${roomA}`, params: { broker: broker.name, email: "broker@work.cn" } });
    }
    expect((await load(broker)).rooms.find((r) => r.id === roomA)?.offered).toBe(true);
    const again = await call(workPage.action, post("/work", broker, { intent: "offerHelp", target: "room", id: roomA }));
    expect(again.status).toBe(409);
    expect(resultFor((await again.json()) as ActionResult, "offerHelp", `room:${roomA}`)?.formError).toBe(
      "brokerWork.errors.alreadyOffered",
    );

    // A room with a broker is not offered (nor can help be offered there).
    const taken = await call(workPage.action, post("/work", broker, { intent: "offerHelp", target: "room", id: roomC }));
    expect(taken.status).toBe(404);
    await inviteBroker(buyer, roomA, { email: "broker@work.cn" });
    expect((await load(broker)).rooms.map((r) => r.id)).not.toContain(roomA);
    expect((await load(otherBroker)).rooms.map((r) => r.id)).not.toContain(roomA);
  });

  it("offers help on a deal: its parties are told", async () => {
    const res = await call(workPage.action, post("/work", otherBroker, { intent: "offerHelp", target: "deal", id: deal }));
    expect(res.status).toBe(302);
    const told = await Notification.find({ user: buyer.id, type: "room.brokerOffer", "params.email": "broker2@work.cn" }).lean();
    expect(told).toHaveLength(1);
    expect(told[0]!.link).toBe(`/deals/${deal}`);
    expect(await Notification.countDocuments({ user: seller.id, type: "room.brokerOffer", "params.email": "broker2@work.cn" })).toBe(1);
    expect((await call(workPage.action, post("/work", otherBroker, { intent: "offerHelp", target: "deal", id: "nope" }))).status).toBe(400);
  });
});
