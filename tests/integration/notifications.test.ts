import mongoose from "mongoose";
import { beforeAll, describe, expect, it } from "vitest";
import { Notification } from "~/models/notification.server.ts";
import * as notificationsPage from "~/routes/notifications.tsx";
import type { ActionFailure } from "~/schemas/action-result.ts";
import type { SessionUser } from "~/services/accounts/accounts.server.ts";
import {
  listNotifications,
  markAllNotificationsRead,
  markNotificationRead,
  NOTIFICATIONS_PAGE_SIZE,
  unreadCount,
} from "~/services/notifications/inbox.server.ts";
import { notify } from "~/services/notifications/notify.server.ts";
import { pageRequests } from "../support/page-requests.ts";

/**
 * The notifications module: writing (trading notices with a link and parameters, match notices
 * with a counterpart and a score, dated by the sweep), the inbox a user reads, and the
 * /notifications page's two forms in the one action-result shape.
 */

const pages = pageRequests();
let reader: SessionUser;
let other: SessionUser;
const listing = () => ({ kind: "achievement" as const, id: new mongoose.Types.ObjectId(), title: "三七根腐病生物防治菌剂" });

beforeAll(async () => {
  await pages.init();
  reader = await pages.person("reader@notify.cn", ["buyer"], null);
  other = await pages.person("other@notify.cn", ["seller"], null);
});

describe("notify", () => {
  it("writes a trading notice with its link and parameters, and a match notice with its counterpart and score at the given time", async () => {
    const at = new Date("2026-03-01T08:00:00Z");
    const demand = { kind: "demand" as const, id: new mongoose.Types.ObjectId(), title: "老地块种三七烂根死苗" };
    await notify(null, [{ user: reader.id, type: "offer.received", subject: listing(), link: "/offers/x", params: { amount: "¥1,000" } }]);
    await notify(null, [{ user: reader.id, type: "match.demand", subject: demand, counterpart: listing(), score: 0.61 }], { at });
    const { items, unread, total } = await listNotifications(reader.id);
    expect(total).toBe(2);
    expect(unread).toBe(2);
    const [offer, match] = [items.find((n) => n.type === "offer.received")!, items.find((n) => n.type === "match.demand")!];
    expect(offer).toMatchObject({ link: "/offers/x", params: { amount: "¥1,000" }, counterpart: null, score: null, read: false });
    expect(match).toMatchObject({ link: null, params: {}, score: 0.61, read: false, createdAt: at.toISOString() });
    expect(match.counterpart).toMatchObject({ kind: "achievement", title: "三七根腐病生物防治菌剂" });
    expect(items[0]).toBe(offer); // newest first
  });

  it("writes nothing for no recipients", async () => {
    const before = await Notification.countDocuments();
    await notify(null, []);
    expect(await Notification.countDocuments()).toBe(before);
  });
});

describe("the inbox", () => {
  it("counts 0 unread for something that is not an id, and marks only the reader's own notifications read", async () => {
    expect(await unreadCount("not-an-id")).toBe(0);
    await notify(null, [{ user: other.id, type: "deal.created", subject: listing(), link: "/deals/y" }]);
    const mine = (await listNotifications(reader.id)).items[0]!;
    await expect(markNotificationRead(other.id, mine.id)).rejects.toMatchObject({ status: 404 });
    await expect(markNotificationRead(reader.id, "nope")).rejects.toMatchObject({ status: 404 });
    await markNotificationRead(reader.id, mine.id);
    expect((await listNotifications(reader.id)).items.find((n) => n.id === mine.id)!.read).toBe(true);
    expect(await markAllNotificationsRead(reader.id)).toBe(1);
    expect(await unreadCount(reader.id)).toBe(0);
    expect(await unreadCount(other.id)).toBe(1);
  });

  it("pages newest first, a page past the end showing the last one", async () => {
    await notify(
      null,
      Array.from({ length: NOTIFICATIONS_PAGE_SIZE }, (_, i) => ({
        user: other.id,
        type: "offer.countered" as const,
        subject: listing(),
        link: `/offers/${i}`,
      })),
    );
    const last = await listNotifications(other.id, { page: 99 });
    expect(last).toMatchObject({ page: 2, pages: 2, total: NOTIFICATIONS_PAGE_SIZE + 1 });
    expect(last.items).toHaveLength(1);
    expect(last.items[0]!.type).toBe("deal.created");
  });
});

