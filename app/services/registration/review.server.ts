import type { ClientSession } from "mongoose";
import { Registration, RegistrationCounter } from "~/models/registration.server.ts";
import { CorrectionsSchema, RefusalSchema, registrationFieldErrors } from "~/schemas/registration.ts";
import { chinaToday } from "~/utils/china-time.ts";
import { ConflictError, ValidationError } from "~/utils/errors.ts";
import { formatYuan } from "~/utils/money.ts";
import { groupedNumber, registrationNumber } from "~/utils/registration.ts";
import type { Actor, Via } from "../kernel/actor.ts";
import { recordAudit } from "../kernel/audit.server.ts";
import { isDuplicateKey } from "../kernel/mongo-errors.ts";
import { withTransaction } from "../kernel/tx.server.ts";
import { notify } from "../notifications/notify.server.ts";
import { assertMayReview, loadRegistrationFor, type RegistrationRow } from "./access.server.ts";
import { registrationSettings } from "./settings.server.ts";

/**
 * The registration point's three answers (issue 15, points 2 and 3): ask for corrections (补正:
 * the clock stops until the applicant resubmits), refuse on one of the grounds (不予登记), or
 * register — which takes the next serial of the year and point from `RegistrationCounter` inside
 * the same transaction that marks the registration registered, so an aborted approval never uses
 * up a number and the serials stay gap-free (decision 025). Only bureau users, never for their
 * own organisation's contract. Every step goes into `history` and tells the applicant.
 */
export interface Opts {
  now?: Date;
  via?: Via;
}

const person = (actor: Actor) => ({ ...(actor.id ? { user: actor.id } : {}), name: actor.name });

async function tellApplicant(
  session: ClientSession,
  r: RegistrationRow,
  type: "registration.corrections" | "registration.registered" | "registration.refused",
  params: Record<string, string>,
  at: Date,
) {
  if (!r.applicant?.user) return;
  // The subject is the applicant's organisation (the registration when they applied as a person); the link leads to the application.
  const subject = { kind: "organization" as const, id: r.applicant.organization ?? r._id, title: r.projectName };
  await notify(
    session,
    [{ user: r.applicant.user, type, subject, link: `/my/registrations/${String(r._id)}`, params: { title: r.projectName, ...params } }],
    { at },
  );
}

/** Loads for review inside the transaction: visible, reviewable by this actor, in `status`. */
async function forReview(actor: Actor, id: string, session: ClientSession): Promise<RegistrationRow> {
  const r = await loadRegistrationFor(actor, id, session);
  assertMayReview(actor, r);
  if (r.status !== "submitted") throw new ConflictError("registration.errors.notUnderReview");
  return r;
}

/** 补正: the applicant is asked to correct the form; the clock stops (no due day) until they resubmit. */
export async function askForCorrections(actor: Actor, id: string, input: unknown, opts: Opts = {}): Promise<void> {
  const parsed = CorrectionsSchema.safeParse(input);
  if (!parsed.success) throw new ValidationError(registrationFieldErrors(parsed.error));
  const now = opts.now ?? new Date();
  await withTransaction(async (session) => {
    const r = await forReview(actor, id, session);
    const res = await Registration.updateOne(
      { _id: r._id, status: "submitted" },
      {
        $set: { status: "corrections", corrections: { note: parsed.data.note, at: now }, reviewer: person(actor) },
        $unset: { dueAt: 1 },
        $push: { history: { at: now, action: "corrections", by: person(actor), note: parsed.data.note } },
      },
      { session },
    );
    if (!res.modifiedCount) throw new ConflictError("registration.errors.notUnderReview");
    await recordAudit(session, {
      subjectType: "registration",
      subject: r._id,
      action: "corrections",
      from: "submitted",
      to: "corrections",
      actor,
      via: opts.via ?? "ui",
      reason: parsed.data.note,
      at: now,
    });
    await tellApplicant(session, r, "registration.corrections", { note: parsed.data.note }, now);
  });
}

/** 不予登记 on one of the grounds, with a note. */
export async function refuseRegistration(actor: Actor, id: string, input: unknown, opts: Opts = {}): Promise<void> {
  const parsed = RefusalSchema.safeParse(input);
  if (!parsed.success) throw new ValidationError(registrationFieldErrors(parsed.error));
  const now = opts.now ?? new Date();
  const { ground, note } = parsed.data;
  await withTransaction(async (session) => {
    const r = await forReview(actor, id, session);
    const res = await Registration.updateOne(
      { _id: r._id, status: "submitted" },
      {
        $set: { status: "refused", refusal: { ground, note }, reviewer: person(actor), decidedAt: now },
        $unset: { dueAt: 1 },
        $push: { history: { at: now, action: "refused", by: person(actor), note: note ? `${ground}: ${note}` : ground } },
      },
      { session },
    );
    if (!res.modifiedCount) throw new ConflictError("registration.errors.notUnderReview");
    await recordAudit(session, {
      subjectType: "registration",
      subject: r._id,
      action: "refused",
      from: "submitted",
      to: "refused",
      actor,
      via: opts.via ?? "ui",
      reason: note ? `${ground}: ${note}` : ground,
      at: now,
    });
    await tellApplicant(session, r, "registration.refused", { ground, note }, now);
  });
}

/** The counter document exists before any transaction increments it (an upsert inside concurrent transactions could collide). */
async function ensureCounter(key: string): Promise<void> {
  try {
    await RegistrationCounter.updateOne({ _id: key }, { $setOnInsert: { seq: 0 } }, { upsert: true });
  } catch (e) {
    if (!isDuplicateKey(e)) throw e;
  }
}

/** 登记: the next number of the year and point, in the same transaction as the decision. Answers the number. */
export async function registerContract(actor: Actor, id: string, opts: Opts = {}): Promise<string> {
  const now = opts.now ?? new Date();
  const year = Number(chinaToday(now).slice(0, 4));
  const pre = await registrationSettings();
  await ensureCounter(`${year}-${pre.prefectureCode}${pre.pointCode}`);
  return withTransaction(async (session) => {
    const r = await forReview(actor, id, session);
    const s = await registrationSettings(session);
    const key = `${year}-${s.prefectureCode}${s.pointCode}`;
    const counter = await RegistrationCounter.findOneAndUpdate(
      { _id: key },
      { $inc: { seq: 1 } },
      { upsert: true, returnDocument: "after", session },
    ).lean();
    const serial = counter!.seq;
    const number = registrationNumber(year, s.prefectureCode, s.pointCode, serial);
    const res = await Registration.updateOne(
      { _id: r._id, status: "submitted" },
      {
        $set: {
          status: "registered",
          number,
          year,
          serial,
          registeredAt: now,
          decidedAt: now,
          registrar: person(actor),
          reviewer: person(actor),
          point: { code: s.pointCode, name: s.pointName },
        },
        $push: { history: { at: now, action: "registered", by: person(actor), note: groupedNumber(number) } },
      },
      { session },
    );
    if (!res.modifiedCount) throw new ConflictError("registration.errors.notUnderReview");
    await recordAudit(session, {
      subjectType: "registration",
      subject: r._id,
      action: "registered",
      from: "submitted",
      to: "registered",
      actor,
      via: opts.via ?? "ui",
      reason: number,
      at: now,
    });
    await tellApplicant(
      session,
      r,
      "registration.registered",
      { number: groupedNumber(number), amount: formatYuan(r.technologyAmount) },
      now,
    );
    return number;
  });
}
