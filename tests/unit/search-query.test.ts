import { describe, expect, it } from "vitest";
import { parseSearchParams, searchHref, SearchParamsSchema, type SearchParamsInput } from "~/schemas/search.ts";
import {
  budgetBucketClause,
  buildSearchPlan,
  buildSuggestQuery,
  combineFilter,
  filterGroups,
  filterString,
  numberLiteral,
  priceBucketClause,
  quote,
  sortFor,
  stageCounts,
} from "../../search/query.ts";
import { highlightParts } from "~/utils/highlight.ts";
import { budgetBucketsOf, priceBucketsOf } from "../../search/documents.ts";

const p = (input: SearchParamsInput = {}) => SearchParamsSchema.parse(input);
const uids = { achievements: "t_achievements", demands: "t_demands" };

describe("filter literals", () => {
  it("quotes strings so that they cannot close early", () => {
    expect(quote("plateau-agriculture")).toBe('"plateau-agriculture"');
    expect(quote('a" OR field != "b')).toBe('"a\\" OR field != \\"b"');
    expect(quote("back\\slash")).toBe('"back\\\\slash"');
    // Every quote inside is preceded by an odd number of backslashes: none ends the literal.
    const literal = quote('x\\" OR 1 = 1 OR "\\\\"');
    const inner = literal.slice(1, -1);
    for (let i = 0; i < inner.length; i++) {
      if (inner[i] !== '"') continue;
      let slashes = 0;
      for (let j = i - 1; j >= 0 && inner[j] === "\\"; j--) slashes++;
      expect(slashes % 2).toBe(1);
    }
  });

  it("writes numbers plainly and refuses anything else", () => {
    expect(numberLiteral(100000)).toBe("100000");
    expect(numberLiteral(2800.5)).toBe("2800.5");
    expect(() => numberLiteral(Number.NaN)).toThrow();
    expect(() => numberLiteral(Infinity)).toThrow();
    expect(() => numberLiteral(1e21)).toThrow();
  });
});

describe("filters", () => {
  it("ORs values inside a group and ANDs the groups", () => {
    expect(filterString("achievements", p({ field: ["biomedicine", "plateau-agriculture"], mode: ["license"], county: ["532623"] }))).toBe(
      '(field IN ["biomedicine", "plateau-agriculture"]) AND (transactionModes IN ["license"]) AND (county IN ["532623"])',
    );
    expect(filterString("achievements", p({}))).toBe("");
  });

  it("maps price bands and ranges onto the price in yuan; 面议 onto the price mode", () => {
    expect(priceBucketClause("upTo100k")).toBe("price <= 100000");
    expect(priceBucketClause("100kTo500k")).toBe("price > 100000 AND price <= 500000");
    expect(priceBucketClause("over1m")).toBe("price > 1000000");
    expect(priceBucketClause("negotiable")).toBe('priceMode = "negotiable"');
    expect(() => priceBucketClause('x" OR "1')).toThrow();
    expect(filterGroups("achievements", p({ price: ["upTo100k", "negotiable"], priceMin: 5000, priceMax: 20000.5 }))).toEqual({
      price: '(price <= 100000) OR (priceMode = "negotiable")',
      priceRange: "price >= 5000 AND price <= 20000.5",
    });
  });

  it("reads a demand's budget on its ceiling, falling back to the floor", () => {
    expect(budgetBucketClause("upTo50k")).toBe(
      "(budgetMax IS NOT NULL AND budgetMax <= 50000) OR (budgetMax IS NULL AND budgetMin IS NOT NULL AND budgetMin <= 50000)",
    );
    expect(budgetBucketClause("open")).toBe("budgetMax IS NULL AND budgetMin IS NULL");
  });

  it("turns maturity stages into TRL ranges for demands and uses the stage for achievements", () => {
    expect(filterGroups("achievements", p({ maturity: ["pilot"], trlMin: 4 }))).toEqual({
      maturity: 'maturity IN ["pilot"]',
      trlRange: "trl >= 4",
    });
    expect(filterGroups("demands", p({ kind: "demands", maturity: ["research", "pilot"], trlMax: 7 }))).toEqual({
      maturity: "(minTrl 1 TO 3) OR (minTrl 6 TO 7)",
      trlRange: "minTrl <= 7",
    });
  });

  it("leaves a facet's own group out when counting it", () => {
    const groups = filterGroups("achievements", p({ field: ["biomedicine"], mode: ["transfer"] }));
    expect(combineFilter(groups, "field")).toEqual(['(transactionModes IN ["transfer"])']);
    expect(combineFilter(groups)).toHaveLength(2);
  });

  it("sorts by the kind's money attribute; relevance without words means newest", () => {
    expect(sortFor("achievements", "priceAsc", "三七")).toEqual(["price:asc"]);
    expect(sortFor("demands", "priceDesc", "")).toEqual(["budgetMax:desc"]);
    expect(sortFor("achievements", "relevance", "三七")).toBeUndefined();
    expect(sortFor("achievements", "relevance", "")).toEqual(["publishedAt:desc"]);
    expect(sortFor("achievements", "trlDesc", "")).toEqual(["trl:desc"]);
  });
});

