import { describe, expect, it } from "vitest";
import { mailCategoryOf } from "~/services/notifications/mail-preferences.ts";
import {
  normalizeReference,
  percentToBps,
  plannedStages,
  royaltyDueFen,
  stageFigures,
  stageReference,
  stageStatusOf,
} from "~/services/settlement/rules.ts";

/** Issue 14, point 5: the payment schedule's arithmetic, to the fen. */
describe("the stages a contract makes", () => {
  it("one stage for a plain price; milestones in order with a 尾款 stage for the rest", () => {
    expect(plannedStages(300_000_00, [])).toEqual([{ title: "合同价款 Contract price", amount: 300_000_00, dueInDays: null }]);
    expect(
      plannedStages(300_000_00, [
        { title: "首付款", amount: 100_000_00, dueInDays: 10 },
        { title: "验收款", amount: 150_000_00 },
      ]),
    ).toEqual([
      { title: "首付款", amount: 100_000_00, dueInDays: 10 },
      { title: "验收款", amount: 150_000_00, dueInDays: null },
      { title: "尾款 Balance", amount: 50_000_00, dueInDays: null },
    ]);
  });

  it("the contract amount rules: a milestone past it is cut, later ones dropped; a contract of 0 has no stage", () => {
    expect(
      plannedStages(120_000_00, [
        { title: "A", amount: 100_000_00 },
        { title: "B", amount: 50_000_00 },
        { title: "C", amount: 10_000_00 },
      ]).map((s) => [s.title, s.amount]),
    ).toEqual([
      ["A", 100_000_00],
      ["B", 20_000_00],
    ]);
    expect(plannedStages(0, [{ title: "A", amount: 1 }])).toEqual([]);
  });
});

describe("royalties", () => {
  it("sales × rate rounded half up to the fen, exactly for large sales", () => {
    expect(percentToBps(2.5)).toBe(250);
    expect(percentToBps(3)).toBe(300);
    expect(royaltyDueFen(123_456_789, 250)).toBe(3_086_420); // 30 864.19725 yuan → 30 864.20
    expect(royaltyDueFen(1, 5000)).toBe(1);
    expect(royaltyDueFen(1, 4999)).toBe(0);
    expect(royaltyDueFen(1_000_000_000_000, 9999)).toBe(999_900_000_000);
    expect(royaltyDueFen(0, 300)).toBe(0);
  });
});

describe("what a stage shows", () => {
  const now = new Date("2026-12-01T00:00:00Z");
  it("due, partly paid (少付), paid, excess (多付), late (逾期), cancelled", () => {
    expect(stageStatusOf({ status: "due", amount: 100, paid: 0 })).toBe("due");
    expect(stageStatusOf({ status: "due", amount: 100, paid: 40 })).toBe("partly-paid");
    expect(stageStatusOf({ status: "partly-paid", amount: 100, paid: 120 })).toBe("paid");
    expect(stageStatusOf({ status: "cancelled", amount: 100, paid: 100 })).toBe("cancelled");
    expect(stageStatusOf({ status: "due", amount: 0, paid: 0 })).toBe("due"); // a royalty stage before any report

    expect(stageFigures({ status: "partly-paid", amount: 100, paid: 40 }, now)).toEqual({
      outstandingFen: 60,
      shortFen: 60,
      excessFen: 0,
      late: false,
    });
    expect(stageFigures({ status: "paid", amount: 100, paid: 120 }, now)).toMatchObject({ outstandingFen: 0, excessFen: 20 });
    expect(stageFigures({ status: "due", amount: 100, paid: 0, dueAt: new Date("2026-11-30T00:00:00Z") }, now)).toMatchObject({
      late: true,
      shortFen: 0,
    });
    expect(stageFigures({ status: "paid", amount: 100, paid: 100, dueAt: new Date("2026-11-30T00:00:00Z") }, now).late).toBe(false);
    expect(stageFigures({ status: "cancelled", amount: 100, paid: 30 }, now)).toMatchObject({ outstandingFen: 0, excessFen: 30 });
  });

  it("references: CG + the deal's short code + the number; typed in any case or full width", () => {
    expect(stageReference("6b05e3d465b6ea7bfdd307da", 2)).toBe("CGD307DA-2");
    expect(normalizeReference(" cgd307da - 2 ")).toBe("CGD307DA-2");
    expect(normalizeReference("ＣＧＤ３０７ＤＡ－２")).toBe("CGD307DA-2");
  });

  it("stage and royalty notifications come by email with trading news", () => {
    expect(mailCategoryOf("stage.paid")).toBe("trading");
    expect(mailCategoryOf("royalty.reported")).toBe("trading");
  });
});
