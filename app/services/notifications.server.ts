import type mongoose from "mongoose";
import { type ClientSession } from "mongoose";
import { Notification, type NotificationType } from "~/models/notification.server.ts";
import { oid } from "./kernel/ids.server.ts";

/** What a trading notification says: about which of the recipient's (or watched) listings, and where it leads. */
export interface NotifyInput {
  user: string | mongoose.Types.ObjectId;
  type: NotificationType;
  subject: { kind: "achievement" | "demand"; id: string | mongoose.Types.ObjectId; title: string };
  /** A path on the site, e.g. `/auctions/…`. */
  link: string;
  /** Values for the message text (app/locales: notifications.types), amounts already formatted. */
  params?: Record<string, string>;
}

/** Writes in-app notifications (in the caller's transaction when given), one per recipient. */
export async function notify(session: ClientSession | null, items: readonly NotifyInput[]): Promise<void> {
  if (!items.length) return;
  await Notification.insertMany(
    items.map((n) => ({
      user: oid(n.user),
      type: n.type,
      subject: { kind: n.subject.kind, id: oid(n.subject.id), title: n.subject.title },
      link: n.link,
      params: n.params ?? {},
    })),
    { session },
  );
}
