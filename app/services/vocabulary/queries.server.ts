import { VocabularyGroup } from "~/models/vocabulary-group.server.ts";
import { VocabularyFilterSchema } from "~/schemas/vocabulary.ts";
import { assertCan, type RoleHolder } from "~/utils/permissions.ts";
import { literalPattern } from "~/utils/regex.ts";
import { auditTrail, type AuditLine } from "../kernel/audit.server.ts";
import { findGroup, type GroupRow } from "./groups.server.ts";
import { vocabularyIndexState } from "./index-update.server.ts";

/** What the bureau's vocabulary pages read (issue 16, point 4). */

export interface GroupView {
  id: string;
  groupId: string;
  words: string[];
  field: string | null;
  source: string;
  note: string;
  status: "active" | "retired";
  origin: "file" | "bureau";
  edited: boolean;
  fileVersion: number | null;
  /** a newer file version waiting for review ("文件有新版本") */
  fileUpdate: { version: number; words: string[] } | null;
  mergedInto: string | null;
  updatedAt: string | null;
}

export function groupView(g: GroupRow): GroupView {
  return {
    id: String(g._id),
    groupId: g.groupId,
    words: [...g.words],
    field: g.field ?? null,
    source: g.source ?? "",
    note: g.note ?? "",
    status: g.status,
    origin: g.origin,
    edited: !!g.edited,
    fileVersion: g.fileVersion ?? null,
    fileUpdate: g.fileUpdate?.version ? { version: g.fileUpdate.version, words: [...(g.fileUpdate.words ?? [])] } : null,
    mergedInto: g.mergedInto ?? null,
    updatedAt: g.updatedAt ? new Date(g.updatedAt).toISOString() : null,
  };
}

/** How many groups a list shows at most (the filter finds the rest). */
export const VOCABULARY_LIST_LIMIT = 600;

/** The groups, by field, with an optional word filter ("which group holds this word"). */
export async function listVocabularyGroups(actor: RoleHolder, input: unknown) {
  assertCan(actor, "vocabulary:edit");
  const parsed = VocabularyFilterSchema.safeParse(input);
  const filter = parsed.success ? parsed.data : { q: "", field: "", status: "active" as const };
  const query: Record<string, unknown> = {};
  if (filter.status !== "all") query.status = filter.status;
  if (filter.field === "general") query.field = null;
  else if (filter.field) query.field = filter.field;
  if (filter.q) query.words = new RegExp(literalPattern(filter.q.normalize("NFKC")), "i");
  const [rows, total, waiting] = await Promise.all([
    VocabularyGroup.find(query)
      .sort({ field: 1, groupId: 1 })
      .limit(VOCABULARY_LIST_LIMIT + 1)
      .lean(),
    VocabularyGroup.countDocuments({ status: "active" }),
    VocabularyGroup.countDocuments({ "fileUpdate.version": { $gt: 0 } }),
  ]);
  const groups = (rows as GroupRow[]).slice(0, VOCABULARY_LIST_LIMIT).map(groupView);
  // Exact word hits first: the group of the word asked for.
  if (filter.q) groups.sort((a, b) => Number(b.words.includes(filter.q)) - Number(a.words.includes(filter.q)));
  const byField = new Map<string, GroupView[]>();
  for (const g of groups) {
    const key = g.field ?? "general";
    byField.set(key, [...(byField.get(key) ?? []), g]);
  }
  return {
    filter,
    activeTotal: total,
    fileUpdatesWaiting: waiting,
    truncated: rows.length > VOCABULARY_LIST_LIMIT,
    fields: [...byField].map(([field, list]) => ({ field, groups: list })),
    index: await vocabularyIndexState(),
  };
}

/** One group with its history (the audit log: who, when, the words before and after). */
export async function vocabularyGroupDetail(actor: RoleHolder, ref: string) {
  assertCan(actor, "vocabulary:edit");
  const g = await findGroup(ref);
  const [history, index] = await Promise.all([auditTrail("vocabulary", g._id), vocabularyIndexState()]);
  return { group: groupView(g), history: history.reverse() as AuditLine[], index };
}
