import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { GridFSBucket, ObjectId } from "mongodb";
import mongoose from "mongoose";
import { Policy } from "~/models/policy.server.ts";
import { ConflictError, fieldErrorList, fieldErrors, NotFoundError, ValidationError } from "~/utils/errors.ts";
import { formMessage } from "~/utils/messages.ts";
import { assertCan, can, type RoleHolder } from "~/utils/permissions.ts";
import type { PolicyStatus } from "~/utils/policies.ts";
import { MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS_PER_ITEM, safeFilename, sniffContentType } from "../files/file-types.ts";
import { INVALID_FILE, readCapped } from "../files/storage.server.ts";
import type { Actor, Via } from "../kernel/actor.ts";
import { recordAudit } from "../kernel/audit.server.ts";
import { parseId } from "../kernel/ids.server.ts";
import { withTransaction } from "../kernel/tx.server.ts";
import { EDITABLE_POLICY_STATUSES, loadPolicy } from "./commands.server.ts";

/**
 * Attachments of policies and notices (the official PDF, a scanned page, a chart): PDF, PNG, JPEG
 * or WebP recognised by their first bytes, at most 10 MB each and 10 per document — the same
 * checks as listing attachments (services/files/file-types.ts). The bytes live in a GridFS bucket
 * of their own, `policy-files`, so the listing attachments' sweeper never sees them; the document
 * lists them. Written like listing attachments: files first, then the list and the audit entry in
 * one transaction, and the files are deleted again if that fails.
 */
export const POLICY_FILE_BUCKET = "policy-files";

function policyFiles(): GridFSBucket {
  const db = mongoose.connection.db;
  if (!db) throw new Error("MongoDB is not connected");
  return new GridFSBucket(db, { bucketName: POLICY_FILE_BUCKET });
}

export interface NewPolicyFile {
  filename: string;
  bytes?: Uint8Array;
  stream?: Readable | AsyncIterable<Uint8Array>;
}

async function deletePolicyFiles(ids: ObjectId[]) {
  await Promise.all(
    ids.map((id) =>
      policyFiles()
        .delete(id)
        .catch(() => {}),
    ),
  );
}

