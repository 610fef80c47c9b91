/**
 * Answering with a stored file (the listing evidence files, a deal room's attachments): how the
 * browser is told the file's name.
 */

/** RFC 6266: an ASCII fallback plus the exact UTF-8 name (中文文件名) in filename*. */
export function contentDisposition(type: "inline" | "attachment", filename: string): string {
  const fallback = filename.replace(/[^\x20-\x7e]/g, "_").replace(/["\\]/g, "_");
  const encoded = encodeURIComponent(filename).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${type}; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}
