import { describe, expect, it } from "vitest";
import { prepareAchievement, prepareDemand, ImportRequestSchema } from "~/schemas/api.ts";
import { bilingual } from "~/web/api/envelope.server.ts";

/** The example record, as another platform would send it. */
const example = () => ({
  externalId: "A1",
  title: "三七连作障碍土壤修复技术",
  summary: "解决三七连作障碍的微生物土壤修复方案",
  description: "利用复合微生物菌剂与轮作制度相结合，修复三七种植土壤，连作成活率提高到 85% 以上。",
  field: "biomedicine",
  keywords: ["三七"],
  ipType: "invention-patent",
  patentNumbers: ["ZL201910123456.7"],
  trl: 6,
  transactionModes: ["license", "transfer"],
  price: { mode: "fixed", amount: 300000 },
  owner: { name: "文山学院", type: "university" },
  region: "532627",
});

describe("one imported achievement", () => {
  it("turns yuan into fen and keeps the public field names", () => {
    const r = prepareAchievement(example());
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.data.price).toEqual({ mode: "fixed", amount: 30_000_000 });
    expect(r.value.owner).toEqual({ name: "文山学院", type: "university" });
    expect(r.value.status).toBe("published");
  });

  it("imports a patent number with a wrong check character but warns about that number", () => {
    const r = prepareAchievement(example());
    expect(r.ok).toBe(true);
    expect(r.warnings).toContainEqual({
      field: "patentNumbers.0",
      message: "apiWarnings.patentCheck",
      params: { number: "ZL201910123456.7", expected: "X" },
    });
    expect(
      bilingual(r.warnings.find((w) => w.field === "patentNumbers.0")!.message, { number: "ZL201910123456.7", expected: "X" }),
    ).toContain("应为 X");
  });

  it("assumes a non-exclusive licence when the exclusivity is missing, and says so", () => {
    const r = prepareAchievement(example());
    expect(r.ok && r.value.data.licenseExclusivity).toEqual(["non-exclusive"]);
    expect(r.warnings.map((w) => w.field)).toContain("licenseExclusivity");
    const given = prepareAchievement({ ...example(), licenseExclusivity: ["exclusive"] });
    expect(given.ok && given.value.data.licenseExclusivity).toEqual(["exclusive"]);
    expect(given.warnings.map((w) => w.field)).not.toContain("licenseExclusivity");
  });

  it("derives a missing summary from the first 200 characters of the description, with a warning", () => {
    const description = "甲".repeat(250);
    const r = prepareAchievement({ ...example(), summary: undefined, description });
    expect(r.ok && r.value.data.summary).toBe("甲".repeat(200));
    expect(r.warnings.map((w) => w.field)).toContain("summary");
  });

  it.each([
    ["an unknown field code", { field: "space-travel" }, "field"],
    ["TRL 12", { trl: 12 }, "trl"],
    ["a missing title", { title: undefined }, "title"],
    ["a malformed patent number", { patentNumbers: ["ZL2019-123"] }, "patentNumbers.0"],
    ["a negative price", { price: { mode: "fixed", amount: -5 } }, "price.amount"],
    ["three decimals of yuan", { price: { mode: "fixed", amount: 1.005 } }, "price.amount"],
    ["a missing externalId", { externalId: "" }, "externalId"],
    ["an owner without type", { owner: { name: "某公司" } }, "owner.type"],
    [
      "an owner with a bad credit code",
      { owner: { name: "某公司", type: "enterprise", creditCode: "91532623MA6K000000" } },
      "owner.creditCode",
    ],
    ["an unparseable expiry date", { expiresAt: "next spring" }, "expiresAt"],
    ["an unknown status", { status: "sold" }, "status"],
    ["a region that is not a code", { region: "文山" }, "region"],
  ])("refuses %s and names the field", (_what, change, field) => {
    const r = prepareAchievement({ ...example(), ...change });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(Object.keys(r.errors)).toContain(field);
  });

  it("names a missing or mistyped value in words, not in zod's terms", () => {
    const r = prepareAchievement({ ...example(), price: undefined, keywords: 5 });
    expect(!r.ok && r.errors).toEqual({ price: ["errors.required"], keywords: ["apiErrors.expected.array"] });
    expect(bilingual("apiErrors.expected.array")).toBe("应为数组 / Must be an array");
  });

  it("reports every problem of a record at once", () => {
    const r = prepareAchievement({ ...example(), trl: 0, field: "x", title: "" });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(Object.keys(r.errors).sort()).toEqual(["field", "title", "trl"]);
  });

  it("checks the region against the division list it is given, together with the other fields", () => {
    const names: Record<string, string> = { "532627": "广南县" };
    const lookup = (code: string) => names[code];
    const known = prepareAchievement(example(), { regionName: lookup });
    expect(known.ok && known.value.regionName).toBe("广南县");
    const r = prepareAchievement({ ...example(), region: "999999", trl: 12 }, { regionName: lookup });
    expect(!r.ok && Object.keys(r.errors).sort()).toEqual(["region", "trl"]);
  });

  it("takes a workflow status from an export line as published or draft, and says so", () => {
    const trading = prepareAchievement({ ...example(), status: "trading" });
    expect(trading.ok && trading.value.status).toBe("published");
    expect(trading.warnings.map((w) => w.field)).toContain("status");
    const withdrawn = prepareAchievement({ ...example(), status: "withdrawn" });
    expect(withdrawn.ok && withdrawn.value.status).toBe("draft");
  });

  it("warns about fields it does not know instead of dropping them silently", () => {
    const r = prepareAchievement({ ...example(), pricee: 5 });
    expect(r.ok).toBe(true);
    expect(r.warnings).toContainEqual({ field: "pricee", message: "apiWarnings.unknownField" });
  });
});

