import { z } from "zod";
import { formMessage } from "~/utils/messages.ts";
import { FIELDS } from "~/utils/taxonomy.ts";

/**
 * Inputs of the live vocabulary (issue 16, point 4): the bureau's group form, a merge, the list's
 * filter and a proposal's decision. Messages are i18n keys (app/locales/modules/vocabulary.ts).
 */
export const MAX_WORD_LENGTH = 20;
export const MAX_GROUP_WORDS = 40;

/** Words as typed in one box: one per line, or separated by spaces, commas or 、. */
export function splitWords(raw: string): string[] {
  return raw
    .split(/[\s,，、;；]+/u)
    .map((w) => w.normalize("NFKC").trim())
    .filter(Boolean);
}

const wordsField = z
  .string({ required_error: "vocabulary.errors.wordsRequired", invalid_type_error: "vocabulary.errors.wordsRequired" })
  .transform(splitWords)
  .superRefine((words, ctx) => {
    if (words.length === 0) {
      ctx.addIssue({ code: "custom", message: "vocabulary.errors.wordsRequired" });
      return;
    }
    const long = words.find((w) => w.length > MAX_WORD_LENGTH);
    if (long) ctx.addIssue({ code: "custom", message: formMessage("vocabulary.errors.wordTooLong", { word: long, max: MAX_WORD_LENGTH }) });
    const seen = new Set<string>();
    const twice = words.find((w) => (seen.has(w) ? true : (seen.add(w), false)));
    if (twice) ctx.addIssue({ code: "custom", message: formMessage("vocabulary.errors.wordTwice", { word: twice }) });
    if (words.length < 2) ctx.addIssue({ code: "custom", message: "vocabulary.errors.tooFew" });
    if (words.length > MAX_GROUP_WORDS)
      ctx.addIssue({ code: "custom", message: formMessage("vocabulary.errors.tooMany", { max: MAX_GROUP_WORDS }) });
  });

const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max, formMessage("vocabulary.errors.tooLong", { max }))
    .optional()
    .transform((s) => s ?? "");

/** A checkbox: present and not "off"/"false". */
const checkbox = z
  .union([z.string(), z.boolean()])
  .optional()
  .transform((v) => v === true || (typeof v === "string" && v !== "" && v !== "off" && v !== "false"));

export const VocabularyGroupFormSchema = z.object({
  words: wordsField,
  field: z
    .string()
    .optional()
    .transform((s) => s || null)
    .refine((s) => s === null || (FIELDS as readonly string[]).includes(s), "vocabulary.errors.field"),
  source: optionalText(300),
  note: optionalText(300),
  /** "a word already in another active group" is allowed only with this */
  confirm: checkbox,
});
export type VocabularyGroupForm = z.infer<typeof VocabularyGroupFormSchema>;

export const VOCABULARY_GROUP_FORM_FIELDS = ["words", "field", "source", "note"] as const;

export const MergeGroupsSchema = z.object({
  /** the group whose words move into this one (a groupId or the group's word) */
  other: z.string({ required_error: "vocabulary.errors.otherRequired" }).trim().min(1, "vocabulary.errors.otherRequired").max(100),
});

export const VocabularyFilterSchema = z.object({
  q: z
    .string()
    .trim()
    .max(40)
    .optional()
    .transform((s) => s ?? ""),
  field: z
    .string()
    .optional()
    .transform((s) => s ?? "")
    .refine((s) => s === "" || s === "general" || (FIELDS as readonly string[]).includes(s), "vocabulary.errors.field"),
  status: z.enum(["active", "retired", "all"]).optional().default("active"),
});
export type VocabularyFilter = z.infer<typeof VocabularyFilterSchema>;

/** Accepting a proposal: a new group, or the word added to the existing group of the other word. */
export const AcceptProposalSchema = z.object({
  demandWord: z.string().trim().min(1, "vocabulary.errors.wordsRequired").max(MAX_WORD_LENGTH),
  achievementWord: z.string().trim().min(1, "vocabulary.errors.wordsRequired").max(MAX_WORD_LENGTH),
  /** "new", or the groupId of an active group holding one of the two words */
  into: z.string({ required_error: "vocabulary.errors.into" }).trim().min(1, "vocabulary.errors.into").max(100),
});

export const RejectProposalSchema = AcceptProposalSchema.pick({ demandWord: true, achievementWord: true });
