import { describe, expect, it } from "vitest";
import { isValidUscc, usccCheckChar, usccProblem } from "~/utils/uscc.ts";
import { makeUscc } from "../../seeds/factories.ts";

describe("unified social credit code (GB 32100-2015)", () => {
  it("accepts the standard's worked example and published codes", () => {
    // GB 32100-2015 appendix example, and a code printed on a real business licence.
    expect(isValidUscc("91350100M000100Y43")).toBe(true);
    expect(usccCheckChar("91350100M000100Y4")).toBe("3");
  });

  it("accepts lower case and surrounding spaces as typed by a person", () => {
    expect(usccProblem(" 91350100m000100y43 ")).toBeNull();
  });

  it("names the problem: length, characters, region, check character", () => {
    expect(usccProblem("91350100M000100Y4")).toBe("length");
    expect(usccProblem("91350100M000100O43")).toBe("charset"); // O is not in the alphabet
    expect(usccProblem("9135010AM000100Y4X")).toBe("region");
    expect(usccProblem("91350100M000100Y44")).toBe("check");
  });

  it("catches every single-character typo in a valid code", () => {
    const valid = "91350100M000100Y43";
    const alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    for (let i = 0; i < 18; i++) {
      for (const ch of alphabet) {
        if (ch === valid[i]) continue;
        const typo = valid.slice(0, i) + ch + valid.slice(i + 1);
        expect(isValidUscc(typo), typo).toBe(false);
      }
    }
  });

  it("seed factory makes codes that validate, with the region inside", () => {
    const code = makeUscc("91", "532623", "西畴县某公司");
    expect(code).toHaveLength(18);
    expect(code.slice(2, 8)).toBe("532623");
    expect(isValidUscc(code)).toBe(true);
  });
});
