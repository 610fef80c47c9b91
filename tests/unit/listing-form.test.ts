import { parseWithZod } from "@conform-to/zod";
import { describe, expect, it } from "vitest";
import {
  AchievementFormSchema,
  achievementFormDefaults,
  achievementFormToInput,
  DemandFormSchema,
  demandFormDefaults,
  demandFormToInput,
  parseInventors,
  serviceErrorsToForm,
  splitKeywords,
  splitPatentNumbers,
} from "~/schemas/listing-form.ts";
import { AchievementDataSchema, DemandDataSchema } from "~/schemas/listing.ts";
import forms from "~/locales/modules/forms.ts";
import { patentCheckChar, patentProblem } from "~/utils/patent.ts";
import { chinaToday } from "~/utils/china-time.ts";
import { parseFormMessage } from "~/utils/messages.ts";

type Fields = Record<string, string | string[]>;

function formData(fields: Fields) {
  const fd = new FormData();
  for (const [k, v] of Object.entries(fields)) for (const x of [v].flat()) fd.append(k, x);
  return fd;
}
const parseAchievement = (fields: Fields) => parseWithZod(formData(fields), { schema: AchievementFormSchema });
const parseDemand = (fields: Fields) => parseWithZod(formData(fields), { schema: DemandFormSchema });

/** The field errors of a failed parse, with parameters decoded for readable assertions. */
function errorsOf(r: ReturnType<typeof parseAchievement> | ReturnType<typeof parseDemand>) {
  expect(r.status).toBe("error");
  return Object.fromEntries(
    Object.entries(r.status === "error" ? (r.error ?? {}) : {}).map(([k, v]) => [
      k,
      (v ?? []).map((m) => {
        const { key, params } = parseFormMessage(m);
        return Object.keys(params).length ? `${key} ${Object.values(params).join(" ")}` : key;
      }),
    ]),
  );
}

const UTILITY = `ZL202220123456.${patentCheckChar("202220123456")}`;

const achievement: Fields = {
  title: "三七根腐病生物防治菌剂",
  summary: "以本地分离的拮抗菌株制成的微生物菌剂，田间防效 70% 以上。",
  description: "在西畴、砚山等地三年田间试验……",
  field: "plateau-agriculture",
  keywords: "三七, 根腐病、生物防治，菌剂  三七",
  ipType: "invention-patent",
  patentNumbers: `ZL201910123456.X\n zl 2022 2012 3456.${patentCheckChar("202220123456")} `,
  trl: "6",
  transactionModes: ["transfer", "license"],
  licenseExclusivity: "exclusive",
  priceMode: "fixed",
  priceAmount: "1,234,567.89",
  inventors: "张教授 40%\n李研究员：30\n王工",
  region: "532623",
  town: "532623102",
  fiscalFunded: "on",
  fiscalProject: "云南省重点研发计划（三七连作障碍）",
  expiresAt: "2099-12-31",
};

const demand: Fields = {
  title: "三七烘干节能设备",
  description: "合作社每年烘干三七 200 吨，希望降低燃煤用量……",
  field: "advanced-manufacturing",
  keywords: "烘干；节能",
  budgetMin: "50000",
  budgetMax: "300000.5",
  transactionModes: ["cooperation", "transfer"],
  minTrl: "7",
  deadline: "2099-06-30",
  region: "532623",
  town: "",
};

