import type { SubmissionResult } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod";
import {
  json,
  MaxPartSizeExceededError,
  redirect,
  unstable_createMemoryUploadHandler,
  unstable_parseMultipartFormData,
  type TypedResponse,
  type UploadHandler,
} from "@remix-run/node";
import { CSRFError } from "remix-utils/csrf/server";
import { z } from "zod";
import type { CountyTowns, RegionGroupOption } from "~/components/region-select.tsx";
import {
  AchievementFormSchema,
  achievementFormToInput,
  DEFAULT_REGION,
  DemandFormSchema,
  demandFormToInput,
  serviceErrorsToForm,
} from "~/schemas/listing-form.ts";
import type { ListingKind } from "~/schemas/listing.ts";
import type { SessionUser } from "~/services/accounts.server.ts";
import { addAttachments, MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS_PER_ITEM, removeAttachment } from "~/services/attachments.server.ts";
import { createAchievement, createDemand, getListing, transitionListing, updateListing } from "~/services/listings.server.ts";
import { ConflictError, DomainError, ForbiddenError, ValidationError } from "~/utils/errors.ts";
import { isKnownRegion, townsOf, yunnanCounties } from "~/utils/regions.server.ts";
import { csrfProtection, readVerifiedForm } from "~/web/forms.server.ts";
import { errorResponse } from "~/web/actions.server.ts";

/**
 * The server half of the four listing form routes (achievements/demands × new/edit), kept in one
 * place so the routes stay thin: parse the form, call the listing or attachment service, answer
 * with field errors (400), a form-level message (409) or a redirect.
 */

export const listingsPath = (kind: ListingKind) => (kind === "achievement" ? "/achievements" : "/demands");
export const detailPath = (kind: ListingKind, id: string) => `${listingsPath(kind)}/${id}`;
export const editPath = (kind: ListingKind, id: string) => `${detailPath(kind, id)}/edit`;

export interface ListingFormActionData {
  /** The main form's conform reply (values as typed, errors by field). */
  form?: SubmissionResult<string[]>;
  /** Towns of the county in the reply, so the page renders the matching town list. */
  towns?: CountyTowns;
  /** Errors of the upload form or of a delete button, by field ("" for the form). */
  upload?: Record<string, string[]>;
}
type ActionResponse = TypedResponse<ListingFormActionData> | TypedResponse<never>;

/** A 6-digit county code we know, or the fallback. */
export function knownCounty(code: string | null | undefined, fallback = DEFAULT_REGION): string {
  return code && /^\d{6}$/.test(code) && isKnownRegion(code) ? code : fallback;
}

export function countyTowns(code: string | null | undefined): CountyTowns {
  const county = code && /^\d{6}$/.test(code) ? code : "";
  return { county, towns: county && isKnownRegion(county) ? townsOf(county) : [] };
}

export function regionOptions(): RegionGroupOption[] {
  return yunnanCounties();
}

/** For the edit pages: the item if the user owns it (else 404 / 403 as the service decides). */
export async function loadOwnListing(user: SessionUser, kind: ListingKind, id: string) {
  try {
    const listing = await getListing(user, kind, id);
    if (!listing.relations.includes("owner")) throw new ForbiddenError();
    return listing;
  } catch (e) {
    throw errorResponse(e);
  }
}

/** Only message keys are shown from the query string, never free text someone put in a link. */
export function noticeReason(value: string | null): string | null {
  return value && /^(workflow|errors)\.[\w.]+$/.test(value) ? value : null;
}

