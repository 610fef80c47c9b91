import type { ClientSession } from "mongoose";
import { Registration } from "~/models/registration.server.ts";
import { registrationFromForm } from "~/schemas/registration.ts";
import type { RegistrationSettings } from "~/schemas/settings.ts";
import { chinaToday, endOfChinaDay, startOfChinaDay } from "~/utils/china-time.ts";
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from "~/utils/errors.ts";
import type { Actor, Via } from "../kernel/actor.ts";
import { recordAudit } from "../kernel/audit.server.ts";
import { isDuplicateKey } from "../kernel/mongo-errors.ts";
import { withTransaction } from "../kernel/tx.server.ts";
import { loadDealFor, partySideOf } from "../contracts/access.server.ts";
import { discardProofFile, storeProofFile } from "../files/proofs.server.ts";
import { addWorkingDays, isLarge, reviewLimit } from "./calendar.ts";
import { checkRegistration, lockedInput, platformFacts, type CheckedRegistration } from "./form.server.ts";
import { isApplicant, loadRegistrationFor } from "./access.server.ts";
import { registrationSettings } from "./settings.server.ts";
import { createHash } from "node:crypto";
import type { ObjectId } from "mongodb";

/**
 * Submitting a contract for registration (issue 15, point 1) and resubmitting it after a request
 * for corrections (补正). The review clock starts on the day it arrives: `dueAt` is the end of the
 * limit's last working day (15, or 30 for a large or disputed contract; decision 025).
 */
/** The signed file of a contract signed outside the platform: a PDF or an image. */
export interface SignedFile {
  filename: string;
  bytes: Uint8Array;
}
const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

export interface Opts {
  now?: Date;
  via?: Via;
}

/** The review clock from `now`: the large flag, the limit's last working day (end of that China day). */
export function clockFor(
  c: Pick<CheckedRegistration, "contractAmount" | "technologyAmount" | "disputed">,
  s: RegistrationSettings,
  now: Date,
): { large: boolean; clockFrom: Date; dueAt: Date } {
  const limit = reviewLimit(c, s);
  return { large: isLarge(c, s), clockFrom: now, dueAt: endOfChinaDay(addWorkingDays(chinaToday(now), limit, s.calendar)) };
}

/** The form's facts as stored. */
function formFields(v: CheckedRegistration) {
  return {
    applicantSide: v.applicantSide,
    projectName: v.projectName,
    category: v.category,
    subCategory: v.subCategory,
    seller: { ...v.seller, town: v.seller.town || undefined, creditCode: v.seller.creditCode || undefined },
    buyer: { ...v.buyer, town: v.buyer.town || undefined, creditCode: v.buyer.creditCode || undefined },
    signedOn: startOfChinaDay(v.signedOn),
    validFrom: startOfChinaDay(v.validFrom),
    validTo: startOfChinaDay(v.validTo),
    technicalField: v.technicalField,
    ipType: v.ipType || undefined,
    planSource: v.planSource || undefined,
    contractAmount: v.contractAmount,
    nonTechItems: v.nonTechItems,
    technologyAmount: v.technologyAmount,
    paymentMethod: v.paymentMethod,
    disputed: v.disputed,
  };
}

const person = (actor: Actor) => ({ ...(actor.id ? { user: actor.id } : {}), name: actor.name });

/** The input as a form or an API body gave it: flat form fields are turned into its shape. */
function shaped(input: Record<string, unknown>): Record<string, unknown> {
  return typeof input.seller === "object" ? input : registrationFromForm(input as Record<string, string>);
}

/**
 * Stores a new application in `session`'s transaction: submitted now, by the actor, its review clock
 * started (15 or 30 working days, settings), its history and the audit log saying so.
 */
async function createApplication(
  session: ClientSession,
  actor: Actor,
  v: CheckedRegistration,
  now: Date,
  opts: Opts,
  facts: Record<string, unknown>,
): Promise<string> {
  const s = await registrationSettings(session);
  const [doc] = await Registration.create(
    [
      {
        status: "submitted",
        applicant: { ...person(actor), organization: actor.organization?.id, organizationName: actor.organization?.name },
        ...facts,
        submittedAt: now,
        ...clockFor(v, s, now),
        history: [{ at: now, action: "submitted", by: person(actor) }],
      },
    ],
    { session },
  );
  await recordAudit(session, {
    subjectType: "registration",
    subject: doc!._id,
    action: "submitted",
    to: "submitted",
    actor,
    via: opts.via ?? "ui",
    at: now,
  });
  return String(doc!._id);
}

/**
 * Submits a deal's signed contract: by the seller side, or by the buyer side for a technology
 * import (`applicantSide: "buyer"`). The contract fixes category, amounts, items and signing date;
 * the rest is as typed over the pre-filled form. One live application per contract.
 */
