import mongoose from "mongoose";
import { Achievement } from "~/models/achievement.server.ts";
import { Demand } from "~/models/demand.server.ts";
import { MatchFeedback } from "~/models/match-feedback.server.ts";
import { VocabularyGroup, VocabularyRejection } from "~/models/vocabulary-group.server.ts";
import { flattenZodErrors } from "~/schemas/listing.ts";
import { AcceptProposalSchema, RejectProposalSchema } from "~/schemas/vocabulary.ts";
import { ValidationError } from "~/utils/errors.ts";
import { assertCan, type RoleHolder } from "~/utils/permissions.ts";
import { liveVocabulary } from "../../../search/live-vocabulary.ts";
import { normalize, termsOf, type Lexicon, type Term } from "../../../search/matching/terms.ts";
import type { Actor, Via } from "../kernel/actor.ts";
import { recordAudit } from "../kernel/audit.server.ts";
import { withTransaction } from "../kernel/tx.server.ts";
import { keywordVocabulary } from "../matching/vocabulary.server.ts";
import { addWordsToGroup, createVocabularyGroup } from "./groups.server.ts";

/**
 * Vocabulary proposals from use (issue 16, point 5, last sentence). In every demand–achievement
 * pair somebody judged relevant (a 相关 mark, a room, an offer or a deal from the match), the
 * demand's words that the achievement does not contain are paired with the achievement's core
 * words that the demand does not contain: the two sides said the same thing in different words.
 * A word pair seen in at least PROPOSAL_MIN_PAIRS distinct positive pairs, not already in one
 * group and not rejected before, is proposed to the bureau with its count and example pairs.
 * Computed on page load over the most recent PROPOSAL_PAIR_CAP positive pairs.
 */
export const PROPOSAL_MIN_PAIRS = 2;
export const PROPOSAL_PAIR_CAP = 2_000;
const DEMAND_WORDS = 8;
const ACHIEVEMENT_CORE_WORDS = 6;
const MAX_PROPOSALS = 100;

export interface ProposalExample {
  demandId: string;
  demandTitle: string;
  achievementId: string;
  achievementTitle: string;
}

export interface VocabularyProposal {
  demandWord: string;
  achievementWord: string;
  /** distinct positive pairs the word pair was seen in */
  count: number;
  examples: ProposalExample[];
  /** the active groups that already hold one of the two words (accepting can add the other word there) */
  groups: { groupId: string; words: string[]; holds: "demand" | "achievement" }[];
}

/**
 * A word the listing puts forward: in its keywords or title, or a dictionary word anywhere. Words the
 * segmenter cut from a long description (坡面, 重力) pair with everything and propose noise.
 */
const salient = (t: Term) => t.known || t.zones.includes("keywords") || t.zones.includes("title");

const pairKey = (demandWord: string, achievementWord: string) => `${demandWord}|${achievementWord}`;

function sameGroup(lexicon: Lexicon, a: string, b: string): boolean {
  const ga = lexicon.groupsOf.get(normalize(a)) ?? [];
  const gb = lexicon.groupsOf.get(normalize(b)) ?? [];
  return ga.some((g) => gb.includes(g));
}

