import { describe, expect, it } from "vitest";
import { DEFAULT_SETTINGS, SettingsFormSchema } from "~/schemas/settings.ts";
import { isPublicAgreement, noticeDaysFor, noticeEndFor } from "~/services/settings/rules.ts";

/** Issue 13, point 11: which 公示 length applies, and what the settings form accepts. */
describe("the 公示 length of an item", () => {
  const settings = { noticeDays: 10, publicAgreementNoticeDays: 30 };

  it("is the long one only for 协议定价 (面议) by a university, an institute or a government body", () => {
    for (const ownerType of ["university", "institute", "government"]) {
      expect(isPublicAgreement({ kind: "achievement", ownerType, priceMode: "negotiable" })).toBe(true);
      expect(noticeDaysFor(settings, { kind: "achievement", ownerType, priceMode: "negotiable" })).toBe(30);
      expect(noticeDaysFor(settings, { kind: "achievement", ownerType, priceMode: "fixed" })).toBe(10);
      expect(noticeDaysFor(settings, { kind: "achievement", ownerType, priceMode: "auction" })).toBe(10);
    }
    for (const ownerType of ["enterprise", "individual", "service-agency", null]) {
      expect(noticeDaysFor(settings, { kind: "achievement", ownerType, priceMode: "negotiable" })).toBe(10);
    }
    expect(noticeDaysFor(settings, { kind: "demand", ownerType: "university", priceMode: "negotiable" })).toBe(10);
  });

  it("ends that many days after publication", () => {
    const at = new Date("2026-03-01T02:00:00Z");
    expect(noticeEndFor(settings, { kind: "achievement", ownerType: "university", priceMode: "negotiable" }, at).toISOString()).toBe(
      "2026-03-31T02:00:00.000Z",
    );
  });
});

describe("the settings form", () => {
  const form = (over: Record<string, string>) =>
    SettingsFormSchema.safeParse({ noticeDays: "15", publicAgreementNoticeDays: "15", noticeTextZh: "说明", noticeTextEn: "", ...over });

  it("keeps a public institution's negotiated-price notice at 15 days or more", () => {
    const r = form({ publicAgreementNoticeDays: "14" });
    expect(r.success).toBe(false);
    expect(r.error!.issues).toEqual([
      expect.objectContaining({ path: ["publicAgreementNoticeDays"], message: "settings.errors.publicAgreementFloor" }),
    ]);
    expect(form({ publicAgreementNoticeDays: "15" }).success).toBe(true);
  });

  it("takes whole days from 1 to 90, a Chinese notice text, and the checkbox as on/off", () => {
    for (const noticeDays of ["0", "91", "1.5", "abc", ""]) expect(form({ noticeDays }).success, noticeDays).toBe(false);
    expect(form({ noticeTextZh: "  " }).success).toBe(false);
    expect(form({ noticeTextZh: "a\u0000b" }).success).toBe(false);
    expect(form({ noticeTextZh: "第一行\n第二行" }).success).toBe(true);
    expect(form({ showDemoAccounts: "on" }).data?.showDemoAccounts).toBe(true);
    expect(form({}).data?.showDemoAccounts).toBe(false);
    expect(DEFAULT_SETTINGS.publicAgreementNoticeDays).toBeGreaterThanOrEqual(15);
  });
});
