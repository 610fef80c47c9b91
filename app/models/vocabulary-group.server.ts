import mongoose, { Schema, type InferSchemaType } from "mongoose";

/**
 * The live vocabulary (issue 16, point 4; docs/decisions/030-live-vocabulary.md): the synonym
 * groups search and matching use, kept by the bureau and brokers. It starts from the shipped files
 * (search/vocabulary/*.json, `origin: "file"`, `groupId` = the file's id) and grows by the bureau's
 * own groups (`origin: "bureau"`, `groupId` = "bureau/<slug>"). A file group somebody changed is
 * `edited`: a newer file version no longer overwrites it, it is shown for review with the file's
 * words in `fileUpdate`.
 */
export const VOCABULARY_GROUP_STATUSES = ["active", "retired"] as const;
export const VOCABULARY_ORIGINS = ["file", "bureau"] as const;

const vocabularyGroupSchema = new Schema(
  {
    groupId: { type: String, required: true },
    /** the researchers' term first (matching queries with it) */
    words: { type: [String], required: true },
    /** the platform field (app/utils/taxonomy.ts), null for cross-field groups */
    field: { type: String, default: null },
    source: { type: String, default: "" },
    note: { type: String, default: "" },
    status: { type: String, enum: VOCABULARY_GROUP_STATUSES, required: true, default: "active" },
    origin: { type: String, enum: VOCABULARY_ORIGINS, required: true },
    /** the version of the file the words came from (file groups) */
    fileVersion: { type: Number, default: null },
    /** true once a person changed the group: the files no longer overwrite it */
    edited: { type: Boolean, default: false },
    /** a newer file version of an edited group, waiting for review ("文件有新版本") */
    fileUpdate: {
      type: new Schema({ version: Number, words: [String], source: String, note: String }, { _id: false }),
      default: null,
    },
    /** retired by a merge: the groupId of the group that took its words */
    mergedInto: { type: String, default: null },
  },
  { timestamps: true },
);
vocabularyGroupSchema.index({ groupId: 1 }, { unique: true });
vocabularyGroupSchema.index({ status: 1, field: 1 });
vocabularyGroupSchema.index({ words: 1 });

export type VocabularyGroupDoc = InferSchemaType<typeof vocabularyGroupSchema>;
export const VocabularyGroup =
  (mongoose.models.VocabularyGroup as mongoose.Model<VocabularyGroupDoc> | undefined) ??
  mongoose.model<VocabularyGroupDoc>("VocabularyGroup", vocabularyGroupSchema);

/**
 * One document (`_id: "live"`): the version counter every change raises (instances re-read the
 * groups when it moved), and the state of the index update that brings the synonyms into
 * Meilisearch (a rebuild-and-swap, search/reindex.ts).
 */
const vocabularyStateSchema = new Schema(
  {
    _id: { type: String, required: true },
    version: { type: Number, required: true, default: 0 },
    /** when the last change was made (the index update waits for a quiet moment after a burst) */
    changedAt: { type: Date, default: null },
    /** the version the index was last rebuilt with */
    indexedVersion: { type: Number, required: true, default: 0 },
    indexedAt: { type: Date, default: null },
    /** a rebuild in progress: the version it builds, and since when */
    buildingVersion: { type: Number, default: null },
    buildingSince: { type: Date, default: null },
    lastError: { type: String, default: null },
  },
  { versionKey: false },
);

export type VocabularyStateDoc = InferSchemaType<typeof vocabularyStateSchema>;
export const VocabularyState =
  (mongoose.models.VocabularyState as mongoose.Model<VocabularyStateDoc> | undefined) ??
  mongoose.model<VocabularyStateDoc>("VocabularyState", vocabularyStateSchema, "vocabularystate");

export const VOCABULARY_STATE_ID = "live";

/** A word pair proposed from positive feedback that the bureau rejected: never proposed again. */
const vocabularyRejectionSchema = new Schema(
  {
    /** "<demand word>|<achievement word>" */
    pair: { type: String, required: true },
    demandWord: { type: String, required: true },
    achievementWord: { type: String, required: true },
    by: { type: Schema.Types.ObjectId, default: null },
    byName: { type: String, required: true },
  },
  { timestamps: true },
);
vocabularyRejectionSchema.index({ pair: 1 }, { unique: true });

export type VocabularyRejectionDoc = InferSchemaType<typeof vocabularyRejectionSchema>;
export const VocabularyRejection =
  (mongoose.models.VocabularyRejection as mongoose.Model<VocabularyRejectionDoc> | undefined) ??
  mongoose.model<VocabularyRejectionDoc>("VocabularyRejection", vocabularyRejectionSchema);
