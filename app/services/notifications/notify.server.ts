import type { ClientSession, Types } from "mongoose";
import { Notification, type NotificationType } from "~/models/notification.server.ts";
import { oid } from "../kernel/ids.server.ts";
import { mailNotifications } from "./mail.server.ts";

type ListingRef = { kind: "achievement" | "demand" | "organization"; id: string | Types.ObjectId; title: string };

/**
 * What a notification says: about which of the recipient's (or watched) listings, and where it
 * leads — a path on the site (trading), or the listing it was matched with (matches).
 */
export interface NotifyInput {
  user: string | Types.ObjectId;
  type: NotificationType;
  subject: ListingRef;
  /** A path on the site, e.g. `/auctions/…`. */
  link?: string;
  /** Matches: the listing the subject was matched with, and the pair's score. */
  counterpart?: ListingRef;
  score?: number;
  /** Values for the message text (app/locales: notifications.types), amounts already formatted. */
  params?: Record<string, string>;
}

/**
 * Writes in-app notifications (in the caller's transaction when given), one per recipient, and
 * queues the same news by email to each recipient who takes that kind by email (mail.server.ts);
 * a transaction that rolls back leaves neither. `at` dates them (default: now), so a sweep's
 * notifications carry the sweep's time.
 */
export async function notify(session: ClientSession | null, items: readonly NotifyInput[], opts: { at?: Date } = {}): Promise<void> {
  if (!items.length) return;
  const ref = (r: ListingRef) => ({ kind: r.kind, id: oid(r.id), title: r.title });
  await Notification.insertMany(
    items.map((n) => ({
      user: oid(n.user),
      type: n.type,
      subject: ref(n.subject),
      ...(n.counterpart ? { counterpart: ref(n.counterpart) } : {}),
      ...(n.link !== undefined ? { link: n.link } : {}),
      ...(n.score !== undefined ? { score: n.score } : {}),
      params: n.params ?? {},
      readAt: null,
      ...(opts.at ? { createdAt: opts.at } : {}),
    })),
    { session },
  );
  await mailNotifications(session, items);
}

/**
 * Marks the unread notifications of `type` about a listing read for everyone: a review request
 * someone already handled (approved, returned, withdrawn) asks nothing of the other reviewers.
 */
export async function settleNotifications(
  session: ClientSession | null,
  type: NotificationType,
  subject: { kind: "achievement" | "demand"; id: string | Types.ObjectId },
  at = new Date(),
): Promise<void> {
  await Notification.updateMany(
    { type, "subject.kind": subject.kind, "subject.id": oid(subject.id), readAt: null },
    { $set: { readAt: at } },
    { session: session ?? undefined },
  );
}
