/**
 * Route glue shared by the achievement and demand pages (browse, detail, "my items"): parse the
 * query or form with zod, call the listing service, and turn its typed errors into what the page
 * shows. The pages stay thin; the rules live in the listings service.
 */
import { json, redirect, type TypedResponse } from "@remix-run/node";
import { z } from "zod";
import type { ListingKind } from "~/schemas/listing.ts";
import {
  fileObjection,
  getListing,
  listMine,
  listPublic,
  resolveObjection,
  setFeatured,
  transitionListing,
  type AchievementView,
  type DemandView,
} from "~/services/listings.server.ts";
import { DomainError, NotFoundError, ValidationError } from "~/utils/errors.ts";
import {
  availableActions,
  EDITABLE_STATUSES,
  LISTING_ACTIONS,
  LISTING_STATUSES,
  type ListingAction,
  type ListingStatus,
} from "~/utils/listing-workflow.ts";
import { can, hasRole } from "~/utils/permissions.ts";
import { FIELDS } from "~/utils/taxonomy.ts";
import type { ActionFailure } from "~/components/listing/action-result.ts";
import { getUser, requirePermission, requireUser } from "~/web/auth.server.ts";
import { readVerifiedForm } from "~/web/forms.server.ts";
import { errorResponse } from "~/web/actions.server.ts";
import { pageTitle, requestT } from "~/web/meta.server.ts";

export const BROWSE_PAGE_SIZE = 12;

const createPermission = (kind: ListingKind): "achievement:create" | "demand:create" =>
  kind === "achievement" ? "achievement:create" : "demand:create";

/**
 * A refused action as the page shows it: field errors with 400, a form-level message with the
 * domain status (403 not allowed, 409 wrong status / notice period…). A missing item is the
 * 404 page when `notFound` is "throw", else a message on the form.
 */
export function failureResponse(
  e: unknown,
  ctx: { intent: string; target?: string | null; values?: Record<string, string> },
  notFound: "throw" | "show" = "throw",
): TypedResponse<ActionFailure> {
  const base = { ok: false as const, intent: ctx.intent, target: ctx.target ?? null, values: ctx.values ?? {} };
  if (e instanceof ValidationError) {
    const { "": general, ...fieldErrors } = e.fieldErrors;
    return json({ ...base, fieldErrors, formError: general?.[0] ?? null }, { status: 400 });
  }
  if (e instanceof NotFoundError && notFound === "throw") throw errorResponse(e);
  if (e instanceof DomainError) {
    return json({ ...base, fieldErrors: {}, formError: e.message }, { status: e.status });
  }
  throw e;
}

export function badInput(intent: string, target: string | null, values: Record<string, string>) {
  return json({ ok: false as const, intent, target, values, fieldErrors: {}, formError: "errors.invalidInput" } satisfies ActionFailure, {
    status: 400,
  });
}

/** The text fields of a form, to give back what was typed when the action refuses it. */
export function typedValues(form: FormData, names: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of names) {
    const v = form.get(n);
    if (typeof v === "string") out[n] = v;
  }
  return out;
}

function formObject(form: FormData): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of form) if (typeof v === "string" && !(k in out)) out[k] = v;
  return out;
}

/** Post/Redirect/Get: after a change, back to the page (GET) with a notice of what was done. */
function doneRedirect(request: Request, done: string, keep: string[] = []) {
  const url = new URL(request.url);
  const next = new URLSearchParams();
  for (const k of keep) {
    const v = url.searchParams.get(k);
    if (v) next.set(k, v);
  }
  next.set("done", done);
  return redirect(`${url.pathname}?${next}`);
}

// ---------------------------------------------------------------------------------------------
// Browse

const BrowseQuerySchema = z.object({
  page: z.coerce.number().int().min(1).max(100_000).catch(1),
  field: z.enum(FIELDS).optional().catch(undefined),
});

/** A public list page: ?page= (clamped by the service to the last page) and ?field=. */
export async function loadBrowse<K extends ListingKind>(request: Request, kind: K) {
  const url = new URL(request.url);
  const query = BrowseQuerySchema.parse({
    page: url.searchParams.get("page") ?? undefined,
    field: url.searchParams.get("field") || undefined,
  });
  const [user, list] = await Promise.all([
    getUser(request),
    listPublic(kind, { field: query.field, page: query.page, pageSize: BROWSE_PAGE_SIZE }),
  ]);
  const t = requestT(request);
  const title = t(kind === "achievement" ? "browse.achievementsTitle" : "browse.demandsTitle");
  return {
    ...list,
    items: list.items as (K extends "achievement" ? AchievementView : DemandView)[],
    field: query.field ?? null,
    canCreate: can(user, createPermission(kind)),
    pageTitle: pageTitle(t, query.field ? t(`listing.fields.${query.field}`) : null, title),
  };
}

// ---------------------------------------------------------------------------------------------
// Detail

/** upholdObjection is offered per objection (resolveObjection), never as a bare button. */
const WORKFLOW_INTENTS = LISTING_ACTIONS.filter((a) => a !== "upholdObjection") as [ListingAction, ...ListingAction[]];

const DetailIntentSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.enum(WORKFLOW_INTENTS), reason: z.string().max(2000).optional() }),
  z.object({ intent: z.literal("object"), text: z.string().max(4000).default("") }),
  z.object({
    intent: z.literal("resolveObjection"),
    objectionId: z.string().min(1).max(64),
    decision: z.enum(["uphold", "dismiss"]),
    resolution: z.string().max(2000).default(""),
  }),
  z.object({ intent: z.literal("feature"), featured: z.enum(["true", "false"]) }),
]);

/**
 * Everything the detail page needs. Non-public items answer 404 to strangers (getListing throws
 * NotFoundError); the audit log and objections come only for the owner and reviewers.
 */
export async function loadDetail<K extends ListingKind>(request: Request, kind: K, id: string) {
  const user = await getUser(request);
  let detail: Awaited<ReturnType<typeof getListing>>;
  try {
    detail = await getListing(user, kind, id);
  } catch (e) {
    throw errorResponse(e);
  }
  const isOwner = detail.relations.includes("owner");
  const isReviewer = detail.relations.includes("reviewer");
  const item = detail.item as K extends "achievement" ? AchievementView : DemandView;
  const t = requestT(request);
  return {
    ...detail,
    item,
    actions: detail.actions.filter((a) => a !== "upholdObjection"),
    isOwner,
    isReviewer,
    loggedIn: !!user,
    canEdit: isOwner && EDITABLE_STATUSES.includes(item.status),
    canFeature: hasRole(user, "admin"),
    pageTitle: pageTitle(t, item.title, t(kind === "achievement" ? "listing.achievement" : "listing.demand")),
  };
}

export async function detailAction(request: Request, kind: ListingKind, id: string) {
  const user = await requireUser(request);
  const form = await readVerifiedForm(request);
  const raw = formObject(form);
  const values = typedValues(form, ["reason", "text", "resolution"]);
  const parsed = DetailIntentSchema.safeParse(raw);
  const intent = raw.intent ?? "";
  const target = intent === "resolveObjection" ? (raw.objectionId ?? null) : null;
  if (!parsed.success) return badInput(intent, target, values);
  const input = parsed.data;
  try {
    switch (input.intent) {
      case "object":
        await fileObjection(user, kind, id, input.text);
        return doneRedirect(request, "objection");
      case "resolveObjection":
        await resolveObjection(user, input.objectionId, { uphold: input.decision === "uphold", resolution: input.resolution });
        return doneRedirect(request, input.decision === "uphold" ? "objectionUpheld" : "objectionDismissed");
      case "feature":
        await setFeatured(user, kind, id, input.featured === "true");
        return doneRedirect(request, input.featured === "true" ? "featured" : "unfeatured");
      default:
        await transitionListing(user, kind, id, input.intent, { reason: input.reason ?? null, via: "ui" });
        return doneRedirect(request, input.intent);
    }
  } catch (e) {
    return failureResponse(e, { intent, target, values });
  }
}

// ---------------------------------------------------------------------------------------------
// My items

/** Quick actions offered on the dashboard rows (editing and the rest are on the detail page). */
export const QUICK_ACTIONS = ["submit", "withdraw", "reopen"] as const satisfies readonly ListingAction[];

const MineQuerySchema = z.object({ status: z.enum(LISTING_STATUSES).optional().catch(undefined) });
const MineIntentSchema = z.object({ intent: z.enum(QUICK_ACTIONS), id: z.string().min(1).max(64) });

/** The owner's items of one kind with counts per status; ?status= filters the rows. */
export async function loadMine<K extends ListingKind>(request: Request, kind: K) {
  const user = await requirePermission(request, createPermission(kind));
  const url = new URL(request.url);
  const { status } = MineQuerySchema.parse({ status: url.searchParams.get("status") || undefined });
  const all = (await listMine(user, kind)) as (K extends "achievement" ? AchievementView : DemandView)[];
  const counts = Object.fromEntries(LISTING_STATUSES.map((s) => [s, 0])) as Record<ListingStatus, number>;
  for (const i of all) counts[i.status]++;
  const now = new Date();
  const rows = all
    .filter((i) => !status || i.status === status)
    .map((item) => ({
      item,
      canEdit: EDITABLE_STATUSES.includes(item.status),
      // The owner's own view of what they could do; the service decides again on submit.
      actions: availableActions(item.status, new Set(["owner"]), {
        now,
        noticeEndsAt: item.noticeEndsAt ? new Date(item.noticeEndsAt) : null,
        openObjections: item.openObjections,
      }).filter((a): a is (typeof QUICK_ACTIONS)[number] => (QUICK_ACTIONS as readonly string[]).includes(a)),
    }));
  const t = requestT(request);
  return {
    rows,
    counts,
    total: all.length,
    status: status ?? null,
    hasOrganization: !!user.organization,
    pageTitle: pageTitle(t, t(kind === "achievement" ? "my.achievementsTitle" : "my.demandsTitle")),
  };
}

export async function mineAction(request: Request, kind: ListingKind) {
  const user = await requirePermission(request, createPermission(kind));
  const form = await readVerifiedForm(request);
  const raw = formObject(form);
  const parsed = MineIntentSchema.safeParse(raw);
  const intent = raw.intent ?? "";
  const target = raw.id ?? null;
  if (!parsed.success) return badInput(intent, target, {});
  try {
    await transitionListing(user, kind, parsed.data.id, parsed.data.intent, { via: "ui" });
  } catch (e) {
    return failureResponse(e, { intent, target }, "show");
  }
  return doneRedirect(request, parsed.data.intent, ["status"]);
}
