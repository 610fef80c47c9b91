/** A query filter on registrations (mongoose 9 types them per path; plain records here). */
type Filter = Record<string, unknown>;
import { Registration, type RegistrationDoc } from "~/models/registration.server.ts";
import { RegistrationListQuerySchema, registrationFieldErrors } from "~/schemas/registration.ts";
import { chinaDate, chinaToday } from "~/utils/china-time.ts";
import { NotFoundError, ValidationError } from "~/utils/errors.ts";
import { can, hasRole } from "~/utils/permissions.ts";
import type { RefusalGround, RegistrationSource, RegistrationStatus } from "~/utils/registration.ts";
import type { Actor } from "../kernel/actor.ts";
import { loadDealFor, partySideOf } from "../contracts/access.server.ts";
import { openProofFile } from "../files/proofs.server.ts";
import { oid } from "../kernel/ids.server.ts";
import { isApplicant, loadRegistrationFor, organizationsOf, seesAll, type RegistrationRow } from "./access.server.ts";
import { workingDaysLeft } from "./calendar.ts";
import { blankValues, platformFacts, valuesOf, type RegistrationFormValues } from "./form.server.ts";
import { registrationSettings } from "./settings.server.ts";

/** Reading registrations: the bureau's queue, the applicant's list, one registration, the API's list. */

export interface PartyView {
  name: string;
  creditCode: string | null;
  region: string;
  town: string | null;
  country: string;
  entityType: string;
}

export interface RegistrationView {
  id: string;
  status: RegistrationStatus;
  source: RegistrationSource;
  dealId: string | null;
  contractId: string | null;
  contractHash: string | null;
  applicantSide: string;
  applicant: { name: string; organizationName: string | null };
  projectName: string;
  category: string;
  subCategory: string;
  seller: PartyView;
  buyer: PartyView;
  signedOn: string;
  validFrom: string;
  validTo: string;
  technicalField: string;
  ipType: string | null;
  planSource: string | null;
  contractAmount: number;
  nonTechItems: { label: string; amount: number }[];
  technologyAmount: number;
  paymentMethod: string;
  large: boolean;
  disputed: boolean;
  submittedAt: string;
  clockFrom: string;
  dueOn: string | null;
  /** Working days left to the due day; negative when overdue; null while waiting for corrections or decided. */
  daysLeft: number | null;
  overdue: boolean;
  corrections: { note: string; at: string } | null;
  refusal: { ground: RefusalGround; note: string } | null;
  number: string | null;
  year: number | null;
  serial: number | null;
  registeredAt: string | null;
  registrar: string | null;
  point: { code: string; name: string } | null;
  attachments: { file: string; filename: string; kind: string | null }[];
  history: { at: string; action: string; by: string; note: string | null }[];
}

const party = (p: RegistrationDoc["seller"]): PartyView => ({
  name: p.name,
  creditCode: p.creditCode ?? null,
  region: p.region,
  town: p.town ?? null,
  country: p.country ?? "156",
  entityType: p.entityType,
});

function view(r: RegistrationRow, today: string, calendar: Parameters<typeof workingDaysLeft>[2]): RegistrationView {
  const dueOn = r.status === "submitted" && r.dueAt ? chinaDate(r.dueAt) : null;
  const daysLeft = dueOn ? workingDaysLeft(today, dueOn, calendar) : null;
  return {
    id: String(r._id),
    status: r.status as RegistrationStatus,
    source: r.source as RegistrationSource,
    dealId: r.deal ? String(r.deal) : null,
    contractId: r.contract ? String(r.contract) : null,
    contractHash: r.contractHash ?? null,
    applicantSide: r.applicantSide,
    applicant: { name: r.applicant?.name ?? "", organizationName: r.applicant?.organizationName ?? null },
    projectName: r.projectName,
    category: r.category,
    subCategory: r.subCategory,
    seller: party(r.seller),
    buyer: party(r.buyer),
    signedOn: chinaDate(r.signedOn),
    validFrom: chinaDate(r.validFrom),
    validTo: chinaDate(r.validTo),
    technicalField: r.technicalField,
    ipType: r.ipType ?? null,
    planSource: r.planSource ?? null,
    contractAmount: r.contractAmount,
    nonTechItems: (r.nonTechItems ?? []).map((i) => ({ label: i.label, amount: i.amount })),
    technologyAmount: r.technologyAmount,
    paymentMethod: r.paymentMethod,
    large: !!r.large,
    disputed: !!r.disputed,
    submittedAt: r.submittedAt.toISOString(),
    clockFrom: r.clockFrom.toISOString(),
    dueOn,
    daysLeft,
    overdue: daysLeft !== null && daysLeft < 0,
    corrections: r.corrections?.note ? { note: r.corrections.note, at: (r.corrections.at ?? r.updatedAt).toISOString() } : null,
    refusal: r.refusal?.ground ? { ground: r.refusal.ground as RefusalGround, note: r.refusal.note ?? "" } : null,
    number: r.number ?? null,
    year: r.year ?? null,
    serial: r.serial ?? null,
    registeredAt: r.registeredAt?.toISOString() ?? null,
    registrar: r.registrar?.name ?? null,
    point: r.point?.code ? { code: r.point.code, name: r.point.name ?? "" } : null,
    attachments: (r.attachments ?? []).map((a) => ({ file: String(a.file), filename: a.filename, kind: a.kind ?? null })),
    history: (r.history ?? []).map((h) => ({ at: h.at.toISOString(), action: h.action, by: h.by?.name ?? "", note: h.note ?? null })),
  };
}

async function clock(now: Date) {
  const s = await registrationSettings();
  return { today: chinaToday(now), calendar: s.calendar };
}

