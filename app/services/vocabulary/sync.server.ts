import type { AnyBulkWriteOperation } from "mongoose";
import { VocabularyGroup, type VocabularyGroupDoc } from "~/models/vocabulary-group.server.ts";
import { loadVocabularyFiles, type ShippedGroup } from "../../../search/synonyms.ts";
import { SYSTEM_ACTOR } from "../kernel/actor.ts";
import { recordAudit, type AuditEntry } from "../kernel/audit.server.ts";
import { bumpVocabularyVersion, wordsText } from "./groups.server.ts";

/**
 * The shipped files (search/vocabulary/*.json) into the live vocabulary, at every start-up
 * (server/main.ts, before the index settings are applied) and from tests:
 * - a group of the files that MongoDB does not have yet is added;
 * - a file group nobody edited follows a newer file version (its words, source and note);
 * - a group the bureau edited keeps the bureau's words; a newer file version of it waits in
 *   `fileUpdate` for review ("文件有新版本", groups.server.ts `resolveFileUpdate`).
 * Safe to run on several instances at once: inserts are upserts by groupId, updates are
 * conditional on the stored file version.
 */
export interface VocabularySyncResult {
  added: number;
  updated: number;
  flagged: number;
}

const same = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((w, i) => w === b[i]);

export async function syncVocabularyFiles(shipped: ShippedGroup[] = loadVocabularyFiles()): Promise<VocabularySyncResult> {
  const existing = new Map(
    (await VocabularyGroup.find({ origin: "file" }).lean()).map((g) => [g.groupId, g as VocabularyGroupDoc & { _id: unknown }]),
  );
  const ops: AnyBulkWriteOperation<VocabularyGroupDoc>[] = [];
  const audits: AuditEntry[] = [];
  let updated = 0;
  let flagged = 0;
  let changedWords = false;
  for (const g of shipped) {
    const e = existing.get(g.id);
    if (!e) {
      ops.push({
        updateOne: {
          filter: { groupId: g.id },
          update: {
            $setOnInsert: {
              groupId: g.id,
              words: g.words,
              field: g.field,
              source: g.source,
              note: g.note ?? "",
              status: "active",
              origin: "file",
              fileVersion: g.fileVersion,
              edited: false,
              fileUpdate: null,
              mergedInto: null,
            },
          },
          upsert: true,
        },
      });
      continue;
    }
    if ((e.fileVersion ?? 0) >= g.fileVersion) continue;
    const subject = e._id as AuditEntry["subject"];
    if (!e.edited) {
      const wordsChanged = !same(e.words, g.words);
      changedWords ||= wordsChanged;
      updated++;
      ops.push({
        updateOne: {
          filter: { groupId: g.id, edited: false, fileVersion: e.fileVersion },
          update: { $set: { words: g.words, field: g.field, source: g.source, note: g.note ?? "", fileVersion: g.fileVersion } },
        },
      });
      if (wordsChanged)
        audits.push({
          subjectType: "vocabulary",
          subject,
          action: "vocabulary.fileFollowed",
          from: wordsText(e.words),
          to: wordsText(g.words),
          actor: SYSTEM_ACTOR,
          via: "system",
          reason: `${g.file} v${g.fileVersion}`,
        });
    } else if (same(e.words, g.words)) {
      // The file now says what the bureau says: nothing to review.
      ops.push({ updateOne: { filter: { groupId: g.id }, update: { $set: { fileVersion: g.fileVersion, fileUpdate: null } } } });
    } else if (e.fileUpdate?.version !== g.fileVersion) {
      flagged++;
      ops.push({
        updateOne: {
          filter: { groupId: g.id },
          update: { $set: { fileUpdate: { version: g.fileVersion, words: g.words, source: g.source, note: g.note ?? "" } } },
        },
      });
      audits.push({
        subjectType: "vocabulary",
        subject,
        action: "vocabulary.fileUpdateWaiting",
        from: wordsText(e.words),
        to: wordsText(g.words),
        actor: SYSTEM_ACTOR,
        via: "system",
        reason: `${g.file} v${g.fileVersion}`,
      });
    }
  }
  let added = 0;
  if (ops.length) {
    const res = await VocabularyGroup.bulkWrite(ops, { ordered: false });
    added = res.upsertedCount;
    // Only the groups this instance inserted are recorded (another instance may have synced at the same time).
    const upserted = Object.values(res.upsertedIds ?? {});
    if (upserted.length) {
      const rows = await VocabularyGroup.find({ _id: { $in: upserted } }, { words: 1, groupId: 1 }).lean();
      for (const r of rows)
        audits.push({
          subjectType: "vocabulary",
          subject: r._id,
          action: "vocabulary.fileAdded",
          to: wordsText(r.words),
          actor: SYSTEM_ACTOR,
          via: "system",
          reason: r.groupId,
        });
    }
  }
  await recordAudit(null, audits, { bulk: true });
  if (added > 0 || changedWords) await bumpVocabularyVersion(null);
  return { added, updated, flagged };
}
