import { describe, expect, it } from "vitest";
import { normalizePhone } from "~/utils/phone.ts";

describe("normalizePhone", () => {
  it("stores a mainland mobile as its 11 digits, however it was typed", () => {
    for (const typed of ["13812345678", "138 1234 5678", "138-1234-5678", "+86 138 1234 5678", "0086-13812345678", "8613812345678"]) {
      expect(normalizePhone(typed)).toBe("13812345678");
    }
  });

  it("stores a landline as area code, hyphen, number", () => {
    expect(normalizePhone("0876-2123456")).toBe("0876-2123456");
    expect(normalizePhone("(0876) 212 3456")).toBe("0876-2123456");
    expect(normalizePhone("010 8888 6666")).toBe("010-88886666");
    expect(normalizePhone("021 6234 5678")).toBe("021-62345678");
  });

  it("refuses what is no mainland number", () => {
    for (const typed of [
      "12345678901",
      "1381234567",
      "abc",
      "138123456789",
      "0876-123",
      "+1 415 555 0100",
      "0876-0123456",
      "021-12345678",
      "",
    ]) {
      expect(normalizePhone(typed)).toBeNull();
    }
  });
});
