import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { GridFSBucket, ObjectId, type GridFSFile } from "mongodb";
import mongoose from "mongoose";
import { Achievement, type AchievementDoc } from "~/models/achievement.server.ts";
import { Demand } from "~/models/demand.server.ts";
import { LISTING_KINDS, type ListingKind } from "~/schemas/listing.ts";
import { getListing, relationsOf } from "~/services/listings.server.ts";
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from "~/utils/errors.ts";
import { EDITABLE_STATUSES, isPublic, type ListingStatus } from "~/utils/listing-workflow.ts";
import { logger } from "~/utils/logger.server.ts";
import { ATTACHMENT_KINDS, type AttachmentKind } from "~/utils/taxonomy.ts";
import { withTransaction } from "~/services/kernel/tx.server.ts";
import { type Actor } from "~/services/kernel/actor.ts";
import { recordAudit } from "./kernel/audit.server.ts";
import { parseId } from "./kernel/ids.server.ts";
import { formMessage } from "~/utils/messages.ts";

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

export const ATTACHMENT_BUCKET = "attachments";
export const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;
export const MAX_ATTACHMENTS_PER_ITEM = 10;

/** The real types accepted, each with the file-name extensions that fit it. */
export const ATTACHMENT_TYPES = {
  "application/pdf": [".pdf"],
  "image/png": [".png"],
  "image/jpeg": [".jpg", ".jpeg"],
  "image/webp": [".webp"],
} as const;
export type AttachmentContentType = keyof typeof ATTACHMENT_TYPES;

const ASCII = (s: string) => [...s].map((c) => c.charCodeAt(0));
const startsWith = (b: Uint8Array, sig: number[], at = 0) => b.length >= at + sig.length && sig.every((x, i) => b[at + i] === x);

/** The type by the file's first bytes (magic numbers), never by its name or declared type. */
export function sniffContentType(head: Uint8Array): AttachmentContentType | null {
  if (startsWith(head, ASCII("%PDF-"))) return "application/pdf";
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return "image/png";
  if (startsWith(head, [0xff, 0xd8, 0xff])) return "image/jpeg";
  if (startsWith(head, ASCII("RIFF")) && startsWith(head, ASCII("WEBP"), 8)) return "image/webp";
  return null;
}

/**
 * A file name safe to store and to send back in Content-Disposition: no directories, no control
 * characters, at most 200 characters, and an extension that matches the real type (a PDF
 * uploaded as `报告.exe` is kept as `报告.pdf`).
 */
export function safeFilename(raw: string, type: AttachmentContentType): string {
  const allowed: readonly string[] = ATTACHMENT_TYPES[type];
  let name = (raw.split(/[\\/]/).pop() ?? "")
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f"<>|:*?]/g, "_")
    .replace(/\s+/g, " ")
    .trim()
    .replace(/^\.+/, "");
  const dot = name.lastIndexOf(".");
  const ext = dot > 0 ? name.slice(dot).toLowerCase() : "";
  if (!allowed.includes(ext)) name = `${dot > 0 && ext.length <= 6 ? name.slice(0, dot) : name}${allowed[0]}`;
  if (!name.slice(0, name.lastIndexOf(".")).trim()) name = `attachment${allowed[0]}`;
  if (name.length > 200) {
    const e = name.slice(name.lastIndexOf("."));
    name = name.slice(0, 200 - e.length) + e;
  }
  return name;
}

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

const INVALID_FILE = "listingForm.attachments.invalidFile";

function bucket(): GridFSBucket {
  const db = mongoose.connection.db;
  if (!db) throw new Error("MongoDB is not connected");
  return new GridFSBucket(db, { bucketName: ATTACHMENT_BUCKET });
}

type AnyModel = mongoose.Model<AchievementDoc>;
const modelOf = (kind: ListingKind) => (kind === "achievement" ? Achievement : Demand) as unknown as AnyModel;

async function readCapped(source: Readable | AsyncIterable<Uint8Array>, filename: string): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of source as AsyncIterable<Uint8Array | string>) {
    const bytes = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    size += bytes.byteLength;
    if (size > MAX_ATTACHMENT_BYTES) {
      if (source instanceof Readable) source.destroy();
      throw new ValidationError({ attachments: [formMessage(INVALID_FILE, { filename })] });
    }
    chunks.push(bytes);
  }
  return Buffer.concat(chunks);
}

