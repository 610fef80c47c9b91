import mongoose from "mongoose";
import { VOCABULARY_STATE_ID, VocabularyGroup, VocabularyState, type VocabularyGroupDoc } from "~/models/vocabulary-group.server.ts";
import { flattenZodErrors } from "~/schemas/listing.ts";
import { MergeGroupsSchema, VocabularyGroupFormSchema, type VocabularyGroupForm } from "~/schemas/vocabulary.ts";
import { ConflictError, NotFoundError, ValidationError } from "~/utils/errors.ts";
import { formMessage } from "~/utils/messages.ts";
import { assertCan } from "~/utils/permissions.ts";
import { forgetLiveVocabulary } from "../../../search/live-vocabulary.ts";
import type { Actor, Via } from "../kernel/actor.ts";
import { recordAudit } from "../kernel/audit.server.ts";
import { afterCommit, withTransaction, type ClientSession } from "../kernel/tx.server.ts";

/**
 * The bureau's and brokers' commands on the live vocabulary (issue 16, point 4;
 * docs/decisions/030-live-vocabulary.md): add a group, change its words, merge two groups, retire
 * and restore, take or set aside a newer file version. Each needs "vocabulary:edit", writes its
 * audit entry (who, when, the words before and after) and raises the version counter in the same
 * transaction; the index update job (index-update.server.ts) then rebuilds the index with the new
 * synonyms, and matching reads them at its next check.
 */

export type GroupRow = VocabularyGroupDoc & { _id: mongoose.Types.ObjectId };

const via = (actor: Actor, v?: Via): Via => v ?? (actor.system ? "system" : "ui");
export const wordsText = (words: readonly string[]) => words.join("、");

/** Raises the version counter: every instance reads the groups again, the index update is due. */
export async function bumpVocabularyVersion(session: ClientSession | null, now = new Date()): Promise<void> {
  await VocabularyState.updateOne(
    { _id: VOCABULARY_STATE_ID },
    { $inc: { version: 1 }, $set: { changedAt: now } },
    { upsert: true, session: session ?? undefined },
  );
  if (session) afterCommit(session, forgetLiveVocabulary);
  else forgetLiveVocabulary();
}

export function parseGroupForm(input: unknown): VocabularyGroupForm {
  const parsed = VocabularyGroupFormSchema.safeParse(input);
  if (!parsed.success) throw new ValidationError(flattenZodErrors(parsed.error));
  return parsed.data;
}

/**
 * A word that another active group already holds makes the two groups one concept in matching;
 * allowed only when the person confirmed it. The message names the word and the group.
 */
async function checkWordsFree(words: readonly string[], self: mongoose.Types.ObjectId | null, confirmed: boolean): Promise<void> {
  if (confirmed) return;
  const other = await VocabularyGroup.findOne(
    { status: "active", words: { $in: words }, ...(self ? { _id: { $ne: self } } : {}) },
    { groupId: 1, words: 1 },
  ).lean();
  if (!other) return;
  const word = words.find((w) => other.words.includes(w))!;
  throw new ValidationError({
    words: [formMessage("vocabulary.errors.wordTaken", { word, group: other.groupId, term: other.words[0] ?? "" })],
  });
}

/** The group by its _id (from a URL) or its groupId; NotFoundError otherwise. */
export async function findGroup(ref: string, session: ClientSession | null = null): Promise<GroupRow> {
  const q = mongoose.isValidObjectId(ref) && /^[a-f0-9]{24}$/i.test(ref) ? { _id: new mongoose.Types.ObjectId(ref) } : { groupId: ref };
  const g = (await VocabularyGroup.findOne(q).session(session).lean()) as GroupRow | null;
  if (!g) throw new NotFoundError();
  return g;
}

