/** The files the platform accepts: their real types (by magic bytes), sizes and counts, and safe names. No I/O. */

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
