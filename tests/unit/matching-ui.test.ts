import { createElement, type ReactElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { I18nextProvider } from "react-i18next";
import { StaticRouter } from "react-router-dom/server";
import { describe, expect, it } from "vitest";
import { MatchesSection } from "~/components/matching/matches-section.tsx";
import { NotificationText } from "~/components/matching/notification-text.tsx";
import { createI18n, type Locale } from "~/utils/i18n.ts";

/** The matches section as the server renders it (no JavaScript needed to read it). */
const render = (el: ReactElement, locale: Locale = "zh-CN") =>
  renderToStaticMarkup(createElement(StaticRouter, { location: "/" }, createElement(I18nextProvider, { i18n: createI18n(locale) }, el)));

const items = [
  {
    id: "6b05e3d465b6ea7bfdd307da",
    externalId: null,
    title: "三七根腐病生物防治菌剂",
    score: 0.823,
    reasons: [
      { code: "keyword" as const, word: "根腐病", via: "烂根" },
      { code: "withinBudget" as const },
      { code: "trl" as const, trl: 6, min: 5 },
    ],
  },
];

describe("MatchesSection", () => {
  it("lists the matching achievements on a demand's page with score and reasons", () => {
    const html = render(createElement(MatchesSection, { kind: "demand", matches: { status: "ok", items } }));
    expect(html).toContain('<h2 id="matches-title">匹配的成果</h2>');
    expect(html).toContain('href="/achievements/6b05e3d465b6ea7bfdd307da"');
    expect(html).toContain("匹配度 82%");
    expect(html).toContain("关键词: 根腐病（≈烂根）");
    expect(html).toContain("价格在预算内");
    expect(html).toContain("成熟度 TRL 6 ≥ 5");
  });

  it("lists the demands an achievement could serve, in English when chosen", () => {
    const html = render(createElement(MatchesSection, { kind: "achievement", matches: { status: "ok", items } }), "en");
    expect(html).toContain("Demands it could serve");
    expect(html).toContain('href="/demands/6b05e3d465b6ea7bfdd307da"');
    expect(html).toContain("Price within budget");
  });

  it("says 匹配暂不可用 when Meilisearch is down, and when there is nothing, says so", () => {
    expect(render(createElement(MatchesSection, { kind: "demand", matches: { status: "unavailable" } }))).toContain("匹配暂不可用");
    expect(render(createElement(MatchesSection, { kind: "demand", matches: { status: "ok", items: [] } }))).toContain(
      "暂时没有符合条件的匹配",
    );
    expect(render(createElement(MatchesSection, { kind: "demand", matches: { status: "hidden" } }))).toBe("");
  });
});

describe("NotificationText (issue 13 point 13)", () => {
  const n = {
    type: "match.demand",
    subject: { kind: "demand", id: "6b05e3d465b6ea7bfdd307db", title: "老地块种三七烂根死苗" },
    counterpart: { kind: "achievement", id: "6b05e3d465b6ea7bfdd307da", title: "三七根腐病生物防治菌剂" },
    link: null,
    params: {},
    read: true,
    gone: false,
  };

  it("links to the matched listing while it is public", () => {
    const html = render(createElement(NotificationText, { n }));
    expect(html).toContain('href="/achievements/6b05e3d465b6ea7bfdd307da"');
    expect(html).not.toContain("不再公开");
  });

  it("says a listing withdrawn or returned since is no longer public, without a link to its 404", () => {
    const html = render(createElement(NotificationText, { n: { ...n, gone: true } }));
    expect(html).not.toContain("href=");
    expect(html).toContain("三七根腐病生物防治菌剂");
    expect(html).toContain("该条目已撤回或不再公开。");
    expect(render(createElement(NotificationText, { n: { ...n, gone: true } }), "en")).toContain(
      "This listing has been withdrawn or is no longer public.",
    );
  });
});