describe("achievement form", () => {
  it("maps a complete form to the core input with exact fen values", () => {
    const r = parseAchievement(achievement);
    expect(r.status).toBe("success");
    if (r.status !== "success") return;
    const input = achievementFormToInput(r.value);
    expect(input).toEqual({
      title: "三七根腐病生物防治菌剂",
      summary: achievement.summary,
      description: achievement.description,
      field: "plateau-agriculture",
      keywords: ["三七", "根腐病", "生物防治", "菌剂"],
      ipType: "invention-patent",
      patentNumbers: ["ZL201910123456.X", UTILITY],
      trl: 6,
      transactionModes: ["transfer", "license"],
      licenseExclusivity: ["exclusive"],
      price: { mode: "fixed", amount: 123_456_789 },
      inventors: [{ name: "张教授", share: 40 }, { name: "李研究员", share: 30 }, { name: "王工" }],
      region: "532623102",
      fiscalFunding: { funded: true, project: "云南省重点研发计划（三七连作障碍）" },
      expiresAt: new Date("2099-12-31T15:59:59.999Z"), // end of that day in China
    });
    // …and the core schema the service validates with accepts it as it is.
    expect(AchievementDataSchema.safeParse(input).success).toBe(true);
  });

  it("parses yuan exactly, without floating-point drift", () => {
    for (const [typed, fen] of [
      ["0.29", 29],
      ["1.1", 110],
      ["300000", 30_000_000],
      ["￥12,000.05", 1_200_005],
      ["5万", 5_000_000],
      ["1.5万", 1_500_000],
    ] as const) {
      const r = parseAchievement({ ...achievement, priceAmount: typed });
      expect(r.status).toBe("success");
      if (r.status === "success") expect(achievementFormToInput(r.value).price).toEqual({ mode: "fixed", amount: fen });
    }
  });

  it("drops the licence kind when no licence is offered and the amount when negotiable is left empty", () => {
    const r = parseAchievement({ ...achievement, transactionModes: "transfer", priceMode: "negotiable", priceAmount: "" });
    expect(r.status).toBe("success");
    if (r.status !== "success") return;
    const input = achievementFormToInput(r.value);
    expect(input.licenseExclusivity).toEqual([]);
    expect(input.price).toEqual({ mode: "negotiable" });
    expect(input.region).toBe("532623102");
  });

  it("refuses a patent number with a wrong check character, naming it under the patent field", () => {
    const errors = errorsOf(parseAchievement({ ...achievement, patentNumbers: "ZL201910123456.X\nZL201910123456.7" }));
    expect(errors).toEqual({ patentNumbers: ["listingForm.errors.patentCheck ZL201910123456.7"] });
  });

  it("names badly formed patent numbers and a wrong type digit", () => {
    const errors = errorsOf(parseAchievement({ ...achievement, patentNumbers: "ZL2019101234.X，ZL201940123456.1" }));
    expect(errors.patentNumbers).toEqual([
      "listingForm.errors.patentFormat ZL2019101234.X",
      "listingForm.errors.patentType ZL201940123456.1",
    ]);
  });

  it("requires patent numbers for patent IP types but not for a trade secret", () => {
    expect(errorsOf(parseAchievement({ ...achievement, patentNumbers: "" }))).toEqual({
      patentNumbers: ["errors.patentRequired"],
    });
    expect(parseAchievement({ ...achievement, ipType: "trade-secret", patentNumbers: "" }).status).toBe("success");
  });

  it("requires an amount for a fixed price or an auction, next to the amount field", () => {
    expect(errorsOf(parseAchievement({ ...achievement, priceAmount: "" }))).toEqual({ priceAmount: ["errors.priceRequired"] });
    expect(errorsOf(parseAchievement({ ...achievement, priceMode: "auction", priceAmount: "0" }))).toEqual({
      priceAmount: ["errors.priceRequired"],
    });
    expect(errorsOf(parseAchievement({ ...achievement, priceAmount: "12.345" }))).toEqual({ priceAmount: ["errors.amount"] });
    expect(errorsOf(parseAchievement({ ...achievement, priceAmount: "-5" }))).toEqual({ priceAmount: ["errors.amount"] });
    expect(errorsOf(parseAchievement({ ...achievement, priceAmount: "20000000000" }))).toEqual({
      priceAmount: ["errors.amountTooLarge"],
    });
  });

  it("requires the licence kind when a licence is offered", () => {
    expect(errorsOf(parseAchievement({ ...achievement, licenseExclusivity: [] }))).toEqual({
      licenseExclusivity: ["errors.exclusivityRequired"],
    });
  });

  it("shows the cross-field rules together with missing fields in one go", () => {
    const errors = errorsOf(
      parseAchievement({ ...achievement, title: "  ", trl: "", transactionModes: [], patentNumbers: "", priceAmount: "" }),
    );
    expect(errors).toEqual({
      title: ["errors.required"],
      trl: ["errors.required"],
      transactionModes: ["errors.transactionModesRequired"],
      patentNumbers: ["errors.patentRequired"],
      priceAmount: ["errors.priceRequired"],
    });
  });

  it("refuses values no select offers", () => {
    const errors = errorsOf(
      parseAchievement({ ...achievement, field: "astrology", ipType: "", trl: "10", priceMode: "free", transactionModes: "gift" }),
    );
    expect(errors).toMatchObject({
      field: ["errors.field"],
      ipType: ["errors.ipType"],
      trl: ["errors.trl"],
      priceMode: ["errors.priceMode"],
      transactionModes: ["errors.transactionMode"],
    });
  });

  it("checks keywords, inventors, the fiscal project, the town and the validity date", () => {
    const errors = errorsOf(
      parseAchievement({
        ...achievement,
        keywords: `三七 ${"很".repeat(31)}`,
        inventors: "张教授 70%\n李研究员 40%\n50% 王工",
        fiscalProject: "",
        town: "532601001",
        expiresAt: chinaToday(),
      }),
    );
    expect(errors).toEqual({
      keywords: [`listingForm.errors.keywordTooLong ${"很".repeat(31)}`],
      inventors: ["listingForm.errors.inventorLine 50% 王工", "errors.sharesOver100"],
      fiscalProject: ["listingForm.errors.fiscalProjectRequired"],
      town: ["listingForm.errors.townMismatch"],
      expiresAt: ["listingForm.errors.dateNotFuture"],
    });
    expect(errorsOf(parseAchievement({ ...achievement, expiresAt: "2025-02-30" }))).toEqual({ expiresAt: ["listingForm.errors.date"] });
  });

  it("fills the edit form from a stored achievement so that saving it unchanged gives the same data", () => {
    const r = parseAchievement(achievement);
    if (r.status !== "success") throw new Error("fixture invalid");
    const input = achievementFormToInput(r.value);
    const stored = AchievementDataSchema.parse(input);
    const defaults = achievementFormDefaults({
      ...stored,
      price: { mode: stored.price.mode, amount: stored.price.amount ?? null },
      inventors: stored.inventors.map((i) => ({ name: i.name, share: i.share ?? null })),
      fiscalFunding: { funded: stored.fiscalFunding.funded, project: stored.fiscalFunding.project ?? null },
      expiresAt: stored.expiresAt!.toISOString(),
    });
    expect(defaults).toMatchObject({ priceAmount: "1234567.89", region: "532623", town: "532623102", expiresAt: "2099-12-31", trl: "6" });
    const again = parseWithZod(
      formData(
        Object.fromEntries(
          Object.entries(defaults).flatMap(([k, v]) =>
            typeof v === "boolean" ? (v ? [[k, "on"]] : []) : v === undefined ? [] : [[k, v as string | string[]]],
          ),
        ),
      ),
      { schema: AchievementFormSchema },
    );
    expect(again.status).toBe("success");
    if (again.status === "success") expect(achievementFormToInput(again.value)).toEqual(input);
  });
});

