import { describe, expect, it } from "vitest";
import { dcg, ndcgAt, recallAt, violates } from "../../bench/matching/run.ts";
import { loadSynonymGroups } from "../../search/synonyms.ts";
import { buildLexicon, findTerms, termsOf } from "../../search/matching/terms.ts";
import { achievementFilter, demandFilter, queryTexts } from "../../search/matching/queries.ts";
import {
  localBigramWeights,
  prepareAchievement,
  prepareDemand,
  satisfiesHardConstraints,
  scorePair,
  specificityFromCounts,
  type MatchAchievement,
  type MatchDemand,
  type PairContext,
  type Specificity,
} from "../../search/matching/score.ts";

/** The algorithm's pure parts: terms, hard constraints, the pair score and its reasons. */

const lexicon = buildLexicon(loadSynonymGroups());
const vocabulary = new Set(["菌剂", "芽孢杆菌"]);
/** Every word equally specific and present somewhere: the score then depends on the texts only. */
const flat: Specificity = { of: () => 0.7, count: () => 3 };
const ctx: PairContext = { lexicon, vocabulary, specificity: flat };

const demand = (over: Partial<MatchDemand> = {}): MatchDemand => ({
  id: "d1",
  externalId: null,
  title: "老地块种三七烂根死苗",
  description: "合作社的三七都种在老地块上，烂根、死苗越来越多，想找不伤地的治理办法。",
  keywords: [],
  field: "plateau-agriculture",
  transactionModes: ["license"],
  minTrl: 5,
  budgetMax: 500_000,
  ...over,
});

const achievement = (over: Partial<MatchAchievement> = {}): MatchAchievement => ({
  id: "a1",
  externalId: "A1",
  title: "三七根腐病生物防治菌剂",
  summary: "拮抗木霉与芽孢杆菌复配，田间防效 72%。",
  description: "针对三七连作条件下的根腐病，研制复配微生物菌剂及施用技术。",
  keywords: ["三七", "根腐病", "生物防治"],
  field: "plateau-agriculture",
  trl: 6,
  transactionModes: ["license", "transfer"],
  priceMode: "fixed",
  price: 300_000,
  ...over,
});

const score = (d: MatchDemand, a: MatchAchievement) => scorePair(prepareDemand(d, ctx), prepareAchievement(a, ctx), ctx);

describe("hard constraints", () => {
  it("needs a shared transaction mode, a TRL at the minimum (issue 13 point 2) and an achievement not sold (point 3)", () => {
    expect(satisfiesHardConstraints(demand(), achievement())).toBe(true);
    expect(satisfiesHardConstraints(demand(), achievement({ transactionModes: ["transfer"] }))).toBe(false);
    expect(satisfiesHardConstraints(demand({ minTrl: 6 }), achievement({ trl: 6 }))).toBe(true);
    expect(satisfiesHardConstraints(demand({ minTrl: 6 }), achievement({ trl: 5 }))).toBe(false);
    for (const status of ["deal", "contracted", "registered"]) {
      expect(satisfiesHardConstraints(demand(), achievement({ status }))).toBe(false);
    }
    expect(satisfiesHardConstraints(demand(), achievement({ status: "trading" }))).toBe(true);
    expect(satisfiesHardConstraints(demand({ minTrl: 6 }), achievement({ trl: 4 }))).toBe(false);
    expect(satisfiesHardConstraints(demand({ minTrl: null }), achievement({ trl: 1 }))).toBe(true);
  });

  it("are Meilisearch filters on both indexes", () => {
    expect(achievementFilter(demand({ transactionModes: ["license", "equity"], minTrl: 6 }))).toEqual([
      'transactionModes IN ["license", "equity"]',
      'status NOT IN ["deal", "contracted", "registered"]',
      "trl >= 6",
    ]);
    expect(achievementFilter(demand({ minTrl: null }))).toEqual([
      'transactionModes IN ["license"]',
      'status NOT IN ["deal", "contracted", "registered"]',
    ]);
    expect(demandFilter(achievement({ trl: 4 }))).toEqual([
      'transactionModes IN ["license", "transfer"]',
      "(minTrl IS NULL OR minTrl NOT EXISTS OR minTrl <= 4)",
      'status NOT IN ["solved"]',
    ]);
  });
});

describe("terms", () => {
  it("finds dictionary words inside running Chinese text, and the segmenter's words beside them", () => {
    const words = findTerms("老地块种三七烂根死苗", lexicon, vocabulary).map((t) => t.word);
    expect(words).toEqual(expect.arrayContaining(["老地块", "三七", "烂根", "死苗"]));
    // Glued particles are not words.
    const more = findTerms("想在冬闲田里种羊肚菌，不想打农药", lexicon, vocabulary).map((t) => t.word);
    expect(more).toContain("羊肚菌");
    expect(more).not.toContain("想在");
    expect(more).not.toContain("不想");
    // A verb and its result split by 不 or 得 still name the thing: 晒不干 is about 晒干.
    expect(findTerms("拿出去晒几天都晒不干", lexicon, vocabulary).map((t) => t.word)).toContain("晒干");
  });

  it("merges a farmer's and a researcher's word for one thing into one concept", () => {
    const terms = termsOf({ keywords: ["烂根"], title: "三七根腐病", description: "死苗严重" }, lexicon, vocabulary);
    const rot = terms.filter((t) => t.words.includes("根腐病"));
    expect(rot).toHaveLength(1);
    expect(rot[0]!.canonical).toBe("根腐病");
    expect(rot[0]!.zones).toEqual(expect.arrayContaining(["keywords", "title", "description"]));
  });

  it("builds at most six queries, the most telling words first, leaving out words no achievement uses", () => {
    const terms = termsOf(demand({ keywords: ["三七", "烂根", "重茬"] }), lexicon, vocabulary);
    const spec: Specificity = { of: (t) => (t.canonical === "三七" ? 0.3 : 0.8), count: (t) => (t.canonical === "越来越" ? 0 : 5) };
    const queries = queryTexts(terms, spec, { keywords: ["三七", "烂根", "重茬"] });
    expect(queries.length).toBeLessThanOrEqual(6);
    // The combined query comes first; its first word (the one Meilisearch keeps) is not the common one.
    const combined = queries[0]!.q.split(" ");
    expect(combined[0]).not.toBe("三七");
    expect(combined).toEqual(expect.arrayContaining(["根腐病", "连作障碍", "三七"]));
    expect(terms.map((t) => t.canonical)).toContain("越来越");
    expect(queries.flatMap((q) => q.q.split(" "))).not.toContain("越来越"); // no achievement uses it: left out
    // The other main concepts get queries of their own.
    expect(queries.map((q) => q.q)).toContain(combined[0] === "根腐病" ? "连作障碍" : "根腐病");
  });

  it("turns hit counts into a specificity between 0.15 and 1", () => {
    expect(specificityFromCounts(0, 1000)).toBeCloseTo(1);
    expect(specificityFromCounts(1000, 1000)).toBeGreaterThanOrEqual(0.15);
    expect(specificityFromCounts(10, 1000)).toBeGreaterThan(specificityFromCounts(300, 1000));
  });
});

