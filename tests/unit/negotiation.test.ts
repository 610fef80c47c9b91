import { describe, expect, it } from "vitest";
import { CardTermsSchema } from "~/schemas/deal-rooms.ts";
import { normalizeTerms, TermsSchema } from "~/schemas/terms.ts";
import {
  ANSWER_STATUS,
  effectiveStatus,
  isAnswerable,
  isExpired,
  mayAnswer,
  nextVersion,
  otherParty,
  termsProblems,
} from "~/services/trading/negotiation.ts";

/** The versioned answer rules offers and room cards share, and the one terms shape (decision 009). */

describe("who answers a version", () => {
  it("the other party accepts, rejects or counters; the maker withdraws", () => {
    for (const answer of ["accept", "reject", "counter"] as const) {
      expect(mayAnswer("seller", "buyer", answer)).toBe(true);
      expect(mayAnswer("buyer", "seller", answer)).toBe(true);
      expect(mayAnswer("buyer", "buyer", answer)).toBe(false);
    }
    expect(mayAnswer("buyer", "buyer", "withdraw")).toBe(true);
    expect(mayAnswer("seller", "buyer", "withdraw")).toBe(false);
  });

  it("a stranger or a broker decides nothing", () => {
    for (const answer of ["accept", "reject", "counter", "withdraw"] as const) {
      expect(mayAnswer(null, "buyer", answer)).toBe(false);
      expect(mayAnswer("broker", "seller", answer)).toBe(false);
    }
    expect(otherParty("buyer")).toBe("seller");
    expect(otherParty("seller")).toBe("buyer");
  });
});

describe("versions", () => {
  const now = new Date("2026-12-04T12:00:00Z");
  it("a counter is the next version; each answer leaves the version in its status", () => {
    expect(nextVersion({ version: 3 })).toBe(4);
    expect(ANSWER_STATUS).toEqual({ accept: "accepted", reject: "rejected", counter: "countered", withdraw: "withdrawn" });
  });

  it("an open version past its expiry reads as expired and cannot be answered; one without expiry never expires", () => {
    const past = new Date(now.getTime() - 1);
    expect(isExpired({ expiresAt: now }, now)).toBe(true);
    expect(isExpired({ expiresAt: new Date(now.getTime() + 1) }, now)).toBe(false);
    expect(isExpired({}, now)).toBe(false);
    expect(effectiveStatus({ status: "open", expiresAt: past }, now)).toBe("expired");
    expect(effectiveStatus({ status: "rejected", expiresAt: past }, now)).toBe("rejected");
    expect(isAnswerable({ status: "open", expiresAt: past }, now)).toBe(false);
    expect(isAnswerable({ status: "open" }, now)).toBe(true);
    expect(isAnswerable({ status: "countered" }, now)).toBe(false);
  });
});

describe("terms", () => {
  it("a licence needs its exclusivity; milestones add up to at most the price", () => {
    expect(termsProblems({ price: 100, transactionMode: "license", licenseExclusivity: null })).toEqual([
      { field: "licenseExclusivity", code: "exclusivityRequired" },
    ]);
    expect(termsProblems({ price: 100, transactionMode: "transfer", milestones: [{ amount: 60 }, { amount: 50 }] })).toEqual([
      { field: "milestones", code: "milestonesExceedPrice" },
    ]);
    expect(
      termsProblems({ price: 110, transactionMode: "license", licenseExclusivity: "sole", milestones: [{ amount: 60 }, { amount: 50 }] }),
    ).toEqual([]);
  });

  it("a room card's yuan input becomes the one terms shape in fen", () => {
    const card = CardTermsSchema.parse({
      price: "1,500.5",
      transactionMode: "license",
      licenseExclusivity: "exclusive",
      territory: "云南省",
      milestones: [{ title: "首付", amount: "500", dueInDays: "10" }],
      note: "请尽快",
    });
    const terms = normalizeTerms(card);
    expect(terms).toEqual({
      price: 150_050,
      currency: "CNY",
      transactionMode: "license",
      licenseExclusivity: "exclusive",
      territory: "云南省",
      milestones: [{ title: "首付", amount: 50_000, dueInDays: 10 }],
    });
    expect(TermsSchema.parse(terms)).toEqual(terms);
    // Exclusivity belongs to a licence only.
    expect(normalizeTerms({ price: 1, transactionMode: "transfer", licenseExclusivity: "sole" })).not.toHaveProperty("licenseExclusivity");
  });
});
