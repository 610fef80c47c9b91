import { describe, expect, it } from "vitest";
import { Achievement } from "~/models/achievement.server.ts";
import { Contract } from "~/models/contract.server.ts";
import { Deal } from "~/models/deal.server.ts";
import { DealRefund } from "~/models/deal-refund.server.ts";
import { DealStage } from "~/models/deal-stage.server.ts";
import { Organization } from "~/models/organization.server.ts";
import { Payout } from "~/models/payout.server.ts";
import { User } from "~/models/user.server.ts";
import { verifyLogin } from "~/services/accounts/accounts.server.ts";
import { brokerCommissions, dealBooks } from "~/services/ledger/queries.server.ts";
import { isValidUscc } from "~/utils/uscc.ts";
import { DEMO_PASSWORD, DEMO_USERS, seedDemo } from "../../seeds/demo.ts";
import { checkHealth } from "../../server/health.ts";

describe("demo seed", () => {
  it("gives every role a demo login and valid organisation codes, and re-running changes nothing", async () => {
    const first = await seedDemo();
    const second = await seedDemo();
    expect(second).toEqual(first);
    for (const role of ["seller", "buyer", "broker", "bureau", "admin"] as const) {
      const u = DEMO_USERS.find((d) => d.roles.includes(role))!;
      const user = await verifyLogin(u.email, DEMO_PASSWORD);
      expect(user?.roles, role).toContain(role);
    }
    const orgs = await Organization.find({ type: { $ne: "individual" } }).lean();
    expect(orgs.length).toBeGreaterThanOrEqual(10);
    for (const o of orgs) expect(isValidUscc(o.creditCode!), o.name).toBe(true);
    // The county of the plan: organisations in 西畴县 (532623) and its towns.
    expect(orgs.filter((o) => o.region?.startsWith("532623")).length).toBeGreaterThanOrEqual(5);
    expect(await User.countDocuments()).toBe(DEMO_USERS.length);
  });
});

describe("demo deals", () => {
  // Issue 14, point 12: a visitor finds a deal in each stage of a technology contract.
  it("has one being drafted, one signed and half paid by bank, one paid out with a commission, one cancelled and refunded", async () => {
    await seedDemo();
    const dealOf = async (key: string) => {
      const listing = await Achievement.findOne({ externalId: key }, { _id: 1, status: 1 }).lean();
      const deal = (await Deal.findOne({ listing: listing!._id }).lean())!;
      const contract = await Contract.findOne({ deal: deal._id }).lean();
      const stages = await DealStage.find({ deal: deal._id }).sort({ number: 1 }).lean();
      const books = await dealBooks(String(deal._id));
      expect(books.balanced, key).toBe(true);
      return { listing: listing!, deal, contract: contract!, stages };
    };

    const drafting = await dealOf("demo-C01");
    expect(drafting.contract.status).not.toBe("signed");
    expect(drafting.contract.versions).toHaveLength(2); // the diff between versions has something to show
    expect(drafting.contract.signatures).toHaveLength(0);
    expect(drafting.contract.technologyAmount + drafting.contract.nonTechItems.reduce((s, i) => s + i.amount, 0)).toBe(
      drafting.contract.contractAmount,
    );

    const halfPaid = await dealOf("demo-C02");
    expect(halfPaid.contract.status).toBe("signed");
    expect(halfPaid.listing.status).toBe("contracted");
    expect(halfPaid.deal.paymentState).toBe("partly-paid");
    expect(halfPaid.stages.map((s) => [s.status, s.receipts.map((r) => r.via)])).toEqual([
      ["paid", ["bank"]],
      ["due", []],
    ]);

    const paidOut = await dealOf("demo-C03");
    expect(paidOut.deal.paymentState).toBe("paid-out");
    const payouts = await Payout.find({ deal: paidOut.deal._id }).lean();
    expect(payouts.every((p) => p.status === "paid" && p.via === "bank")).toBe(true);
    const broker = (await User.findOne({ email: "broker@demo.chengguo.cn" }).lean())!;
    expect(String(paidOut.deal.broker?.user)).toBe(String(broker._id)); // the room's broker is the broker of record
    const commission = (await brokerCommissions(String(broker._id))).deals.find((d) => d.deal === String(paidOut.deal._id));
    expect(commission).toMatchObject({ owedFen: 4_500_00, paidFen: 4_500_00, outstandingFen: 0 });

    const cancelled = await dealOf("demo-C04");
    expect(cancelled.deal.status).toBe("cancelled");
    expect(cancelled.listing.status).toBe("trading");
    const refunds = await DealRefund.find({ deal: cancelled.deal._id }).lean();
    expect(refunds.map((r) => [r.status, r.amount])).toEqual([["paid", 20_000_00]]);
  });
});

describe("health", () => {
  it("names the versions of the real MongoDB and Meilisearch it is connected to", async () => {
    const h = await checkHealth();
    expect(h.status).toBe("ok");
    expect(h.mongodb).toMatchObject({ ok: true, version: "8.2.6", replicaSet: "rs0" });
    expect(h.meilisearch).toMatchObject({ ok: true, version: "1.21.0" });
  });
});