describe("demand form", () => {
  it("maps a complete form to the core input with exact fen values", () => {
    const r = parseDemand(demand);
    expect(r.status).toBe("success");
    if (r.status !== "success") return;
    const input = demandFormToInput(r.value);
    expect(input).toEqual({
      title: "三七烘干节能设备",
      description: demand.description,
      field: "advanced-manufacturing",
      keywords: ["烘干", "节能"],
      budget: { min: 5_000_000, max: 30_000_050 },
      transactionModes: ["cooperation", "transfer"],
      minTrl: 7,
      deadline: new Date("2099-06-30T15:59:59.999Z"),
      region: "532623",
    });
    expect(DemandDataSchema.safeParse(input).success).toBe(true);
    expect(
      demandFormDefaults({
        ...input,
        budget: { min: 5_000_000, max: 30_000_050 },
        keywords: ["烘干", "节能"],
        minTrl: 7,
        deadline: input.deadline!.toISOString(),
        transactionModes: ["cooperation"],
      }),
    ).toMatchObject({
      budgetMin: "50000",
      budgetMax: "300000.50",
      deadline: "2099-06-30",
      minTrl: "7",
    });
  });

  it("leaves the budget open and the minimum TRL unset when they are empty", () => {
    const r = parseDemand({ ...demand, budgetMin: "", budgetMax: "", minTrl: "", deadline: "" });
    expect(r.status).toBe("success");
    if (r.status === "success") {
      const input = demandFormToInput(r.value);
      expect(input.budget).toEqual({});
      expect(input.minTrl).toBeUndefined();
      expect(input.deadline).toBeUndefined();
    }
  });

  it("puts a budget minimum above the maximum next to the maximum", () => {
    expect(errorsOf(parseDemand({ ...demand, budgetMin: "500000", budgetMax: "300000" }))).toEqual({
      budgetMax: ["errors.budgetOrder"],
    });
    // 万 is read (issue 13, point 17): 50万 is above 300000.5; 5千 is still not an amount.
    expect(errorsOf(parseDemand({ ...demand, budgetMin: "50万" }))).toEqual({ budgetMax: ["errors.budgetOrder"] });
    expect(errorsOf(parseDemand({ ...demand, budgetMin: "5千" }))).toEqual({ budgetMin: ["errors.amount"] });
  });

  it("refuses a deadline in the past, no transaction mode and a missing description together", () => {
    expect(errorsOf(parseDemand({ ...demand, deadline: "2020-01-01", transactionModes: [], description: "" }))).toEqual({
      deadline: ["listingForm.errors.dateNotFuture"],
      transactionModes: ["errors.transactionModesRequired"],
      description: ["errors.required"],
    });
  });
});

