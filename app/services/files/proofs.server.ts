import { GridFSBucket, type ObjectId } from "mongodb";
import mongoose from "mongoose";
import { ValidationError } from "~/utils/errors.ts";
import { MAX_ATTACHMENT_BYTES, safeFilename, sniffContentType } from "./file-types.ts";

/**
 * Proof files an admin uploads for money moved outside the platform (a bank refund's 回单, a
 * statement): GridFS bucket `proofs`, apart from listing attachments so the attachment sweeper
 * (sweep.server.ts) never takes them. Same accepted types and size as attachments, by magic bytes.
 */
export const PROOF_BUCKET = "proofs";

function proofs(): GridFSBucket {
  const db = mongoose.connection.db;
  if (!db) throw new Error("MongoDB is not connected");
  return new GridFSBucket(db, { bucketName: PROOF_BUCKET });
}

/** Stores a proof; a file of another type or over the size is a ValidationError on `field`. */
export async function storeProof(
  file: { bytes: Uint8Array; filename: string },
  meta: { kind: string; subject: string; by: string | null },
  field: string,
  message: string,
): Promise<ObjectId> {
  const type = sniffContentType(file.bytes.subarray(0, 16));
  if (!type || file.bytes.byteLength === 0 || file.bytes.byteLength > MAX_ATTACHMENT_BYTES)
    throw new ValidationError({ [field]: [message] });
  const upload = proofs().openUploadStream(safeFilename(file.filename, type), { metadata: { ...meta, contentType: type } });
  await new Promise<void>((resolve, reject) => {
    upload.once("finish", () => resolve());
    upload.once("error", reject);
    upload.end(Buffer.from(file.bytes));
  });
  return upload.id as ObjectId;
}