/** Who may see what: bureau and admins everything, anyone else their own applications (their person or their organisation). */
function visibleTo(actor: Actor): Filter {
  if (seesAll(actor)) return {};
  const or: Filter[] = [];
  if (actor.id) or.push({ "applicant.user": oid(actor.id) });
  if (actor.organization) or.push({ "applicant.organization": oid(actor.organization.id) });
  return or.length ? { $or: or } : { _id: null };
}

export const QUEUE_FILTERS = ["open", "overdue", "corrections", "registered", "refused", "all"] as const;
export type QueueFilter = (typeof QUEUE_FILTERS)[number];

/** The bureau's queue: by due day, soonest first (waiting-for-corrections and decided ones after, newest first). */
export async function reviewQueue(actor: Actor, filter: QueueFilter = "open", now = new Date()) {
  if (!can(actor, "contract:register") && !hasRole(actor, "admin")) throw new NotFoundError();
  const status: Filter = filter === "open" || filter === "overdue" ? { status: "submitted" } : filter === "all" ? {} : { status: filter };
  const rows = (await Registration.find(status)
    .sort(filter === "open" || filter === "overdue" ? { dueAt: 1, _id: 1 } : { updatedAt: -1, _id: -1 })
    .limit(500)
    .lean()) as RegistrationRow[];
  const c = await clock(now);
  const own = actor.organization?.id ?? null;
  const items = rows
    .map((r) => ({ ...view(r, c.today, c.calendar), own: !!own && organizationsOf(r).includes(own) }))
    .filter((r) => filter !== "overdue" || r.overdue);
  return { filter, items, today: c.today };
}

/** The applicant's own applications, newest first. */
export async function myRegistrations(actor: Actor, now = new Date()) {
  if (!actor.id) return [];
  const or: Filter[] = [{ "applicant.user": oid(actor.id) }];
  if (actor.organization) or.push({ "applicant.organization": oid(actor.organization.id) });
  const rows = (await Registration.find({ $or: or }).sort({ submittedAt: -1, _id: -1 }).limit(200).lean()) as RegistrationRow[];
  const c = await clock(now);
  return rows.map((r) => view(r, c.today, c.calendar));
}

/** One registration for whoever may see it (404 otherwise), with what the actor may do. */
export async function getRegistration(actor: Actor, id: string, now = new Date()) {
  const r = await loadRegistrationFor(actor, id);
  const c = await clock(now);
  const mayReviewRole = can(actor, "contract:register");
  const own = !!actor.organization && organizationsOf(r).includes(actor.organization.id);
  const applicant = isApplicant(actor, r);
  return {
    registration: view(r, c.today, c.calendar),
    canReview: mayReviewRole && !own && r.status === "submitted",
    ownOrganization: mayReviewRole && own,
    canResubmit: applicant && r.status === "corrections",
    values: valuesOf(r as unknown as Parameters<typeof valuesOf>[0]),
  };
}

/** The API's list: filter by status and year (of registration, or of submission for the undecided). */
export async function listRegistrations(actor: Actor, query: unknown, now = new Date()) {
  const parsed = RegistrationListQuerySchema.safeParse(query);
  if (!parsed.success) throw new ValidationError(registrationFieldErrors(parsed.error));
  const { status, year } = parsed.data;
  const filter: Filter = { ...visibleTo(actor) };
  if (status) filter.status = status;
  if (year) {
    const from = new Date(`${year}-01-01T00:00:00+08:00`);
    const to = new Date(`${year + 1}-01-01T00:00:00+08:00`);
    filter.$and = [{ $or: [{ year }, { year: { $exists: false }, submittedAt: { $gte: from, $lt: to } }] }];
  }
  const rows = (await Registration.find(filter).sort({ submittedAt: -1, _id: -1 }).limit(1000).lean()) as RegistrationRow[];
  const c = await clock(now);
  return rows.map((r) => view(r, c.today, c.calendar));
}

export interface DealRegistrationPage {
  dealId: string;
  listingTitle: string;
  /** The form as it starts (null when the contract is not signed). */
  values: RegistrationFormValues | null;
  /** Fields the signed contract fixes. */
  locked: string[];
  /** The actor's side on the deal, if any. */
  side: "seller" | "buyer" | null;
  /** The contract's live (or latest) application. */
  current: RegistrationView | null;
}

/** /deals/:id/registration: the pre-filled form, or the state of the application. */
export async function dealRegistrationPage(actor: Actor, dealId: string, now = new Date()): Promise<DealRegistrationPage> {
  const { deal } = await loadDealFor(actor, dealId);
  const facts = await platformFacts(deal);
  const side = partySideOf(actor, deal);
  const latest = (await Registration.findOne({ deal: deal._id, ...visibleTo(actor) })
    .sort({ submittedAt: -1, _id: -1 })
    .lean()) as RegistrationRow | null;
  const c = await clock(now);
  return {
    dealId: String(deal._id),
    listingTitle: deal.listingTitle,
    values: facts ? { ...facts.values, ...(side === "buyer" ? { import: "on" } : {}) } : null,
    locked: ["category", "subCategory", "contractAmount", "nonTechItems", "technologyAmount", "signedOn"],
    side,
    current: latest ? view(latest, c.today, c.calendar) : null,
  };
}

export { blankValues };

/** The signed file of an external contract, for whoever may see the registration (404 otherwise, and for a file not its own). */
export async function registrationFile(actor: Actor, id: string, fileId: string) {
  const r = await loadRegistrationFor(actor, id);
  if (!(r.attachments ?? []).some((a) => String(a.file) === fileId)) throw new NotFoundError();
  return openProofFile(fileId);
}
