/** The bureau's desk (/bureau, issue 15): one page that leads to each of the bureau's tasks. */
const zh = {
  nav: { bureau: "科技局工作台" },
  desk: {
    title: "科技局工作台",
    intro: "技术合同认定登记、县域统计、绩效评估、科技特派员和政策发布。",
    year: "{{year}} 年",
    registrations: {
      title: "技术合同认定登记",
      text: "审查登记申请：按期限排序，显示剩余工作日和逾期。",
      queue: "待审查 {{count}} 件",
      overdue: "其中逾期 {{count}} 件",
      open: "进入审查队列",
      settings: "登记设置",
    },
    statistics: {
      title: "县域技术合同统计",
      text: "登记合同的成交额、技术交易额及其构成，年度目标进度。",
      progress: "技术交易额 {{amount}}，目标 {{target}}（{{percent}}）",
      open: "查看统计",
      targets: "设置年度目标",
    },
    evaluation: { title: "绩效评估", text: "乡镇、企业、科技特派员和技术经纪人的评分与排名。", open: "查看评估" },
    commissioners: {
      title: "科技特派员",
      text: "特派员名录、年度选派和服务记录。",
      progress: "已选派 {{dispatched}} / {{target}} 人",
      open: "管理特派员",
    },
    policies: { title: "政策法规 · 通知公告", text: "撰写、发布和撤回政策文件与通知。", open: "发布管理", public: "公开页面" },
    vocabulary: {
      title: "匹配词表",
      text: "维护群众说法与专业术语的对应词组，处理来自匹配反馈的建议，查看匹配薄弱的需求。",
      open: "词组管理",
      proposals: "词组建议",
      weak: "匹配薄弱的需求",
    },
  },
};
const en = {
  nav: { bureau: "Bureau desk" },
  desk: {
    title: "Bureau desk",
    intro: "Technology-contract registration, county statistics, performance evaluation, S&T commissioners and policies.",
    year: "{{year}}",
    registrations: {
      title: "Technology-contract registration",
      text: "Review applications, ordered by deadline, with the working days left and what is overdue.",
      queue: "{{count}} waiting for review",
      overdue: "{{count}} of them overdue",
      open: "Open the review queue",
      settings: "Registration settings",
    },
    statistics: {
      title: "County statistics",
      text: "Registered contracts' amounts and technology amounts, their breakdowns, and the year's target.",
      progress: "Technology amount {{amount}} of the target {{target}} ({{percent}})",
      open: "Open the dashboard",
      targets: "Set yearly targets",
    },
    evaluation: {
      title: "Performance evaluation",
      text: "Scores and rankings of towns, enterprises, commissioners and brokers.",
      open: "Open the evaluation",
    },
    commissioners: {
      title: "S&T commissioners",
      text: "The registry, yearly assignments and the activity log.",
      progress: "{{dispatched}} of {{target}} dispatched",
      open: "Manage commissioners",
    },
    policies: {
      title: "Policies and notices",
      text: "Write, publish and withdraw policies and notices.",
      open: "Publishing",
      public: "Public pages",
    },
    vocabulary: {
      title: "Matching vocabulary",
      text: "Keep the groups linking people's words to researchers' terms, review proposals from match feedback, see weakly matched demands.",
      open: "Groups",
      proposals: "Proposals",
      weak: "Weakly matched demands",
    },
  },
};
export default { "zh-CN": zh, en };