/** Attaches files to a draft or published document; all are checked first, then either all are attached or none. */
export async function addPolicyAttachments(actor: Actor, policyId: string, files: NewPolicyFile[], opts: { via?: Via } = {}) {
  assertCan(actor, "policy:publish");
  const doc = await loadPolicy(policyId);
  if (!EDITABLE_POLICY_STATUSES.includes(doc.status as PolicyStatus)) throw new ConflictError("policies.errors.notEditable");
  if (files.length === 0) throw new ValidationError({ attachments: ["listingForm.attachments.noFile"] });
  const existing = (await Policy.findById(doc._id, { attachments: 1 }).lean())?.attachments.length ?? 0;
  if (existing + files.length > MAX_ATTACHMENTS_PER_ITEM)
    throw new ValidationError({
      attachments: [formMessage("listingForm.attachments.tooMany", { max: MAX_ATTACHMENTS_PER_ITEM, count: existing })],
    });

  const errors = fieldErrors();
  const fail = (message: string) => {
    const list = fieldErrorList(errors, "attachments");
    if (!list.includes(message)) list.push(message);
  };
  const prepared: { id: ObjectId; filename: string; contentType: string; bytes: Uint8Array }[] = [];
  for (const f of files) {
    const name = (f.filename ?? "").trim() || "file";
    let bytes: Uint8Array;
    try {
      bytes = f.bytes ?? (f.stream ? await readCapped(f.stream, name) : new Uint8Array());
    } catch (e) {
      if (e instanceof ValidationError) {
        fail(formMessage(INVALID_FILE, { filename: name }));
        continue;
      }
      throw e;
    }
    const type = sniffContentType(bytes.subarray(0, 16));
    if (!bytes.byteLength) fail(formMessage("listingForm.attachments.emptyFile", { filename: name }));
    else if (!type || bytes.byteLength > MAX_ATTACHMENT_BYTES) fail(formMessage(INVALID_FILE, { filename: name }));
    else prepared.push({ id: new ObjectId(), filename: safeFilename(name, type), contentType: type, bytes });
  }
  if (Object.keys(errors).length) throw new ValidationError(errors);

  const uploaded: ObjectId[] = [];
  try {
    for (const p of prepared) {
      const up = policyFiles().openUploadStreamWithId(p.id, p.filename, {
        metadata: { contentType: p.contentType, policyId: doc._id, uploadedBy: actor.id ? new ObjectId(actor.id) : null },
      });
      uploaded.push(p.id);
      await pipeline(Readable.from([Buffer.from(p.bytes.buffer, p.bytes.byteOffset, p.bytes.byteLength)]), up);
    }
    await withTransaction(async (session) => {
      const res = await Policy.updateOne(
        {
          _id: doc._id,
          status: { $in: EDITABLE_POLICY_STATUSES },
          $expr: { $lte: [{ $size: "$attachments" }, MAX_ATTACHMENTS_PER_ITEM - prepared.length] },
        },
        {
          $push: {
            attachments: {
              $each: prepared.map((p) => ({
                _id: p.id,
                filename: p.filename,
                contentType: p.contentType,
                size: p.bytes.byteLength,
                uploadedAt: new Date(),
              })),
            },
          },
        },
        { session },
      );
      if (res.matchedCount === 0) throw new ConflictError("policies.errors.notEditable");
      await recordAudit(
        session,
        prepared.map((p) => ({
          subjectType: "policy" as const,
          subject: doc._id,
          action: "policy.attachmentAdded",
          from: doc.status,
          to: doc.status,
          actor,
          via: opts.via ?? (actor.system ? "system" : "ui"),
          reason: p.filename,
        })),
      );
    });
  } catch (e) {
    await deletePolicyFiles(uploaded);
    throw e;
  }
  return prepared.map((p) => ({ id: String(p.id), filename: p.filename }));
}

/** Removes an attachment from a draft or published document. */
export async function removePolicyAttachment(actor: Actor, policyId: string, fileId: string, opts: { via?: Via } = {}) {
  assertCan(actor, "policy:publish");
  const doc = await loadPolicy(policyId);
  const fid = parseId(fileId);
  let filename = "";
  await withTransaction(async (session) => {
    const before = await Policy.findOneAndUpdate(
      { _id: doc._id, status: { $in: EDITABLE_POLICY_STATUSES }, "attachments._id": fid },
      { $pull: { attachments: { _id: fid } } },
      { session, projection: { attachments: { $elemMatch: { _id: fid } } } },
    ).lean();
    if (!before) throw new NotFoundError();
    filename = before.attachments[0]?.filename ?? "";
    await recordAudit(session, {
      subjectType: "policy",
      subject: doc._id,
      action: "policy.attachmentRemoved",
      from: doc.status,
      to: doc.status,
      actor,
      via: opts.via ?? (actor.system ? "system" : "ui"),
      reason: filename,
    });
  });
  await deletePolicyFiles([fid]);
}

/**
 * An attachment's content for a reader: anyone for a published document, the bureau and admins
 * ("policy:publish") for drafts and withdrawn ones; everyone else gets NotFoundError.
 */
export async function openPolicyAttachment(viewer: RoleHolder | null, policyId: string, fileId: string) {
  const fid = parseId(fileId);
  const doc = await Policy.findOne(
    { _id: parseId(policyId), "attachments._id": fid },
    { status: 1, attachments: { $elemMatch: { _id: fid } } },
  ).lean();
  const att = doc?.attachments[0];
  if (!doc || !att) throw new NotFoundError();
  if (doc.status !== "published" && !can(viewer, "policy:publish")) throw new NotFoundError();
  return { stream: policyFiles().openDownloadStream(fid), filename: att.filename, contentType: att.contentType, size: att.size };
}
