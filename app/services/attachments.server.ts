// Shim for the trading branch (deal rooms); it goes when the trading branch merges: import from ~/services/files/* instead.
export { MAX_ATTACHMENT_BYTES, safeFilename, sniffContentType, type AttachmentContentType } from "./files/file-types.ts";
