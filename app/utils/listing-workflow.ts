/**
 * The one state machine for achievements and demands (docs/domain.md: The life of a listing).
 * Pure: the listings module (`app/services/listings/workflow.server.ts`) loads the item, works out
 * how the actor relates to it, asks `decide`, and writes the change and its audit event in one
 * transaction. The UI asks `availableActions` to show only the buttons that would succeed.
 *
 *   draft ─submit→ submitted ─approve→ published ─startTrading→ trading ─closeDeal→ deal
 *     ▲               │reject              │ (公示 notice period, objections)        │signContract
 *     └─revise── rejected ◄─upholdObjection┘                              contracted ─register→ registered
 *   withdrawn / expired ─reopen→ draft
 *   a demand: published ─solve→ solved (its owner found what it asked for; it leaves matching)
 */
export const LISTING_STATUSES = [
  "draft",
  "submitted",
  "published",
  "trading",
  "deal",
  "contracted",
  "registered",
  "rejected",
  "withdrawn",
  "expired",
  "solved",
] as const;
export type ListingStatus = (typeof LISTING_STATUSES)[number];

/** Statuses the public may see (and search may index). */
export const PUBLIC_STATUSES: readonly ListingStatus[] = ["published", "trading", "deal", "contracted", "registered", "solved"];
/** A demand that was solved stays public (with its badge) but asks for nothing any more: no matches, no recommendations. */
export const CLOSED_DEMAND_STATUSES: readonly ListingStatus[] = ["solved"];
/** Statuses in which the owner may edit the content. */
export const EDITABLE_STATUSES: readonly ListingStatus[] = ["draft", "rejected"];

export const LISTING_ACTIONS = [
  "submit",
  "approve",
  "reject",
  "withdraw",
  "reopen",
  "startTrading",
  "upholdObjection",
  "expire",
  "closeDeal",
  "cancelDeal",
  "signContract",
  "register",
  "solve",
] as const;
export type ListingAction = (typeof LISTING_ACTIONS)[number];

/**
 * How the acting party relates to the item. `owner`: created it or belongs to its owner
 * organisation. `reviewer`: a broker or admin who is not the owner. `bureau`: the bureau.
 * `system`: the platform itself (timers, the trading and contract modules).
 */
export type Relation = "owner" | "reviewer" | "bureau" | "system";

export interface TransitionRule {
  from: readonly ListingStatus[];
  to: ListingStatus;
  by: readonly Relation[];
  /** The actor must give a reason (shown to the owner and kept in the audit log). */
  needsReason?: boolean;
  /** Extra condition on the item's situation; returns an error key when not met. */
  guard?: (ctx: TransitionContext) => string | null;
}

export interface TransitionContext {
  now: Date;
  /** What the item is: demands are published and answered, never traded (startTrading is for achievements). */
  kind?: "achievement" | "demand";
  noticeEndsAt?: Date | null;
  openObjections?: number;
  reason?: string | null;
}

export const TRANSITIONS: Record<ListingAction, TransitionRule> = {
  submit: { from: ["draft", "rejected"], to: "submitted", by: ["owner"] },
  approve: { from: ["submitted"], to: "published", by: ["reviewer"] },
  reject: { from: ["submitted"], to: "rejected", by: ["reviewer"], needsReason: true },
  // A draft is nobody's business but its owner's: there is nothing to withdraw it from.
  withdraw: {
    from: ["submitted", "published", "rejected", "expired"],
    to: "withdrawn",
    by: ["owner", "reviewer"],
  },
  reopen: { from: ["withdrawn", "expired"], to: "draft", by: ["owner"] },
  startTrading: {
    from: ["published"],
    to: "trading",
    by: ["owner", "system"],
    guard: (ctx) => {
      if (ctx.kind === "demand") return "workflow.demandNotTraded";
      if (ctx.noticeEndsAt && ctx.noticeEndsAt > ctx.now) return "workflow.noticeNotOver";
      if ((ctx.openObjections ?? 0) > 0) return "workflow.openObjections";
      return null;
    },
  },
  // Only by way of an open objection (resolveObjection), never as a bare "reject after publishing".
  upholdObjection: {
    from: ["published"],
    to: "rejected",
    by: ["reviewer"],
    needsReason: true,
    guard: (ctx) => ((ctx.openObjections ?? 0) > 0 ? null : "workflow.noOpenObjection"),
  },
  expire: { from: ["published"], to: "expired", by: ["system"] },
  closeDeal: { from: ["trading"], to: "deal", by: ["system"] },
  // A deal cancelled by agreement (even after signing, before performance) or lapsed unsigned.
  cancelDeal: { from: ["deal", "contracted"], to: "trading", by: ["system"], needsReason: true },
  signContract: { from: ["deal"], to: "contracted", by: ["system"] },
  register: { from: ["contracted"], to: "registered", by: ["bureau"] },
  // The demand's owner says it is solved (app/services/recommendations/solve.server.ts records what solved it).
  solve: {
    from: ["published"],
    to: "solved",
    by: ["owner"],
    guard: (ctx) => (ctx.kind === "demand" ? null : "workflow.onlyDemandsSolved"),
  },
};

export type Decision =
  | { ok: true; from: ListingStatus; to: ListingStatus }
  | { ok: false; reason: "wrongStatus" | "notAllowed" | "reasonRequired" | "guard"; message: string };

/** Whether `relations` may take `action` on an item in `status`, and where it leads. */
export function decide(status: ListingStatus, action: ListingAction, relations: ReadonlySet<Relation>, ctx: TransitionContext): Decision {
  const rule = TRANSITIONS[action];
  if (!rule.by.some((r) => relations.has(r))) {
    return { ok: false, reason: "notAllowed", message: "workflow.notAllowed" };
  }
  if (!rule.from.includes(status)) {
    return { ok: false, reason: "wrongStatus", message: "workflow.wrongStatus" };
  }
  if (rule.needsReason && !ctx.reason?.trim()) {
    return { ok: false, reason: "reasonRequired", message: "workflow.reasonRequired" };
  }
  const problem = rule.guard?.(ctx);
  if (problem) return { ok: false, reason: "guard", message: problem };
  return { ok: true, from: status, to: rule.to };
}

/** The actions a person could take now (for buttons); the server decides again on submit. */
export function availableActions(
  status: ListingStatus,
  relations: ReadonlySet<Relation>,
  ctx: Omit<TransitionContext, "reason">,
): ListingAction[] {
  return LISTING_ACTIONS.filter((a) => {
    const rule = TRANSITIONS[a];
    if (rule.by.includes("system") && rule.by.length === 1) return false;
    const d = decide(status, a, relations, { ...ctx, reason: rule.needsReason ? "x" : null });
    return d.ok;
  });
}

export function isPublic(status: ListingStatus): boolean {
  return PUBLIC_STATUSES.includes(status);
}
