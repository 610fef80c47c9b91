import { Registration } from "~/models/registration.server.ts";
import { chinaDate } from "~/utils/china-time.ts";
import type { ContractCategory } from "~/utils/contracts.ts";
import { NotFoundError, ValidationError } from "~/utils/errors.ts";
import { formMessage } from "~/utils/messages.ts";
import { groupedNumber, REGISTRATION_NUMBER, type VerificationState } from "~/utils/registration.ts";
import { verificationState, verifyUrlOf, type RegistrationRow } from "./certificate.server.ts";

/**
 * The public verification of a registration number (issue 15, points 3 and 10): what the QR code
 * on a certificate opens, for anyone, without logging in. Only public facts: the number, status
 * (registered / changed / cancelled) with its dates, project name, category, the parties' names,
 * the registration point and the first 16 hex digits of the contract's hash (to match a printed
 * certificate). Never the amounts, credit codes, people, files, notes or reasons
 * (docs/decisions/026-registration-certificate.md).
 */
export interface Verification {
  number: string;
  groupedNumber: string;
  state: VerificationState;
  projectName: string;
  category: ContractCategory;
  subCategory: string;
  seller: { name: string };
  buyer: { name: string };
  registeredAt: string;
  changedAt: string | null;
  cancelledAt: string | null;
  point: { code: string; name: string };
  hashPrefix: string | null;
  url: string;
}

/** A number as a person may type it: 16 digits, with or without the 4-4-2-6 dashes or spaces. Null when it is not one. */
export function normalizeNumber(raw: string): string | null {
  const s = raw.replace(/[\s-]/g, "");
  return REGISTRATION_NUMBER.test(s) ? s : null;
}

/** The public facts of a number. A malformed number: ValidationError (400); an unknown one: NotFoundError (404). */
export async function verifyRegistration(raw: string): Promise<Verification> {
  const number = normalizeNumber(raw);
  if (!number) throw new ValidationError({ number: [formMessage("verify.malformed", { number: raw.slice(0, 64) })] });
  const r = (await Registration.findOne(
    { number, status: { $in: ["registered", "cancelled"] } },
    {
      number: 1,
      status: 1,
      projectName: 1,
      category: 1,
      subCategory: 1,
      "seller.name": 1,
      "buyer.name": 1,
      registeredAt: 1,
      changedAt: 1,
      cancelledAt: 1,
      point: 1,
      contractHash: 1,
    },
  ).lean()) as Pick<
    RegistrationRow,
    | "number"
    | "status"
    | "projectName"
    | "category"
    | "subCategory"
    | "seller"
    | "buyer"
    | "registeredAt"
    | "changedAt"
    | "cancelledAt"
    | "point"
    | "contractHash"
  > | null;
  if (!r) throw new NotFoundError("verify.notFound");
  return {
    number,
    groupedNumber: groupedNumber(number),
    state: verificationState(r),
    projectName: r.projectName,
    category: r.category as ContractCategory,
    subCategory: r.subCategory,
    seller: { name: r.seller.name },
    buyer: { name: r.buyer.name },
    registeredAt: chinaDate(r.registeredAt),
    changedAt: r.changedAt ? chinaDate(r.changedAt) : null,
    cancelledAt: r.cancelledAt ? chinaDate(r.cancelledAt) : null,
    point: { code: r.point?.code ?? "", name: r.point?.name ?? "" },
    hashPrefix: r.contractHash ? r.contractHash.slice(0, 16) : null,
    url: verifyUrlOf(number),
  };
}
