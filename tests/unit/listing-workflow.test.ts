import { describe, expect, it } from "vitest";
import {
  availableActions,
  decide,
  LISTING_ACTIONS,
  LISTING_STATUSES,
  type ListingAction,
  type ListingStatus,
  type Relation,
} from "~/utils/listing-workflow.ts";

/**
 * The workflow written out by hand from docs/domain.md (The life of a listing), independently of TRANSITIONS: every
 * (status, action, who) that is allowed and where it leads. Everything not listed is refused.
 */
const ALLOWED: [ListingStatus, ListingAction, Relation, ListingStatus][] = [
  ["draft", "submit", "owner", "submitted"],
  ["rejected", "submit", "owner", "submitted"],
  ["submitted", "approve", "reviewer", "published"],
  ["submitted", "reject", "reviewer", "rejected"],
  ["submitted", "withdraw", "owner", "withdrawn"],
  ["published", "withdraw", "owner", "withdrawn"],
  ["rejected", "withdraw", "owner", "withdrawn"],
  ["expired", "withdraw", "owner", "withdrawn"],
  ["submitted", "withdraw", "reviewer", "withdrawn"],
  ["published", "withdraw", "reviewer", "withdrawn"],
  ["rejected", "withdraw", "reviewer", "withdrawn"],
  ["expired", "withdraw", "reviewer", "withdrawn"],
  ["withdrawn", "reopen", "owner", "draft"],
  ["expired", "reopen", "owner", "draft"],
  ["published", "startTrading", "owner", "trading"],
  ["published", "startTrading", "system", "trading"],
  ["published", "upholdObjection", "reviewer", "rejected"],
  ["published", "expire", "system", "expired"],
  ["trading", "closeDeal", "system", "deal"],
  ["deal", "cancelDeal", "system", "trading"],
  ["contracted", "cancelDeal", "system", "trading"],
  ["deal", "signContract", "system", "contracted"],
  ["contracted", "register", "bureau", "registered"],
];

const RELATIONS: Relation[] = ["owner", "reviewer", "bureau", "system"];
const calm = { now: new Date("2026-06-01"), noticeEndsAt: new Date("2026-05-01"), openObjections: 0, reason: "理由" };

describe("listing workflow", () => {
  it("allows exactly the transitions of the design, and leads where it says", () => {
    for (const status of LISTING_STATUSES) {
      for (const action of LISTING_ACTIONS) {
        for (const who of RELATIONS) {
          const expected = ALLOWED.find(([s, a, r]) => s === status && a === action && r === who);
          // Upholding needs an objection to uphold; everything else is tried in calm conditions.
          const ctx = action === "upholdObjection" ? { ...calm, openObjections: 1 } : calm;
          const d = decide(status, action, new Set([who]), ctx);
          const label = `${who} ${action} on ${status}`;
          if (expected) expect(d, label).toEqual({ ok: true, from: status, to: expected[3] });
          else expect(d.ok, label).toBe(false);
        }
      }
    }
  });

  it("says why a transition is refused: wrong role before wrong status", () => {
    expect(decide("submitted", "approve", new Set(["owner"]), calm)).toMatchObject({ ok: false, reason: "notAllowed" });
    expect(decide("draft", "approve", new Set(["reviewer"]), calm)).toMatchObject({ ok: false, reason: "wrongStatus" });
    expect(decide("published", "register", new Set(["bureau"]), calm)).toMatchObject({ ok: false, reason: "wrongStatus" });
    expect(decide("contracted", "register", new Set(["owner", "reviewer"]), calm)).toMatchObject({ reason: "notAllowed" });
  });

  it("needs a reason to reject, to uphold an objection and to cancel a deal", () => {
    for (const [status, action, who] of [
      ["submitted", "reject", "reviewer"],
      ["published", "upholdObjection", "reviewer"],
      ["deal", "cancelDeal", "system"],
    ] as const) {
      expect(decide(status, action, new Set([who]), { ...calm, reason: "  " })).toMatchObject({ ok: false, reason: "reasonRequired" });
    }
    expect(decide("submitted", "approve", new Set(["reviewer"]), { ...calm, reason: null }).ok).toBe(true);
  });

  it("keeps trading closed during the public-notice period and while objections are open", () => {
    const during = { ...calm, noticeEndsAt: new Date("2026-06-10") };
    expect(decide("published", "startTrading", new Set(["owner"]), during)).toMatchObject({
      ok: false,
      message: "workflow.noticeNotOver",
    });
    expect(decide("published", "startTrading", new Set(["owner"]), { ...calm, openObjections: 1 })).toMatchObject({
      ok: false,
      message: "workflow.openObjections",
    });
  });

  it("upholds an objection only when there is one open", () => {
    expect(decide("published", "upholdObjection", new Set(["reviewer"]), calm)).toMatchObject({
      ok: false,
      message: "workflow.noOpenObjection",
    });
  });

  it("offers people only the buttons that would work, never the platform's own moves", () => {
    expect(availableActions("draft", new Set(["owner"]), calm)).toEqual(["submit"]); // no 撤回 on a draft
    expect(availableActions("submitted", new Set(["reviewer"]), calm)).toEqual(["approve", "reject", "withdraw"]);
    expect(availableActions("published", new Set(["owner"]), calm)).toEqual(["withdraw", "startTrading"]);
    // Demands are not traded: no 开始交易 on a demand, and the server refuses it too.
    expect(availableActions("published", new Set(["owner"]), { ...calm, kind: "demand" })).toEqual(["withdraw", "solve"]);
    // 已解决 (issue 13, point 3): only a demand, only by its owner, only once published.
    expect(decide("published", "solve", new Set(["owner"]), calm)).toMatchObject({ ok: false, message: "workflow.onlyDemandsSolved" });
    expect(decide("published", "solve", new Set(["reviewer"]), { ...calm, kind: "demand" })).toMatchObject({ ok: false });
    expect(decide("expired", "solve", new Set(["owner"]), { ...calm, kind: "demand" })).toMatchObject({ ok: false });
    expect(availableActions("solved", new Set(["owner"]), { ...calm, kind: "demand" })).toEqual([]);
    expect(decide("published", "startTrading", new Set(["system"]), { ...calm, kind: "demand" })).toMatchObject({
      ok: false,
      message: "workflow.demandNotTraded",
    });
    expect(availableActions("published", new Set(["owner"]), { ...calm, noticeEndsAt: new Date("2026-07-01") })).toEqual(["withdraw"]);
    expect(availableActions("trading", new Set(["owner", "reviewer"]), calm)).toEqual([]);
    expect(availableActions("contracted", new Set(["bureau"]), calm)).toEqual(["register"]);
  });
});
