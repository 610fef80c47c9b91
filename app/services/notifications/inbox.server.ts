import type { Types } from "mongoose";
import { Achievement } from "~/models/achievement.server.ts";
import { Demand } from "~/models/demand.server.ts";
import { Notification, type NotificationType } from "~/models/notification.server.ts";
import type { ListingKind } from "~/schemas/listing.ts";
import { NotFoundError } from "~/utils/errors.ts";
import type { Actor } from "../kernel/actor.ts";
import { maybeId, parseId } from "../kernel/ids.server.ts";
import { canView, relationsOf, type OwnedItem } from "../listings/access.ts";

/** A user's in-app notifications: the list, the unread count of the header badge, marking them read. */

export interface NotificationView {
  id: string;
  type: NotificationType;
  subject: { kind: ListingKind; id: string; title: string };
  counterpart: { kind: ListingKind; id: string; title: string } | null;
  link: string | null;
  params: Record<string, string>;
  score: number | null;
  read: boolean;
  createdAt: string;
  /**
   * The listing the notification leads to (the counterpart, else the subject; none when it has its
   * own link) is gone for this reader: withdrawn, returned, deleted — its page would be a 404.
   */
  gone: boolean;
  /** The subject is the reader's own listing (an objector's or a buyer's notice is about someone else's). */
  own: boolean;
}

type ListingRef = { kind: ListingKind; id: string };
type ListingRow = OwnedItem & { _id: Types.ObjectId; status: string };

/** The listings of these references that still exist, by `kind:id`. */
async function listingRows(refs: ListingRef[]): Promise<Map<string, ListingRow>> {
  const out = new Map<string, ListingRow>();
  for (const kind of ["achievement", "demand"] as const) {
    const ids = [...new Set(refs.filter((r) => r.kind === kind).map((r) => r.id))];
    if (ids.length === 0) continue;
    const Model = (kind === "achievement" ? Achievement : Demand) as unknown as typeof Achievement;
    const rows = (await Model.find({ _id: { $in: ids.map((id) => parseId(id)) } }, { status: 1, owner: 1, enterprise: 1, createdBy: 1 })
      .lean()
      .exec()) as unknown as ListingRow[];
    for (const r of rows) out.set(`${kind}:${String(r._id)}`, r);
  }
  return out;
}

export const NOTIFICATIONS_PAGE_SIZE = 30;

/**
 * Newest first, a page at a time, with the number of unread ones; each says whether the listing it
 * leads to is still there for `actor` (the reader; without one, whether it is public).
 */
export async function listNotifications(userId: string, opts: { page?: number; actor?: Actor | null } = {}) {
  const user = parseId(userId);
  const [total, unread] = await Promise.all([Notification.countDocuments({ user }), unreadCount(userId)]);
  const pages = Math.max(1, Math.ceil(total / NOTIFICATIONS_PAGE_SIZE));
  const page = Math.min(Math.max(Math.trunc(opts.page ?? 1), 1), pages);
  const docs = await Notification.find({ user })
    .sort({ createdAt: -1, _id: -1 })
    .skip((page - 1) * NOTIFICATIONS_PAGE_SIZE)
    .limit(NOTIFICATIONS_PAGE_SIZE)
    .lean();
  const items: NotificationView[] = docs.map((n) => ({
    id: String(n._id),
    type: n.type as NotificationType,
    subject: { kind: n.subject.kind as ListingKind, id: String(n.subject.id), title: n.subject.title },
    counterpart: n.counterpart
      ? { kind: n.counterpart.kind as ListingKind, id: String(n.counterpart.id), title: n.counterpart.title }
      : null,
    link: n.link ?? null,
    params: (n.params ?? {}) as Record<string, string>,
    score: n.score ?? null,
    read: !!n.readAt,
    createdAt: (n.createdAt as Date).toISOString(),
    gone: false,
    own: false,
  }));
  const target = (n: NotificationView): ListingRef | null => (n.link ? null : (n.counterpart ?? n.subject));
  const actor = opts.actor ?? null;
  const rows = await listingRows([...items.map(target).filter((r): r is ListingRef => r != null), ...items.map((n) => n.subject)]);
  for (const n of items) {
    const t = target(n);
    const row = t ? rows.get(`${t.kind}:${t.id}`) : undefined;
    n.gone = !!t && (!row || !canView(actor, row));
    const subject = rows.get(`${n.subject.kind}:${n.subject.id}`);
    n.own = !!subject && relationsOf(actor, subject).has("owner");
  }
  return { items, total, unread, page, pages };
}

/** For the header badge (0 for anything that is not an id). */
export async function unreadCount(userId: string): Promise<number> {
  const user = maybeId(userId);
  if (!user) return 0;
  return Notification.countDocuments({ user, readAt: null });
}

export async function markAllNotificationsRead(userId: string, now = new Date()): Promise<number> {
  const res = await Notification.updateMany({ user: parseId(userId), readAt: null }, { $set: { readAt: now } });
  return res.modifiedCount;
}

/** Only the user's own notification; someone else's id is a NotFoundError. */
export async function markNotificationRead(userId: string, notificationId: string, now = new Date()): Promise<void> {
  // An update pipeline keeps the first reading time; mongoose 9 wants pipelines said out loud.
  const res = await Notification.updateOne(
    { _id: parseId(notificationId), user: parseId(userId) },
    [{ $set: { readAt: { $ifNull: ["$readAt", now] } } }],
    { updatePipeline: true },
  );
  if (res.matchedCount === 0) throw new NotFoundError();
}
