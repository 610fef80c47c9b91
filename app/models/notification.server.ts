import mongoose, { Schema, type InferSchemaType } from "mongoose";

/**
 * In-app notifications (站内消息), one per recipient. The text is not stored: `type` and `params`
 * are rendered in the reader's language (app/locales/modules/matching.ts, `notifications.types`).
 */
export const NOTIFICATION_TYPES = [
  "match.demand",
  "match.achievement",
  // Trading (issue 5): offers, deals and auctions. `params` carries amounts as display text.
  "offer.received",
  "offer.countered",
  "offer.accepted",
  "offer.rejected",
  "offer.closed",
  "offer.expired",
  "deal.created",
  "auction.won",
  "auction.lost",
  "auction.reserveNotMet",
  "auction.closedSeller",
  // A seller or broker recommended an achievement to the recipient's demand; `link` leads to the room.
  "demand.recommended",
  // Brokers' work (issue 13, point 12): a submission assigned for review; a broker offering help in a room.
  "review.assigned",
  "room.brokerOffer",
  // The listing workflow (issue 13, point 7): to the owner, the objector, the reviewers.
  "listing.submitted",
  "listing.approved",
  "listing.returned",
  "listing.withdrawn",
  "listing.tradingOpened",
  "listing.expired",
  "objection.filed",
  "objection.toReview",
  "objection.upheld",
  "objection.dismissed",
  "objection.yoursUpheld",
  "objection.yoursDismissed",
  // Organisation membership (issue 13, point 10): the subject is the organisation.
  "org.joinRequested",
  "org.joinApproved",
  "org.joinRejected",
  // Contracts (issue 14): an edit voided the signatures; both sides signed.
  "contract.signatureVoided",
  "contract.signed",
  // The payment schedule (issue 14, point 5): money arrived on a stage; a stage is paid; sales reported for a royalty.
  "stage.received",
  "stage.paid",
  "royalty.reported",
  // Cancellation and the signing deadline (issue 14, point 8).
  "deal.cancellationProposed",
  "deal.cancellationWithdrawn",
  "deal.cancellationDeclined",
  "deal.cancelled",
  "deal.lapsed",
  "deal.signReminder",
  "deal.refunded",
  // Buy requests (issue 14, point 8): to the seller side on a request to confirm; to the buyer when it ends without a deal.
  "buyRequest.received",
  "buyRequest.declined",
  "buyRequest.expired",
  "buyRequest.closed",
  // Registration (issue 15): to the applicant when the registration point asks for corrections, registers or refuses.
  "registration.corrections",
  "registration.registered",
  "registration.refused",
] as const;
export type NotificationType = (typeof NOTIFICATION_TYPES)[number];

const listingRefSchema = new Schema(
  {
    kind: { type: String, enum: ["achievement", "demand", "organization"], required: true },
    id: { type: Schema.Types.ObjectId, required: true },
    title: { type: String, required: true },
  },
  { _id: false },
);

const notificationSchema = new Schema(
  {
    user: { type: Schema.Types.ObjectId, ref: "User", required: true },
    /** match.demand: the recipient's demand got a matching achievement; match.achievement: the other way round. */
    type: { type: String, enum: NOTIFICATION_TYPES, required: true },
    /** The recipient's own listing. */
    subject: { type: listingRefSchema, required: true },
    /** The listing it was matched with (the link of the notification, for matches). */
    counterpart: { type: listingRefSchema },
    /** Where the notification leads (a path on the site), when not the counterpart listing. */
    link: String,
    /** Values for the message text (amounts already formatted, names). */
    params: { type: Schema.Types.Mixed },
    score: Number,
    readAt: { type: Date, default: null },
  },
  { timestamps: { createdAt: true, updatedAt: false }, versionKey: false },
);
notificationSchema.index({ user: 1, createdAt: -1, _id: -1 }); // the list, newest first
notificationSchema.index({ user: 1, readAt: 1 }); // the unread badge

export type NotificationDoc = InferSchemaType<typeof notificationSchema>;
export const Notification =
  (mongoose.models.Notification as mongoose.Model<NotificationDoc>) ?? mongoose.model("Notification", notificationSchema);
