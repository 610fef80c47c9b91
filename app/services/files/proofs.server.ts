import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { ObjectId, type GridFSFile } from "mongodb";
import { NotFoundError, ValidationError } from "~/utils/errors.ts";
import { formMessage } from "~/utils/messages.ts";
import type { Actor } from "../kernel/actor.ts";
import { parseId } from "../kernel/ids.server.ts";
import { MAX_ATTACHMENT_BYTES, safeFilename, sniffContentType } from "./file-types.ts";
import { bucket, deleteFiles, INVALID_FILE, readCapped } from "./storage.server.ts";

/**
 * Proof files of money movements an administrator records (a bank statement or 回单 of a received
 * transfer): stored in the attachments bucket like listing evidence, checked the same way (real
 * type by magic bytes, size), with `metadata.purpose = "receipt-proof"`. The record that refers to
 * one (a deal stage's receipt) keeps its id; sweepOrphanAttachments keeps referenced ones.
 */
export interface NewProofFile {
  filename: string;
  bytes?: Uint8Array;
  stream?: Readable | AsyncIterable<Uint8Array>;
}

/** Checks and stores the file; answers its id. Throws ValidationError({ proof }) for an empty or unsupported file. */
export async function storeProofFile(actor: Actor, file: NewProofFile, purpose = "receipt-proof"): Promise<ObjectId> {
  const name = (file.filename ?? "").trim() || "proof";
  let bytes: Uint8Array;
  try {
    bytes = file.bytes ?? (file.stream ? await readCapped(file.stream, name) : new Uint8Array());
  } catch (e) {
    if (e instanceof ValidationError) throw new ValidationError({ proof: e.fieldErrors.attachments ?? [INVALID_FILE] });
    throw e;
  }
  const type = sniffContentType(bytes.subarray(0, 16));
  if (!bytes.byteLength || !type || bytes.byteLength > MAX_ATTACHMENT_BYTES) {
    throw new ValidationError({ proof: [formMessage(INVALID_FILE, { filename: name })] });
  }
  const id = new ObjectId();
  const up = bucket().openUploadStreamWithId(id, safeFilename(name, type), {
    metadata: { contentType: type, purpose, uploadedBy: actor.id ? new ObjectId(actor.id) : null },
  });
  try {
    await pipeline(Readable.from([Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)]), up);
  } catch (e) {
    await deleteFiles([id]);
    throw e;
  }
  return id;
}

export const discardProofFile = (id: ObjectId) => deleteFiles([id]);

/** The proof file's content (the caller checked the reader may see it). */
export async function openProofFile(fileId: string) {
  const id = parseId(fileId);
  const file = (await bucket().find({ _id: id }).limit(1).next()) as GridFSFile | null;
  const meta = file?.metadata as { purpose?: string; contentType?: string } | undefined;
  if (!file || meta?.purpose !== "receipt-proof") throw new NotFoundError();
  return {
    stream: bucket().openDownloadStream(id),
    filename: file.filename,
    contentType: meta.contentType ?? "application/octet-stream",
    size: file.length,
  };
}
