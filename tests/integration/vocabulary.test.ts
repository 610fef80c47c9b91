import { beforeAll, describe, expect, it } from "vitest";
import { AuditEvent } from "~/models/audit-event.server.ts";
import { MatchFeedback } from "~/models/match-feedback.server.ts";
import { VOCABULARY_STATE_ID, VocabularyGroup, VocabularyState } from "~/models/vocabulary-group.server.ts";
import * as groupPage from "~/routes/bureau.vocabulary.$id.tsx";
import * as listPage from "~/routes/bureau.vocabulary._index.tsx";
import * as proposalsPage from "~/routes/bureau.vocabulary.proposals.tsx";
import type { AchievementDataInput, DemandDataInput } from "~/schemas/listing.ts";
import type { SessionUser } from "~/services/accounts/accounts.server.ts";
import { createAchievement, createDemand } from "~/services/listings/commands.server.ts";
import { transitionListing } from "~/services/listings/workflow.server.ts";
import { findMatchesForDemand } from "~/services/matching/matches.server.ts";
import { resetMatchingVocabulary } from "~/services/matching/vocabulary.server.ts";
import { exportVocabularyChanges } from "~/services/vocabulary/export.server.ts";
import { runVocabularyIndexUpdate, vocabularyIndexState } from "~/services/vocabulary/index-update.server.ts";
import { vocabularyProposals } from "~/services/vocabulary/proposals.server.ts";
import { syncVocabularyFiles } from "~/services/vocabulary/sync.server.ts";
import { indexName, meili } from "../../search/client.ts";
import { ensureIndexes } from "../../search/indexes.ts";
import { forgetLiveVocabulary, liveVocabulary } from "../../search/live-vocabulary.ts";
import { clearMatchingCaches } from "../../search/matching/index.ts";
import { drainOutbox } from "../../search/outbox.ts";
import { loadVocabularyFiles, type ShippedGroup } from "../../search/synonyms.ts";
import { pageRequests } from "../support/page-requests.ts";
import { renderPage } from "../support/render-page.ts";

/**
 * The live vocabulary (issue 16, point 4, and the proposals of point 5) through the real routes,
 * MongoDB and Meilisearch: the sync from the shipped files, the bureau's edits with their
 * validation, merge, retire and restore, the audit trail, the version counter that makes matching
 * pick up a change, the index rebuild that keeps search answering, proposals from positive
 * feedback, and who may do all this.
 */
const pages = pageRequests();
const { get, post, call } = pages;
let bureau: SessionUser, broker: SessionUser, seller: SessionUser, buyer: SessionUser;
const ids: Record<string, string> = {};

type Refusal = { intent: string; reply: { error: Record<string, string[]> } };
const refusal = async (res: Response) => ((await res.json()) as Refusal).reply.error;
const groupOf = (word: string) => VocabularyGroup.findOne({ words: word, status: "active" }).lean();
const location = (res: Response) => res.headers.get("Location") ?? "";

const shippedGroup = (id: string, words: string[], fileVersion: number): ShippedGroup => ({
  id: `test-sync/${id}`,
  words,
  source: "测试 / test",
  field: "plateau-agriculture",
  file: "test-sync",
  fileVersion,
});

const achievementInput = (over: Partial<AchievementDataInput>): AchievementDataInput => ({
  title: "成果",
  summary: "摘要",
  description: "说明",
  field: "plateau-agriculture",
  keywords: [],
  ipType: "none",
  trl: 6,
  transactionModes: ["license"],
  licenseExclusivity: ["non-exclusive"],
  price: { mode: "negotiable" },
  region: "532601",
  ...over,
});
const demandInput = (over: Partial<DemandDataInput>): DemandDataInput => ({
  title: "需求",
  description: "说明",
  field: "plateau-agriculture",
  keywords: [],
  budget: { max: 50_000_000 },
  transactionModes: ["license"],
  minTrl: 6,
  region: "532623102",
  ...over,
});

async function publishAchievement(key: string, over: Partial<AchievementDataInput>) {
  const id = await createAchievement(seller, achievementInput(over));
  await transitionListing(seller, "achievement", id, "submit");
  await transitionListing(broker, "achievement", id, "approve");
  ids[key] = id;
}
async function publishDemand(key: string, over: Partial<DemandDataInput>) {
  const id = await createDemand(buyer, demandInput(over));
  await transitionListing(buyer, "demand", id, "submit");
  await transitionListing(broker, "demand", id, "approve");
  ids[key] = id;
}

