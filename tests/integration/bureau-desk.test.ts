import { beforeAll, describe, expect, it } from "vitest";
import * as deskPage from "~/routes/bureau._index.tsx";
import type { SessionUser } from "~/services/accounts/accounts.server.ts";
import { formatYuan } from "~/utils/money.ts";
import { NAV_ITEMS } from "~/utils/navigation.ts";
import { can } from "~/utils/permissions.ts";
import { seedDemoCommissioners } from "../../seeds/demo-commissioners.ts";
import { pageRequests } from "../support/page-requests.ts";
import { renderPage } from "../support/render-page.ts";

/**
 * The bureau's desk (/bureau, issue 15): the bureau finds each of its tasks there, with the year's
 * 技术交易额 against the target and the commissioners dispatched; an admin sees the tasks an admin
 * may do (not the review queue); a seller is refused and has no link to it.
 */
const pages = pageRequests();
const { person, get, call } = pages;
let bureau: SessionUser, admin: SessionUser, seller: SessionUser;

beforeAll(async () => {
  await pages.init();
  bureau = await person("desk-bureau@kjj.gov.cn", ["bureau"], "西畴县科学技术局");
  admin = await person("desk-admin@chengguo.cn", ["admin"], null);
  seller = await person("desk-seller@wsu.cn", ["seller"], "文山学院");
  await seedDemoCommissioners();
});

describe("the bureau's desk", () => {
  it("leads the bureau to registration, statistics, evaluation, commissioners and policies, with the year's figures", async () => {
    const data = await (await call(deskPage.loader, get("/bureau", bureau))).json();
    expect(data.may).toEqual({ register: true, targets: true, evaluate: true, commissioners: true, publish: true, vocabulary: true });
    expect(data.target).toMatchObject({ technologyFen: 0, targetFen: 2_000_000_00 });
    expect(data.dispatch.target).toBe(100);
    expect(data.dispatch.dispatched).toBeGreaterThan(0); // the demo commissioners of this year

    const page = await renderPage(get("/bureau", bureau), deskPage, "/bureau", pages.csrf.token);
    for (const id of ["desk-registrations", "desk-statistics", "desk-evaluation", "desk-commissioners", "desk-policies"])
      expect(page.html, id).toContain(`data-testid="${id}"`);
    expect(page.html).toContain(`已选派 ${data.dispatch.dispatched} / 100 人`);
    expect(page.html).toContain(formatYuan(2_000_000_00));
    for (const href of [
      "/bureau/registrations",
      "/bureau/dashboard",
      "/bureau/evaluation",
      "/bureau/commissioners",
      "/bureau/policies",
      "/bureau/vocabulary",
    ])
      expect(page.html).toContain(`href="${href}"`);
  });

  it("shows an admin the admin's tasks without the review queue; refuses a seller, who has no link to it", async () => {
    const data = await (await call(deskPage.loader, get("/bureau", admin))).json();
    expect(data.may.register).toBe(false);
    const page = await renderPage(get("/bureau", admin), deskPage, "/bureau", pages.csrf.token);
    expect(page.html).not.toContain('data-testid="desk-registrations"');
    expect(page.html).toContain('data-testid="desk-statistics"');

    expect((await call(deskPage.loader, get("/bureau", seller))).status).toBe(403);
    const desk = NAV_ITEMS.find((i) => i.to === "/bureau")!;
    expect(can(seller, desk.permission!)).toBe(false);
    expect(can(bureau, desk.permission!)).toBe(true);
    // The public policies are in everyone's navigation.
    expect(NAV_ITEMS.find((i) => i.to === "/policies")?.permission).toBeUndefined();
  });
});
