import mongoose, { Schema, type InferSchemaType } from "mongoose";

/**
 * Listings whose search-index entry must be brought up to date. Written in the same transaction
 * as the change itself; the worker (search/outbox.ts) reads the listing's current state and
 * upserts or deletes its document, so entries are idempotent and their order does not matter.
 */
const searchOutboxSchema = new Schema(
  {
    kind: { type: String, enum: ["achievement", "demand"], required: true },
    listingId: { type: Schema.Types.ObjectId, required: true },
    attempts: { type: Number, default: 0 },
    /** Not before: set after a failure, growing with each attempt. */
    dueAt: { type: Date, default: () => new Date() },
    /** A worker's claim, so two app instances do not apply the same entries at once. */
    claimedBy: String,
    claimedUntil: Date,
    lastError: String,
  },
  { timestamps: { createdAt: true, updatedAt: false }, versionKey: false },
);
searchOutboxSchema.index({ dueAt: 1, claimedUntil: 1 });
searchOutboxSchema.index({ claimedBy: 1 });

export type SearchOutboxDoc = InferSchemaType<typeof searchOutboxSchema>;
export const SearchOutbox =
  (mongoose.models.SearchOutbox as mongoose.Model<SearchOutboxDoc>) ?? mongoose.model("SearchOutbox", searchOutboxSchema);

/** Records that these listings changed; pass the transaction's session. */
export async function enqueueIndexing(
  session: mongoose.ClientSession | null,
  kind: "achievement" | "demand",
  ids: readonly (string | mongoose.Types.ObjectId)[],
): Promise<void> {
  if (ids.length === 0) return;
  const now = new Date();
  // lean: no hydration, so no schema defaults either — every field the worker queries is set here.
  await SearchOutbox.insertMany(
    ids.map((id) => ({ kind, listingId: new mongoose.Types.ObjectId(String(id)), attempts: 0, dueAt: now, createdAt: now })),
    { session, lean: true },
  );
}
