import { describe, expect, it } from "vitest";
import { Organization } from "~/models/organization.server.ts";
import { User } from "~/models/user.server.ts";
import { verifyLogin } from "~/services/accounts/accounts.server.ts";
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

describe("health", () => {
  it("names the versions of the real MongoDB and Meilisearch it is connected to", async () => {
    const h = await checkHealth();
    expect(h.status).toBe("ok");
    expect(h.mongodb).toMatchObject({ ok: true, version: "8.2.6", replicaSet: "rs0" });
    expect(h.meilisearch).toMatchObject({ ok: true, version: "1.21.0" });
  });
});