describe("free-text fields", () => {
  it("splits keywords on commas, 、, ， and spaces", () => {
    expect(splitKeywords("三七,根腐病、生物防治，菌剂 西畴　文山;石漠化；三七")).toEqual([
      "三七",
      "根腐病",
      "生物防治",
      "菌剂",
      "西畴",
      "文山",
      "石漠化",
    ]);
  });

  it("splits patent numbers per line or comma and keeps spaces inside a number", () => {
    expect(splitPatentNumbers("ZL 2019 1012 3456.X, ZL202220123456.7\nzl98100123.8 ZL201930123456.0")).toEqual([
      "ZL201910123456.X",
      "ZL202220123456.7",
      "ZL98100123.8",
      "ZL201930123456.0",
    ]);
  });

  it("reads inventors with or without shares", () => {
    expect(parseInventors("张三 40%\n李四：30％\nJohn Smith 12.5\n王五、赵六")).toEqual({
      inventors: [
        { name: "张三", share: 40 },
        { name: "李四", share: 30 },
        { name: "John Smith", share: 12.5 },
        { name: "王五" },
        { name: "赵六" },
      ],
      bad: [],
    });
  });
});

describe("what the form shows", () => {
  it("gives only valid patent numbers as examples, in both languages", () => {
    for (const lang of [forms["zh-CN"], forms.en]) {
      const examples = JSON.stringify(lang).match(/ZL\d{8,12}\.[\dX]/g) ?? [];
      expect(examples.length).toBeGreaterThan(0);
      for (const e of examples) expect([e, patentProblem(e)]).toEqual([e, null]);
    }
  });
});

describe("service errors on the form", () => {
  it("maps core paths to the form's fields and keeps unknown ones as form errors", () => {
    expect(
      serviceErrorsToForm("achievement", {
        "price.amount": ["errors.priceRequired"],
        "patentNumbers.1": ["errors.patent.format"],
        "inventors.0.name": ["errors.required"],
        "fiscalFunding.project": ["errors.tooLong"],
        region: ["errors.regionUnknown"],
        "": ["errors.organizationRequired"],
      }),
    ).toEqual({
      priceAmount: ["errors.priceRequired"],
      patentNumbers: ["errors.patent.format"],
      inventors: ["errors.required"],
      fiscalProject: ["errors.tooLong"],
      region: ["errors.regionUnknown"],
      "": ["errors.organizationRequired"],
    });
    expect(serviceErrorsToForm("demand", { "budget.max": ["errors.budgetOrder"], "price.amount": ["x"] })).toEqual({
      budgetMax: ["errors.budgetOrder"],
      "": ["x"],
    });
  });
});
