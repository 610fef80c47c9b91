/**
 * Strings of match feedback (相关 / 不相关, the re-ranking's reasons) and of the weak demands page
 * (issue 16, decision 031); same keys in both languages (merged into `common` by app/utils/i18n.ts).
 */
const zh = {
  matching: {
    reasons: {
      feedbackMarked: "经办人确认相关",
      feedbackEngaged: { room: "已洽谈", offer: "已报价", deal: "已成交" },
    },
  },
  matchFeedback: {
    relevant: "相关",
    irrelevant: "不相关",
    undo: "撤销",
    markedRelevant: "已确认相关",
    markedByMe: "我已标为相关",
    markRelevantInstead: "改为相关",
    hiddenTitle: "已标为不相关 ({{count}})",
    hiddenIntro: "这些成果已被标为不相关，不再出现在匹配列表中，也不再发送匹配通知。",
    errors: {
      notAJudge: "只有需求方和经纪人可以标记匹配",
      verdict: "verdict 应为 relevant、irrelevant 或 null",
      counterpart: "缺少要标记的条目",
    },
  },
  listingUi: {
    done: {
      matchRelevant: "已标为相关。",
      matchIrrelevant: "已标为不相关，该匹配不再显示。",
      matchUnmarked: "已撤销标记。",
    },
  },
  weakDemands: {
    title: "匹配薄弱的需求",
    intro:
      "公开且尚未解决的需求中，最佳匹配的匹配度低于 {{percent}}% 的需求（最新的在前）。“没有找到成果的词”是需求里任何成果都没有用到的词：可以在词表中为它们添加同义词。",
    computing: "正在计算：每页最多计算 {{count}} 条需求的匹配，可能需要几秒钟。",
    empty: "这一页没有匹配薄弱的需求。",
    best: "最佳匹配度 {{percent}}%",
    noMatch: "没有任何匹配",
    unmatchedWords: "没有找到成果的词",
    noUnmatchedWords: "（每个词都有成果用到，可能需要同义词把说法连起来）",
    checked: "本页检查了 {{from}}–{{to}} 条公开需求，共 {{total}} 条。",
    previous: "上一页",
    next: "下一页",
    unavailable: "匹配暂不可用，请稍后刷新。",
    errors: { page: "page 应为正整数" },
  },
};

const en: typeof zh = {
  matching: {
    reasons: {
      feedbackMarked: "Confirmed relevant by the people handling it",
      feedbackEngaged: { room: "In negotiation", offer: "Offer made", deal: "Deal made" },
    },
  },
  matchFeedback: {
    relevant: "Relevant",
    irrelevant: "Not relevant",
    undo: "Undo",
    markedRelevant: "Confirmed relevant",
    markedByMe: "I marked it relevant",
    markRelevantInstead: "Mark relevant",
    hiddenTitle: "Marked not relevant ({{count}})",
    hiddenIntro: "These achievements were marked not relevant: they no longer appear among the matches and are not notified.",
    errors: {
      notAJudge: "Only the demand's organisation and brokers can mark matches",
      verdict: "verdict must be relevant, irrelevant or null",
      counterpart: "Which item to mark is missing",
    },
  },
  listingUi: {
    done: {
      matchRelevant: "Marked relevant.",
      matchIrrelevant: "Marked not relevant: the match is no longer shown.",
      matchUnmarked: "Mark withdrawn.",
    },
  },
  weakDemands: {
    title: "Weakly matched demands",
    intro:
      "Public, unsolved demands whose best match scores below {{percent}}%, newest first. “Words that found nothing” are the demand's words no achievement uses: add synonyms for them in the vocabulary.",
    computing: "Computing: matches are computed for at most {{count}} demands a page, which can take a few seconds.",
    empty: "No weakly matched demands on this page.",
    best: "Best match {{percent}}%",
    noMatch: "No match at all",
    unmatchedWords: "Words that found nothing",
    noUnmatchedWords: "(every word is used by some achievement; synonyms may be needed to connect the wording)",
    checked: "This page checked public demands {{from}}–{{to}} of {{total}}.",
    previous: "Previous",
    next: "Next",
    unavailable: "Matching is unavailable right now; reload a little later.",
    errors: { page: "page must be a positive whole number" },
  },
};

export default { "zh-CN": zh, en };
