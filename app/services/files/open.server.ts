import type { Readable } from "node:stream";
import { ObjectId, type GridFSFile } from "mongodb";
import { LISTING_KINDS, type ListingKind } from "~/schemas/listing.ts";
import { NotFoundError } from "~/utils/errors.ts";
import type { Actor } from "../kernel/actor.ts";
import { parseId } from "../kernel/ids.server.ts";
import { getListing } from "../listings/queries.server.ts";
import { itemModel } from "./attachments.server.ts";
import { bucket } from "./storage.server.ts";

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
      const hit = await itemModel(kind).findOne({ "attachments._id": aid }, { _id: 1 }).lean();
      if (hit) owner = { kind, id: String(hit._id) };
      if (owner) break;
    }
  }
  if (!owner) throw new NotFoundError();
  const { item } = await getListing(viewer, owner.kind, owner.id); // visibility: throws NotFoundError
  const att = item.attachments.find((a) => a.id === String(aid));
  if (!att) throw new NotFoundError(); // removed from the item meanwhile
  const stored = await itemModel(owner.kind)
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