beforeAll(async () => {
  await pages.init();
  bureau = await pages.person("bureau@xichou.gov.cn", ["bureau"], "西畴县科学技术局");
  broker = await pages.person("broker@agency.cn", ["broker"], "文山州科技成果转移转化服务中心");
  seller = await pages.person("lab@wsu.cn", ["seller"], "文山学院");
  buyer = await pages.person("coop@coop.cn", ["buyer"], "兴街镇合作社");
  await syncVocabularyFiles();
  await ensureIndexes();
  // A lab's words (周年饲喂), and a farmer's words for the same thing that share nothing with them (断顿);
  // no shipped group holds either.
  await publishAchievement("silage", {
    title: "全混合日粮青贮饲料技术",
    summary: "玉米秸秆青贮与全混合日粮配制。",
    description: "以玉米秸秆青贮为主料配制全混合日粮，保障肉牛周年饲喂。",
    keywords: ["青贮饲料", "全混合日粮"],
  });
  await publishDemand("noGrass", {
    title: "冬天断顿",
    description: "一到冬天就断顿。",
    keywords: ["断顿"],
  });
  // Positive pairs for proposals: enterprises say 落膘, labs write 补偿生长 (and 饲料配方); no shipped group holds them.
  await publishAchievement("fatten1", {
    title: "肉牛舍饲补偿生长技术",
    summary: "舍饲条件下的补偿生长与饲料配方。",
    description: "肉牛舍饲补偿生长，饲料配方与日增重管理。",
    keywords: ["补偿生长", "饲料配方"],
  });
  await publishAchievement("fatten2", {
    title: "黑山羊补偿生长技术",
    summary: "补偿生长期饲料配方。",
    description: "黑山羊补偿生长期的饲料配方与圈舍管理。",
    keywords: ["补偿生长", "饲料配方"],
  });
  await publishDemand("thin1", { title: "黄牛冬春落膘", description: "黄牛冬春落膘严重。", keywords: ["落膘"] });
  await publishDemand("thin2", { title: "山区养殖户的羊落膘", description: "山区的羊落膘，出栏慢。", keywords: ["落膘"] });
  // Nobody judged this one: it should find the fattening achievements once the bureau links the words.
  await publishDemand("thin3", { title: "母牛落膘", description: "母牛落膘。", keywords: ["落膘"] });
  await drainOutbox();
  resetMatchingVocabulary();
  clearMatchingCaches();
  forgetLiveVocabulary();
});

