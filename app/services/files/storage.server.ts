import { Readable } from "node:stream";
import { GridFSBucket, type ObjectId } from "mongodb";
import mongoose from "mongoose";
import { logger } from "~/utils/logger.server.ts";
import { formMessage } from "~/utils/messages.ts";
import { ValidationError } from "~/utils/errors.ts";
import { MAX_ATTACHMENT_BYTES } from "./file-types.ts";

/** The bytes of attachments in GridFS (bucket `attachments`): the bucket, reading an upload within the size limit, deleting files. */

export const ATTACHMENT_BUCKET = "attachments";

export const INVALID_FILE = "listingForm.attachments.invalidFile";

export function bucket(): GridFSBucket {
  const db = mongoose.connection.db;
  if (!db) throw new Error("MongoDB is not connected");
  return new GridFSBucket(db, { bucketName: ATTACHMENT_BUCKET });
}

export async function readCapped(source: Readable | AsyncIterable<Uint8Array>, filename: string): Promise<Uint8Array> {
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

export async function deleteFiles(ids: ObjectId[]) {
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
