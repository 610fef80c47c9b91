import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { I18nextProvider } from "react-i18next";
import { StaticRouter } from "react-router-dom/server";
import { describe, expect, it } from "vitest";
import { NotificationText } from "~/components/matching/notification-text.tsx";
import { NOTIFICATION_TYPES } from "~/models/notification.server.ts";
import { mailCategoryOf, mailPreferencesOf } from "~/services/notifications/mail-preferences.ts";
import { createI18n, LOCALES, type Locale } from "~/utils/i18n.ts";

/** Issue 13, point 7: every kind of notification reads in both languages, in the inbox and by email. */

const render = (n: Parameters<typeof NotificationText>[0]["n"], locale: Locale) =>
  renderToStaticMarkup(
    createElement(
      StaticRouter,
      { location: "/" },
      createElement(I18nextProvider, { i18n: createI18n(locale) }, createElement(NotificationText, { n })),
    ),
  );

const workflowTypes = NOTIFICATION_TYPES.filter((t) => t.startsWith("listing.") || t.startsWith("objection."));

describe("notification texts", () => {
  it.each(LOCALES)("has a sentence for every notification type in %s, and an email subject for every workflow one", (locale) => {
    const i18n = createI18n(locale);
    for (const type of NOTIFICATION_TYPES) expect(i18n.exists(`notifications.types.${type}`), `${locale}: ${type}`).toBe(true);
    expect(workflowTypes.length).toBeGreaterThanOrEqual(10);
    for (const type of workflowTypes) expect(i18n.exists(`notifications.mail.subjects.${type}`), `${locale}: ${type}`).toBe(true);
  });

  const returned = {
    type: "listing.returned",
    subject: { kind: "achievement", id: "6b05e3d465b6ea7bfdd307da", title: "三七根腐病生物防治菌剂" },
    counterpart: null,
    link: null,
    params: { reason: "请补充专利转让证明" },
    read: false,
    gone: false,
  };

  it("shows a returned listing with the reviewer's reason, linking to the owner's listing, in Chinese and English", () => {
    const zh = render(returned, "zh-CN");
    expect(zh).toContain('href="/achievements/6b05e3d465b6ea7bfdd307da"');
    expect(zh).toContain("「三七根腐病生物防治菌剂」未通过审核，已退回修改。审核意见：请补充专利转让证明");
    const en = render(returned, "en");
    expect(en).toContain("“三七根腐病生物防治菌剂” was returned for changes. Reviewer&#x27;s note: 请补充专利转让证明");
  });

  it("shows the 公示 end of an approved listing, and a withdrawal with or without its reason", () => {
    expect(render({ ...returned, type: "listing.approved", params: { noticeEnds: "2026-12-19" } }, "zh-CN")).toContain(
      "公示期至 2026-12-19",
    );
    expect(render({ ...returned, type: "listing.withdrawn", params: {} }, "zh-CN")).toContain("已被平台审核人员撤回</a>");
    expect(render({ ...returned, type: "listing.withdrawn", params: { context: "reason", reason: "重复挂牌" } }, "en")).toContain(
      "Reason: 重复挂牌",
    );
  });

  it("tells an objector whose objection was upheld that the listing is no longer public, without a link to its 404", () => {
    const html = render({ ...returned, type: "objection.yoursUpheld", params: { resolution: "权属存在争议" }, gone: true }, "zh-CN");
    expect(html).not.toContain("href=");
    expect(html).toContain("您对「三七根腐病生物防治菌剂」提出的异议经审核成立");
    expect(html).toContain("该条目已撤回或不再公开。");
  });
});

describe("which notifications come by email", () => {
  it("sorts the types into the three kinds a user can switch", () => {
    expect(mailCategoryOf("match.demand")).toBe("matches");
    expect(mailCategoryOf("offer.received")).toBe("trading");
    expect(mailCategoryOf("deal.created")).toBe("trading");
    expect(mailCategoryOf("auction.won")).toBe("trading");
    for (const t of workflowTypes) expect(mailCategoryOf(t)).toBe("listings");
  });

  it("sends the workflow and trading ones by default, matches only when asked for", () => {
    expect(mailPreferencesOf(undefined)).toEqual({ listings: true, trading: true, matches: false });
    expect(mailPreferencesOf({ listings: false, matches: true })).toEqual({ listings: false, trading: true, matches: true });
  });
});