export async function submitFromContract(actor: Actor, dealId: string, input: Record<string, unknown>, opts: Opts = {}): Promise<string> {
  const now = opts.now ?? new Date();
  try {
    return await withTransaction(async (session) => {
      const { deal } = await loadDealFor(actor, dealId, session);
      const facts = await platformFacts(deal, session);
      if (!facts) throw new ConflictError("registration.errors.notSigned");
      if (deal.status !== "open") throw new ConflictError("registration.errors.dealClosed");
      const raw = { ...shaped(input), ...lockedInput(facts) };
      const v = checkRegistration(raw, chinaToday(now));
      const side = partySideOf(actor, deal);
      if (!side || side !== v.applicantSide) throw new ForbiddenError("registration.errors.notApplicantSide");
      if (
        await Registration.exists({ contract: facts.contractId, status: { $in: ["submitted", "corrections", "registered"] } }).session(
          session,
        )
      )
        throw new ConflictError("registration.errors.alreadyLive");
      const fields = formFields(v);
      return createApplication(session, actor, v, now, opts, {
        source: "platform",
        deal: deal._id,
        contract: facts.contractId,
        contractHash: facts.contractHash,
        ...fields,
        seller: { ...fields.seller, organization: deal.seller.organization ?? undefined },
        buyer: { ...fields.buyer, organization: deal.buyer.organization ?? undefined },
      });
    });
  } catch (e) {
    if (isDuplicateKey(e)) throw new ConflictError("registration.errors.alreadyLive");
    throw e;
  }
}

/** A contract signed outside the platform, with its signed file (PDF or image) and every field typed. */
export async function submitExternal(
  actor: Actor,
  input: Record<string, unknown>,
  file: SignedFile | null,
  opts: Opts = {},
): Promise<string> {
  const now = opts.now ?? new Date();
  if (!actor.id) throw new ForbiddenError();
  let v: CheckedRegistration;
  try {
    v = checkRegistration(shaped(input), chinaToday(now));
  } catch (e) {
    if (e instanceof ValidationError && !file) e.fieldErrors.file = ["registration.errors.file"];
    throw e;
  }
  if (!file) throw new ValidationError({ file: ["registration.errors.file"] });
  const fileId = await storeSigned(actor, file);
  try {
    return await withTransaction((session) =>
      createApplication(session, actor, v, now, opts, {
        source: "external",
        contractHash: sha256(file.bytes),
        ...formFields(v),
        attachments: [{ file: fileId, filename: file.filename || "contract", kind: "signed-contract" }],
      }),
    );
  } catch (e) {
    await discardProofFile(fileId);
    throw e;
  }
}

async function storeSigned(actor: Actor, file: SignedFile): Promise<ObjectId> {
  try {
    return await storeProofFile(actor, file, "registration-contract", "registration.errors.file");
  } catch (e) {
    if (e instanceof ValidationError) throw new ValidationError({ file: ["registration.errors.file"] });
    throw e;
  }
}

/**
 * The applicant's corrected form after a request for corrections: the clock restarts from today
 * (补正 restarts the review period). A platform contract's fixed fields stay as signed; an
 * external one may bring a new signed file.
 */
export async function resubmitRegistration(
  actor: Actor,
  id: string,
  input: Record<string, unknown>,
  file: SignedFile | null = null,
  opts: Opts = {},
): Promise<void> {
  const now = opts.now ?? new Date();
  const r = await loadRegistrationFor(actor, id);
  if (!isApplicant(actor, r)) throw new NotFoundError();
  if (r.status !== "corrections") throw new ConflictError("registration.errors.notAwaitingCorrections");
  let raw = shaped(input);
  if (r.source === "platform") {
    const { deal } = await loadDealFor(actor, String(r.deal));
    const facts = await platformFacts(deal);
    if (!facts) throw new ConflictError("registration.errors.notSigned");
    raw = { ...raw, ...lockedInput(facts) };
  }
  const v = checkRegistration(raw, chinaToday(now));
  if (r.source === "platform" && v.applicantSide !== r.applicantSide) throw new ForbiddenError("registration.errors.notApplicantSide");
  const fileId = file && r.source === "external" ? await storeSigned(actor, file) : null;
  try {
    await withTransaction(async (session) => {
      const s = await registrationSettings(session);
      const fields = formFields(v);
      const res = await Registration.updateOne(
        { _id: r._id, status: "corrections" },
        {
          $set: {
            ...fields,
            seller: { ...fields.seller, organization: r.seller.organization ?? undefined },
            buyer: { ...fields.buyer, organization: r.buyer.organization ?? undefined },
            status: "submitted",
            ...clockFor(v, s, now),
            ...(fileId
              ? {
                  attachments: [{ file: fileId, filename: file!.filename || "contract", kind: "signed-contract" }],
                  contractHash: sha256(file!.bytes),
                }
              : {}),
          },
          $push: { history: { at: now, action: "resubmitted", by: person(actor) } },
        },
        { session },
      );
      if (!res.modifiedCount) throw new ConflictError("registration.errors.notAwaitingCorrections");
      await recordAudit(session, {
        subjectType: "registration",
        subject: r._id,
        action: "resubmitted",
        from: "corrections",
        to: "submitted",
        actor,
        via: opts.via ?? "ui",
        at: now,
      });
    });
  } catch (e) {
    if (fileId) await discardProofFile(fileId);
    throw e;
  }
}
