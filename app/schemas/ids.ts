import { z } from "zod";

/** A MongoDB ObjectId as text: 24 hexadecimal digits. The one check every form, API body and socket event uses. */
export const OBJECT_ID_PATTERN = /^[a-f0-9]{24}$/i;

/** An id field; `message` is the i18n key shown when it is not one. */
export const objectIdString = (message?: string) => z.string().regex(OBJECT_ID_PATTERN, message);
