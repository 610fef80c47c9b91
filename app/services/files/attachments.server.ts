import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { ObjectId } from "mongodb";
import type mongoose from "mongoose";
import type { AchievementDoc } from "~/models/achievement.server.ts";
import { LISTING_KINDS, type ListingKind } from "~/schemas/listing.ts";
import { ConflictError, fieldErrorList, fieldErrors, ForbiddenError, NotFoundError, ValidationError } from "~/utils/errors.ts";
import { EDITABLE_STATUSES, type ListingStatus } from "~/utils/listing-workflow.ts";
import { formMessage } from "~/utils/messages.ts";
import { ATTACHMENT_KINDS, type AttachmentKind } from "~/utils/taxonomy.ts";
import type { Actor } from "../kernel/actor.ts";
import { recordAudit } from "../kernel/audit.server.ts";
import { parseId } from "../kernel/ids.server.ts";
import { withTransaction } from "../kernel/tx.server.ts";
import { canView, relationsOf } from "../listings/access.ts";
import { modelOf } from "../listings/collections.server.ts";
import {
  MAX_ATTACHMENT_BYTES,
  MAX_ATTACHMENTS_PER_ITEM,
  safeFilename,
  sniffContentType,
  type AttachmentContentType,
} from "./file-types.ts";
import { bucket, deleteFiles, INVALID_FILE, readCapped } from "./storage.server.ts";

/**
 * Evidence attached to achievements and demands (test reports, pilot reports, patent
 * certificates, photos). The bytes live in GridFS (bucket `attachments`), the listing keeps the
 * metadata in its `attachments` array. The attachment's `_id` is the GridFS file id, and the file
 * records which listing it belongs to, so opening one is a lookup by primary key.
 *
 * Writes never leave half a state behind: the file is uploaded first, then the metadata is pushed
 * in a transaction (with the audit event); if that fails the file is deleted again. Removing
 * pulls the metadata first and deletes the file afterwards; a file whose delete failed is
 * unreferenced and `sweepOrphanAttachments` collects it.
 */

export interface NewAttachment {
  filename: string;
  kind: string;
  /** The content, either as bytes or as a stream (read up to the size limit). */
  bytes?: Uint8Array;
  stream?: Readable | AsyncIterable<Uint8Array>;
}

export interface AttachmentMeta {
  id: string;
  filename: string;
  contentType: AttachmentContentType;
  size: number;
  kind: AttachmentKind;
}

/** A listing collection, typed once for both kinds. */
export const itemModel = (kind: ListingKind) => modelOf(kind) as unknown as mongoose.Model<AchievementDoc>;

/** Loads the item for a change by `actor`: it must exist, be theirs, and be editable. */
async function loadForChange(actor: Actor, kind: ListingKind, listingId: string) {
  if (!LISTING_KINDS.includes(kind)) throw new NotFoundError();
  const item = await itemModel(kind)
    .findById(parseId(listingId), { status: 1, createdBy: 1, owner: 1, enterprise: 1, attachments: 1 })
    .lean();
  if (!item) throw new NotFoundError();
  const relations = relationsOf(actor, item);
  if (!relations.has("owner")) {
    // Someone with no business with a non-public item learns nothing about it.
    if (!canView(actor, item)) throw new NotFoundError();
    throw new ForbiddenError();
  }
  if (!EDITABLE_STATUSES.includes(item.status as ListingStatus)) throw new ConflictError("workflow.notEditable");
  return item;
}

/**
 * Attaches files to an item the actor owns while it is a draft or rejected. All files are
 * checked first (real type by magic bytes, size, count); either all are attached or none.
 */
