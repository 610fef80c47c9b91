/**
 * Workflow notifications (issue 13, point 7): what owners, objectors and reviewers are told about
 * a listing's review, 公示, objections, trading and expiry, in the inbox and by email; the email's
 * frame; the /notifications page's email settings. Merged into `notifications` with the match and
 * trading texts (modules/matching.ts, modules/trading.ts).
 */
const zh = {
  notifications: {
    types: {
      "listing.submitted": "{{owner}} 提交的「{{subject}}」等待审核",
      "listing.approved": "「{{subject}}」已通过审核并发布，公示期至 {{noticeEnds}}；公示期内如有异议会通知您",
      "listing.returned": "「{{subject}}」未通过审核，已退回修改。审核意见：{{reason}}",
      "listing.withdrawn": "「{{subject}}」已被平台审核人员撤回",
      "listing.withdrawn_reason": "「{{subject}}」已被平台审核人员撤回。理由：{{reason}}",
      "listing.tradingOpened": "「{{subject}}」公示期已结束且无未决异议，现已开放交易",
      "listing.expired": "「{{subject}}」已到期下架；如需继续发布，可重新打开、修改后再提交",
      "objection.filed": "「{{subject}}」在公示期内收到异议：“{{gist}}”。审核人员处理后会通知您",
      "objection.toReview": "「{{subject}}」在公示期内收到 {{by}} 的异议，等待处理：“{{gist}}”",
      "objection.upheld": "针对「{{subject}}」的异议经审核成立，该条目已退回修改。处理意见：{{resolution}}",
      "objection.dismissed": "针对「{{subject}}」的异议经审核不成立，条目继续发布。处理意见：{{resolution}}",
      "objection.yoursUpheld": "您对「{{subject}}」提出的异议经审核成立，该条目已退回修改。处理意见：{{resolution}}",
      "objection.yoursDismissed": "您对「{{subject}}」提出的异议经审核不成立，条目继续发布。处理意见：{{resolution}}",
    },
    mail: {
      greeting: "{{name}}，您好：",
      open: "查看详情",
      footer: "{{site}}。您可以在消息页选择哪些消息同时发送邮件：{{settings}}",
      subjects: {
        "listing.submitted": "待审核：「{{subject}}」",
        "listing.approved": "已通过审核：「{{subject}}」公示至 {{noticeEnds}}",
        "listing.returned": "已退回修改：「{{subject}}」",
        "listing.withdrawn": "已被撤回：「{{subject}}」",
        "listing.tradingOpened": "已开放交易：「{{subject}}」",
        "listing.expired": "已到期下架：「{{subject}}」",
        "objection.filed": "收到异议：「{{subject}}」",
        "objection.toReview": "待处理异议：「{{subject}}」",
        "objection.upheld": "异议成立，已退回：「{{subject}}」",
        "objection.dismissed": "异议不成立：「{{subject}}」",
        "objection.yoursUpheld": "您的异议成立：「{{subject}}」",
        "objection.yoursDismissed": "您的异议不成立：「{{subject}}」",
      },
    },
    mailSettings: {
      title: "邮件通知",
      intro: "以下消息在站内通知的同时发送到您的邮箱 {{email}}：",
      listings: "我的成果和需求：审核结果、公示、异议、开放交易、到期、收到的推荐（审核人员：待审核、分配给我的条目和待处理的异议）",
      trading: "交易：报价、还价、成交、竞价结果、经纪人愿意协助洽谈",
      matches: "新的匹配（每个匹配一封邮件）",
      save: "保存邮件设置",
    },
    done: { mailSaved: "邮件通知设置已保存。" },
  },
};

const en: typeof zh = {
  notifications: {
    types: {
      "listing.submitted": "“{{subject}}” from {{owner}} is waiting for review",
      "listing.approved":
        "“{{subject}}” was approved and published; its public notice runs until {{noticeEnds}}, and you will be told of any objection",
      "listing.returned": "“{{subject}}” was returned for changes. Reviewer's note: {{reason}}",
      "listing.withdrawn": "“{{subject}}” was withdrawn by the platform's reviewers",
      "listing.withdrawn_reason": "“{{subject}}” was withdrawn by the platform's reviewers. Reason: {{reason}}",
      "listing.tradingOpened": "The public notice of “{{subject}}” has ended with no open objection: it is now open for trading",
      "listing.expired": "“{{subject}}” has expired and is no longer listed; reopen it, edit it and submit it again to list it anew",
      "objection.filed":
        "An objection was filed against “{{subject}}” during its public notice: “{{gist}}”. You will be told when a reviewer decides it",
      "objection.toReview": "{{by}} objected to “{{subject}}” during its public notice; it waits for a decision: “{{gist}}”",
      "objection.upheld": "The objection against “{{subject}}” was upheld and it was returned for changes. Decision: {{resolution}}",
      "objection.dismissed": "The objection against “{{subject}}” was rejected; it stays listed. Decision: {{resolution}}",
      "objection.yoursUpheld": "Your objection against “{{subject}}” was upheld; it was returned for changes. Decision: {{resolution}}",
      "objection.yoursDismissed": "Your objection against “{{subject}}” was rejected; it stays listed. Decision: {{resolution}}",
    },
    mail: {
      greeting: "Hello {{name}},",
      open: "Open",
      footer: "{{site}}. You can choose which notifications also come by email on your notifications page: {{settings}}",
      subjects: {
        "listing.submitted": "To review: “{{subject}}”",
        "listing.approved": "Approved: “{{subject}}”, public notice until {{noticeEnds}}",
        "listing.returned": "Returned for changes: “{{subject}}”",
        "listing.withdrawn": "Withdrawn: “{{subject}}”",
        "listing.tradingOpened": "Open for trading: “{{subject}}”",
        "listing.expired": "Expired: “{{subject}}”",
        "objection.filed": "Objection filed: “{{subject}}”",
        "objection.toReview": "Objection to decide: “{{subject}}”",
        "objection.upheld": "Objection upheld, returned: “{{subject}}”",
        "objection.dismissed": "Objection rejected: “{{subject}}”",
        "objection.yoursUpheld": "Your objection was upheld: “{{subject}}”",
        "objection.yoursDismissed": "Your objection was rejected: “{{subject}}”",
      },
    },
    mailSettings: {
      title: "Email notifications",
      intro: "These notifications also go to your email address {{email}}:",
      listings:
        "My achievements and demands: review results, public notice, objections, trading opened, expiry, recommendations received (reviewers: items to review or assigned to me, objections to decide)",
      trading: "Trading: offers, counter-offers, deals, auction results, brokers offering to help",
      matches: "New matches (one email per match)",
      save: "Save email settings",
    },
    done: { mailSaved: "Email settings saved." },
  },
};

export default { "zh-CN": zh, en };
