import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { GridFSBucket, ObjectId, type GridFSFile } from "mongodb";
import mongoose from "mongoose";
import { NotFoundError, ValidationError } from "~/utils/errors.ts";
import { formMessage } from "~/utils/messages.ts";
import type { Actor } from "../kernel/actor.ts";
import { parseId } from "../kernel/ids.server.ts";
import { MAX_ATTACHMENT_BYTES, safeFilename, sniffContentType } from "./file-types.ts";
import { INVALID_FILE, readCapped } from "./storage.server.ts";

/**
 * Proof files of money an administrator moves or sees moved outside the platform (a bank statement
 * or 回单 of a received transfer, a bank payout, a bank refund): GridFS bucket `proofs`, apart from
 * listing attachments so the attachment sweeper never takes them — a proof is kept with the money's
 * record for good. Checked like attachments (real type by magic bytes, size). `metadata.purpose`
 * says what it proves: receipt-proof, payout-proof, refund-proof; registration-contract: the signed file
 * of a contract signed outside the platform, submitted for registration (issue 15).
 */
export const PROOF_BUCKET = "proofs";
export const PROOF_PURPOSES = ["receipt-proof", "payout-proof", "refund-proof", "registration-contract"] as const;
export type ProofPurpose = (typeof PROOF_PURPOSES)[number];

function proofs(): GridFSBucket {
  const db = mongoose.connection.db;
  if (!db) throw new Error("MongoDB is not connected");
  return new GridFSBucket(db, { bucketName: PROOF_BUCKET });
}

export interface NewProofFile {
  filename: string;
  bytes?: Uint8Array;
  stream?: Readable | AsyncIterable<Uint8Array>;
}

/**
 * Checks and stores the file; answers its id. An empty, oversized or unsupported file is a
 * ValidationError on `proof` (with `invalidMessage`, else the attachments' message naming the file).
 */
export async function storeProofFile(
  actor: Pick<Actor, "id">,
  file: NewProofFile,
  purpose: ProofPurpose = "receipt-proof",
  invalidMessage?: string,
): Promise<ObjectId> {
  const name = (file.filename ?? "").trim() || "proof";
  const invalid = () => new ValidationError({ proof: [invalidMessage ?? formMessage(INVALID_FILE, { filename: name })] });
  let bytes: Uint8Array;
  try {
    bytes = file.bytes ?? (file.stream ? await readCapped(file.stream, name) : new Uint8Array());
  } catch (e) {
    if (e instanceof ValidationError)
      throw invalidMessage ? invalid() : new ValidationError({ proof: e.fieldErrors.attachments ?? [INVALID_FILE] });
    throw e;
  }
  const type = sniffContentType(bytes.subarray(0, 16));
  if (!bytes.byteLength || !type || bytes.byteLength > MAX_ATTACHMENT_BYTES) throw invalid();
  const id = new ObjectId();
  const up = proofs().openUploadStreamWithId(id, safeFilename(name, type), {
    metadata: { contentType: type, purpose, uploadedBy: actor.id ? new ObjectId(actor.id) : null },
  });
  try {
    await pipeline(Readable.from([Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)]), up);
  } catch (e) {
    await discardProofFile(id);
    throw e;
  }
  return id;
}

/** Removes a proof stored for a record that was then refused (nothing refers to it). */
export async function discardProofFile(id: ObjectId): Promise<void> {
  await proofs()
    .delete(id)
    .catch(() => {});
}

/** The proof file's content (the caller checked the reader may see it). */
export async function openProofFile(fileId: string) {
  const id = parseId(fileId);
  const file = (await proofs().find({ _id: id }).limit(1).next()) as GridFSFile | null;
  const meta = file?.metadata as { purpose?: string; contentType?: string } | undefined;
  if (!file) throw new NotFoundError();
  return {
    stream: proofs().openDownloadStream(id),
    filename: file.filename,
    contentType: meta?.contentType ?? "application/octet-stream",
    size: file.length,
  };
}