export async function handleListingFormAction({
  request,
  user,
  kind,
  id,
}: {
  request: Request;
  user: SessionUser;
  kind: ListingKind;
  /** Absent on the "new" pages. */
  id?: string;
}): Promise<ActionResponse> {
  const contentType = request.headers.get("Content-Type") ?? "";
  if (contentType.startsWith("multipart/form-data")) {
    if (!id) throw new Response("Bad Request", { status: 400 });
    return uploadAction(request, user, kind, id);
  }
  const formData = await readVerifiedForm(request);
  const intent = String(formData.get("intent") ?? "save");

  if (intent === "deleteAttachment") {
    if (!id) throw new Response("Bad Request", { status: 400 });
    try {
      await removeAttachment(user, kind, id, String(formData.get("attachmentId") ?? ""));
    } catch (e) {
      return attachmentError(e);
    }
    return redirect(`${editPath(kind, id)}?notice=attachmentRemoved#attachments`);
  }

  const towns = countyTowns(String(formData.get("region") ?? ""));
  if (intent === "refreshTowns") {
    // Without JavaScript: show the form again, as typed, with the towns of the chosen county.
    return json({ form: parseWithZod(formData, { schema: z.object({}).passthrough() }).reply(), towns });
  }
  if (intent !== "save" && intent !== "submit") throw new Response("Bad Request", { status: 400 });

  const submission =
    kind === "achievement"
      ? parseWithZod(formData, { schema: AchievementFormSchema })
      : parseWithZod(formData, { schema: DemandFormSchema });
  if (submission.status !== "success") return json({ form: submission.reply(), towns }, { status: 400 });
  const value = submission.value;

  // The form checks the shape of the codes; only the server knows which ones exist.
  if (!isKnownRegion(value.region)) {
    return json({ form: submission.reply({ fieldErrors: { region: ["errors.regionUnknown"] } }), towns }, { status: 400 });
  }
  if (value.town && !isKnownRegion(value.town)) {
    return json({ form: submission.reply({ fieldErrors: { town: ["errors.regionUnknown"] } }), towns }, { status: 400 });
  }

  let itemId = id;
  try {
    if (kind === "achievement") {
      const input = achievementFormToInput(value as z.output<typeof AchievementFormSchema>);
      if (id) await updateListing(user, kind, id, input);
      else itemId = await createAchievement(user, input);
    } else {
      const input = demandFormToInput(value as z.output<typeof DemandFormSchema>);
      if (id) await updateListing(user, kind, id, input);
      else itemId = await createDemand(user, input);
    }
  } catch (e) {
    if (e instanceof ValidationError) {
      return json({ form: submission.reply({ fieldErrors: serviceErrorsToForm(kind, e.fieldErrors) }), towns }, { status: 400 });
    }
    if (e instanceof ConflictError) {
      return json({ form: submission.reply({ formErrors: [e.message] }), towns }, { status: 409 });
    }
    throw errorResponse(e);
  }

  if (intent === "submit") {
    try {
      await transitionListing(user, kind, itemId!, "submit");
    } catch (e) {
      // The draft is saved; say why it did not go to review, on the page where it can be fixed.
      if (e instanceof DomainError) {
        return redirect(`${editPath(kind, itemId!)}?notice=submitFailed&reason=${encodeURIComponent(e.message)}`);
      }
      throw e;
    }
    return redirect(`${detailPath(kind, itemId!)}?done=submit`);
  }
  return redirect(`${detailPath(kind, itemId!)}?done=saved`);
}

function attachmentError(e: unknown): TypedResponse<ListingFormActionData> {
  if (e instanceof ValidationError) return json({ upload: e.fieldErrors }, { status: 400 });
  if (e instanceof ConflictError) return json({ upload: { "": [e.message] } }, { status: 409 });
  throw errorResponse(e);
}

class TooManyPartsError extends Error {}

/**
 * In memory, at most 10 MB per part (a bigger file stops the upload with a field error, not a
 * 500) and a bounded number of parts, so one request cannot hold more than ~150 MB.
 */
function boundedUploadHandler(): UploadHandler {
  const memory = unstable_createMemoryUploadHandler({ maxPartSize: MAX_ATTACHMENT_BYTES });
  let parts = 0;
  return async (part) => {
    parts += 1;
    if (parts > MAX_ATTACHMENTS_PER_ITEM + 5) throw new TooManyPartsError();
    return memory(part);
  };
}

async function uploadAction(request: Request, user: SessionUser, kind: ListingKind, id: string): Promise<ActionResponse> {
  let formData: FormData;
  try {
    formData = await unstable_parseMultipartFormData(request, boundedUploadHandler());
  } catch (e) {
    if (e instanceof MaxPartSizeExceededError) {
      return json({ upload: { attachments: ["listingForm.attachments.invalid"] } }, { status: 400 });
    }
    if (e instanceof TooManyPartsError) {
      return json({ upload: { attachments: [`listingForm.attachments.tooMany?max=${MAX_ATTACHMENTS_PER_ITEM}`] } }, { status: 400 });
    }
    throw e;
  }
  try {
    await csrfProtection().validate(formData, request.headers);
  } catch (e) {
    if (e instanceof CSRFError) {
      throw new Response("Invalid or missing CSRF token. Reload the page and try again. / 表单已过期，请刷新页面后重试。", {
        status: 403,
      });
    }
    throw e;
  }
  // A file input left empty still sends a part, with no name and no bytes.
  const files = formData.getAll("file").filter((f): f is File => typeof f !== "string" && (f.name !== "" || f.size > 0));
  const attachmentKind = String(formData.get("kind") ?? "");
  try {
    await addAttachments(
      user,
      kind,
      id,
      await Promise.all(files.map(async (f) => ({ filename: f.name, kind: attachmentKind, bytes: new Uint8Array(await f.arrayBuffer()) }))),
    );
  } catch (e) {
    return attachmentError(e);
  }
  return redirect(`${editPath(kind, id)}?notice=attachmentAdded#attachments`);
}
