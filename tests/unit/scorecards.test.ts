import { describe, expect, it } from "vitest";
import { rankRows } from "~/services/evaluation/scorecards.server.ts";
import { DEFAULT_SCORECARD_WEIGHTS, formulaShape, formulaText, INDICATORS, parseWeight, weightsWithDefaults } from "~/utils/scorecards.ts";

/** The scorecards' arithmetic (issue 15, point 6): the formula as shown, weights as typed and stored, ranks with ties. */
describe("scorecards", () => {
  const ind = INDICATORS.broker;
  it("writes the formula with the figures, leaving out weights of 0", () => {
    const w = { dealsBrokered: 0.5, brokeredTechWan: 0, roomsJoined: 0.25 };
    expect(formulaText(w, ind, { dealsBrokered: 3, brokeredTechWan: 9, roomsJoined: 2 })).toBe("0.5×经纪成交数 3 + 0.25×参与洽谈数 2 = 2");
    expect(formulaShape(w, ind)).toBe("0.5×经纪成交数 + 0.25×参与洽谈数");
    expect(formulaText({ dealsBrokered: 0, brokeredTechWan: 0, roomsJoined: 0 }, ind, {})).toBe("0 = 0");
  });

  it("reads weights as typed and as stored", () => {
    expect(parseWeight("0.4")).toBe(0.4);
    expect(parseWeight(" 12 ")).toBe(12);
    for (const bad of ["", "-1", "1e3", "0.12345", "1001", "abc"]) expect(parseWeight(bad)).toBeNull();
    const stored = weightsWithDefaults({ broker: { dealsBrokered: 2, roomsJoined: -1, bogus: 5 }, town: "x" });
    expect(stored.broker).toEqual({ dealsBrokered: 2, brokeredTechWan: 0.3, roomsJoined: 0.2 });
    expect(stored.town).toEqual(DEFAULT_SCORECARD_WEIGHTS.town);
  });

  it("ranks best first; equal scores share a rank, then names in order", () => {
    const w = { dealsBrokered: 1, brokeredTechWan: 0, roomsJoined: 0 };
    const rows = rankRows(
      [
        { id: "a", name: "乙", values: { dealsBrokered: 2 } },
        { id: "b", name: "甲", values: { dealsBrokered: 2 } },
        { id: "c", name: "丙", values: { dealsBrokered: 5 } },
        { id: "d", name: "丁", values: {} },
      ],
      ind,
      w,
    );
    expect(rows.map((r) => [r.rank, r.id])).toEqual([
      [1, "c"],
      [2, "b"],
      [2, "a"],
      [4, "d"],
    ]);
  });
});