/** A new group of the bureau ("bureau/<id>"); answers its _id. */
export async function createVocabularyGroup(actor: Actor, input: unknown, opts: { via?: Via; reason?: string } = {}): Promise<string> {
  assertCan(actor, "vocabulary:edit");
  const data = parseGroupForm(input);
  await checkWordsFree(data.words, null, data.confirm);
  const _id = new mongoose.Types.ObjectId();
  await withTransaction(async (session) => {
    await VocabularyGroup.create(
      [
        {
          _id,
          groupId: `bureau/${_id.toHexString()}`,
          words: data.words,
          field: data.field,
          source: data.source || "科技局 / 技术经纪人维护",
          note: data.note,
          status: "active",
          origin: "bureau",
          edited: true,
        },
      ],
      { session },
    );
    await recordAudit(session, {
      subjectType: "vocabulary",
      subject: _id,
      action: "vocabulary.created",
      to: wordsText(data.words),
      actor,
      via: via(actor, opts.via),
      reason: opts.reason ?? null,
    });
    await bumpVocabularyVersion(session);
  });
  return _id.toHexString();
}

/** Changes a group's words (the first is the term), field, source and note. */
export async function updateVocabularyGroup(
  actor: Actor,
  ref: string,
  input: unknown,
  opts: { via?: Via; reason?: string } = {},
): Promise<void> {
  assertCan(actor, "vocabulary:edit");
  const g = await findGroup(ref);
  const data = parseGroupForm(input);
  if (g.status !== "active") throw new ConflictError("vocabulary.errors.notActive");
  await checkWordsFree(data.words, g._id, data.confirm);
  await withTransaction(async (session) => {
    const res = await VocabularyGroup.updateOne(
      { _id: g._id, status: "active", updatedAt: g.updatedAt },
      { $set: { words: data.words, field: data.field, source: data.source || g.source, note: data.note, edited: true } },
      { session },
    );
    if (res.matchedCount === 0) throw new ConflictError("vocabulary.errors.changedMeanwhile");
    await recordAudit(session, {
      subjectType: "vocabulary",
      subject: g._id,
      action: "vocabulary.edited",
      from: wordsText(g.words),
      to: wordsText(data.words),
      actor,
      via: via(actor, opts.via),
      reason: opts.reason ?? null,
    });
    await bumpVocabularyVersion(session);
  });
}

/** Adds words to a group (a proposal accepted into an existing group); the term stays first. */
export async function addWordsToGroup(actor: Actor, ref: string, words: string[], opts: { via?: Via; reason?: string } = {}) {
  const g = await findGroup(ref);
  const next = [...g.words, ...words.filter((w) => !g.words.includes(w))];
  await updateVocabularyGroup(
    actor,
    ref,
    { words: next.join("\n"), field: g.field ?? "", source: g.source, note: g.note, confirm: "on" },
    opts,
  );
}

/**
 * Merges `other` into the group `ref`: its words are added (the term of `ref` stays first), and
 * `other` is retired with `mergedInto` pointing here.
 */
export async function mergeVocabularyGroups(actor: Actor, ref: string, input: unknown, opts: { via?: Via } = {}): Promise<void> {
  assertCan(actor, "vocabulary:edit");
  const parsed = MergeGroupsSchema.safeParse(input);
  if (!parsed.success) throw new ValidationError(flattenZodErrors(parsed.error));
  const into = await findGroup(ref);
  let other: GroupRow;
  try {
    other = await findGroup(parsed.data.other);
  } catch {
    // The other group named by one of its words.
    const byWord = (await VocabularyGroup.findOne({ status: "active", words: parsed.data.other }).lean()) as GroupRow | null;
    if (!byWord) throw new ValidationError({ other: ["vocabulary.errors.otherNotFound"] });
    other = byWord;
  }
  if (String(other._id) === String(into._id)) throw new ValidationError({ other: ["vocabulary.errors.mergeSelf"] });
  if (into.status !== "active" || other.status !== "active") throw new ValidationError({ other: ["vocabulary.errors.notActive"] });
  const words = [...into.words, ...other.words.filter((w) => !into.words.includes(w))];
  await withTransaction(async (session) => {
    const a = await VocabularyGroup.updateOne(
      { _id: into._id, status: "active" },
      { $set: { words, edited: true, field: into.field ?? other.field } },
      { session },
    );
    const b = await VocabularyGroup.updateOne(
      { _id: other._id, status: "active" },
      { $set: { status: "retired", mergedInto: into.groupId, edited: true } },
      { session },
    );
    if (a.matchedCount === 0 || b.matchedCount === 0) throw new ConflictError("vocabulary.errors.changedMeanwhile");
    const v = via(actor, opts.via);
    await recordAudit(session, [
      {
        subjectType: "vocabulary",
        subject: into._id,
        action: "vocabulary.merged",
        from: wordsText(into.words),
        to: wordsText(words),
        actor,
        via: v,
        reason: other.groupId,
      },
      {
        subjectType: "vocabulary",
        subject: other._id,
        action: "vocabulary.mergedInto",
        from: wordsText(other.words),
        to: "retired",
        actor,
        via: v,
        reason: into.groupId,
      },
    ]);
    await bumpVocabularyVersion(session);
  });
}