export async function addAttachments(
  actor: Actor,
  kind: ListingKind,
  listingId: string,
  files: NewAttachment[],
): Promise<AttachmentMeta[]> {
  const item = await loadForChange(actor, kind, listingId);
  if (files.length === 0) throw new ValidationError({ attachments: ["listingForm.attachments.noFile"] });
  const existing = item.attachments?.length ?? 0;
  if (existing + files.length > MAX_ATTACHMENTS_PER_ITEM) {
    throw new ValidationError({
      attachments: [formMessage("listingForm.attachments.tooMany", { max: MAX_ATTACHMENTS_PER_ITEM, count: existing })],
    });
  }

  const prepared: (AttachmentMeta & { fileId: ObjectId; bytes: Buffer })[] = [];
  const errors = fieldErrors();
  const fail = (field: string, message: string) => {
    const list = fieldErrorList(errors, field);
    if (!list.includes(message)) list.push(message);
  };
  for (const f of files) {
    const rawName = (f.filename ?? "").trim() || "file";
    if (!(ATTACHMENT_KINDS as readonly string[]).includes(f.kind)) {
      fail("kind", "listingForm.attachments.kindInvalid");
      continue;
    }
    let bytes: Uint8Array;
    try {
      bytes = f.bytes ?? (f.stream ? await readCapped(f.stream, rawName) : new Uint8Array());
    } catch (e) {
      if (e instanceof ValidationError) {
        for (const m of e.fieldErrors.attachments ?? []) fail("attachments", m);
        continue;
      }
      throw e;
    }
    if (bytes.byteLength === 0) {
      fail("attachments", formMessage("listingForm.attachments.emptyFile", { filename: rawName }));
      continue;
    }
    const type = sniffContentType(bytes.subarray(0, 16));
    if (!type || bytes.byteLength > MAX_ATTACHMENT_BYTES) {
      fail("attachments", formMessage(INVALID_FILE, { filename: rawName }));
      continue;
    }
    const fileId = new ObjectId();
    prepared.push({
      id: String(fileId),
      fileId,
      filename: safeFilename(rawName, type),
      contentType: type,
      size: bytes.byteLength,
      kind: f.kind as AttachmentKind,
      bytes: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    });
  }
  if (Object.keys(errors).length > 0) throw new ValidationError(errors);

  const b = bucket();
  const uploaded: ObjectId[] = [];
  try {
    for (const p of prepared) {
      const up = b.openUploadStreamWithId(p.fileId, p.filename, {
        metadata: {
          contentType: p.contentType,
          listingKind: kind,
          listingId: item._id,
          kind: p.kind,
          uploadedBy: actor.id ? new ObjectId(actor.id) : null,
        },
      });
      uploaded.push(p.fileId);
      await pipeline(Readable.from([p.bytes]), up);
    }
    await withTransaction(async (session) => {
      const res = await itemModel(kind).updateOne(
        {
          _id: item._id,
          status: { $in: EDITABLE_STATUSES },
          // The count is checked again here, atomically, against concurrent uploads.
          $expr: { $lte: [{ $size: { $ifNull: ["$attachments", []] } }, MAX_ATTACHMENTS_PER_ITEM - prepared.length] },
        },
        {
          $push: {
            attachments: {
              $each: prepared.map((p) => ({
                _id: p.fileId,
                fileId: p.fileId,
                filename: p.filename,
                contentType: p.contentType,
                size: p.size,
                kind: p.kind,
                uploadedBy: actor.id ? new ObjectId(actor.id) : undefined,
                uploadedAt: new Date(),
              })),
            },
          },
        },
        { session },
      );
      if (res.matchedCount === 0) throw new ConflictError("workflow.changedMeanwhile");
      for (const p of prepared) {
        await recordAudit(session, {
          subjectType: kind,
          subject: item._id,
          action: "attachmentAdded",
          from: item.status,
          to: item.status,
          actor,
          via: actor.system ? "system" : "ui",
          reason: p.filename,
        });
      }
    });
  } catch (e) {
    await deleteFiles(uploaded);
    throw e;
  }
  return prepared.map(({ id, filename, contentType, size, kind: k }) => ({ id, filename, contentType, size, kind: k }));
}

export async function addAttachment(actor: Actor, kind: ListingKind, listingId: string, file: NewAttachment): Promise<AttachmentMeta> {
  const [meta] = await addAttachments(actor, kind, listingId, [file]);
  return meta!;
}

/** Removes an attachment from an item the actor owns while it is a draft or rejected. */
export async function removeAttachment(actor: Actor, kind: ListingKind, listingId: string, attachmentId: string): Promise<void> {
  const item = await loadForChange(actor, kind, listingId);
  const aid = parseId(attachmentId);
  const att = (item.attachments ?? []).find((a) => String(a._id) === String(aid));
  if (!att) throw new NotFoundError();
  await withTransaction(async (session) => {
    const res = await itemModel(kind).updateOne(
      { _id: item._id, status: { $in: EDITABLE_STATUSES }, "attachments._id": aid },
      { $pull: { attachments: { _id: aid } } },
      { session },
    );
    if (res.matchedCount === 0) throw new ConflictError("workflow.changedMeanwhile");
    await recordAudit(session, {
      subjectType: kind,
      subject: item._id,
      action: "attachmentRemoved",
      from: item.status,
      to: item.status,
      actor,
      via: actor.system ? "system" : "ui",
      reason: att.filename,
    });
  });
  await deleteFiles([att.fileId as unknown as ObjectId]);
}