/** Loads the item for a change by `actor`: it must exist, be theirs, and be editable. */
async function loadForChange(actor: Actor, kind: ListingKind, listingId: string) {
  if (!LISTING_KINDS.includes(kind)) throw new NotFoundError();
  const item = await modelOf(kind)
    .findById(parseId(listingId), { status: 1, createdBy: 1, owner: 1, enterprise: 1, attachments: 1 })
    .lean();
  if (!item) throw new NotFoundError();
  const relations = relationsOf(actor, item);
  if (!relations.has("owner")) {
    // Someone with no business with a non-public item learns nothing about it.
    if (relations.size === 0 && !isPublic(item.status as ListingStatus)) throw new NotFoundError();
    throw new ForbiddenError();
  }
  if (!EDITABLE_STATUSES.includes(item.status as ListingStatus)) throw new ConflictError("workflow.notEditable");
  return item;
}

async function deleteFiles(ids: ObjectId[]) {
  const b = bucket();
  await Promise.all(
    ids.map((id) =>
      b.delete(id).catch((error: unknown) => {
        // An upload that failed before its file document was written: its chunks are gone now.
        if (error instanceof Error && /File not found/.test(error.message)) return;
        // Unreferenced now; sweepOrphanAttachments will collect it.
        logger.warn({ err: error, fileId: String(id) }, "could not delete an attachment file");
      }),
    ),
  );
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
  const errors: Record<string, string[]> = {};
  const fail = (field: string, message: string) => {
    const list = (errors[field] ??= []);
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
      const res = await modelOf(kind).updateOne(
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
    const res = await modelOf(kind).updateOne(
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

export interface OpenedAttachment {
  stream: Readable;
  filename: string;
  contentType: string;
  size: number;
  kind: string;
  listing: { kind: ListingKind; id: string };
}

/**
 * The content of an attachment for a viewer who may see the item it belongs to (public items:
 * anyone; others: the owner, reviewers and the bureau — see getListing). Anyone else gets
 * NotFoundError, as if it did not exist.
 */
export async function openAttachment(viewer: Actor | null, attachmentId: string): Promise<OpenedAttachment> {
  const aid = parseId(attachmentId);
  const file = (await bucket().find({ _id: aid }).limit(1).next()) as GridFSFile | null;
  let owner: { kind: ListingKind; id: string } | null = null;
  const meta = file?.metadata as { listingKind?: string; listingId?: unknown } | undefined;
  if (meta?.listingKind && LISTING_KINDS.includes(meta.listingKind as ListingKind) && meta.listingId) {
    owner = { kind: meta.listingKind as ListingKind, id: String(meta.listingId) };
  } else {
    // Metadata written by something else (an import): find the item that lists it.
    for (const kind of LISTING_KINDS) {
      const hit = await modelOf(kind).findOne({ "attachments._id": aid }, { _id: 1 }).lean();
      if (hit) owner = { kind, id: String(hit._id) };
      if (owner) break;
    }
  }
  if (!owner) throw new NotFoundError();
  const { item } = await getListing(viewer, owner.kind, owner.id); // visibility: throws NotFoundError
  const att = item.attachments.find((a) => a.id === String(aid));
  if (!att) throw new NotFoundError(); // removed from the item meanwhile
  const stored = await modelOf(owner.kind)
    .findOne({ _id: new ObjectId(owner.id) }, { attachments: { $elemMatch: { _id: aid } } })
    .lean();
  const fileId = (stored?.attachments?.[0]?.fileId as unknown as ObjectId | undefined) ?? aid;
  return {
    stream: bucket().openDownloadStream(fileId),
    filename: att.filename,
    contentType: att.contentType,
    size: att.size,
    kind: att.kind,
    listing: owner,
  };
}

/**
 * Deletes GridFS files that no listing refers to and that are older than `olderThanMs` (younger
 * ones may be an upload whose metadata is being written right now). For a periodic job.
 */
export async function sweepOrphanAttachments(olderThanMs = 3_600_000, now = new Date()): Promise<number> {
  const b = bucket();
  const cutoff = new Date(now.getTime() - olderThanMs);
  const orphans: ObjectId[] = [];
  for await (const f of b.find({ uploadDate: { $lt: cutoff } }, { projection: { _id: 1 } })) {
    const id = f._id as ObjectId;
    const [a, d] = await Promise.all([Achievement.exists({ "attachments.fileId": id }), Demand.exists({ "attachments.fileId": id })]);
    if (!a && !d) orphans.push(id);
  }
  for (const id of orphans) await b.delete(id).catch(() => {});
  return orphans.length;
}
