import type { Types } from "mongoose";
import { Registration, RegistrationCounter } from "~/models/registration.server.ts";
import type { ContractCategory } from "~/utils/contracts.ts";
import type { RegistrationStatus } from "~/utils/registration.ts";
import { registrationNumber } from "~/utils/registration.ts";
import { makeUscc } from "./factories.ts";

/**
 * Registration documents for the demo seed and the tests (issue 15): a party from a region code
 * (9 digits = a town, kept in `town`), the next number from the per-year counter, and a whole
 * application in one of the statuses. Money in fen.
 */
export const DEMO_PREFECTURE = "5326";
export const DEMO_POINT = "01";

export interface Party {
  name: string;
  creditCode?: string;
  region: string;
  town?: string;
  country: string;
  entityType: string;
  organization?: Types.ObjectId;
}

/** A party at a 6-digit county or a 9-digit town, with a valid credit code made from its name. */
export function party(name: string, region: string, entityType: string, prefix = "91"): Party {
  const county = region.slice(0, 6);
  return {
    name,
    creditCode: makeUscc(prefix, county, name),
    region: county,
    ...(region.length === 9 ? { town: region } : {}),
    country: "156",
    entityType,
  };
}

/** The next registration number of `year` at the demo point (5326 + 01), from RegistrationCounter: never reused. */
export async function nextNumber(year: number): Promise<{ number: string; serial: number }> {
  const c = await RegistrationCounter.findOneAndUpdate(
    { _id: `${year}-${DEMO_PREFECTURE}${DEMO_POINT}` },
    { $inc: { seq: 1 } },
    { upsert: true, returnDocument: "after" },
  ).lean();
  return { number: registrationNumber(year, DEMO_PREFECTURE, DEMO_POINT, c!.seq), serial: c!.seq };
}

export interface RegistrationInput {
  projectName: string;
  category: ContractCategory;
  subCategory: string;
  seller: Party;
  buyer: Party;
  technicalField: string;
  /** 成交额, fen. */
  contractFen: number;
  /** 技术交易额, fen; the difference is one non-technical item. */
  technologyFen: number;
  submittedAt: Date;
  status?: RegistrationStatus;
  source?: "platform" | "external";
  dueAt?: Date;
  /** For a registered (or cancelled) one: when, by whom, with which number. */
  registered?: { at: Date; number: string; serial: number; year: number; by: { user?: Types.ObjectId; name: string } };
  cancelledAt?: Date;
  corrections?: { note: string; at: Date };
}

const DAY = 86_400_000;

/** A whole registration document as the reg module stores it. */
export function registrationDoc(i: RegistrationInput) {
  const status = i.status ?? (i.registered ? "registered" : "submitted");
  const signedOn = new Date(i.submittedAt.getTime() - 12 * DAY);
  const history: { at: Date; action: string; by: { user?: Types.ObjectId; name: string }; note?: string }[] = [
    { at: i.submittedAt, action: "submitted", by: { name: `${i.seller.name} 经办人` } },
  ];
  if (i.corrections)
    history.push({ at: i.corrections.at, action: "corrections", by: i.registered?.by ?? { name: "科技局" }, note: i.corrections.note });
  if (i.registered) history.push({ at: i.registered.at, action: "registered", by: i.registered.by });
  if (i.cancelledAt)
    history.push({ at: i.cancelledAt, action: "cancelled", by: i.registered?.by ?? { name: "科技局" }, note: "当事人申请注销" });
  return {
    status,
    source: i.source ?? "external",
    applicant: {
      name: `${i.seller.name} 经办人`,
      organizationName: i.seller.name,
      ...(i.seller.organization ? { organization: i.seller.organization } : {}),
    },
    applicantSide: "seller" as const,
    projectName: i.projectName,
    category: i.category,
    subCategory: i.subCategory,
    seller: i.seller,
    buyer: i.buyer,
    signedOn,
    validFrom: signedOn,
    validTo: new Date(signedOn.getTime() + 730 * DAY),
    technicalField: i.technicalField,
    ipType: i.category === "transfer" || i.category === "license" ? "invention-patent" : "none",
    contractAmount: i.contractFen,
    nonTechItems: i.contractFen > i.technologyFen ? [{ label: "设备及材料购置", amount: i.contractFen - i.technologyFen }] : [],
    technologyAmount: i.technologyFen,
    paymentMethod: "instalments",
    submittedAt: i.submittedAt,
    clockFrom: i.corrections?.at ?? i.submittedAt,
    ...(i.dueAt ? { dueAt: i.dueAt } : {}),
    ...(i.corrections ? { corrections: i.corrections } : {}),
    ...(i.registered
      ? {
          number: i.registered.number,
          year: i.registered.year,
          serial: i.registered.serial,
          registeredAt: i.registered.at,
          decidedAt: i.registered.at,
          reviewer: i.registered.by,
          registrar: i.registered.by,
          point: { code: DEMO_POINT, name: "西畴县技术合同登记点" },
        }
      : {}),
    ...(i.cancelledAt ? { cancelledAt: i.cancelledAt } : {}),
    history,
  };
}

/** Stores a registration, validated by the model. */
export async function saveRegistration(doc: ReturnType<typeof registrationDoc>): Promise<void> {
  await new Registration(doc).save();
}
