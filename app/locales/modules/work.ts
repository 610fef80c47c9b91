/**
 * Strings of the brokers' work (issue 13, point 12): the review queue's assignment and the review
 * page's warnings, and the broker's work page (/work). Same keys in both languages (merged into
 * `common` by app/utils/i18n.ts).
 */
const zh = {
  nav: { work: "经纪工作台" },
  review: {
    errors: {
      openFirst: "请先打开该条目的审核页面，查看内容和提醒后再批准",
      notSubmitted: "该条目当前不在待审核状态",
      ownItem: "这是您所在机构的条目，需由其他审核人员审核",
      notAReviewer: "请选择一位技术经纪人或管理员",
      assigneeOwns: "该审核人员属于条目所在机构，不能审核此条目",
    },
  },
  listing: { actions: { assignReview: "分配审核" } },
  listingUi: { done: { assigned: "已分配审核人员，并已通知对方。" } },
  reviewWork: {
    openToReview: "打开审核",
    assignLabel: "分配给",
    choose: "请选择审核人员",
    assign: "分配",
    assignedTo: "已分配给 {{name}}",
    assignedToYou: "已分配给您（由 {{by}} 分配）",
    assignedToMeBadge: "分配给我",
    unassigned: "尚未分配审核人员",
    assignedToMe: "分配给我的",
    showAll: "显示全部待审核条目",
    panelTitle: "审核提醒",
    noWarnings: "未发现需要特别注意的问题。",
    warnings: {
      noEvidence: "未上传任何证明材料（检测报告、专利证书等）。",
      sameTitle: "与另一条目同名（{{owner}}）：",
      highTrlNoReport: "自报成熟度达到 TRL 7 及以上，但没有上传检测报告或中试报告。",
      priceFarAbove: "挂牌价高于本领域公开成果挂牌价中位数（{{median}}）的 10 倍以上，请核实。",
      priceFarBelow: "挂牌价不到本领域公开成果挂牌价中位数（{{median}}）的十分之一，请核实。",
      deadlinePassed: "需求的截止日期已过。",
      ownerUnverified: "所属机构尚未经平台认证，请核实其身份和权属。",
    },
  },
  brokerWork: {
    title: "经纪工作台",
    intro: "按您关注的技术领域和地区，列出尚无技术经纪人参与的洽谈和交易。表示愿意协助后，双方会收到站内消息，可在洽谈室按邮箱邀请您加入。",
    prefsTitle: "我的关注领域和地区",
    prefsHint: "不选表示不限。",
    fields: "技术领域",
    regions: "地区（云南省各州市）",
    save: "保存",
    roomsTitle: "可协助的洽谈",
    dealsTitle: "可协助的交易",
    emptyRooms: "暂无符合条件、尚无经纪人的洽谈。",
    emptyDeals: "暂无符合条件、尚无经纪人的交易。",
    since: "开始于 {{date}}",
    dealSince: "成交于 {{date}}",
    offerHelp: "表示愿意协助",
    offered: "已表示愿意协助，等待双方邀请",
    done: { prefsSaved: "关注领域和地区已保存。", helpOffered: "已通知双方：您愿意协助。" },
    errors: {
      notFound: "未找到该洽谈或交易，或已有经纪人参与",
      alreadyOffered: "您已表示过愿意协助",
      alreadyMember: "您已在该洽谈室中",
      field: "请选择有效的技术领域",
      region: "请选择有效的地区",
    },
  },
  notifications: {
    types: {
      "review.assigned": "{{by}} 将「{{subject}}」分配给您审核",
      "room.brokerOffer": "技术经纪人 {{broker}}（{{email}}）愿意协助「{{subject}}」的洽谈与交易，可在洽谈室按邮箱邀请其加入",
    },
  },
};

const en: typeof zh = {
  nav: { work: "Broker work" },
  review: {
    errors: {
      openFirst: "Open the item's review page and read it and its warnings before approving",
      notSubmitted: "This item is not awaiting review",
      ownItem: "This item belongs to your organisation; another reviewer must review it",
      notAReviewer: "Choose a technology broker or an admin",
      assigneeOwns: "This reviewer belongs to the item's organisation and cannot review it",
    },
  },
  listing: { actions: { assignReview: "Assign review" } },
  listingUi: { done: { assigned: "Reviewer assigned and notified." } },
  reviewWork: {
    openToReview: "Open to review",
    assignLabel: "Assign to",
    choose: "Choose a reviewer",
    assign: "Assign",
    assignedTo: "Assigned to {{name}}",
    assignedToYou: "Assigned to you (by {{by}})",
    assignedToMeBadge: "Assigned to me",
    unassigned: "No reviewer assigned yet",
    assignedToMe: "Assigned to me",
    showAll: "Show every submission",
    panelTitle: "Review warnings",
    noWarnings: "Nothing that needs special attention was found.",
    warnings: {
      noEvidence: "No evidence uploaded (test reports, patent certificates …).",
      sameTitle: "Same title as another item ({{owner}}):",
      highTrlNoReport: "Claims TRL 7 or higher but has no test or pilot report.",
      priceFarAbove: "The price is more than 10 times the median fixed price of public achievements in its field ({{median}}); check it.",
      priceFarBelow: "The price is less than a tenth of the median fixed price of public achievements in its field ({{median}}); check it.",
      deadlinePassed: "The demand's deadline has passed.",
      ownerUnverified: "The owning organisation has not been verified by the platform; check who they are and what they own.",
    },
  },
  brokerWork: {
    title: "Broker work",
    intro:
      "Negotiations and deals without a technology broker, in the fields and regions you follow. Offer your help and both parties are told in-app; they can invite you into the deal room by your email.",
    prefsTitle: "Fields and regions I follow",
    prefsHint: "None ticked means any.",
    fields: "Fields",
    regions: "Regions (Yunnan prefectures)",
    save: "Save",
    roomsTitle: "Negotiations you could help in",
    dealsTitle: "Deals you could help in",
    emptyRooms: "No negotiation without a broker matches.",
    emptyDeals: "No deal without a broker matches.",
    since: "Since {{date}}",
    dealSince: "Agreed on {{date}}",
    offerHelp: "Offer my help",
    offered: "Help offered; waiting for an invitation",
    done: { prefsSaved: "Fields and regions saved.", helpOffered: "Both parties were told you offer your help." },
    errors: {
      notFound: "No such negotiation or deal, or it already has a broker",
      alreadyOffered: "You already offered your help",
      alreadyMember: "You are already in this deal room",
      field: "Choose valid fields",
      region: "Choose valid regions",
    },
  },
  notifications: {
    types: {
      "review.assigned": "{{by}} assigned “{{subject}}” to you for review",
      "room.brokerOffer":
        "The technology broker {{broker}} ({{email}}) offers to help with “{{subject}}”; invite them into the deal room by their email",
    },
  },
};

export default { "zh-CN": zh, en };
