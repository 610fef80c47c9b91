/**
 * 推荐我的成果 and 已解决 on a demand's page (issue 13, point 9 and point 3): the form, the owner's
 * list, the solve form, their errors, the notification and the room's line. Same keys in both
 * languages (merged into `common` by app/utils/i18n.ts).
 */
const zh = {
  recommendations: {
    title: "推荐的成果",
    intro: "成果方或技术经纪人主动向本需求推荐的成果，每条推荐都已为您开启洽谈室。",
    empty: "暂无推荐。",
    by: "推荐人：{{name}}",
    byOrg: "推荐人：{{name}}（{{org}}）",
    broker: "技术经纪人",
    note: "推荐说明",
    openRoom: "进入洽谈室",
    recommendedAt: "推荐于 {{date}}",
    noOptions: "您暂无可推荐的成果：成果需处于公示中或交易中，且尚未推荐给本需求。",
    form: {
      title: "推荐我的成果",
      intro: "把您的成果推荐给需求方：平台会为双方开启洽谈室，并通知需求方。",
      brokerIntro: "作为技术经纪人，您可以推荐平台上任何在公示中或交易中的成果，并作为居间人加入洽谈室。",
      achievement: "推荐的成果",
      choose: "请选择成果",
      note: "推荐说明（选填）",
      noteHint: "将作为洽谈室的第一条消息发给需求方，最多 1000 字",
      submit: "推荐并发起洽谈",
    },
    mine: {
      title: "我方已推荐的成果",
    },
    solve: {
      title: "需求已解决？",
      intro: "标记为已解决后，本需求不再参与匹配、不再接受推荐，并在列表和搜索中显示“已解决”。",
      achievement: "解决本需求的成果（选填）",
      none: "不指明",
      submit: "标记为已解决",
    },
    solved: {
      line: "本需求已于 {{date}} 解决。",
      by: "解决方案：",
      noMatching: "本需求已解决，不再匹配新的成果，也不再接受推荐。",
    },
    errors: {
      roleRequired: "只有成果方（出让方）或技术经纪人可以推荐成果",
      ownDemand: "不能向自己机构的需求推荐成果",
      demandSolved: "该需求已解决，不再接受推荐",
      demandNotOpen: "该需求当前不接受推荐",
      achievementRequired: "请选择要推荐的成果",
      achievementUnknown: "找不到该成果",
      notYours: "只能推荐本机构的成果（技术经纪人除外）",
      notOnOffer: "只能推荐公示中或交易中的成果",
      sameOrganization: "该成果与需求属于同一机构",
      duplicate: "该成果已推荐给此需求，请在洽谈室继续沟通",
      noDemandContact: "需求方暂无可联系的账号，无法推荐",
      noteTooLong: "推荐说明最多 1000 字",
      solutionUnknown: "找不到所选的成果",
      listOwnerOnly: "只有需求方、技术经纪人和管理员可以查看该需求收到的推荐",
    },
  },
  listing: { actions: { recommended: "推荐成果" } },
  listingUi: {
    done: {
      recommended: "已推荐，洽谈室已开启，需求方已收到通知。",
      solve: "需求已标记为已解决。",
    },
  },
  notifications: {
    types: {
      "demand.recommended": "{{by}} 向您的需求「{{subject}}」推荐了成果「{{counterpart}}」，洽谈室已开启",
    },
  },
  rooms: { system: { recommended: "{{by}} 针对需求「{{demand}}」推荐了本成果" } },
};

const en: typeof zh = {
  recommendations: {
    title: "Recommended achievements",
    intro: "Achievements that their owners or brokers recommended for this demand; each opened a deal room with you.",
    empty: "No recommendations yet.",
    by: "Recommended by {{name}}",
    byOrg: "Recommended by {{name}} ({{org}})",
    broker: "Broker",
    note: "Note",
    openRoom: "Open the deal room",
    recommendedAt: "Recommended on {{date}}",
    noOptions: "You have no achievement to recommend: it must be in its public notice or trading, and not yet recommended for this demand.",
    form: {
      title: "Recommend my achievement",
      intro: "Put one of your achievements before this demand's owner: a deal room opens for both of you and they are notified.",
      brokerIntro: "As a broker you may recommend any achievement in its public notice or trading, and you join the room as its mediator.",
      achievement: "Achievement",
      choose: "Choose an achievement",
      note: "Note (optional)",
      noteHint: "Sent to the demand's owner as the room's first message; at most 1000 characters",
      submit: "Recommend and open a deal room",
    },
    mine: {
      title: "Recommended by you or your organisation",
    },
    solve: {
      title: "Solved?",
      intro: "A solved demand leaves matching, takes no more recommendations and shows “Solved” in lists and search.",
      achievement: "The achievement that solved it (optional)",
      none: "Not named",
      submit: "Mark as solved",
    },
    solved: {
      line: "This demand was solved on {{date}}.",
      by: "Solved by: ",
      noMatching: "This demand is solved: no more matches and no more recommendations.",
    },
    errors: {
      roleRequired: "Only sellers and brokers can recommend achievements",
      ownDemand: "You cannot recommend to your own organisation's demand",
      demandSolved: "This demand is solved and takes no more recommendations",
      demandNotOpen: "This demand does not take recommendations now",
      achievementRequired: "Choose the achievement to recommend",
      achievementUnknown: "No such achievement",
      notYours: "You can recommend only your organisation's achievements (brokers excepted)",
      notOnOffer: "Only achievements in their public notice or trading can be recommended",
      sameOrganization: "The achievement belongs to the demand's own organisation",
      duplicate: "This achievement was already recommended for this demand; continue in the deal room",
      noDemandContact: "The demand's owner has no account to talk to yet",
      noteTooLong: "The note can be at most 1000 characters",
      solutionUnknown: "The chosen achievement cannot be found",
      listOwnerOnly: "Only the demand's owner, brokers and admins can see the recommendations it received",
    },
  },
  listing: { actions: { recommended: "Achievement recommended" } },
  listingUi: {
    done: {
      recommended: "Recommended: the deal room is open and the demand's owner was notified.",
      solve: "The demand is marked as solved.",
    },
  },
  notifications: {
    types: {
      "demand.recommended": "{{by}} recommended “{{counterpart}}” for your demand “{{subject}}”; a deal room is open",
    },
  },
  rooms: { system: { recommended: "{{by}} recommended this achievement for the demand “{{demand}}”" } },
};

export default { "zh-CN": zh, en };
