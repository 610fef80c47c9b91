import { describe, expect, it } from "vitest";
import matchFeedback from "~/locales/modules/match-feedback.ts";
import { boosted, feedbackReason, MAX_BOOST, signalsByCounterpart, type FeedbackRow } from "~/services/matching/feedback-rules.ts";
import { createI18n } from "~/utils/i18n.ts";
import { reasonText } from "~/utils/match-reasons.ts";

/** How feedback re-ranks a pair (decision 031): the latest mark, the bounded boost, the reason people read. */
const zh = createI18n("zh-CN").t;
const en = createI18n("en").t;
const at = (minute: number) => new Date(Date.UTC(2026, 11, 5, 10, minute));
const row = (over: Partial<FeedbackRow>): FeedbackRow => ({
  demand: "d1",
  achievement: "a1",
  kind: "mark",
  verdict: "relevant",
  by: "u1",
  at: at(0),
  ...over,
});

describe("match feedback rules", () => {
  it("takes the latest mark of anyone, whatever the order the rows come in", () => {
    const rows = [
      row({ by: "broker", verdict: "relevant", at: at(5) }),
      row({ by: "owner", verdict: "irrelevant", at: at(9) }),
      row({ by: "colleague", verdict: "relevant", at: at(1) }),
    ];
    const s = signalsByCounterpart(rows, "achievement").get("a1")!;
    expect(s).toMatchObject({ verdict: "irrelevant", markedBy: "owner" });
    expect(signalsByCounterpart(rows.reverse(), "achievement").get("a1")!.verdict).toBe("irrelevant");
    expect(signalsByCounterpart([row({ demand: "d2" })], "demand").has("d2")).toBe(true);
  });

  it("boosts positive signals, bounded, never above 1, and not at all for a 不相关 pair", () => {
    const marked = signalsByCounterpart([row({})], "achievement").get("a1");
    expect(boosted(0.5, marked)).toBe(0.6);
    const everything = signalsByCounterpart(
      [row({}), row({ kind: "room", by: "b" }), row({ kind: "offer", by: "b" }), row({ kind: "deal", by: "b" })],
      "achievement",
    ).get("a1");
    expect(boosted(0.5, everything)).toBe(0.5 + MAX_BOOST);
    expect(boosted(0.95, everything)).toBe(1);
    const room = signalsByCounterpart([row({ kind: "room" })], "achievement").get("a1");
    expect(boosted(0.5, room)).toBe(0.55);
    const hidden = signalsByCounterpart([row({ kind: "room" }), row({ verdict: "irrelevant", at: at(3) })], "achievement").get("a1");
    expect(boosted(0.5, hidden)).toBe(0.5);
    expect(feedbackReason(hidden)).toBeNull();
    expect(boosted(0.5, undefined)).toBe(0.5);
  });

  it("says why in both languages", () => {
    const both = feedbackReason(signalsByCounterpart([row({}), row({ kind: "room", by: "b" })], "achievement").get("a1"))!;
    expect(reasonText(both, zh)).toBe("经办人确认相关、已洽谈");
    expect(reasonText({ code: "feedback", marked: false, engaged: "deal" }, zh)).toBe("已成交");
    expect(reasonText({ code: "feedback", marked: true, engaged: null }, en)).toBe("Confirmed relevant by the people handling it");
    const keys = (o: object, p = ""): string[] =>
      Object.entries(o).flatMap(([k, v]) => (typeof v === "object" ? keys(v as object, `${p}${k}.`) : [`${p}${k}`]));
    expect(keys(matchFeedback.en).sort()).toEqual(keys(matchFeedback["zh-CN"]).sort());
  });
});
