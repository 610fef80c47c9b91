import { parseWithZod } from "@conform-to/zod";
import { json, redirect } from "@remix-run/node";
import { z } from "zod";
import type { ListingFormResult } from "~/components/listing-form/form-result.ts";
import type { CountyTowns, RegionGroupOption } from "~/components/region-select.tsx";
import {
  achievementFormDefaults,
  AchievementFormSchema,
  achievementFormToInput,
  DEFAULT_REGION,
  demandFormDefaults,
  DemandFormSchema,
  demandFormToInput,
  regionDefaults,
  serviceErrorsToForm,
} from "~/schemas/listing-form.ts";
import type { ListingKind } from "~/schemas/listing.ts";
import type { SessionUser } from "~/services/accounts/accounts.server.ts";
import { addAttachments, removeAttachment } from "~/services/files/attachments.server.ts";
import { MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS_PER_ITEM } from "~/services/files/file-types.ts";
import { createAchievement, createDemand, updateListing } from "~/services/listings/commands.server.ts";
import { getListing } from "~/services/listings/queries.server.ts";
import type { AchievementView, DemandView } from "~/services/listings/views.ts";
import { transitionListing } from "~/services/listings/workflow.server.ts";
import { ConflictError, DomainError, ForbiddenError, ValidationError } from "~/utils/errors.ts";
import { EDITABLE_STATUSES } from "~/utils/listing-workflow.ts";
import { isKnownRegion, townsOf, yunnanCounties } from "~/utils/regions.server.ts";
import {
  errorResponse,
  intentAction,
  invalid,
  loadOrThrow,
  redirectDone,
  refusal,
  refuse,
  succeed,
  type RefusalContext,
} from "~/web/actions.server.ts";
import { requirePermission } from "~/web/auth.server.ts";
import { formValues, isMultipart, readUpload, readVerifiedForm, uploadedFiles, type UploadLimits } from "~/web/forms.server.ts";

/**
 * The server half of the four listing form routes (achievements/demands × new/edit), kept in one
 * place so the routes stay thin: parse the form, call the listing or attachment service, answer
 * in the one action-result shape (field errors 400, a form-level message 409, with the towns of the
 * county typed: components/listing-form/form-result.ts) or with a redirect.
 */

export const listingsPath = (kind: ListingKind) => (kind === "achievement" ? "/achievements" : "/demands");
export const detailPath = (kind: ListingKind, id: string) => `${listingsPath(kind)}/${id}`;
export const editPath = (kind: ListingKind, id: string) => `${detailPath(kind, id)}/edit`;

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
  return loadOrThrow(
    getListing(user, kind, id).then((listing) => {
      if (!listing.relations.includes("owner")) throw new ForbiddenError();
      return listing;
    }),
  );
}

/** The form's starting values of each kind. */
type FormDefaultsOf<K extends ListingKind> = K extends "achievement"
  ? ReturnType<typeof achievementFormDefaults>
  : ReturnType<typeof demandFormDefaults>;

/**
 * The edit page's data, for both kinds: the owner's item (404 / 403 otherwise), whether its status
 * still allows editing, the form's values, the region picker (`?county=` also serves the town
 * picker's requests for another county's towns) and the notice the last redirect asked for.
 */
export async function editPageData<K extends ListingKind>(request: Request, kind: K, id: string) {
  const user = await requirePermission(request, kind === "achievement" ? "achievement:create" : "demand:create");
  const { item, patentConflicts } = await loadOwnListing(user, kind, id);
  const url = new URL(request.url);
  const defaults = (
    kind === "achievement" ? achievementFormDefaults(item as AchievementView) : demandFormDefaults(item as DemandView)
  ) as FormDefaultsOf<K>;
  return {
    item: {
      id: item.id,
      title: item.title,
      status: item.status,
      rejectionReason: item.rejectionReason,
      attachments: item.attachments,
      detailPath: detailPath(kind, item.id),
    },
    editable: EDITABLE_STATUSES.includes(item.status),
    /** Other organisations' public achievements with the same patent numbers: a warning, never a refusal. */
    patentConflicts,
    defaults,
    regions: regionOptions(),
    towns: countyTowns(url.searchParams.get("county") ?? regionDefaults(item.region).region),
    maxAttachments: MAX_ATTACHMENTS_PER_ITEM,
    notice: url.searchParams.get("notice"),
    reason: noticeReason(url.searchParams.get("reason")),
  };
}