describe("the live vocabulary follows the shipped files", () => {
  it("adds new file groups, lets untouched groups follow a newer version, keeps an edited group and flags it", async () => {
    const files = loadVocabularyFiles();
    // Everything shipped is in MongoDB after the start-up sync.
    expect(await VocabularyGroup.countDocuments({ origin: "file" })).toBe(files.length);
    expect((await liveVocabulary()).groups).toContainEqual(files[0]!.words);

    const v1 = [shippedGroup("alpha", ["甲术语", "甲说法"], 1), shippedGroup("beta", ["乙术语", "乙说法"], 1)];
    expect(await syncVocabularyFiles([...files, ...v1])).toMatchObject({ added: 2 });
    // Again with nothing new: nothing happens.
    expect(await syncVocabularyFiles([...files, ...v1])).toEqual({ added: 0, updated: 0, flagged: 0 });

    // The bureau edits beta.
    const beta = (await groupOf("乙术语"))!;
    const res = await call(
      groupPage.action,
      post(`/bureau/vocabulary/${beta._id}`, bureau, { intent: "save", words: "乙术语\n乙说法\n乙土话", field: "plateau-agriculture" }),
      { id: String(beta._id) },
    );
    expect(res.status).toBe(302);

    // A new file version changes both groups and adds a third.
    const v2 = [
      shippedGroup("alpha", ["甲术语", "甲说法", "甲新说法"], 2),
      shippedGroup("beta", ["乙术语", "乙文件说法"], 2),
      shippedGroup("gamma", ["丙术语", "丙说法"], 2),
    ];
    expect(await syncVocabularyFiles([...files, ...v2])).toEqual({ added: 1, updated: 1, flagged: 1 });
    expect((await groupOf("甲术语"))!.words).toEqual(["甲术语", "甲说法", "甲新说法"]);
    expect(await groupOf("丙说法")).not.toBeNull();
    const kept = (await groupOf("乙术语"))!;
    expect(kept.words).toEqual(["乙术语", "乙说法", "乙土话"]);
    expect(kept.fileUpdate).toMatchObject({ version: 2, words: ["乙术语", "乙文件说法"] });

    // The page says so, with the file's words to review; taking them clears the notice.
    const page = await renderPage(get(`/bureau/vocabulary/${kept._id}`, bureau), groupPage, "/bureau/vocabulary/:id", pages.csrf.token);
    expect(page.html).toContain("文件有新版本");
    expect(page.html).toContain("乙术语、乙文件说法");
    // The filter finds the group of a word.
    const list = await renderPage(get("/bureau/vocabulary?q=乙说法", bureau), listPage, "/bureau/vocabulary", pages.csrf.token);
    expect(list.html.match(/data-testid="vocabulary-group"/g)).toHaveLength(1);
    expect(list.html).toContain('data-group-id="test-sync/beta"');
    expect(list.html).toContain('data-testid="file-update-badge"');
    const take = await call(groupPage.action, post(`/bureau/vocabulary/${kept._id}`, bureau, { intent: "takeFile" }), {
      id: String(kept._id),
    });
    expect(take.status).toBe(302);
    const taken = (await groupOf("乙文件说法"))!;
    expect(taken.words).toEqual(["乙术语", "乙文件说法"]);
    expect(taken.fileUpdate).toBeNull();
    expect(taken.fileVersion).toBe(2);
  });
});

