import { describe, expect, it } from "vitest";
import { bagOf, idf, queryOf, relevance, StatsBuilder, telling } from "../../search/matching/bm25.ts";
import { achievementZones, buildCorpus, candidateBag, queryZones } from "../../search/matching/corpus.ts";
import { reciprocalRankFusion } from "../../search/matching/fusion.ts";
import { addWords, normalForm, tokenize, words } from "../../search/matching/text.ts";
import { areVariants, canonicalWriting, VariantIndex } from "../../search/matching/variants.ts";

/** The second retriever's pure parts: one normal form, three kinds of token, written variants, BM25, fusion. */

describe("text: one normal form and three kinds of token", () => {
  it("reads traditional characters as simplified, full-width as half-width", () => {
    expect(normalForm("魔芋軟腐病綜合防控技術")).toBe("魔芋软腐病综合防控技术");
    expect(normalForm("ＰＬＣ控制櫃")).toBe("plc控制柜");
  });

  it("leaves out words that name no subject: counts, time words, adverbs, set phrases", () => {
    expect(words(normalForm("四十多头黄牛早就两天一不小心就掉膘"))).toEqual(expect.arrayContaining(["黄牛"]));
    for (const w of ["四十多", "早就", "大概", "两天", "一不小心", "这里"]) expect(words(normalForm(`黄牛${w}掉膘`))).not.toContain(w);
  });

  it("gives segmenter words, bigrams inside Han runs and content characters", () => {
    // As matching does, the vocabulary's words are taught first: 三七 is a numeral to the dictionary.
    expect(words(normalForm("三七根腐病"))).not.toContain("三七");
    addWords(["三七"]);
    const t = tokenize(normalForm("三七根腐病防治，PLC控制"));
    expect(t.words).toEqual(expect.arrayContaining(["三七", "根腐病", "防治", "plc", "控制"]));
    expect(t.bigrams).toContain("腐病");
    // no bigram across the comma or into Latin letters
    expect(t.bigrams).not.toContain("治p");
    expect(t.bigrams).not.toContain("治控");
    // function characters are not tokens
    expect(tokenize("我们的地里").chars).not.toContain("的");
  });
});

describe("written variants: same sound, one character changed, one writing rare", () => {
  it.each([
    ["磨芋", "魔芋"],
    ["苞谷", "包谷"],
    ["苞谷芯", "包谷芯"],
  ])("%s and %s are one word", (a, b) => {
    expect(areVariants(a, b)).toBe(true);
  });

  it.each([
    ["地里", "地理", "both established words"],
    ["菌种", "军种", "both established words"],
    ["工事", "攻势", "no character in common"],
    ["苞谷", "玉米", "different sound"],
    ["烘干", "烘杆", "not a noun"],
  ])("%s and %s stay apart (%s)", (a, b) => {
    expect(areVariants(a, b)).toBe(false);
  });

  it("finds the variants a corpus uses and prefers the established writing", () => {
    const index = new VariantIndex();
    for (const w of ["魔芋", "软腐病", "地理", "包谷"]) index.add(w);
    expect(index.variantsOf("磨芋")).toEqual(["魔芋"]);
    expect(index.variantsOf("地里")).toEqual([]);
    expect(canonicalWriting(["磨芋", "魔芋"])).toBe("魔芋");
  });
});

