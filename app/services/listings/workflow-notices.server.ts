import type { ClientSession, Types } from "mongoose";
import { User } from "~/models/user.server.ts";
import type { ListingKind } from "~/schemas/listing.ts";
import { formatDate } from "~/utils/china-time.ts";
import type { ListingAction } from "~/utils/listing-workflow.ts";
import { PERMISSIONS } from "~/utils/permissions.ts";
import { notify, settleNotifications, type NotifyInput } from "../notifications/notify.server.ts";

/**
 * Who is told about a workflow move (issue 13, point 7), in the move's transaction: the owner
 * when someone else decided about their listing (approved with its 公示 end, returned with the
 * reviewer's reason, withdrawn by a reviewer, opened for trading when the notice ended, expired),
 * and the reviewers (or the assignee) when a listing waits for review. Objections are told by the
 * objection commands (commands.server.ts): to the owner and the reviewers, and when decided to
 * both sides. Moves the owner made themselves, and the trading module's moves (deal, contract: it
 * tells the parties itself), notify nobody here.
 */

export interface MovedListing {
  _id: Types.ObjectId;
  title: string;
  createdBy?: Types.ObjectId | null;
  owner?: Types.ObjectId | null;
  enterprise?: Types.ObjectId | null;
  ownerName?: string | null;
  enterpriseName?: string | null;
  /** Review assignment (review.server.ts): kept across a resubmission. */
  reviewAssignee?: { user?: Types.ObjectId | null } | null;
}

export interface WorkflowMove {
  kind: ListingKind;
  item: MovedListing;
  action: ListingAction;
  /** The actor is (of) the listing's owner. */
  byOwner: boolean;
  bySystem: boolean;
  reason?: string | null;
  /** The fields the move set (noticeEndsAt for approve). */
  set: Record<string, unknown>;
  /** When it happened (the notifications are dated so). */
  now: Date;
}

export async function tellAboutMove(session: ClientSession, move: WorkflowMove): Promise<void> {
  const { kind, item, action } = move;
  const subject = { kind, id: item._id, title: item.title };
  const owner = item.createdBy;
  const reason = move.reason?.trim() ?? "";
  const toOwner = (type: NotifyInput["type"], params: Record<string, string> = {}): NotifyInput[] =>
    owner ? [{ user: owner, type, subject, params }] : [];
  let items: NotifyInput[] = [];
  if (action === "submit") {
    // Assigned to a reviewer (a resubmission keeps its assignee): that one; otherwise every reviewer.
    const assignee = item.reviewAssignee?.user;
    const assigned = assignee ? await reviewersOf(session, item, assignee) : [];
    const reviewers = assigned.length ? assigned : await reviewersOf(session, item);
    const ownerName = item.ownerName ?? item.enterpriseName ?? "";
    items = reviewers.map((user) => ({ user, type: "listing.submitted", subject, params: { owner: ownerName } }));
  } else if (action === "approve") {
    items = toOwner("listing.approved", { noticeEnds: formatDate(move.set.noticeEndsAt as Date) });
  } else if (action === "reject") {
    items = toOwner("listing.returned", { reason });
  } else if (action === "withdraw" && !move.byOwner) {
    items = toOwner("listing.withdrawn", reason ? { context: "reason", reason } : {});
  } else if (action === "startTrading" && move.bySystem) {
    items = toOwner("listing.tradingOpened");
  } else if (action === "expire") {
    items = toOwner("listing.expired");
  }
  // A review request handled by one reviewer no longer waits in the others' inboxes as unread.
  if (action === "approve" || action === "reject" || action === "withdraw") {
    await settleNotifications(session, "listing.submitted", subject, move.now);
    await settleNotifications(session, "review.assigned", subject, move.now);
  }
  await notify(session, items, { at: move.now });
}

/**
 * Who reviews it: every broker and admin (listing:review) who is not of the owner's organisation
 * and not disabled — or only `only` among them (the assignee).
 */
export async function reviewersOf(
  session: ClientSession,
  item: Omit<MovedListing, "title">,
  only?: Types.ObjectId,
): Promise<Types.ObjectId[]> {
  const org = item.owner ?? item.enterprise ?? null;
  const rows = await User.find(
    {
      roles: { $in: [...PERMISSIONS["listing:review"]] },
      disabled: { $ne: true },
      ...(only || item.createdBy ? { _id: { ...(only ? { $eq: only } : {}), ...(item.createdBy ? { $ne: item.createdBy } : {}) } } : {}),
      ...(org ? { organization: { $ne: org } } : {}),
    },
    { _id: 1 },
  )
    .session(session)
    .limit(200)
    .lean();
  return rows.map((r) => r._id);
}