describe("the bureau's edits", () => {
  it("refuses bad words with a 400 naming the field and the word", async () => {
    const add = (fields: Record<string, string>) => call(listPage.action, post("/bureau/vocabulary", bureau, fields));
    let res = await add({ words: "  " });
    expect(res.status).toBe(400);
    expect((await refusal(res)).words).toEqual(["vocabulary.errors.wordsRequired"]);
    res = await add({ words: "单独一个词" });
    expect(res.status).toBe(400);
    expect((await refusal(res)).words).toEqual(["vocabulary.errors.tooFew"]);
    res = await add({ words: "短词\n这是一个超过二十个字的非常非常非常长的词语呀" });
    expect(res.status).toBe(400);
    expect((await refusal(res)).words?.[0]).toMatch(/^vocabulary\.errors\.wordTooLong\?word=/);
    res = await add({ words: "短词\n短词" });
    expect((await refusal(res)).words?.[0]).toMatch(/^vocabulary\.errors\.wordTwice/);
    res = await add({ words: "新词一\n新词二", field: "no-such-field" });
    expect((await refusal(res)).field).toEqual(["vocabulary.errors.field"]);

    // 烂根 is in the shipped group of 根腐病: say which group, and allow it only when confirmed.
    res = await add({ words: "烂根病\n烂根" });
    expect(res.status).toBe(400);
    const [message] = (await refusal(res)).words!;
    expect(message).toContain("vocabulary.errors.wordTaken");
    expect(decodeURIComponent(message!)).toContain("word=烂根");
    expect(decodeURIComponent(message!)).toContain("term=根腐病");
    // …shown on the page, in words.
    const page = await renderPage(
      post("/bureau/vocabulary", bureau, { words: "烂根病\n烂根" }),
      listPage,
      "/bureau/vocabulary",
      pages.csrf.token,
    );
    expect(page.status).toBe(400);
    expect(page.html).toContain("「烂根」已在词组 general/legacy-02（根腐病）中");
    res = await add({ words: "烂根病\n烂根", confirm: "on" });
    expect(res.status).toBe(302);
    expect(location(res)).toMatch(/^\/bureau\/vocabulary\/[a-f0-9]{24}\?done=created$/);
  });

  it("merges two groups, retires and restores, and keeps every change in the group's history", async () => {
    const a = await call(listPage.action, post("/bureau/vocabulary", bureau, { words: "节水灌溉技术\n省水浇地", source: "推广手册" }));
    const b = await call(listPage.action, post("/bureau/vocabulary", broker, { words: "水肥同灌\n肥水同灌" }));
    const aId = /vocabulary\/([a-f0-9]{24})/.exec(location(a))![1]!;
    const bId = /vocabulary\/([a-f0-9]{24})/.exec(location(b))![1]!;

    // Merging a group into itself, or an unknown one, names the field.
    let res = await call(groupPage.action, post(`/bureau/vocabulary/${aId}`, bureau, { intent: "merge", other: "没有这个词" }), {
      id: aId,
    });
    expect(res.status).toBe(400);
    expect((await refusal(res)).other).toEqual(["vocabulary.errors.otherNotFound"]);
    res = await call(groupPage.action, post(`/bureau/vocabulary/${aId}`, bureau, { intent: "merge", other: "肥水同灌" }), { id: aId });
    expect(res.status).toBe(302);
    const merged = await VocabularyGroup.findById(aId).lean();
    expect(merged!.words).toEqual(["节水灌溉技术", "省水浇地", "水肥同灌", "肥水同灌"]);
    const other = await VocabularyGroup.findById(bId).lean();
    expect(other).toMatchObject({ status: "retired", mergedInto: `bureau/${aId}` });
    expect((await liveVocabulary()).groups).toContainEqual(["节水灌溉技术", "省水浇地", "水肥同灌", "肥水同灌"]);

    res = await call(groupPage.action, post(`/bureau/vocabulary/${aId}`, bureau, { intent: "retire" }), { id: aId });
    expect(res.status).toBe(302);
    expect((await liveVocabulary()).groups.some((g) => g.includes("省水浇地"))).toBe(false);
    // Meanwhile another group took one of its words: restoring names it and needs the confirmation.
    const taker = await call(listPage.action, post("/bureau/vocabulary", bureau, { words: "喷滴灌\n省水浇地" }));
    expect(taker.status).toBe(302);
    res = await call(groupPage.action, post(`/bureau/vocabulary/${aId}`, bureau, { intent: "restore" }), { id: aId });
    expect(res.status).toBe(400);
    expect((await refusal(res)).words?.[0]).toContain("vocabulary.errors.wordTaken");
    res = await call(groupPage.action, post(`/bureau/vocabulary/${aId}`, bureau, { intent: "restore", confirm: "on" }), { id: aId });
    expect(res.status).toBe(302);
    expect((await VocabularyGroup.findById(aId).lean())!.status).toBe("active");

    // Who, what, before and after: in the audit log and on the group's page.
    const trail = await AuditEvent.find({ subjectType: "vocabulary", subject: aId }).sort({ at: 1, _id: 1 }).lean();
    expect(trail.map((e) => e.action)).toEqual(["vocabulary.created", "vocabulary.merged", "vocabulary.retired", "vocabulary.restored"]);
    expect(trail[0]).toMatchObject({ actorName: bureau.name, to: "节水灌溉技术、省水浇地" });
    expect(trail[1]).toMatchObject({ from: "节水灌溉技术、省水浇地", to: "节水灌溉技术、省水浇地、水肥同灌、肥水同灌" });
    const bTrail = await AuditEvent.find({ subjectType: "vocabulary", subject: bId }).sort({ at: 1, _id: 1 }).lean();
    expect(bTrail.map((e) => [e.action, e.actorName])).toEqual([
      ["vocabulary.created", broker.name],
      ["vocabulary.mergedInto", bureau.name],
    ]);
    const page = await renderPage(get(`/bureau/vocabulary/${aId}`, bureau), groupPage, "/bureau/vocabulary/:id", pages.csrf.token);
    expect(page.html).toContain("并入另一组");
    expect(page.html).toContain("<del>节水灌溉技术、省水浇地</del>");
    expect(page.html).toContain(bureau.name);

    // The export for review holds the bureau's groups, not the untouched shipped ones.
    const exported = await exportVocabularyChanges();
    expect(exported.groups.find((g) => g.id === `bureau/${aId}`)).toMatchObject({ change: "added", words: merged!.words });
    expect(exported.groups.some((g) => g.id === "general/legacy-01")).toBe(false);
  });
});

