import { MAX_ATTACHMENT_BYTES } from "~/services/files/file-types.ts";
import type { SignedFile } from "~/services/registration/submit.server.ts";
import { formValues, isMultipart, readUpload, readVerifiedForm, uploadedFiles } from "./forms.server.ts";

/** A registration form post with the signed contract file (issue 15): the text fields and the file, if one was chosen. */
const UPLOAD_LIMITS = {
  maxPartBytes: MAX_ATTACHMENT_BYTES,
  maxParts: 80,
  field: "file",
  tooLarge: "registration.errors.file",
  tooMany: "errors.invalidInput",
};

export async function readRegistrationUpload(request: Request): Promise<{ values: Record<string, string>; file: SignedFile | null }> {
  // The corrections form of a platform contract carries no file: an ordinary form post.
  if (!isMultipart(request)) return { values: formValues(await readVerifiedForm(request)), file: null };
  const form = await readUpload(request, UPLOAD_LIMITS);
  const values = formValues(form);
  const [file] = uploadedFiles(form, "file");
  return { values, file: file && file.size ? { filename: file.name, bytes: new Uint8Array(await file.arrayBuffer()) } : null };
}
