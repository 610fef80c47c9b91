import { Policy } from "~/models/policy.server.ts";
import { flattenZodErrors } from "~/schemas/listing.ts";
import { PolicyFormSchema, WithdrawPolicySchema } from "~/schemas/policies.ts";
import { ConflictError, NotFoundError, ValidationError } from "~/utils/errors.ts";
import { assertCan } from "~/utils/permissions.ts";
import type { PolicyStatus } from "~/utils/policies.ts";
import type { Actor, Via } from "../kernel/actor.ts";
import { recordAudit } from "../kernel/audit.server.ts";
import { parseId, type ObjectId } from "../kernel/ids.server.ts";
import { withTransaction } from "../kernel/tx.server.ts";

/**
 * The bureau writes, publishes and withdraws policies and notices (issue 15, point 8). Every
 * command needs "policy:publish" (bureau, admin), changes one document and writes its audit entry
 * in the same transaction. A withdrawn document is final: it cannot be edited or published again
 * (write a new one); drafts and published ones can be corrected, and the correction is audited.
 */

/** States in which the text may be changed. */
export const EDITABLE_POLICY_STATUSES: readonly PolicyStatus[] = ["draft", "published"];

function parseForm(input: unknown) {
  const parsed = PolicyFormSchema.safeParse(input);
  if (!parsed.success) throw new ValidationError(flattenZodErrors(parsed.error));
  return parsed.data;
}

const via = (actor: Actor, v?: Via): Via => v ?? (actor.system ? "system" : "ui");

/** Stored fields of the form, with what was left empty removed ($unset). */
function fieldsOf(data: ReturnType<typeof parseForm>) {
  const set: Record<string, unknown> = { kind: data.kind, title: data.title, issuer: data.issuer, body: data.body };
  const unset: Record<string, 1> = {};
  for (const k of ["docNumber", "issuedOn", "effectiveOn", "summary"] as const) {
    if (data[k]) set[k] = data[k];
    else unset[k] = 1;
  }
  return { set, unset };
}

/** A new draft; answers its id. */
export async function createPolicy(actor: Actor, input: unknown, opts: { via?: Via } = {}): Promise<string> {
  assertCan(actor, "policy:publish");
  const data = parseForm(input);
  const { set } = fieldsOf(data);
  return withTransaction(async (session) => {
    const [doc] = await Policy.create([{ ...set, status: "draft", author: { user: actor.id ?? undefined, name: actor.name } }], {
      session,
    });
    await recordAudit(session, {
      subjectType: "policy",
      subject: doc!._id,
      action: "policy.created",
      to: "draft",
      actor,
      via: via(actor, opts.via),
      reason: data.title,
    });
    return String(doc!._id);
  });
}

/** The document by an id from outside (NotFoundError for anything else). */
export async function loadPolicy(id: string) {
  const doc = await Policy.findById(parseId(id), { status: 1, title: 1 }).lean();
  if (!doc) throw new NotFoundError();
  return doc;
}

/** Changes the text of a draft or a published document. */
export async function updatePolicy(actor: Actor, id: string, input: unknown, opts: { via?: Via } = {}): Promise<void> {
  assertCan(actor, "policy:publish");
  const doc = await loadPolicy(id);
  const data = parseForm(input);
  const { set, unset } = fieldsOf(data);
  await withTransaction(async (session) => {
    const res = await Policy.updateOne(
      { _id: doc._id, status: { $in: EDITABLE_POLICY_STATUSES } },
      { $set: set, ...(Object.keys(unset).length ? { $unset: unset } : {}) },
      { session },
    );
    if (res.matchedCount === 0) throw new ConflictError("policies.errors.notEditable");
    const status = doc.status as PolicyStatus;
    await recordAudit(session, {
      subjectType: "policy",
      subject: doc._id,
      action: "policy.edited",
      from: status,
      to: status,
      actor,
      via: via(actor, opts.via),
      reason: data.title,
    });
  });
}

/** Moves a document from one state to another, atomically; a document not in `from` is a conflict. */
async function transition(
  actor: Actor,
  id: ObjectId,
  from: PolicyStatus,
  to: PolicyStatus,
  set: Record<string, unknown>,
  action: string,
  reason: string | null,
  v: Via,
) {
  await withTransaction(async (session) => {
    const res = await Policy.updateOne({ _id: id, status: from }, { $set: { status: to, ...set } }, { session });
    if (res.matchedCount === 0) throw new ConflictError(from === "draft" ? "policies.errors.notDraft" : "policies.errors.notPublished");
    await recordAudit(session, { subjectType: "policy", subject: id, action, from, to, actor, via: v, reason });
  });
}

/** Publishes a draft: it shows on /policies, the home page and the API from now on. */
export async function publishPolicy(actor: Actor, id: string, opts: { via?: Via; at?: Date } = {}): Promise<void> {
  assertCan(actor, "policy:publish");
  const doc = await loadPolicy(id);
  await transition(
    actor,
    doc._id,
    "draft",
    "published",
    { publishedAt: opts.at ?? new Date() },
    "policy.published",
    doc.title,
    via(actor, opts.via),
  );
}

/** Withdraws a published document, with the reason readers will see. */
export async function withdrawPolicy(
  actor: Actor,
  id: string,
  input: { reason?: unknown },
  opts: { via?: Via; at?: Date } = {},
): Promise<void> {
  assertCan(actor, "policy:publish");
  const doc = await loadPolicy(id);
  const parsed = WithdrawPolicySchema.safeParse(input);
  if (!parsed.success) throw new ValidationError(flattenZodErrors(parsed.error));
  await transition(
    actor,
    doc._id,
    "published",
    "withdrawn",
    { withdrawnAt: opts.at ?? new Date(), withdrawReason: parsed.data.reason },
    "policy.withdrawn",
    parsed.data.reason,
    via(actor, opts.via),
  );
}