describe("a change reaches matching and the index", () => {
  it("a demand that matched nothing matches once the bureau links the words (the version counter)", async () => {
    expect(await findMatchesForDemand(ids.noGrass!)).toEqual([]);
    const res = await call(
      listPage.action,
      post("/bureau/vocabulary", bureau, { words: "周年饲喂\n断顿\n冬天断顿", field: "plateau-agriculture", source: "饲草生产手册" }),
    );
    expect(res.status).toBe(302);
    clearMatchingCaches();
    const found = await findMatchesForDemand(ids.noGrass!);
    expect(found.map((m) => m.id)).toContain(ids.silage);
  });

  it("another instance's change is picked up at the next check of the version counter", async () => {
    const before = await liveVocabulary();
    // What another instance does: a group and a raised counter, without this process knowing.
    await VocabularyGroup.create({ groupId: "bureau/elsewhere", words: ["别处术语", "别处说法"], origin: "bureau", edited: true });
    await VocabularyState.updateOne({ _id: VOCABULARY_STATE_ID }, { $inc: { version: 1 }, $set: { changedAt: new Date() } });
    expect((await liveVocabulary()).groups).not.toContainEqual(["别处术语", "别处说法"]); // still cached
    const later = await liveVocabulary(Date.now() + 31_000);
    expect(later.version).toBe(before.version + 1);
    expect(later.groups).toContainEqual(["别处术语", "别处说法"]);
  });

  it("rebuilds the index with the new synonyms while searches keep answering", async () => {
    const index = meili().index(indexName("achievements"));
    expect((await vocabularyIndexState()).state).toBe("pending");
    const before = await index.search("断顿");
    expect(before.hits.map((h) => h.id)).not.toContain(ids.silage);
    let done = false;
    const rebuild = runVocabularyIndexUpdate(new Date(), { quietMs: 0 }).finally(() => {
      done = true;
    });
    const during: number[] = [];
    while (!done) {
      during.push((await index.search("青贮饲料")).hits.length);
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(await rebuild).toMatchObject({ version: expect.any(Number) });
    expect(during.length).toBeGreaterThan(0);
    expect(during.every((n) => n > 0)).toBe(true);
    // The farmer's word now finds the lab's achievement in plain search too (Meilisearch synonyms).
    expect((await index.search("断顿")).hits.map((h) => h.id)).toContain(ids.silage);
    const state = await vocabularyIndexState();
    expect(state.state).toBe("live");
    const page = await renderPage(get("/bureau/vocabulary", bureau), listPage, "/bureau/vocabulary", pages.csrf.token);
    expect(page.html).toContain("已生效");
    // Nothing changed since: the next pass does nothing.
    expect(await runVocabularyIndexUpdate(new Date(), { quietMs: 0 })).toBeNull();
  });

  it("a burst of edits makes one rebuild, once the vocabulary has been quiet", async () => {
    for (const words of ["青饲料\n鲜草", "干草\n草料"]) {
      const res = await call(listPage.action, post("/bureau/vocabulary", bureau, { words }));
      expect(res.status).toBe(302);
    }
    const { version } = (await VocabularyState.findById(VOCABULARY_STATE_ID).lean())!;
    // Right after the last edit: too soon.
    expect(await runVocabularyIndexUpdate(new Date())).toBeNull();
    expect((await vocabularyIndexState()).state).toBe("pending");
    // Quiet for a few seconds (as the job will see it): one rebuild covers both edits.
    const later = new Date(Date.now() + 4_000);
    expect(await runVocabularyIndexUpdate(later)).toMatchObject({ version });
    expect(await runVocabularyIndexUpdate(later)).toBeNull();
    expect((await vocabularyIndexState()).state).toBe("live");
  });
});

describe("proposals from positive matches", () => {
  it("proposes word pairs seen in two positive pairs; accepting makes a group matching uses, rejecting is remembered", async () => {
    const at = new Date();
    await MatchFeedback.create([
      { demand: ids.thin1, achievement: ids.fatten1, kind: "mark", verdict: "relevant", by: buyer.id, role: "owner", at },
      { demand: ids.thin2, achievement: ids.fatten2, kind: "room", verdict: "relevant", by: buyer.id, role: "buyer", at },
      // Irrelevant marks propose nothing.
      { demand: ids.noGrass, achievement: ids.fatten1, kind: "mark", verdict: "irrelevant", by: buyer.id, role: "owner", at },
    ]);
    expect((await findMatchesForDemand(ids.thin3!)).map((m) => m.id)).not.toContain(ids.fatten1);
    const { proposals } = await vocabularyProposals(bureau);
    const pairs = proposals.map((p) => `${p.demandWord}|${p.achievementWord}`);
    expect(pairs).toContain("落膘|补偿生长");
    expect(pairs).toContain("落膘|饲料配方");
    expect(proposals.find((p) => p.demandWord === "落膘" && p.achievementWord === "补偿生长")).toMatchObject({ count: 2 });
    expect(proposals.every((p) => p.count >= 2)).toBe(true);

    const page = await renderPage(
      get("/bureau/vocabulary/proposals", bureau),
      proposalsPage,
      "/bureau/vocabulary/proposals",
      pages.csrf.token,
    );
    expect(page.html).toContain('data-pair="落膘|补偿生长"');

    // Reject one: audited, and never proposed again.
    let res = await call(
      proposalsPage.action,
      post("/bureau/vocabulary/proposals", broker, { intent: "reject", demandWord: "落膘", achievementWord: "饲料配方" }),
    );
    expect(res.status).toBe(302);
    expect(
      await AuditEvent.exists({ action: "vocabulary.proposalRejected", from: "落膘", to: "饲料配方", actorName: broker.name }),
    ).toBeTruthy();
    expect((await vocabularyProposals(bureau)).proposals.some((p) => p.achievementWord === "饲料配方" && p.demandWord === "落膘")).toBe(
      false,
    );

    // Accept the other as a new group: the researchers' term first.
    res = await call(
      proposalsPage.action,
      post("/bureau/vocabulary/proposals", bureau, { intent: "accept", demandWord: "落膘", achievementWord: "补偿生长", into: "new" }),
    );
    expect(res.status).toBe(302);
    expect((await groupOf("落膘"))!.words).toEqual(["补偿生长", "落膘"]);
    expect((await vocabularyProposals(bureau)).proposals.some((p) => p.demandWord === "落膘" && p.achievementWord === "补偿生长")).toBe(
      false,
    );

    // Matching uses it: a demand in the farmer's word now finds the labs' fattening achievements.
    clearMatchingCaches();
    const found = (await findMatchesForDemand(ids.thin3!)).map((m) => m.id);
    expect(found).toContain(ids.fatten1);
  });

  it("accepting into an existing group adds the word there", async () => {
    const res = await call(
      proposalsPage.action,
      post("/bureau/vocabulary/proposals", bureau, {
        intent: "accept",
        demandWord: "瘦弱",
        achievementWord: "补偿生长",
        into: "bureau/nowhere",
      }),
    );
    expect(res.status).toBe(400);
    expect((await refusal(res)).into).toEqual(["vocabulary.errors.into"]);
    const group = (await groupOf("补偿生长"))!;
    const ok = await call(
      proposalsPage.action,
      post("/bureau/vocabulary/proposals", bureau, {
        intent: "accept",
        demandWord: "瘦弱",
        achievementWord: "补偿生长",
        into: group.groupId,
      }),
    );
    expect(ok.status).toBe(302);
    expect((await groupOf("补偿生长"))!.words).toEqual(["补偿生长", "落膘", "瘦弱"]);
  });
});

describe("who may keep the vocabulary", () => {
  it("bureau and brokers may; a seller is refused with 403; anybody else is sent to log in", async () => {
    expect((await call(listPage.loader, get("/bureau/vocabulary", bureau))).status).toBe(200);
    expect((await call(listPage.loader, get("/bureau/vocabulary", broker))).status).toBe(200);
    expect((await call(listPage.loader, get("/bureau/vocabulary", seller))).status).toBe(403);
    expect((await call(proposalsPage.loader, get("/bureau/vocabulary/proposals", seller))).status).toBe(403);
    const post403 = await call(listPage.action, post("/bureau/vocabulary", seller, { words: "甲\n乙乙" }));
    expect(post403.status).toBe(403);
    const anonymous = await call(listPage.loader, get("/bureau/vocabulary", null));
    expect(anonymous.status).toBe(302);
    expect(location(anonymous)).toMatch(/^\/login/);
  });
});
