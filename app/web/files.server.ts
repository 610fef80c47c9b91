import type { Readable } from "node:stream";
import { createReadableStreamFromReadable } from "@remix-run/node";
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

/** What a file route needs of a stored file. */
export interface StoredFileStream {
  stream: Readable;
  contentType: string;
  size: number;
  filename: string;
}

/**
 * The answer that streams a stored file: shown inline, or saved with `?download=1`; never sniffed.
 * `cacheControl` says how long a browser may keep it (public evidence briefly, room files never).
 */
export function fileResponse(request: Request, file: StoredFileStream, cacheControl: string): Response {
  const download = new URL(request.url).searchParams.get("download") === "1";
  return new Response(createReadableStreamFromReadable(file.stream), {
    status: 200,
    headers: {
      "Content-Type": file.contentType,
      "Content-Length": String(file.size),
      "Content-Disposition": contentDisposition(download ? "attachment" : "inline", file.filename),
      "X-Content-Type-Options": "nosniff",
      "Cache-Control": cacheControl,
    },
  });
}