describe("one imported demand", () => {
  it("reads the budget in yuan and defaults the enterprise's type", () => {
    const r = prepareDemand({
      externalId: "D1",
      title: "三七烘干设备节能改造",
      description: "合作社现有烘干设备能耗高，希望引进节能烘干技术。",
      field: "advanced-manufacturing",
      keywords: "烘干、节能",
      budget: { max: 500000 },
      transactionModes: ["license"],
      minTrl: 5,
      enterprise: { name: "兴街镇三七种植专业合作社" },
      region: "532623",
      deadline: "2026-12-31",
    });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.data.budget).toEqual({ max: 50_000_000 });
    expect(r.value.data.keywords).toEqual(["烘干", "节能"]);
    expect(r.value.owner.type).toBe("enterprise");
    expect(r.value.data.deadline?.toISOString()).toBe("2026-12-31T00:00:00.000Z");
  });

  it("refuses a budget whose maximum is below its minimum", () => {
    const r = prepareDemand({
      externalId: "D2",
      title: "t",
      description: "d",
      field: "other",
      transactionModes: ["transfer"],
      budget: { min: 10, max: 5 },
      enterprise: { name: "x" },
      region: "532623",
    });
    expect(!r.ok && Object.keys(r.errors)).toEqual(["budget.max"]);
  });
});

describe("the import envelope", () => {
  it("needs achievements or demands and refuses the reserved source", () => {
    expect(ImportRequestSchema.safeParse({}).success).toBe(false);
    expect(ImportRequestSchema.safeParse({ source: "platform", achievements: [] }).success).toBe(false);
    expect(ImportRequestSchema.safeParse({ achievements: [], extra: 1 }).success).toBe(false);
    expect(ImportRequestSchema.safeParse({ source: "wenshan", demands: [] }).success).toBe(true);
  });
});

describe("messages of the API", () => {
  it("come in Chinese and English, and text that is no key passes through", () => {
    expect(bilingual("errors.trl")).toBe("成熟度应为 1–9 的整数 / TRL must be a whole number from 1 to 9");
    expect(bilingual("Expected array, received number")).toBe("Expected array, received number");
  });
});