describe("the multi-search plan", () => {
  it("asks for hits and facets (money bands too), one count per chosen facet group, and the other tab's count", () => {
    const plan = buildSearchPlan("achievements", p({ q: "三七", field: ["biomedicine"], page: 2 }), uids);
    const main = plan.queries[plan.main]!;
    expect(main).toMatchObject({ indexUid: "t_achievements", q: "三七", page: 2, hitsPerPage: 12, locales: ["cmn"] });
    expect(main.facets).toEqual(["field", "transactionModes", "ipType", "maturity", "priceBuckets", "prefecture", "county"]);
    expect(main.highlightPreTag).toBe("\u0001");
    expect(Object.keys(plan.facetQueries)).toEqual(["field"]);
    expect(plan.queries[plan.facetQueries.field!]).toMatchObject({ filter: [], facets: ["field"], hitsPerPage: 0 });
    expect(plan.queries[plan.otherKindQuery]).toMatchObject({ indexUid: "t_demands", q: "三七", hitsPerPage: 0 });
    expect(plan.queries[plan.otherKindQuery]!.filter).toEqual(['(field IN ["biomedicine"])']);
    expect(plan.queries).toHaveLength(1 + 1 + 1);
  });

  it("counts the money bands without their own selection, and keeps the range clauses as the filter", () => {
    const plan = buildSearchPlan("achievements", p({ price: ["upTo100k", "negotiable"], mode: ["license"] }), uids);
    expect(plan.queries[plan.main]!.filter).toEqual([
      '(transactionModes IN ["license"])',
      '((price <= 100000) OR (priceMode = "negotiable"))',
    ]);
    expect(plan.queries[plan.facetQueries.price!]).toMatchObject({
      filter: ['(transactionModes IN ["license"])'],
      facets: ["priceBuckets"],
    });
    // The demands tab keeps no price band (carriedTo).
    expect(plan.queries[plan.otherKindQuery]!.filter).toEqual(['(transactionModes IN ["license"])']);
    const demands = buildSearchPlan("demands", p({ kind: "demands", budget: ["open"] }), uids);
    expect(demands.queries[demands.facetQueries.budget!]).toMatchObject({ filter: [], facets: ["budgetBuckets"] });
  });

  it("suggests from titles and keywords with the same private highlight tags", () => {
    expect(buildSuggestQuery("根腐")).toMatchObject({
      q: "根腐",
      limit: 8,
      attributesToSearchOn: ["title", "keywords"],
      highlightPostTag: "\u0002",
    });
  });
});

describe("highlights", () => {
  it("splits formatted text into plain and marked parts", () => {
    expect(highlightParts("三七\u0001根腐病\u0002生物防治\u0001菌剂\u0002")).toEqual([
      { text: "三七", mark: false },
      { text: "根腐病", mark: true },
      { text: "生物防治", mark: false },
      { text: "菌剂", mark: true },
    ]);
    expect(highlightParts("<script>alert(1)</script>")).toEqual([{ text: "<script>alert(1)</script>", mark: false }]);
    expect(highlightParts("a\u0001b")).toEqual([
      { text: "a", mark: false },
      { text: "b", mark: true },
    ]);
    expect(highlightParts("\u0001\u0002a\u0002\u0002b")).toEqual([{ text: "ab", mark: false }]);
    expect(highlightParts(null)).toEqual([]);
  });

  it("sums a demand's minimum TRLs into stages", () => {
    expect(stageCounts({ "1": 1, "3": 2, "6": 4, "7": 1, "9": 1, x: 5 })).toEqual({
      research: 3,
      sample: 0,
      "lab-trial": 0,
      pilot: 5,
      "mass-production": 1,
    });
  });
});

