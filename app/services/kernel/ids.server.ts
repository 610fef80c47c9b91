import mongoose, { type Types } from "mongoose";
import { NotFoundError } from "~/utils/errors.ts";

/**
 * Ids, once. An id that comes from a person or another system (a URL, a form, an API body) is
 * parsed with `parseId`: anything but 24 hex digits is "not found", exactly like an id that does
 * not exist, so a probe learns nothing. Ids the platform itself stored are turned into ObjectIds
 * with `oid`.
 */
export type ObjectId = Types.ObjectId;

const HEX24 = /^[a-f0-9]{24}$/i;

/** 24 hex digits: the only text that is an id here (mongoose also accepts any 12-byte string). */
export function isIdString(v: unknown): boolean {
  return typeof v === "string" && HEX24.test(v);
}

/** An id from outside as an ObjectId, or NotFoundError. */
export function parseId(id: unknown): ObjectId {
  const parsed = maybeId(id);
  if (!parsed) throw new NotFoundError();
  return parsed;
}

/** An id from outside as an ObjectId, or null when it is not one. */
export function maybeId(id: unknown): ObjectId | null {
  if (id instanceof mongoose.Types.ObjectId) return id;
  return isIdString(id) ? new mongoose.Types.ObjectId(id as string) : null;
}

/** A stored id (string or ObjectId) as an ObjectId. */
export function oid(id: string | ObjectId): ObjectId {
  return new mongoose.Types.ObjectId(String(id));
}

/** A fresh id, for documents whose id is needed before they are written. */
export function newId(): ObjectId {
  return new mongoose.Types.ObjectId();
}
