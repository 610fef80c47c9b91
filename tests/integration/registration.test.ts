import { beforeAll, describe, expect, it } from "vitest";
import { Notification } from "~/models/notification.server.ts";
import { Registration, RegistrationCounter } from "~/models/registration.server.ts";
import type { SessionUser } from "~/services/accounts/accounts.server.ts";
import { saveContract, signContract } from "~/services/contracts/commands.server.ts";
import { getContractPage } from "~/services/contracts/queries.server.ts";
import { dealRegistrationPage, getRegistration, listRegistrations, reviewQueue } from "~/services/registration/queries.server.ts";
import { askForCorrections, refuseRegistration, registerContract } from "~/services/registration/review.server.ts";
import { resubmitRegistration, submitExternal, submitFromContract } from "~/services/registration/submit.server.ts";
import { chinaDate } from "~/utils/china-time.ts";
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from "~/utils/errors.ts";
import { REFUSAL_GROUNDS } from "~/utils/registration.ts";
import { usccCheckChar } from "~/utils/uscc.ts";
import { achievementContent, buyNowDeal, listingAt, pdfBytes, person } from "../../seeds/trading-fixtures.ts";

/**
 * Issue 15, points 1–4 (registration half): submitting a signed platform contract and an external
 * one, the form's checks naming fields, the review clock across holidays and make-up working days,
 * corrections restarting it, every refusal ground, gap-free numbers under concurrent approvals,
 * and who may review.
 */

let seller: SessionUser, buyer: SessionUser, broker: SessionUser, bureau: SessionUser, bureauOfSeller: SessionUser;
let outsider: SessionUser, admin: SessionUser;
let n = 0;

const uscc = (org9: string) => {
  const first = `91532623${org9}`;
  return first + usccCheckChar(first);
};

beforeAll(async () => {
  seller = await person("seller@reg-sanqi.cn", ["seller"], "三七科技有限公司（登记）", "enterprise");
  buyer = await person("buyer@reg-coop.cn", ["buyer"], "兴街镇合作社（登记）");
  broker = await person("broker@reg-agency.cn", ["broker"], "文山州科技成果转移转化服务中心（登记）", "service-agency");
  bureau = await person("bureau@reg-kjj.gov.cn", ["bureau"], "西畴县科学技术局（登记）", "government");
  // A bureau user whose organisation is the seller's: may see, never review.
  bureauOfSeller = await person("bureau2@reg-sanqi.cn", ["bureau"], "三七科技有限公司（登记）", "enterprise");
  outsider = await person("outsider@reg-tea.cn", ["seller", "buyer"], "茶业公司（登记）");
  admin = await person("admin@reg.cn", ["admin"], null);
});

/** A deal whose contract both sides signed. */
async function signedDeal(): Promise<string> {
  const listing = await listingAt(
    seller,
    broker,
    "trading",
    achievementContent({
      title: `三七种苗脱毒快繁技术 ${++n}`,
      field: "plateau-agriculture",
      price: { mode: "fixed", amount: 300_000_00 },
    }),
  );
  const deal = await buyNowDeal(buyer, listing, { expectedAmountFen: 300_000_00, transactionMode: "transfer", licenseExclusivity: null });
  await saveContract(seller, deal, null);
  const page = await getContractPage(seller, deal);
  await signContract(buyer, deal, { version: page.contract!.version, ip: "203.0.113.7" });
  await signContract(seller, deal, { version: page.contract!.version, ip: "198.51.100.1" });
  return deal;
}

/** The typed form of an external contract. */
const external = (over: Record<string, unknown> = {}) => ({
  projectName: `高原特色农产品冷链保鲜技术服务 ${++n}`,
  category: "service",
  subCategory: "general",
  seller: { name: "文山学院", creditCode: uscc("MA6K00001"), region: "532601", entityType: "022" },
  buyer: { name: "西畴县果蔬专业合作社", creditCode: uscc("MA6K00002"), region: "532623", town: "532623102", entityType: "150" },
  signedOn: "2026-11-20",
  validFrom: "2026-11-20",
  validTo: "2027-11-19",
  technicalField: "09",
  contractAmount: "120000",
  nonTechItems: [{ label: "冷藏设备", amount: "20000.50" }],
  technologyAmount: "99999.50",
  paymentMethod: "instalments",
  ...over,
});