async function setStatus(actor: Actor, ref: string, to: "active" | "retired", opts: { via?: Via; confirm?: boolean }) {
  assertCan(actor, "vocabulary:edit");
  const g = await findGroup(ref);
  const from = to === "active" ? "retired" : "active";
  if (g.status !== from) throw new ConflictError(to === "active" ? "vocabulary.errors.notRetired" : "vocabulary.errors.notActive");
  // Restoring brings its words back: the same rule as adding them.
  if (to === "active") await checkWordsFree(g.words, g._id, opts.confirm ?? false);
  await withTransaction(async (session) => {
    const res = await VocabularyGroup.updateOne(
      { _id: g._id, status: from },
      { $set: { status: to, edited: true, ...(to === "active" ? { mergedInto: null } : {}) } },
      { session },
    );
    if (res.matchedCount === 0) throw new ConflictError("vocabulary.errors.changedMeanwhile");
    await recordAudit(session, {
      subjectType: "vocabulary",
      subject: g._id,
      action: to === "active" ? "vocabulary.restored" : "vocabulary.retired",
      from,
      to,
      actor,
      via: via(actor, opts.via),
      reason: wordsText(g.words),
    });
    await bumpVocabularyVersion(session);
  });
}

/** Retires a group: search and matching no longer use it; it stays, with its history, to restore. */
export const retireVocabularyGroup = (actor: Actor, ref: string, opts: { via?: Via } = {}) => setStatus(actor, ref, "retired", opts);

/** Brings a retired group back (a word now in another active group needs confirmation). */
export const restoreVocabularyGroup = (actor: Actor, ref: string, opts: { via?: Via; confirm?: boolean } = {}) =>
  setStatus(actor, ref, "active", opts);

/**
 * The review of a newer file version of a group the bureau changed ("文件有新版本"): `take` the
 * file's words, or `keep` the bureau's; either way the notice goes.
 */
export async function resolveFileUpdate(actor: Actor, ref: string, choice: "take" | "keep", opts: { via?: Via } = {}): Promise<void> {
  assertCan(actor, "vocabulary:edit");
  const g = await findGroup(ref);
  const update = g.fileUpdate;
  if (!update?.version) throw new ConflictError("vocabulary.errors.noFileUpdate");
  const words = choice === "take" ? [...(update.words ?? [])] : [...g.words];
  await withTransaction(async (session) => {
    const res = await VocabularyGroup.updateOne(
      { _id: g._id, "fileUpdate.version": update.version },
      {
        $set: {
          words,
          fileVersion: update.version,
          fileUpdate: null,
          ...(choice === "take" ? { source: update.source ?? g.source, note: update.note ?? "" } : {}),
        },
      },
      { session },
    );
    if (res.matchedCount === 0) throw new ConflictError("vocabulary.errors.changedMeanwhile");
    await recordAudit(session, {
      subjectType: "vocabulary",
      subject: g._id,
      action: choice === "take" ? "vocabulary.fileTaken" : "vocabulary.fileSetAside",
      from: wordsText(g.words),
      to: wordsText(words),
      actor,
      via: via(actor, opts.via),
      reason: `v${update.version}`,
    });
    if (choice === "take") await bumpVocabularyVersion(session);
  });
}
