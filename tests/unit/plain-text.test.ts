import { describe, expect, it } from "vitest";
import { escapeForbidden, forbiddenCharacter, forbiddenCharacterPath } from "~/utils/plain-text.ts";

describe("characters no text of the site takes", () => {
  it("finds NUL, BEL, ESC, backspace, form feed, DEL, C1 controls, bidi overrides and lone surrogates, with the position a person counts", () => {
    const cases: [string, string, number][] = [
      ["ok\u0000", "U+0000", 3],
      ["\u0007\u001b[2J", "U+0007", 1],
      ["名称\u0008\u0008", "U+0008", 3],
      ["第一页\u000c第二页", "U+000C", 4],
      ["a\u007fb", "U+007F", 2],
      ["\u0085x", "U+0085", 1],
      ["price \u202e001", "U+202E", 7],
      ["\u2066isolate\u2069", "U+2066", 1],
      ["半个\ud83d字", "U+D83D", 3],
      ["\ude00", "U+DE00", 1],
      // an emoji before counts as one character
      ["🙂\u0001", "U+0001", 2],
    ];
    for (const [text, code, position] of cases) expect(forbiddenCharacter(text), JSON.stringify(text)).toEqual({ code, position });
  });

  it("takes what people write: tabs, line breaks, Chinese, emoji, zero-width joiners, full-width punctuation", () => {
    for (const text of ["第一行\r\n第二行\n\t缩进", "三七种子包衣防腐技术（专利号 ZL2023）", "👨‍🌾 合作社", "价格：¥150,000.00", ""]) {
      expect(forbiddenCharacter(text), JSON.stringify(text)).toBeNull();
    }
  });

  it("names the path of the first bad key or string of a JSON value, in document order", () => {
    expect(forbiddenCharacterPath({ a: "fine", terms: { milestones: [{ name: "ok" }, { name: "x\u0000" }] }, z: "\u0001" })).toEqual({
      path: "terms.milestones.1.name",
      code: "U+0000",
      position: 2,
    });
    expect(forbiddenCharacterPath({ ["bad\u001bkey"]: 1 })).toEqual({ path: "bad\\u001bkey", code: "U+001B", position: 4 });
    expect(forbiddenCharacterPath("\u0000")).toMatchObject({ path: "" });
    expect(forbiddenCharacterPath({ n: 1, b: true, z: null, list: ["多行\n文本", 3] })).toBeNull();
  });

  it("writes a bad character out so a name holding one can be shown", () => {
    expect(escapeForbidden("a\u0000b\u202e")).toBe("a\\u0000b\\u202e");
    expect(escapeForbidden("正常\t文本")).toBe("正常\t文本");
  });
});