/** Only message keys are shown from the query string, never free text someone put in a link. */
export function noticeReason(value: string | null): string | null {
  return value && /^(workflow|errors)\.[\w.]+$/.test(value) ? value : null;
}

/** The refusals a listing form shows (bad fields 400, a wrong status 409); anything else is the error page (403, 404). */
function formRefusal(e: unknown, ctx: RefusalContext) {
  if (e instanceof ValidationError || e instanceof ConflictError) return refusal(e, ctx);
  throw errorResponse(e);
}

/** The answer in the one shape, with the towns of the county the form was on. */
async function withTowns(res: Response, towns: CountyTowns): Promise<Response> {
  return json({ ...(await res.json()), towns } satisfies ListingFormResult, { status: res.status, headers: res.headers });
}

/** An upload: at most 10 MB a file, a bounded number of parts, so one request cannot hold more than ~150 MB. */
const UPLOAD_LIMITS: UploadLimits = {
  maxPartBytes: MAX_ATTACHMENT_BYTES,
  maxParts: MAX_ATTACHMENTS_PER_ITEM + 5,
  field: "attachments",
  tooLarge: "listingForm.attachments.invalid",
  tooMany: `listingForm.attachments.tooMany?max=${MAX_ATTACHMENTS_PER_ITEM}`,
};

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
}): Promise<Response> {
  // Editing: only the owners, refused before the form is read (403, or 404 for who may not see it).
  if (id) await loadOwnListing(user, kind, id);
  if (isMultipart(request)) {
    // A file goes to a listing that exists: the new pages have no upload form.
    if (!id) return refuse(400, { intent: "upload", fieldErrors: { file: ["errors.invalidInput"] } });
    try {
      const form = await readUpload(request, UPLOAD_LIMITS);
      const attachmentKind = String(form.get("kind") ?? "");
      const files = await Promise.all(
        uploadedFiles(form, "file").map(async (f) => ({
          filename: f.name,
          kind: attachmentKind,
          bytes: new Uint8Array(await f.arrayBuffer()),
        })),
      );
      await addAttachments(user, kind, id, files);
    } catch (e) {
      return formRefusal(e, { intent: "upload" });
    }
    return redirect(`${editPath(kind, id)}?notice=attachmentAdded#attachments`);
  }
  const formData = await readVerifiedForm(request);
  const values: Record<string, string> = { ...formValues(formData) };
  values.intent ??= "save";
  const towns = countyTowns(values.region ?? "");

  const deleteAttachment = async () => {
    const ctx = { intent: "deleteAttachment" };
    if (!id) return refuse(400, { ...ctx, fieldErrors: { attachmentId: ["errors.invalidInput"] } });
    try {
      await removeAttachment(user, kind, id, values.attachmentId ?? "");
    } catch (e) {
      return formRefusal(e, ctx);
    }
    return redirect(`${editPath(kind, id)}?notice=attachmentRemoved#attachments`);
  };

  // Without JavaScript: show the form again, as typed, with the towns of the chosen county.
  const refreshTowns = async () =>
    withTowns(succeed("refreshTowns", { reply: parseWithZod(formData, { schema: z.object({}).passthrough() }).reply() }), towns);

  const save = async () => {
    const intent = values.intent as "save" | "submit";
    const submission =
      kind === "achievement"
        ? parseWithZod(formData, { schema: AchievementFormSchema })
        : parseWithZod(formData, { schema: DemandFormSchema });
    if (submission.status !== "success") return withTowns(invalid(submission, { intent }), towns);
    const value = submission.value;
    const ctx: RefusalContext = { intent, submission, mapFields: (f) => serviceErrorsToForm(kind, f) };

    // The form checks the shape of the codes; only the server knows which ones exist.
    if (!isKnownRegion(value.region)) {
      return withTowns(refuse(400, { ...ctx, fieldErrors: { region: ["errors.regionUnknown"] } }), towns);
    }
    if (value.town && !isKnownRegion(value.town)) {
      return withTowns(refuse(400, { ...ctx, fieldErrors: { town: ["errors.regionUnknown"] } }), towns);
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
      return withTowns(formRefusal(e, ctx), towns);
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
      return redirectDone(detailPath(kind, itemId!), "submit");
    }
    return redirectDone(detailPath(kind, itemId!), "saved");
  };

  const handlers = { save, submit: save, refreshTowns, deleteAttachment };
  // A form this page does not have: intentAction refuses it naming `intent`.
  return intentAction(values, handlers);
}
