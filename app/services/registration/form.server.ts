import type { ClientSession } from "mongoose";
import { Achievement } from "~/models/achievement.server.ts";
import { Contract } from "~/models/contract.server.ts";
import { Organization } from "~/models/organization.server.ts";
import { RegistrationInputSchema, registrationFieldErrors, type PartyInput, type RegistrationInput } from "~/schemas/registration.ts";
import type { DealRow } from "../contracts/access.server.ts";
import { chinaDate, isCalendarDate } from "~/utils/china-time.ts";
import { CONTRACT_SUB_CATEGORIES, type ContractCategory } from "~/utils/contracts.ts";
import { fieldErrorList, fieldErrors, ValidationError } from "~/utils/errors.ts";
import { fenToYuanText } from "~/utils/money.ts";
import type { OrganizationType } from "~/utils/organization.ts";
import { isKnownRegion } from "~/utils/regions.server.ts";
import { ENTITY_TYPES, type ApplicantSide } from "~/utils/registration.ts";
import { FIELD_TO_TECHNICAL, ORG_TYPE_TO_ENTITY } from "~/utils/registration-fields.ts";
import type { Field } from "~/utils/taxonomy.ts";
import { isValidUscc } from "~/utils/uscc.ts";

/**
 * The registration form: what it starts from for a platform contract (the signed contract, the
 * deal and its listing, the parties' organisation records), and the checks every submission passes
 * — each error naming its field (issue 15, point 1).
 */
const E = (k: string) => `registration.errors.${k}`;

/** Form values as a no-JS form carries them (flat names, yuan as text). */
export type RegistrationFormValues = Record<string, string>;

export interface CheckedRegistration extends RegistrationInput {
  /** The parties' 6-digit regions ("000000" abroad). */
  seller: PartyInput;
  buyer: PartyInput;
}

/** Parses and checks a submission: 400 naming every bad field. `today` is the China date signing may not be after. */
export function checkRegistration(raw: unknown, today: string): CheckedRegistration {
  const parsed = RegistrationInputSchema.safeParse(raw);
  if (!parsed.success) throw new ValidationError(registrationFieldErrors(parsed.error));
  const v = parsed.data;
  const errors = fieldErrors();
  const add = (path: string, key: string) => fieldErrorList(errors, path).push(E(key));

  for (const side of ["seller", "buyer"] as const) {
    const p = v[side];
    if (!Object.hasOwn(ENTITY_TYPES, p.entityType)) add(`${side}.entityType`, "entityType");
    const person = p.entityType === "500";
    if (p.creditCode ? !isValidUscc(p.creditCode) : !person) add(`${side}.creditCode`, "creditCode");
    if (p.country === "156") {
      if (!/^\d{6}$/.test(p.region) || !isKnownRegion(p.region)) add(`${side}.region`, "region");
      else if (p.town && (!p.town.startsWith(p.region) || !isKnownRegion(p.town))) add(`${side}.town`, "town");
    } else {
      // A foreign party (a technology import's seller) has no GB/T 2260 region.
      p.region = "000000";
      p.town = "";
    }
  }
  const subs: readonly string[] = CONTRACT_SUB_CATEGORIES[v.category as ContractCategory];
  if (!subs.includes(v.subCategory)) add("subCategory", "subCategory");

  for (const k of ["signedOn", "validFrom", "validTo"] as const) if (!isCalendarDate(v[k])) add(k, "date");
  if (!errors.signedOn && v.signedOn > today) add("signedOn", "signedOnFuture");
  if (!errors.validFrom && !errors.validTo && v.validTo < v.validFrom) add("validTo", "validToBeforeFrom");

  const items = v.nonTechItems.reduce((s, i) => s + i.amount, 0);
  if (items > v.contractAmount) add("nonTechItems", "itemsOverAmount");
  else if (v.technologyAmount !== v.contractAmount - items) add("technologyAmount", "technologyAmount");
  if (v.technologyAmount > v.contractAmount) add("technologyAmount", "technologyOverContract");

  if (Object.keys(errors).length) throw new ValidationError(errors);
  return v;
}

interface OrgRecord {
  name: string;
  creditCode?: string | null;
  region?: string | null;
  type: string;
}

function partyFrom(org: OrgRecord | null, fallbackName: string): Record<string, string> {
  const region = org?.region ?? "";
  return {
    name: org?.name ?? fallbackName,
    creditCode: org?.creditCode ?? "",
    region: region.slice(0, 6),
    town: region.length === 9 ? region : "",
    country: "156",
    entityType: org ? (ORG_TYPE_TO_ENTITY[org.type as OrganizationType] ?? "150") : "500",
  };
}

const addMonths = (day: string, months: number): string => {
  const [y, m, d] = day.split("-").map(Number) as [number, number, number];
  const t = new Date(Date.UTC(y, m - 1 + months, d));
  // A day past the month's end (31 → Feb) falls back to its last day.
  if (t.getUTCDate() !== d) t.setUTCDate(0);
  t.setUTCDate(t.getUTCDate() - 1);
  return t.toISOString().slice(0, 10);
};