describe("the pair score", () => {
  it("bridges the farmer's words to the researcher's and says so", () => {
    const s = score(demand(), achievement());
    expect(s.score).toBeGreaterThan(0.5);
    expect(s.score).toBeLessThanOrEqual(1);
    expect(s.reasons).toContainEqual({ code: "keyword", word: "根腐病", via: "烂根" });
    expect(s.reasons).toContainEqual({ code: "withinBudget" });
    expect(s.reasons).toContainEqual({ code: "trl", trl: 6, min: 5 });
    expect(s.reasons).toContainEqual({ code: "field", field: "plateau-agriculture" });
  });

  it("ranks a price within budget above one over it, and a negotiable price like one within it", () => {
    const within = score(demand(), achievement({ price: 300_000 }));
    const over = score(demand(), achievement({ price: 900_000 }));
    const negotiable = score(demand(), achievement({ priceMode: "negotiable", price: null }));
    expect(within.score).toBeGreaterThan(over.score);
    expect(negotiable.score).toBe(within.score);
    expect(over.reasons).toContainEqual({ code: "overBudget" });
    expect(negotiable.reasons).toContainEqual({ code: "negotiable" });
    // No budget ceiling: any price is fine.
    expect(score(demand({ budgetMax: null }), achievement({ price: 9_000_000 })).score).toBe(within.score);
  });

  it("prefers meeting the TRL to being one below it", () => {
    const ok = score(demand({ minTrl: 6 }), achievement({ trl: 6 }));
    const below = score(demand({ minTrl: 6 }), achievement({ trl: 5 }));
    expect(ok.score).toBeGreaterThan(below.score);
    expect(below.reasons).toContainEqual({ code: "trlBelow", trl: 5, min: 6 });
  });

  it("scores an unrelated achievement low", () => {
    const tea = achievement({
      title: "高山绿茶清洁化连续加工生产线",
      summary: "电热杀青、连续揉捻。",
      description: "以电代柴改造茶叶初制加工。",
      keywords: ["茶叶加工", "清洁化"],
      field: "food-processing",
    });
    expect(score(demand(), tea).score).toBeLessThan(0.35);
  });

  it("weighs character pairs by how rare they are among the candidates", () => {
    const zoned = [
      achievement({ title: "三七种苗繁育", description: "三七种苗" }),
      achievement({ title: "三七花茶加工", description: "三七花" }),
      achievement({ title: "燃煤烤房热泵改造", description: "替代燃煤烤房" }),
    ].map((a) => prepareAchievement(a, ctx).zoned);
    const w = localBigramWeights(zoned);
    expect(w.idf("三七")).toBeLessThan(w.idf("烤房")); // what two of three share says less
    expect(w.idf("烤房")).toBeGreaterThan(0);
    expect(w.idf("火锅")).toBe(0); // in no candidate: cannot tell them apart
  });
});

describe("the quality harness's figures", () => {
  const judgments = { A: 3, B: 2, C: 1 };

  it("nDCG is 1 for the ideal order, lower otherwise, and null without relevant items", () => {
    expect(ndcgAt(10, ["A", "B", "C"], judgments)).toBeCloseTo(1);
    expect(ndcgAt(10, ["C", "B", "A"], judgments)!).toBeLessThan(1);
    expect(ndcgAt(10, ["X", "A"], judgments)!).toBeCloseTo(dcg([0, 3]) / dcg([3, 2, 1]));
    expect(ndcgAt(10, ["A"], {})).toBeNull();
  });

  it("recall counts the judged items found, optionally from a grade up", () => {
    expect(recallAt(10, ["A", "X"], judgments)).toBeCloseTo(1 / 3);
    expect(recallAt(10, ["A", "B"], judgments, 2)).toBe(1);
  });

  it("checks hard constraints from the records themselves", () => {
    const d = { externalId: "D", transactionModes: ["license"], minTrl: 6 };
    expect(violates(d, { externalId: "A", transactionModes: ["transfer"], trl: 9 })).toBe(true);
    expect(violates(d, { externalId: "A", transactionModes: ["license"], trl: 4 })).toBe(true);
    expect(violates(d, { externalId: "A", transactionModes: ["license"], trl: 5 })).toBe(true); // below minTrl: a hard rule
    expect(violates(d, { externalId: "A", transactionModes: ["license"], trl: 6 })).toBe(false);
  });
});