const fieldsOf = async (p: Promise<unknown>) => {
  const e = await p.then(
    () => null,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(ValidationError);
  return Object.keys((e as ValidationError).fieldErrors).sort();
};

describe("submission", () => {
  it("pre-fills the form from the signed contract, the listing and both organisations, and starts the clock", async () => {
    const deal = await signedDeal();
    const page = await dealRegistrationPage(seller, deal);
    expect(page.values).toMatchObject({
      projectName: expect.stringContaining("三七种苗脱毒快繁技术"),
      category: "transfer",
      technicalField: "09",
      contractAmount: "300000",
      technologyAmount: "300000",
      "seller.name": "三七科技有限公司（登记）",
      "seller.region": "532623",
      "seller.entityType": "150",
      "buyer.entityType": "150",
    });
    expect(page.values!["seller.creditCode"]).toMatch(/^[0-9A-Z]{18}$/);

    const id = await submitFromContract(
      seller,
      deal,
      { ...page.values!, signedOn: "2020-01-01", contractAmount: "1" },
      { now: new Date() },
    );
    const r = await Registration.findById(id).lean();
    // Fixed by the signed contract whatever was typed.
    expect(r).toMatchObject({ status: "submitted", source: "platform", contractAmount: 300_000_00, technologyAmount: 300_000_00 });
    expect(chinaDate(r!.signedOn)).not.toBe("2020-01-01");
    expect(r!.seller.organization).toBeTruthy();
    await Registration.deleteOne({ _id: id });

    const id2 = await submitFromContract(seller, deal, page.values!);
    const r2 = await Registration.findById(id2).lean();
    expect(r2!.dueAt!.getTime()).toBeGreaterThan(Date.now() + 14 * 86_400_000);
    expect(r2!.history.map((h) => h.action)).toEqual(["submitted"]);

    // One live application per contract.
    await expect(submitFromContract(seller, deal, page.values!)).rejects.toBeInstanceOf(ConflictError);
  });

  it("gives 15 working days across the Spring Festival and its make-up Saturdays, 30 for a large contract", async () => {
    const file = { filename: "c.pdf", bytes: pdfBytes("spring") };
    const dated = { signedOn: "2026-02-01", validFrom: "2026-02-01" };
    // Monday 2026-02-09: 02-10…13, 02-14 (make-up Saturday), holiday to 02-23, 02-24…27, 02-28 (make-up Saturday), 03-02…06.
    const now = new Date("2026-02-09T10:00:00+08:00");
    const small = await submitExternal(seller, external(dated), file, { now });
    expect(chinaDate((await Registration.findById(small).lean())!.dueAt)).toBe("2026-03-06");
    const large = await submitExternal(
      seller,
      external({ ...dated, contractAmount: "5000000", nonTechItems: [], technologyAmount: "5000000" }),
      file,
      { now },
    );
    const r = await Registration.findById(large).lean();
    expect(r!.large).toBe(true);
    // 30 working days: 03-09…13 (20), 03-16…20 (25), 03-23…27 (30).
    expect(chinaDate(r!.dueAt)).toBe("2026-03-27");
  });

  it("lets only the seller apply, or the buyer for a technology import; strangers learn nothing", async () => {
    const deal = await signedDeal();
    const values = (await dealRegistrationPage(seller, deal)).values!;
    await expect(submitFromContract(buyer, deal, values)).rejects.toBeInstanceOf(ForbiddenError);
    await expect(submitFromContract(outsider, deal, values)).rejects.toBeInstanceOf(NotFoundError);
    const id = await submitFromContract(buyer, deal, { ...values, import: "on" });
    expect((await Registration.findById(id).lean())!.applicantSide).toBe("buyer");
  });

  it("refuses bad input with 400 naming each field", async () => {
    const file = { filename: "合同.pdf", bytes: pdfBytes("signed") };
    expect(
      await fieldsOf(
        submitExternal(
          seller,
          external({
            seller: { name: "文山学院", creditCode: "9153262312345", region: "999999", entityType: "022" },
            buyer: { name: "合作社", creditCode: "", region: "532623", town: "110101001", entityType: "777" },
            validFrom: "2026-11-20",
            validTo: "2026-11-19",
            signedOn: "2099-01-01",
          }),
          file,
        ),
      ),
    ).toEqual(["buyer.creditCode", "buyer.entityType", "buyer.town", "seller.creditCode", "seller.region", "signedOn", "validTo"]);
    expect(await fieldsOf(submitExternal(seller, external({ contractAmount: "100.001", category: "sale" }), file))).toEqual([
      "category",
      "contractAmount",
    ]);
    expect(
      await fieldsOf(submitExternal(seller, external({ validTo: "2026-11-19", signedOn: "2099-01-01", technologyAmount: "100000" }), file)),
    ).toEqual(["signedOn", "technologyAmount", "validTo"]);
    expect(await fieldsOf(submitExternal(seller, external({ nonTechItems: [{ label: "设备", amount: "200000" }] }), file))).toEqual([
      "nonTechItems",
    ]);
    expect(await fieldsOf(submitExternal(seller, external(), null))).toEqual(["file"]);
    expect(await fieldsOf(submitExternal(seller, external(), { filename: "a.txt", bytes: new TextEncoder().encode("hello") }))).toEqual([
      "file",
    ]);
    // A natural person needs no credit code.
    const id = await submitExternal(
      seller,
      external({ buyer: { name: "张三", creditCode: "", region: "532623", entityType: "500" } }),
      file,
    );
    const r = await Registration.findById(id).lean();
    expect(r).toMatchObject({ source: "external", contractAmount: 120_000_00, technologyAmount: 99_999_50 });
    expect(r!.contractHash).toMatch(/^[0-9a-f]{64}$/);
    expect(r!.attachments).toHaveLength(1);
  });
});

describe("review", () => {
  it("lets only bureau users of other organisations review; strangers get 404", async () => {
    const deal = await signedDeal();
    const id = await submitFromContract(seller, deal, (await dealRegistrationPage(seller, deal)).values!);
    await expect(registerContract(broker, id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(registerContract(admin, id)).rejects.toMatchObject({ message: "registration.errors.notBureau" });
    await expect(registerContract(bureauOfSeller, id)).rejects.toMatchObject({ message: "registration.errors.ownOrganization" });
    await expect(refuseRegistration(bureauOfSeller, id, { ground: "seal" })).rejects.toBeInstanceOf(ForbiddenError);
    await expect(getRegistration(outsider, id)).rejects.toBeInstanceOf(NotFoundError);
    expect((await getRegistration(bureauOfSeller, id)).ownOrganization).toBe(true);
    expect((await getRegistration(seller, id)).registration.status).toBe("submitted");
    await expect(reviewQueue(seller)).rejects.toBeInstanceOf(NotFoundError);
    const queue = await reviewQueue(bureau);
    expect(queue.items.some((i) => i.id === id)).toBe(true);
    // Ordered by due day.
    const dues = queue.items.map((i) => i.dueOn!);
    expect([...dues].sort()).toEqual(dues);
    // Weeks later it is overdue, marked in working days, and under the "overdue" filter.
    const later = new Date(Date.now() + 40 * 86_400_000);
    const overdue = (await reviewQueue(bureau, "overdue", later)).items.find((i) => i.id === id);
    expect(overdue).toMatchObject({ overdue: true });
    expect(overdue!.daysLeft).toBeLessThan(0);
    expect((await reviewQueue(bureau, "overdue")).items.some((i) => i.id === id)).toBe(false);
  });

  it("refuses on every ground, with the note, and tells the applicant", async () => {
    for (const ground of REFUSAL_GROUNDS) {
      const id = await submitExternal(seller, external(), { filename: "c.pdf", bytes: pdfBytes(ground) });
      await refuseRegistration(bureau, id, { ground, note: `理由：${ground}` });
      const v = (await getRegistration(seller, id)).registration;
      expect(v).toMatchObject({ status: "refused", refusal: { ground, note: `理由：${ground}` }, number: null, dueOn: null });
      expect(v.history.map((h) => h.action)).toEqual(["submitted", "refused"]);
      await expect(registerContract(bureau, id)).rejects.toBeInstanceOf(ConflictError);
    }
    expect(await Notification.countDocuments({ user: seller.id, type: "registration.refused" })).toBe(REFUSAL_GROUNDS.length);
    const bad = await submitExternal(seller, external(), { filename: "c.pdf", bytes: pdfBytes("x") });
    expect(await fieldsOf(refuseRegistration(bureau, bad, { ground: "because" }))).toEqual(["ground"]);
    expect(await fieldsOf(askForCorrections(bureau, bad, { note: " " }))).toEqual(["note"]);
  });

  it("asks for corrections (the clock stops), and the resubmission restarts it from that day", async () => {
    // Friday 2026-09-25 is a holiday (中秋); submitted on Thursday 2026-09-24.
    const id = await submitExternal(
      seller,
      external({ signedOn: "2026-09-01", validFrom: "2026-09-01" }),
      { filename: "c.pdf", bytes: pdfBytes("c") },
      {
        now: new Date("2026-09-24T09:00:00+08:00"),
      },
    );
    let r = await Registration.findById(id).lean();
    // 09-27 Sun holiday … 09-28, 09-29, 09-30 (3), National Day to 10-07, 10-08, 10-09 (5), 10-10 Sat make-up (6), 10-12…16 (11), 10-19…22 (15)
    expect(chinaDate(r!.dueAt)).toBe("2026-10-22");
    await askForCorrections(bureau, id, { note: "请补充乙方盖章页" }, { now: new Date("2026-10-09T10:00:00+08:00") });
    r = await Registration.findById(id).lean();
    expect(r).toMatchObject({ status: "corrections", corrections: { note: "请补充乙方盖章页" } });
    expect(r!.dueAt).toBeUndefined();
    expect(await Notification.countDocuments({ user: seller.id, type: "registration.corrections" })).toBe(1);
    await expect(registerContract(bureau, id)).rejects.toBeInstanceOf(ConflictError);
    await expect(resubmitRegistration(outsider, id, external())).rejects.toBeInstanceOf(NotFoundError);
    const dated = { signedOn: "2026-09-01", validFrom: "2026-09-01" };
    const at = { now: new Date("2026-11-02T09:00:00+08:00") };
    expect(await fieldsOf(resubmitRegistration(seller, id, external({ ...dated, technologyAmount: "1" }), null, at))).toEqual([
      "technologyAmount",
    ]);

    await resubmitRegistration(
      seller,
      id,
      external({ ...dated, projectName: "冷链保鲜技术服务（补正）" }),
      { filename: "c2.pdf", bytes: pdfBytes("sealed") },
      {
        now: new Date("2026-11-02T09:00:00+08:00"),
      },
    );
    r = await Registration.findById(id).lean();
    expect(r).toMatchObject({ status: "submitted", projectName: "冷链保鲜技术服务（补正）" });
    // From Monday 2026-11-02: 15 working days → Monday 2026-11-23.
    expect(chinaDate(r!.clockFrom)).toBe("2026-11-02");
    expect(chinaDate(r!.dueAt)).toBe("2026-11-23");
    expect(r!.history.map((h) => h.action)).toEqual(["submitted", "corrections", "resubmitted"]);
    await expect(resubmitRegistration(seller, id, external({ ...dated }), null, at)).rejects.toBeInstanceOf(ConflictError);

    const number = await registerContract(bureau, id, { now: new Date("2026-11-10T09:00:00+08:00") });
    expect(number).toMatch(/^2026532601\d{6}$/);
    const v = (await getRegistration(seller, id)).registration;
    expect(v).toMatchObject({ status: "registered", number, year: 2026, registrar: bureau.name, point: { code: "01" } });
    expect(await Notification.countDocuments({ user: seller.id, type: "registration.registered" })).toBe(1);
  });
});

describe("numbering", () => {
  it("gives 20 concurrent approvals the serials 1…20 of the year and point, none twice, and a refused attempt uses none", async () => {
    const year = new Date("2027-03-01T10:00:00+08:00");
    const ids: string[] = [];
    for (let i = 0; i < 21; i++) ids.push(await submitExternal(seller, external(), { filename: "c.pdf", bytes: pdfBytes(`n${i}`) }));
    // Refused attempts (not bureau; own organisation) take no number.
    await expect(registerContract(bureauOfSeller, ids[0]!, { now: year })).rejects.toBeInstanceOf(ForbiddenError);
    const numbers = await Promise.all(ids.slice(0, 20).map((id) => registerContract(bureau, id, { now: year })));
    const serials = numbers.map((x) => Number(x.slice(10))).sort((a, b) => a - b);
    expect(serials).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(new Set(numbers).size).toBe(20);
    for (const x of numbers) expect(x.slice(0, 10)).toBe("2027532601");
    // A second approval of a registered one is refused and uses no number.
    await expect(registerContract(bureau, ids[0]!, { now: year })).rejects.toBeInstanceOf(ConflictError);
    expect(await registerContract(bureau, ids[20]!, { now: year })).toBe("2027532601000021");
    expect((await RegistrationCounter.findById("2027-532601").lean())!.seq).toBe(21);

    const listed = await listRegistrations(bureau, { status: "registered", year: "2027" });
    expect(listed).toHaveLength(21);
    expect(await listRegistrations(outsider, { status: "registered", year: "2027" })).toHaveLength(0);
    expect(await fieldsOf(listRegistrations(bureau, { status: "nope", year: "20x" }))).toEqual(["status", "year"]);
  });
});