describe("BM25 over words, bigrams and characters", () => {
  const docs = [
    {
      id: "rot",
      title: "魔芋软腐病综合防控技术",
      keywords: ["魔芋", "软腐病"],
      summary: "种芋消毒与生物菌剂防控软腐病。",
      description: "",
    },
    { id: "flour", title: "魔芋精粉加工工艺", keywords: ["魔芋", "精粉"], summary: "葡甘聚糖精粉的加工。", description: "" },
    { id: "tea", title: "茶叶电磁杀青机", keywords: ["茶叶", "杀青"], summary: "电磁加热滚筒杀青。", description: "" },
  ];
  const corpus = buildCorpus(docs.map(achievementZones));
  const rank = (title: string, description: string) => {
    const q = queryOf(queryZones({ title, keywords: [], description }), corpus.stats, corpus.canonical);
    return docs
      .map((d) => ({ id: d.id, r: relevance(q, candidateBag(d.id, achievementZones(d), corpus), corpus.stats) }))
      .sort((x, y) => y.r - x.r);
  };

  it("ranks the document with the demand's rare words first, whatever way the demand writes the crop", () => {
    const r = rank("磨芋一年比一年烂得凶", "地里的磨芋烂了，软腐病越来越重");
    expect(r[0]!.id).toBe("rot");
    expect(r[2]!.id).toBe("tea");
    expect(r[2]!.r).toBe(0);
  });

  it("counts written variants as one word in the statistics", () => {
    // 磨芋 never occurs in the corpus, yet the query's word is the corpus's 魔芋.
    expect(corpus.canonical("磨芋")).toBe("魔芋");
    expect(corpus.stats.df.words.get("魔芋")).toBe(2);
  });

  it("gives a relevance between 0 and 1 and a rarer word more weight", () => {
    for (const { r } of rank("魔芋软腐病", "")) {
      expect(r).toBeGreaterThanOrEqual(0);
      expect(r).toBeLessThanOrEqual(1);
    }
    expect(idf(corpus.stats, "words", "软腐病")).toBeGreaterThan(idf(corpus.stats, "words", "魔芋"));
    const q = queryOf(queryZones({ title: "魔芋软腐病", keywords: [], description: "" }), corpus.stats, corpus.canonical);
    expect(telling(q, corpus.stats, 1)).toEqual(["软腐病"]);
  });

  it("weighs a word in the title more than the same word in the description", () => {
    const stats = new StatsBuilder();
    const inTitle = bagOf([
      { text: "热泵干燥", weight: 3 },
      { text: "设备说明", weight: 1 },
    ]);
    const inText = bagOf([
      { text: "设备说明", weight: 3 },
      { text: "热泵干燥", weight: 1 },
    ]);
    stats.add(inTitle);
    stats.add(inText);
    stats.add(bagOf([{ text: "茶叶杀青", weight: 1 }]));
    const s = stats.build();
    const q = queryOf([{ text: "热泵干燥", weight: 1 }], s);
    expect(relevance(q, inTitle, s)).toBeGreaterThan(relevance(q, inText, s));
  });

  it("expands a query word with its vocabulary group at a lower weight", () => {
    addWords(["烂根"]);
    const q = queryOf(queryZones({ title: "烂根", keywords: [], description: "" }), corpus.stats, corpus.canonical, (w) =>
      w === "烂根" ? ["根腐病"] : [],
    );
    expect(q.weights.words.get("根腐病")).toBeLessThan(q.weights.words.get("烂根")!);
  });
});

describe("reciprocal rank fusion", () => {
  it("puts an item near the top of both lists above one at the top of only one", () => {
    const fused = reciprocalRankFusion(
      [
        { name: "concept", weight: 1, ids: ["a", "b", "x"] },
        { name: "bm25", weight: 1, ids: ["c", "b", "y"] },
      ],
      60,
    );
    const order = [...fused].sort((x, y) => y[1] - x[1]).map(([id]) => id);
    expect(order[0]).toBe("b");
    expect(fused.get("a")).toBeCloseTo(1 / 61);
    expect(fused.get("b")).toBeCloseTo(2 / 62);
    expect(fused.has("e")).toBe(false);
  });

  it("lets a list's weight decide between two items each first in one list", () => {
    const fused = reciprocalRankFusion([
      { name: "concept", weight: 1, ids: ["a"] },
      { name: "bm25", weight: 2, ids: ["b"] },
    ]);
    expect(fused.get("b")!).toBeGreaterThan(fused.get("a")!);
  });
});
