import { Policy, type PolicyDoc } from "~/models/policy.server.ts";
import { offerFieldErrors } from "~/schemas/offers.ts";
import { POLICY_PAGE_SIZE, PolicyListQuerySchema, type PolicyListQuery } from "~/schemas/policies.ts";
import { NotFoundError, ValidationError } from "~/utils/errors.ts";
import { assertCan, can, type RoleHolder } from "~/utils/permissions.ts";
import type { PolicyKind, PolicyStatus } from "~/utils/policies.ts";
import { auditTrail, type AuditLine } from "../kernel/audit.server.ts";
import { parseId } from "../kernel/ids.server.ts";
import { markdownExcerpt, renderPolicyMarkdown } from "./markdown.server.ts";

/** Reading policies and notices: the public list and page, the home page's newest, the bureau's list and form. */

type Stored = PolicyDoc & { _id: unknown; createdAt?: Date; updatedAt?: Date };

export interface PolicyAttachmentView {
  id: string;
  filename: string;
  contentType: string;
  size: number;
}

/** One document in a list. Dates: ISO strings; issuedOn/effectiveOn: YYYY-MM-DD. */
export interface PolicyRow {
  id: string;
  kind: PolicyKind;
  status: PolicyStatus;
  title: string;
  docNumber: string | null;
  issuer: string;
  issuedOn: string | null;
  effectiveOn: string | null;
  summary: string;
  publishedAt: string | null;
  withdrawnAt: string | null;
  updatedAt: string | null;
}

export interface PolicyView extends PolicyRow {
  /** The body as safe HTML (markdown.server.ts). */
  html: string;
  attachments: PolicyAttachmentView[];
  withdrawReason: string | null;
}

const LIST_PROJECTION = {
  kind: 1,
  status: 1,
  title: 1,
  docNumber: 1,
  issuer: 1,
  issuedOn: 1,
  effectiveOn: 1,
  summary: 1,
  body: 1,
  publishedAt: 1,
  withdrawnAt: 1,
  updatedAt: 1,
} as const;

function rowOf(d: Stored): PolicyRow {
  return {
    id: String(d._id),
    kind: d.kind as PolicyKind,
    status: d.status as PolicyStatus,
    title: d.title,
    docNumber: d.docNumber ?? null,
    issuer: d.issuer,
    issuedOn: d.issuedOn ?? null,
    effectiveOn: d.effectiveOn ?? null,
    summary: d.summary || markdownExcerpt(d.body ?? ""),
    publishedAt: d.publishedAt?.toISOString() ?? null,
    withdrawnAt: d.withdrawnAt?.toISOString() ?? null,
    updatedAt: d.updatedAt?.toISOString() ?? null,
  };
}

function viewOf(d: Stored): PolicyView {
  return {
    ...rowOf(d),
    html: renderPolicyMarkdown(d.body),
    attachments: (d.attachments ?? []).map((a) => ({
      id: String(a._id),
      filename: a.filename,
      contentType: a.contentType,
      size: a.size,
    })),
    withdrawReason: d.withdrawReason ?? null,
  };
}

/** Parses a list query (page or API); a bad value or an unknown parameter is a ValidationError naming it. */
export function parsePolicyListQuery(raw: Record<string, string>): PolicyListQuery {
  const parsed = PolicyListQuerySchema.safeParse(raw);
  if (!parsed.success) throw new ValidationError(offerFieldErrors(parsed.error));
  return parsed.data;
}

/** Published documents, newest first (by publication), optionally of one kind; one page. */
export async function listPublishedPolicies(query: PolicyListQuery, pageSize = POLICY_PAGE_SIZE) {
  const filter: Record<string, unknown> = { status: "published", ...(query.kind ? { kind: query.kind } : {}) };
  const total = await Policy.countDocuments(filter);
  const pageCount = Math.max(1, Math.ceil(total / pageSize));
  const page = Math.min(query.page, pageCount);
  const rows = await Policy.find(filter, LIST_PROJECTION)
    .sort({ publishedAt: -1, _id: -1 })
    .skip((page - 1) * pageSize)
    .limit(pageSize)
    .lean<Stored[]>();
  return { total, page, pageCount, pageSize, kind: query.kind ?? null, items: rows.map(rowOf) };
}

/** The home page's newest published documents. */
export async function latestPolicies(limit = 5): Promise<PolicyRow[]> {
  const rows = await Policy.find({ status: "published" }, LIST_PROJECTION).sort({ publishedAt: -1, _id: -1 }).limit(limit).lean<Stored[]>();
  return rows.map(rowOf);
}

/**
 * One document for the public page: published ones to everyone; a withdrawn one answers with its
 * title, number and the withdrawal (no body, no attachments) so an old link says what happened;
 * a draft is NotFoundError except for the bureau and admins, who see a preview.
 */
export async function getPublicPolicy(viewer: RoleHolder | null, id: string): Promise<PolicyView> {
  const d = await Policy.findById(parseId(id)).lean<Stored>();
  if (!d) throw new NotFoundError();
  const staff = can(viewer, "policy:publish");
  if (d.status === "draft" && !staff) throw new NotFoundError();
  const view = viewOf(d);
  if (d.status === "withdrawn" && !staff) return { ...view, html: "", attachments: [] };
  return view;
}

/** The API's one document: published only (anything else is 404). */
export async function getPublishedPolicy(id: string): Promise<PolicyView & { body: string }> {
  const d = await Policy.findOne({ _id: parseId(id), status: "published" }).lean<Stored>();
  if (!d) throw new NotFoundError();
  return { ...viewOf(d), body: d.body };
}

/** The API's list: like the page's, with each document's Markdown body too. */
export async function listPublishedPoliciesWithBody(query: PolicyListQuery, pageSize = POLICY_PAGE_SIZE) {
  const list = await listPublishedPolicies(query, pageSize);
  const bodies = new Map(
    (await Policy.find({ _id: { $in: list.items.map((i) => parseId(i.id)) } }, { body: 1, attachments: 1 }).lean<Stored[]>()).map((d) => [
      String(d._id),
      d,
    ]),
  );
  return {
    ...list,
    items: list.items.map((i) => {
      const d = bodies.get(i.id)!;
      return {
        ...i,
        body: d.body,
        attachments: (d.attachments ?? []).map((a) => ({
          id: String(a._id),
          filename: a.filename,
          contentType: a.contentType,
          size: a.size,
        })),
      };
    }),
  };
}

/** The bureau's list: every document in every state, newest change first. */
export async function bureauPolicies(actor: RoleHolder, opts: { status?: PolicyStatus | null } = {}) {
  assertCan(actor, "policy:publish");
  const rows = await Policy.find(opts.status ? { status: opts.status } : {}, LIST_PROJECTION)
    .sort({ updatedAt: -1, _id: -1 })
    .limit(500)
    .lean<Stored[]>();
  return rows.map(rowOf);
}

/** A document for the bureau's edit page: the form's values, its attachments, its state and its history. */
export async function policyForEdit(actor: RoleHolder, id: string) {
  assertCan(actor, "policy:publish");
  const d = await Policy.findById(parseId(id)).lean<Stored>();
  if (!d) throw new NotFoundError();
  const history: AuditLine[] = await auditTrail("policy", String(d._id));
  return {
    ...viewOf(d),
    body: d.body,
    summaryTyped: d.summary ?? "",
    author: d.author?.name ?? null,
    history,
  };
}
