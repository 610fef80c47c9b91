import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { FIELDS } from "~/utils/taxonomy.ts";
import { loadSynonymGroups, loadVocabularyFiles, VOCABULARY_DIR, VocabularyFileSchema } from "../../search/synonyms.ts";
import { buildLexicon, findTerms, normalize, termsOf } from "../../search/matching/terms.ts";

/**
 * The shipped domain vocabulary (search/vocabulary, issue 16 point 3): one valid file per field,
 * several hundred groups, no group swallowed by another, and the bridges a user relies on — a
 * farmer's or a manager's word reaching the word researchers write.
 */

const groups = loadVocabularyFiles();
const lexicon = buildLexicon(loadSynonymGroups());
const jsonFiles = fs.readdirSync(VOCABULARY_DIR).filter((f) => f.endsWith(".json"));

/** Every word the matcher puts in one concept with `word` (all groups that hold it, as terms.ts does). */
function reach(word: string): Set<string> {
  const out = new Set<string>();
  for (const i of lexicon.groupsOf.get(normalize(word)) ?? []) for (const w of lexicon.groups[i]!) out.add(w);
  return out;
}

/** The concept a piece of text gives the matcher for its words (what a demand or an achievement says). */
function conceptsOf(text: string): string[][] {
  return termsOf({ keywords: [], title: text, description: "" }, lexicon, new Set()).map((t) => t.words);
}

describe("the vocabulary files", () => {
  it("every file under search/vocabulary is valid and loads", () => {
    for (const name of jsonFiles) {
      const parsed = VocabularyFileSchema.safeParse(JSON.parse(fs.readFileSync(path.join(VOCABULARY_DIR, name), "utf8")));
      expect(parsed.success, name).toBe(true);
    }
    const loaded = new Set(groups.map((g) => g.file));
    for (const name of jsonFiles) expect(loaded, name).toContain(name.replace(/\.json$/, ""));
  });

  it("has one file per platform field, named after it, with at least 25 groups each", () => {
    for (const field of FIELDS) {
      const file = path.join(VOCABULARY_DIR, `${field}.json`);
      expect(fs.existsSync(file), file).toBe(true);
      const data = VocabularyFileSchema.parse(JSON.parse(fs.readFileSync(file, "utf8")));
      expect(data.field).toBe(field);
      expect(data.groups.length, field).toBeGreaterThanOrEqual(25);
    }
  });

  it("holds several hundred groups over the ten fields, more where the county's economy is", () => {
    const inFields = groups.filter((g) => g.field !== null);
    expect(inFields.length).toBeGreaterThanOrEqual(400);
    const count = (f: string) => groups.filter((g) => g.field === f).length;
    expect(count("plateau-agriculture")).toBeGreaterThanOrEqual(80);
    for (const f of ["eco-environment", "food-processing", "biomedicine"]) expect(count(f), f).toBeGreaterThanOrEqual(40);
  });

  it("has unique ids of the form <file>/<slug>", () => {
    const ids = groups.map((g) => g.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const g of groups) expect(g.id.startsWith(`${g.file}/`), g.id).toBe(true);
  });

  it("has no group whose words all sit inside another group", () => {
    const sets = groups.map((g) => new Set(g.words.map(normalize)));
    const swallowed: string[] = [];
    groups.forEach((g, i) => {
      groups.forEach((h, j) => {
        if (i !== j && [...sets[i]!].every((w) => sets[j]!.has(w))) swallowed.push(`${g.id} ⊂ ${h.id}`);
      });
    });
    expect(swallowed).toEqual([]);
  });

  it("names a source for every group of the field files, and no labelled set", () => {
    for (const g of groups.filter((x) => x.field !== null)) {
      expect(g.source.trim().length, g.id).toBeGreaterThan(5);
      expect(g.source, g.id).not.toMatch(/bench|dataset|labelled/i);
    }
  });

  it("puts no word twice across the field files unless a note says why", () => {
    const seen = new Map<string, string>();
    const unexplained: string[] = [];
    for (const g of groups.filter((x) => x.field !== null)) {
      for (const w of g.words.map(normalize)) {
        const other = seen.get(w);
        if (other && !g.note?.includes(w)) unexplained.push(`${w}: ${other} and ${g.id}`);
        seen.set(w, g.id);
      }
    }
    expect(unexplained).toEqual([]);
  });

  it("lets the matcher find each group's leading (researchers') word in a text", () => {
    const missed = groups
      .filter((g) => g.field !== null)
      .filter((g) => !findTerms(`我们需要${g.words[0]!}方面的成果`, lexicon, new Set()).some((t) => t.word === normalize(g.words[0]!)))
      .map((g) => g.id);
    expect(missed).toEqual([]);
  });
});

describe("bridges between the words people use and the words researchers write", () => {
  it.each([
    ["烂根", "根腐病"],
    ["掉膘", "冬春补饲"],
    ["冬天没草", "饲草周年供应"],
    ["烤干", "热风干燥"],
    ["晒干", "热泵干燥"],
    ["石旮旯", "石漠化"],
    ["石头山", "石漠化"],
    ["耗电大", "节能改造"],
    ["电费高", "节能改造"],
    ["机子坏", "设备故障诊断"],
    ["卖不起价", "优质优价"],
    ["苞谷", "玉米"],
    ["洋芋", "马铃薯"],
    ["磨芋", "魔芋"],
    ["洋芋瘟", "马铃薯晚疫病"],
    ["拱拱虫", "茶尺蠖"],
    ["籽条", "三七种苗"],
    ["烂嘴病", "羊口疮"],
    ["不倒嚼", "前胃迟缓"],
    ["堡坎", "挡土墙"],
    ["三面光", "渠道防渗"],
    ["路烂了", "路面破损"],
    ["破坏草", "紫茎泽兰"],
    ["存不住水", "岩溶渗漏"],
    ["打摆子", "疟疾"],
    ["没信号", "通信网络覆盖"],
    ["TMR", "全混合日粮"],
    ["PLC", "可编程逻辑控制器"],
    ["菌子", "野生食用菌"],
    ["怀不上", "受胎率"],
    ["账目不清", "合作社财务管理"],
  ])("%s reaches %s", (colloquial, term) => {
    expect(reach(colloquial)).toContain(normalize(term));
  });

  it("a demand in a farmer's words carries the researchers' concept", () => {
    const concepts = conceptsOf("冬天没草，牛掉膘厉害");
    expect(concepts.some((ws) => ws.includes("饲草周年供应"))).toBe(true);
    expect(concepts.some((ws) => ws.includes("冬春补饲"))).toBe(true);
    expect(conceptsOf("晒辣椒遇上阴雨天就发霉").some((ws) => ws.includes("辣椒干燥"))).toBe(true);
    const drying = conceptsOf("用柴火烤干，又慢又费电");
    expect(drying.some((ws) => ws.includes("热风干燥"))).toBe(true);
    expect(drying.some((ws) => ws.includes("节能改造"))).toBe(true);
  });

  it.each([
    ["非洲猪瘟", "猪瘟"],
    ["红花椒", "青花椒"],
    ["甘薯", "地瓜"],
    ["生姜", "黄姜"],
    ["黏虫", "粘虫板"],
    ["图像识别", "知识图谱"],
    ["电动车", "电动汽车"],
    ["远程医疗", "远程诊断"],
  ])("keeps %s apart from %s", (a, b) => {
    expect(reach(a)).not.toContain(normalize(b));
  });
});