describe("/notifications", () => {
  it("marks one read and comes back to the same page with ?done=read", async () => {
    const n = (await listNotifications(other.id, { page: 1 })).items.find((x) => !x.read)!;
    const res = await pages.call(notificationsPage.action, pages.post("/notifications?page=2", other, { intent: "markRead", id: n.id }));
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toBe("/notifications?page=2&done=read");
  });

  it("answers a missing id or an unknown intent with 400 in the one shape, and someone else's notification with 404", async () => {
    const missing = await pages.call(notificationsPage.action, pages.post("/notifications", other, { intent: "markRead" }));
    expect(missing.status).toBe(400);
    const body = (await missing.json()) as ActionFailure;
    expect(body).toMatchObject({ ok: false, intent: "markRead" });
    expect(Object.keys(body.reply.error ?? {})).toContain("id");

    const unknown = await pages.call(notificationsPage.action, pages.post("/notifications", other, { intent: "deleteAll" }));
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({ ok: false, intent: "deleteAll" });

    const theirs = (await listNotifications(other.id)).items[0]!;
    const foreign = await pages.call(notificationsPage.action, pages.post("/notifications", reader, { intent: "markRead", id: theirs.id }));
    expect(foreign.status).toBe(404);
  });

  it("marks one read through the form (issue 12 point 8): the first reading time kept, an unknown, junk or foreign id a 404 that changes nothing", async () => {
    await notify(null, [{ user: reader.id, type: "deal.created", subject: listing(), link: "/deals/p8" }]);
    const n = (await listNotifications(reader.id)).items.find((x) => x.link === "/deals/p8")!;
    expect(n.read).toBe(false);
    const mark = () => pages.call(notificationsPage.action, pages.post("/notifications", reader, { intent: "markRead", id: n.id }));
    expect((await mark()).status).toBe(302);
    const first = (await Notification.findById(n.id).lean())!.readAt!;
    expect(first).toBeInstanceOf(Date);
    // Again: still fine, and the first reading time stays.
    expect((await mark()).status).toBe(302);
    expect((await Notification.findById(n.id).lean())!.readAt!.getTime()).toBe(first.getTime());

    const before = await Notification.find({}).sort({ _id: 1 }).lean();
    for (const id of [new mongoose.Types.ObjectId().toHexString(), "nope", "0".repeat(24), "abc'; db.drop()", "__proto__"]) {
      const res = await pages.call(notificationsPage.action, pages.post("/notifications", reader, { intent: "markRead", id }));
      expect(res.status, id).toBe(404);
    }
    const theirs = await Notification.findOne({ user: other.id }).lean();
    const foreign = await pages.call(
      notificationsPage.action,
      pages.post("/notifications", reader, { intent: "markRead", id: String(theirs!._id) }),
    );
    expect(foreign.status).toBe(404);
    expect(await Notification.find({}).sort({ _id: 1 }).lean()).toEqual(before);
    const tooLong = await pages.call(
      notificationsPage.action,
      pages.post("/notifications", reader, { intent: "markRead", id: "a".repeat(65) }),
    );
    expect(tooLong.status).toBe(400);
  });

  it("refuses a post without the CSRF token", async () => {
    const res = await pages.call(notificationsPage.action, pages.post("/notifications", other, { intent: "markAllRead" }, { csrf: false }));
    expect(res.status).toBe(403);
  });
});
