import { describe, expect, it } from "vitest";
import { CardTermsSchema, MessageSchema, RespondCardSchema } from "~/schemas/deal-rooms.ts";
import { JoinRoomSchema, SendMessageSchema } from "~/schemas/realtime.ts";

/** What people type into a deal room, and what the socket events may carry. */

describe("messages", () => {
  it("keeps the text as typed (trimmed, line breaks normalised), up to 4,000 characters", () => {
    expect(MessageSchema.parse({ text: "  你好\r\n请问价格能否分期？ " })).toEqual({ text: "你好\n请问价格能否分期？" });
    expect(MessageSchema.parse({ text: "<script>alert(1)</script>" }).text).toBe("<script>alert(1)</script>");
    expect(MessageSchema.safeParse({ text: "   " }).error?.issues[0]?.message).toBe("rooms.errors.textRequired");
    expect(MessageSchema.safeParse({ text: "字".repeat(4001) }).error?.issues[0]?.message).toBe("rooms.errors.textTooLong");
  });

  it("refuses malformed socket payloads", () => {
    expect(SendMessageSchema.safeParse({ roomId: "not-an-id", text: "hi" }).success).toBe(false);
    expect(SendMessageSchema.safeParse({ roomId: "674300000000000000000001", text: "hi", clientId: "a b" }).success).toBe(false);
    expect(SendMessageSchema.safeParse({ roomId: "674300000000000000000001", text: 42 }).success).toBe(false);
    expect(JoinRoomSchema.safeParse({ roomId: "674300000000000000000001", lastSeq: -1 }).success).toBe(false);
    expect(JoinRoomSchema.parse({ roomId: "674300000000000000000001", lastSeq: 7 })).toEqual({
      roomId: "674300000000000000000001",
      lastSeq: 7,
    });
  });
});

describe("offer card terms", () => {
  const base = {
    price: "150000",
    transactionMode: "license",
    licenseExclusivity: "exclusive",
    territory: "云南省",
    termMonths: "36",
    royaltyPercent: "3.5",
  };

  it("reads yuan into fen and numbers from form text", () => {
    const t = CardTermsSchema.parse({
      ...base,
      milestones: [
        { title: "签约", amount: "50000", dueInDays: "0" },
        { title: "中试验收", amount: "100000", dueInDays: "180" },
      ],
    });
    expect(t).toMatchObject({ price: 150_000_00, termMonths: 36, royaltyPercent: 3.5, territory: "云南省" });
    expect(t.milestones).toEqual([
      { title: "签约", amount: 50_000_00, dueInDays: 0 },
      { title: "中试验收", amount: 100_000_00, dueInDays: 180 },
    ]);
  });

  it("names every bad field", () => {
    const r = CardTermsSchema.safeParse({ price: "abc", transactionMode: "license", termMonths: "0", royaltyPercent: "80" });
    const paths = r.error!.issues.map((i) => i.path.join("."));
    expect(paths).toEqual(expect.arrayContaining(["price", "termMonths", "royaltyPercent"]));
    const excl = CardTermsSchema.safeParse({ ...base, licenseExclusivity: "" });
    expect(excl.error!.issues.map((i) => [i.path.join("."), i.message])).toEqual([
      ["licenseExclusivity", "rooms.errors.exclusivityRequired"],
    ]);
    const over = CardTermsSchema.safeParse({ ...base, milestones: [{ title: "首付", amount: "200000" }] });
    expect(over.error!.issues[0]).toMatchObject({ path: ["milestones"], message: "rooms.errors.milestonesExceedPrice" });
  });

  it("answers a card with one of four actions", () => {
    expect(RespondCardSchema.parse({ action: "reject", cardId: "674300000000000000000001", reason: "价格偏高" })).toMatchObject({
      action: "reject",
      reason: "价格偏高",
    });
    expect(RespondCardSchema.safeParse({ action: "counter", cardId: "674300000000000000000001" }).success).toBe(false);
    expect(RespondCardSchema.safeParse({ action: "delete", cardId: "674300000000000000000001" }).success).toBe(false);
  });
});
