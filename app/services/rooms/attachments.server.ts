import { Readable } from "node:stream";
import { GridFSBucket, ObjectId } from "mongodb";
import mongoose from "mongoose";
import { RoomMessage } from "~/models/deal-room.server.ts";
import { MAX_ATTACHMENT_BYTES, safeFilename, sniffContentType, type AttachmentContentType } from "~/services/files/file-types.ts";
import type { Actor } from "~/services/kernel/actor.ts";
import { oid, parseId } from "~/services/kernel/ids.server.ts";
import { withTransaction } from "~/services/kernel/tx.server.ts";
import { ForbiddenError, NotFoundError, ValidationError } from "~/utils/errors.ts";
import { requireMember } from "./membership.server.ts";
import { announce, append, author } from "./messages.server.ts";
import { confidentialOpenTo, ndaView, type MessageView } from "./views.ts";

/** Files in a room (GridFS bucket `room-attachments`); confidential ones open only behind the NDA. */

export const ROOM_ATTACHMENT_BUCKET = "room-attachments";

function attachmentBucket(): GridFSBucket {
  const db = mongoose.connection.db;
  if (!db) throw new Error("MongoDB is not connected");
  return new GridFSBucket(db, { bucketName: ROOM_ATTACHMENT_BUCKET });
}

/** Uploads a file into the room (PDF or image by its bytes, at most 10 MB); confidential ones sit behind the NDA. */
export async function postAttachment(
  actor: Actor,
  roomId: string,
  file: { filename: string; bytes: Uint8Array; confidential: boolean; clientId?: string },
  now = new Date(),
): Promise<MessageView> {
  const { room, side } = await requireMember(actor, roomId);
  if (file.bytes.byteLength === 0 || file.bytes.byteLength > MAX_ATTACHMENT_BYTES)
    throw new ValidationError({ file: ["rooms.errors.fileSize"] });
  const type: AttachmentContentType | null = sniffContentType(file.bytes.subarray(0, 16));
  if (!type) throw new ValidationError({ file: ["rooms.errors.fileType"] });
  const filename = safeFilename(file.filename, type);
  const fileId = new ObjectId();
  await new Promise<void>((resolve, reject) => {
    const upload = attachmentBucket().openUploadStreamWithId(fileId, filename, {
      metadata: { room: room._id, contentType: type, uploadedBy: oid(actor.id!) },
    });
    Readable.from([Buffer.from(file.bytes)])
      .pipe(upload)
      .once("finish", () => resolve())
      .once("error", reject);
  });
  try {
    const m = await withTransaction((session) =>
      append(
        session,
        room._id,
        {
          kind: "attachment",
          author: author(actor, side),
          attachment: { fileId, filename, contentType: type, size: file.bytes.byteLength, confidential: file.confidential },
          clientId: file.clientId,
        },
        now,
      ),
    );
    return (await announce([m]))[0]!;
  } catch (e) {
    // Nothing half-written: the file goes if its message could not be stored.
    await attachmentBucket()
      .delete(fileId)
      .catch(() => {});
    throw e;
  }
}

/**
 * Opens a file of the room for a member; a confidential file only for a reader who accepted the NDA
 * themselves, once it is complete (both parties accepted).
 */
export async function openRoomAttachment(
  actor: Actor,
  roomId: string,
  fileId: string,
): Promise<{ filename: string; contentType: string; size: number; stream: Readable }> {
  const { room } = await requireMember(actor, roomId);
  const m = await RoomMessage.findOne({ room: room._id, "attachment.fileId": parseId(fileId) }, { attachment: 1 }).lean();
  if (!m?.attachment?.fileId) throw new NotFoundError();
  if (m.attachment.confidential && !confidentialOpenTo(ndaView(room), actor.id)) throw new ForbiddenError("rooms.errors.ndaRequired");
  return {
    filename: m.attachment.filename ?? "file",
    contentType: m.attachment.contentType ?? "application/octet-stream",
    size: m.attachment.size ?? 0,
    stream: attachmentBucket().openDownloadStream(m.attachment.fileId as unknown as ObjectId),
  };
}