/** The proposals, most frequent first. */
export async function vocabularyProposals(
  actor: RoleHolder,
  opts: { minPairs?: number; cap?: number } = {},
): Promise<{ proposals: VocabularyProposal[]; pairsRead: number; capped: boolean }> {
  assertCan(actor, "vocabulary:edit");
  const cap = opts.cap ?? PROPOSAL_PAIR_CAP;
  const pairs = (await MatchFeedback.aggregate([
    { $match: { verdict: "relevant" } },
    { $group: { _id: { demand: "$demand", achievement: "$achievement" }, at: { $max: "$at" } } },
    { $sort: { at: -1 } },
    { $limit: cap + 1 },
  ])) as { _id: { demand: mongoose.Types.ObjectId; achievement: mongoose.Types.ObjectId } }[];
  const capped = pairs.length > cap;
  const used = pairs.slice(0, cap);
  const [demands, achievements, rejected, live, vocabulary] = await Promise.all([
    Demand.find({ _id: { $in: used.map((p) => p._id.demand) } }, { title: 1, description: 1, keywords: 1 }).lean(),
    Achievement.find({ _id: { $in: used.map((p) => p._id.achievement) } }, { title: 1, summary: 1, description: 1, keywords: 1 }).lean(),
    VocabularyRejection.find({}, { pair: 1 }).lean(),
    liveVocabulary(),
    keywordVocabulary(),
  ]);
  const demandById = new Map(demands.map((d) => [String(d._id), d]));
  const achievementById = new Map(achievements.map((a) => [String(a._id), a]));
  const rejectedPairs = new Set(rejected.map((r) => r.pair));
  const seen = new Map<string, { demandWord: string; achievementWord: string; pairs: Set<string>; examples: ProposalExample[] }>();
  for (const p of used) {
    const d = demandById.get(String(p._id.demand));
    const a = achievementById.get(String(p._id.achievement));
    if (!d || !a) continue;
    const dListing = { keywords: d.keywords ?? [], title: d.title, description: d.description };
    const aListing = { keywords: a.keywords ?? [], title: a.title, summary: a.summary ?? "", description: a.description };
    const dText = normalize([dListing.keywords.join(" "), dListing.title, dListing.description].join(" "));
    const aText = normalize([aListing.keywords.join(" "), aListing.title, aListing.summary, aListing.description].join(" "));
    const dWords = termsOf(dListing, live.lexicon, vocabulary)
      .filter(salient)
      .filter((t) => !t.words.some((w) => aText.includes(w)))
      .slice(0, DEMAND_WORDS)
      .map((t) => t.label);
    const aWords = termsOf(aListing, live.lexicon, vocabulary, ACHIEVEMENT_CORE_WORDS)
      .filter(salient)
      .filter((t) => !t.words.some((w) => dText.includes(w)))
      .map((t) => t.label);
    const pair = `${String(p._id.demand)}|${String(p._id.achievement)}`;
    for (const dw of dWords) {
      for (const aw of aWords) {
        if (dw === aw || dw.length > 20 || aw.length > 20) continue;
        const key = pairKey(dw, aw);
        if (rejectedPairs.has(key)) continue;
        let entry = seen.get(key);
        if (!entry) seen.set(key, (entry = { demandWord: dw, achievementWord: aw, pairs: new Set(), examples: [] }));
        if (entry.pairs.has(pair)) continue;
        entry.pairs.add(pair);
        if (entry.examples.length < 3)
          entry.examples.push({ demandId: String(d._id), demandTitle: d.title, achievementId: String(a._id), achievementTitle: a.title });
      }
    }
  }
  const min = opts.minPairs ?? PROPOSAL_MIN_PAIRS;
  const chosen = [...seen.values()]
    .filter((e) => e.pairs.size >= min && !sameGroup(live.lexicon, e.demandWord, e.achievementWord))
    .sort((x, y) => y.pairs.size - x.pairs.size || x.demandWord.localeCompare(y.demandWord))
    .slice(0, MAX_PROPOSALS);
  const words = [...new Set(chosen.flatMap((e) => [e.demandWord, e.achievementWord]))];
  const holders = await VocabularyGroup.find({ status: "active", words: { $in: words } }, { groupId: 1, words: 1 }).lean();
  return {
    pairsRead: used.length,
    capped,
    proposals: chosen.map((e) => ({
      demandWord: e.demandWord,
      achievementWord: e.achievementWord,
      count: e.pairs.size,
      examples: e.examples,
      groups: holders
        .filter((g) => g.words.includes(e.demandWord) || g.words.includes(e.achievementWord))
        .map((g) => ({
          groupId: g.groupId,
          words: [...g.words],
          holds: g.words.includes(e.demandWord) ? ("demand" as const) : ("achievement" as const),
        })),
    })),
  };
}

/**
 * Accepts a proposal: a new group (the achievement's word first: it is the researchers' term), or
 * the other word added to the existing group of one of the two (`into`: that group's groupId).
 * Answers the group's groupId.
 */
export async function acceptVocabularyProposal(actor: Actor, input: unknown, opts: { via?: Via } = {}): Promise<string> {
  assertCan(actor, "vocabulary:edit");
  const parsed = AcceptProposalSchema.safeParse(input);
  if (!parsed.success) throw new ValidationError(flattenZodErrors(parsed.error));
  const { demandWord, achievementWord, into } = parsed.data;
  const reason = `提议 / proposal: ${demandWord} ↔ ${achievementWord}`;
  if (into === "new") {
    const id = await createVocabularyGroup(
      actor,
      { words: `${achievementWord}\n${demandWord}`, source: "匹配反馈提议 / proposed from positive match feedback", confirm: "on" },
      { via: opts.via, reason },
    );
    return `bureau/${id}`;
  }
  const group = await VocabularyGroup.findOne({ groupId: into, status: "active" }, { words: 1 }).lean();
  if (!group || !(group.words.includes(demandWord) || group.words.includes(achievementWord)))
    throw new ValidationError({ into: ["vocabulary.errors.into"] });
  await addWordsToGroup(actor, into, [demandWord, achievementWord], { via: opts.via, reason });
  return into;
}

/** Rejects a proposal: the word pair is never proposed again. */
export async function rejectVocabularyProposal(actor: Actor, input: unknown, opts: { via?: Via } = {}): Promise<void> {
  assertCan(actor, "vocabulary:edit");
  const parsed = RejectProposalSchema.safeParse(input);
  if (!parsed.success) throw new ValidationError(flattenZodErrors(parsed.error));
  const { demandWord, achievementWord } = parsed.data;
  const pair = pairKey(demandWord, achievementWord);
  await withTransaction(async (session) => {
    const doc = await VocabularyRejection.findOneAndUpdate(
      { pair },
      {
        $setOnInsert: {
          pair,
          demandWord,
          achievementWord,
          by: actor.id ? new mongoose.Types.ObjectId(actor.id) : null,
          byName: actor.name,
        },
      },
      { upsert: true, returnDocument: "after", session },
    ).lean();
    await recordAudit(session, {
      subjectType: "vocabulary",
      subject: doc!._id,
      action: "vocabulary.proposalRejected",
      from: demandWord,
      to: achievementWord,
      actor,
      via: opts.via ?? (actor.system ? "system" : "ui"),
      reason: pair,
    });
  });
}
