/**
 * Route glue shared by the achievement and demand pages (browse, detail, "my items"): parse the
 * query or form with zod, call the listing service, and turn its typed errors into what the page
 * shows. The pages stay thin; the rules live in the listings service.
 */
import { z } from "zod";
import { flattenZodErrors, type ListingKind } from "~/schemas/listing.ts";
import { fileObjection, resolveObjection, setFeatured } from "~/services/listings/commands.server.ts";
import { getListing, listMine, listPublic } from "~/services/listings/queries.server.ts";
import { recordReviewOpened, reviewState } from "~/services/listings/review.server.ts";
import { transitionListing } from "~/services/listings/workflow.server.ts";
import { type AchievementView, type DemandView } from "~/services/listings/views.ts";
import {
  availableActions,
  EDITABLE_STATUSES,
  LISTING_ACTIONS,
  LISTING_STATUSES,
  type ListingAction,
  type ListingStatus,
} from "~/utils/listing-workflow.ts";
import { can, hasRole } from "~/utils/permissions.ts";
import { localeFromCookieHeader } from "~/utils/i18n.ts";
import { verifiedOrganizations } from "~/services/accounts/organizations.server.ts";
import { platformSettings } from "~/services/settings/settings.server.ts";
import { FIELDS } from "~/utils/taxonomy.ts";
import { getUser, requirePermission, requireUser } from "~/web/auth.server.ts";
import { formValues, readVerifiedForm } from "~/web/forms.server.ts";
import { attempt, intentAction, loadOrThrow, redirectDone, refuse } from "~/web/actions.server.ts";
import { pageTitle, requestT } from "~/web/meta.server.ts";

export const BROWSE_PAGE_SIZE = 12;

const createPermission = (kind: ListingKind): "achievement:create" | "demand:create" =>
  kind === "achievement" ? "achievement:create" : "demand:create";

/** Where a listing page's change lands (Post/Redirect/Get): the same page with `?done=<notice>`, keeping only `keep`'s query parameters. */
function back(request: Request, notice: string, keep: string[] = []) {
  const url = new URL(request.url);
  const kept = new URLSearchParams();
  for (const k of keep) {
    const v = url.searchParams.get(k);
    if (v) kept.set(k, v);
  }
  return redirectDone(url.pathname, notice, { keep: kept });
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
  // The 已认证 mark of owners an admin verified.
  const ownerIds = (list.items as (AchievementView | DemandView)[]).map((i) => ("owner" in i ? i.owner.id : i.enterprise.id));
  const verifiedOwners = [...(await verifiedOrganizations([...new Set(ownerIds)]))];
  return {
    ...list,
    verifiedOwners,
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
  const detail = await loadOrThrow(getListing(user, kind, id));
  const isOwner = detail.relations.includes("owner");
  const isReviewer = detail.relations.includes("reviewer");
  const item = detail.item as K extends "achievement" ? AchievementView : DemandView;
  // A reviewer opening a submission's page is what allows them to approve it (no one-click
  // approve from the queue); they see its assignee and the warnings here.
  let review = null;
  if (isReviewer && item.status === "submitted") {
    await recordReviewOpened(user, kind, id);
    review = await reviewState(user, kind, id);
  }
  const t = requestT(request);
  // The notice text (a platform setting) while the 公示 runs; the 已认证 mark of a verified owner.
  const ownerId = "owner" in item ? item.owner.id : item.enterprise.id;
  const [settings, verified] = await Promise.all([detail.inNotice ? platformSettings() : null, verifiedOrganizations([ownerId])]);
  const english = localeFromCookieHeader(request.headers.get("Cookie")) === "en";
  return {
    ...detail,
    item,
    review,
    noticeText: settings ? (english && settings.noticeText.en ? settings.noticeText.en : settings.noticeText.zh) : null,
    ownerVerified: verified.has(ownerId),
    actions: detail.actions.filter((a) => a !== "upholdObjection"),
    isOwner,
    isReviewer,
    loggedIn: !!user,
    canEdit: isOwner && EDITABLE_STATUSES.includes(item.status),
    canFeature: hasRole(user, "admin"),
    pageTitle: pageTitle(t, item.title, t(kind === "achievement" ? "listing.achievement" : "listing.demand")),
  };
}

/**
 * Before a detail page's form is read: someone who may not see the item (a draft, a submission
 * under review) is refused as the page refuses them (404), whatever the form says.
 */
export async function requireVisibleListing(request: Request, kind: ListingKind, id: string): Promise<void> {
  await loadOrThrow(getListing(await requireUser(request), kind, id));
}

/** Every form of the detail page, by intent. */
const DETAIL_INTENTS = [...WORKFLOW_INTENTS, "object", "resolveObjection", "feature"] as const;

export async function detailAction(request: Request, kind: ListingKind, id: string) {
  const user = await requireUser(request);
  const form = await readVerifiedForm(request);
  const raw = formValues(form);
  const values = formValues(form, ["reason", "text", "resolution"]);
  const intent = raw.intent ?? "";
  const ctx = { intent, target: intent === "resolveObjection" ? (raw.objectionId ?? null) : null, values };
  const handle = async () => {
    const parsed = DetailIntentSchema.safeParse(raw);
    // The message stays at the top of the form (its fields are hidden ones); the reply names them.
    if (!parsed.success) return refuse(400, { ...ctx, fieldErrors: flattenZodErrors(parsed.error), formError: "errors.invalidInput" });
    const input = parsed.data;
    return attempt(
      ctx,
      async () => {
        switch (input.intent) {
          case "object":
            await fileObjection(user, kind, id, input.text);
            return "objection";
          case "resolveObjection":
            await resolveObjection(user, input.objectionId, { uphold: input.decision === "uphold", resolution: input.resolution });
            return input.decision === "uphold" ? "objectionUpheld" : "objectionDismissed";
          case "feature":
            await setFeatured(user, kind, id, input.featured === "true");
            return input.featured === "true" ? "featured" : "unfeatured";
          default:
            await transitionListing(user, kind, id, input.intent, { reason: input.reason ?? null, via: "ui", requireOpened: true });
            return input.intent;
        }
      },
      (notice) => back(request, notice),
    );
  };
  return intentAction(raw, Object.fromEntries(DETAIL_INTENTS.map((i) => [i, handle])));
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
        kind,
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
  const raw = formValues(form);
  const ctx = { intent: raw.intent ?? "", target: raw.id ?? null };
  const handle = async () => {
    const parsed = MineIntentSchema.safeParse(raw);
    if (!parsed.success) return refuse(400, { ...ctx, fieldErrors: flattenZodErrors(parsed.error), formError: "errors.invalidInput" });
    const { id, intent } = parsed.data;
    // A row that vanished meanwhile is a message on the dashboard, not the 404 page.
    return attempt(
      { ...ctx, notFound: "show" },
      () => transitionListing(user, kind, id, intent, { via: "ui" }),
      () => back(request, intent, ["status"]),
    );
  };
  return intentAction(raw, Object.fromEntries(QUICK_ACTIONS.map((i) => [i, handle])));
}