describe("the URL parameters", () => {
  const parse = (qs: string) => parseSearchParams(new URLSearchParams(qs));

  it("reads repeated keys as lists, leaves out empty values and duplicates, fills defaults", () => {
    const r = parse("q=%20三七%20&field=biomedicine&field=biomedicine&field=info-tech&priceMin=&trlMin=&page=");
    expect(r).toEqual({
      success: true,
      data: expect.objectContaining({ kind: "achievements", q: "三七", field: ["biomedicine", "info-tech"], sort: "relevance", page: 1 }),
    });
    if (r.success) expect(r.data.priceMin).toBeUndefined();
  });

  it("reports what is wrong instead of dropping it", () => {
    const r = parse("kind=demands&ipType=none&price=upTo100k&sort=trlDesc&trlMin=7&trlMax=3&priceMin=9&priceMax=1&page=0");
    expect(r.success).toBe(false);
    if (r.success) return;
    expect(r.errors).toEqual({
      ipType: ["search.errors.only.achievements"],
      price: ["search.errors.only.achievements"],
      sort: ["search.errors.sort"],
      trlMax: ["search.errors.trlOrder"],
      priceMax: ["search.errors.priceOrder"],
      page: ["search.errors.page"],
    });
    expect(r.kind).toBe("demands");
    expect(parse("priceMin=abc").success).toBe(false);
    expect(parse("county=53262").success).toBe(false);
    expect(parse("prefecture=532623").success).toBe(false);
    expect(parse(`field=${"info-tech&field=".repeat(21)}info-tech`).success).toBe(true); // duplicates collapse
  });

  it("writes a clean, shareable address", () => {
    const r = parse("kind=demands&q=烂根&budget=open&mode=license&sort=relevance&page=1");
    if (!r.success) throw new Error("parse failed");
    expect(searchHref(r.data)).toBe("/search?kind=demands&q=%E7%83%82%E6%A0%B9&mode=license&budget=open");
    expect(searchHref({ ...r.data, page: 3, sort: "newest", trlMin: 6 })).toBe(
      "/search?kind=demands&q=%E7%83%82%E6%A0%B9&mode=license&budget=open&trlMin=6&sort=newest&page=3",
    );
  });
});

describe("the money bands a document is in", () => {
  it("reads a price on (min, max], 面议 by the mode (with a reference price, in two bands)", () => {
    expect(priceBucketsOf("fixed", 100_000)).toEqual(["upTo100k"]);
    expect(priceBucketsOf("fixed", 100_000.01)).toEqual(["100kTo500k"]);
    expect(priceBucketsOf("auction", 0)).toEqual(["upTo100k"]);
    expect(priceBucketsOf("fixed", 1_000_000)).toEqual(["500kTo1m"]);
    expect(priceBucketsOf("fixed", 1_000_001)).toEqual(["over1m"]);
    expect(priceBucketsOf("negotiable", null)).toEqual(["negotiable"]);
    expect(priceBucketsOf("negotiable", 300_000)).toEqual(["100kTo500k", "negotiable"]);
    expect(priceBucketsOf("fixed", null)).toEqual([]);
  });

  it("reads a budget on its ceiling (max, else min); none given is open", () => {
    expect(budgetBucketsOf(null, 50_000)).toEqual(["upTo50k"]);
    expect(budgetBucketsOf(600_000, null)).toEqual(["over500k"]);
    expect(budgetBucketsOf(10_000, 300_000)).toEqual(["200kTo500k"]);
    expect(budgetBucketsOf(null, null)).toEqual(["open"]);
  });
});