export interface PlatformFacts {
  contractId: string;
  contractHash: string;
  listingTitle: string;
  /** The fields the signed contract fixes (not editable on the form). */
  locked: {
    category: string;
    subCategory: string;
    contractAmount: string;
    nonTechItems: { label: string; amount: string }[];
    technologyAmount: string;
    signedOn: string;
  };
  /** The whole form as it starts. */
  values: RegistrationFormValues;
}

/** What the form starts from for a deal's signed contract (null when it is not signed). */
export async function platformFacts(deal: DealRow, session: ClientSession | null = null): Promise<PlatformFacts | null> {
  const contract = await Contract.findOne({ deal: deal._id }).session(session).lean();
  if (!contract || contract.status !== "signed") return null;
  const [listing, orgs] = await Promise.all([
    Achievement.findById(deal.listing).select("title field ipType").session(session).lean(),
    Organization.find({ _id: { $in: [deal.seller.organization, deal.buyer.organization].filter(Boolean) } })
      .select("name creditCode region type")
      .session(session)
      .lean(),
  ]);
  const org = (id: unknown) => (id ? (orgs.find((o) => String(o._id) === String(id)) ?? null) : null);
  const current = contract.versions[contract.versions.length - 1]!;
  const signedOn = chinaDate(contract.signedAt ?? new Date());
  const months = deal.terms?.termMonths ?? 12;
  const locked = {
    category: contract.category,
    subCategory: contract.subCategory,
    contractAmount: fenToYuanText(contract.contractAmount),
    nonTechItems: (contract.nonTechItems ?? []).map((i) => ({ label: i.label, amount: fenToYuanText(i.amount) })),
    technologyAmount: fenToYuanText(contract.technologyAmount),
    signedOn,
  };
  const values: RegistrationFormValues = {
    projectName: listing?.title ?? deal.listingTitle,
    category: locked.category,
    subCategory: locked.subCategory,
    technicalField: listing?.field ? FIELD_TO_TECHNICAL[listing.field as Field] : "11",
    ipType: listing?.ipType ?? "",
    planSource: "",
    signedOn,
    validFrom: signedOn,
    validTo: addMonths(signedOn, months),
    contractAmount: locked.contractAmount,
    technologyAmount: locked.technologyAmount,
    paymentMethod: deal.terms?.royaltyPercent ? "lump-sum-royalty" : (deal.terms?.milestones?.length ?? 0) > 1 ? "instalments" : "lump-sum",
  };
  locked.nonTechItems.forEach((i, n) => {
    values[`nonTechItems.${n}.label`] = i.label;
    values[`nonTechItems.${n}.amount`] = i.amount;
  });
  for (const [side, p] of [
    ["seller", partyFrom(org(deal.seller.organization), deal.seller.organizationName ?? deal.seller.name)],
    ["buyer", partyFrom(org(deal.buyer.organization), deal.buyer.organizationName ?? deal.buyer.name)],
  ] as const) {
    for (const [k, val] of Object.entries(p)) values[`${side}.${k}`] = val;
  }
  return { contractId: String(contract._id), contractHash: current.hash, listingTitle: deal.listingTitle, locked, values };
}

/** The locked fields in the input's shape (what is merged over a submission). */
export function lockedInput(f: PlatformFacts): Record<string, unknown> {
  return { ...f.locked };
}

/** An empty form for a contract signed outside the platform. */
export function blankValues(side: ApplicantSide = "seller"): RegistrationFormValues {
  return {
    signedOn: "",
    validFrom: "",
    validTo: "",
    "seller.country": "156",
    "buyer.country": "156",
    "seller.entityType": "150",
    "buyer.entityType": "150",
    paymentMethod: "lump-sum",
    technicalField: "09",
    ...(side === "buyer" ? { import: "on" } : {}),
  };
}

/** A stored registration as form values (the corrections form starts from it). */
export function valuesOf(r: {
  applicantSide: string;
  projectName: string;
  category: string;
  subCategory: string;
  seller: PartyInput;
  buyer: PartyInput;
  signedOn: Date;
  validFrom: Date;
  validTo: Date;
  technicalField: string;
  ipType?: string | null;
  planSource?: string | null;
  contractAmount: number;
  nonTechItems: { label: string; amount: number }[];
  technologyAmount: number;
  paymentMethod: string;
  disputed?: boolean | null;
}): RegistrationFormValues {
  const v: RegistrationFormValues = {
    projectName: r.projectName,
    category: r.category,
    subCategory: r.subCategory,
    technicalField: r.technicalField,
    ipType: r.ipType ?? "",
    planSource: r.planSource ?? "",
    signedOn: chinaDate(r.signedOn),
    validFrom: chinaDate(r.validFrom),
    validTo: chinaDate(r.validTo),
    contractAmount: fenToYuanText(r.contractAmount),
    technologyAmount: fenToYuanText(r.technologyAmount),
    paymentMethod: r.paymentMethod,
  };
  if (r.applicantSide === "buyer") v.import = "on";
  if (r.disputed) v.disputed = "on";
  r.nonTechItems.forEach((i, n) => {
    v[`nonTechItems.${n}.label`] = i.label;
    v[`nonTechItems.${n}.amount`] = fenToYuanText(i.amount);
  });
  for (const side of ["seller", "buyer"] as const) {
    const p = r[side];
    for (const k of ["name", "creditCode", "region", "town", "country", "entityType"] as const) v[`${side}.${k}`] = String(p[k] ?? "");
  }
  return v;
}
