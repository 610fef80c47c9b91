import { VocabularyGroup } from "~/models/vocabulary-group.server.ts";
import { loadVocabularyFiles, type ShippedGroup } from "../../../search/synonyms.ts";

/**
 * The live groups that differ from the shipped files, in the files' format
 * (search/vocabulary/README.md), for a maintainer to review and commit (`npm run
 * vocabulary:export`): the bureau's new groups, file groups whose words, source or note the bureau
 * changed, and file groups it retired (`status: "retired"`). Each group keeps its id and says its
 * field and the file version it was based on.
 */
export interface ExportedGroup {
  id: string;
  words: string[];
  source: string;
  note?: string;
  field: string | null;
  status: "active" | "retired";
  change: "added" | "changed" | "retired";
  basedOnFileVersion: number | null;
  mergedInto?: string;
}

export interface VocabularyExport {
  $comment: string;
  field: null;
  version: number;
  groups: ExportedGroup[];
}

const same = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((w, i) => w === b[i]);

export async function exportVocabularyChanges(shipped: ShippedGroup[] = loadVocabularyFiles()): Promise<VocabularyExport> {
  const files = new Map(shipped.map((g) => [g.id, g]));
  const rows = await VocabularyGroup.find({}).sort({ groupId: 1 }).lean();
  const groups: ExportedGroup[] = [];
  for (const g of rows) {
    const file = files.get(g.groupId);
    const base = {
      id: g.groupId,
      words: [...g.words],
      source: g.source ?? "",
      ...(g.note ? { note: g.note } : {}),
      field: g.field ?? null,
      status: g.status,
      basedOnFileVersion: g.fileVersion ?? null,
      ...(g.mergedInto ? { mergedInto: g.mergedInto } : {}),
    };
    if (!file) {
      // A bureau group retired again before anybody exported it says nothing to the files.
      if (g.status === "active") groups.push({ ...base, change: "added" });
    } else if (g.status === "retired") {
      groups.push({ ...base, change: "retired" });
    } else if (!same(g.words, file.words) || (g.source ?? "") !== file.source || (g.note ?? "") !== (file.note ?? "")) {
      groups.push({ ...base, change: "changed" });
    }
  }
  return {
    $comment:
      "Live vocabulary groups that differ from search/vocabulary/*.json (npm run vocabulary:export). Review, then move each group into its field's file and raise that file's version.",
    field: null,
    version: 1,
    groups,
  };
}
