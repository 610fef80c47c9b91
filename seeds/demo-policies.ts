import { Policy } from "~/models/policy.server.ts";
import { User } from "~/models/user.server.ts";
import { getSessionUserById } from "~/services/accounts/accounts.server.ts";
import { createPolicy, publishPolicy, withdrawPolicy } from "~/services/policies/commands.server.ts";
import type { PolicyKind, PolicyStatus } from "~/utils/policies.ts";

/**
 * Demo policies and notices (issue 15, points 8 and 11), written for this platform: each body is
 * the platform's own summary of what the document means for its users, citing the real document
 * and pointing to the official text — never the official text itself. Where a fact could not be
 * checked (a date, a 2026 document's issuing body and number) it is left empty rather than made
 * up: the 2026 registration rules stay a draft until the bureau fills them in from the official
 * text. One notice is withdrawn (it rested on the 2000 rules). Made through the same commands the
 * bureau's pages use, by the demo bureau user; idempotent by `seedKey`.
 */
interface DemoPolicy {
  key: string;
  kind: PolicyKind;
  status: PolicyStatus;
  title: string;
  docNumber?: string;
  issuer: string;
  issuedOn?: string;
  effectiveOn?: string;
  summary: string;
  body: string;
  publishedAt?: string;
  withdrawnAt?: string;
  withdrawReason?: string;
}

const OFFICIAL = "> 本页是平台编写的要点摘要，便于查找和理解，不是正式文本；适用时请以发文机关公布的正式文本为准。";

export const DEMO_POLICIES: DemoPolicy[] = [
  {
    key: "county-plan-2019",
    kind: "policy",
    status: "published",
    title: "西畴县促进科技成果转移转化实施方案",
    docNumber: "西政办发〔2019〕114号",
    issuer: "西畴县人民政府办公室",
    summary: "本平台据以建设的县级方案：技术合同交易额目标、成果转化收入 60% 归完成团队、每年选派科技特派员。",
    publishedAt: "2026-01-05T09:00:00+08:00",
    body: `${OFFICIAL}

## 这份方案和本平台的关系

西畴县科技成果转移转化交易平台就是为落实这份方案而建的。方案提出的几件事，在平台上都有对应的地方：

| 方案要求 | 在平台上 |
| --- | --- |
| 技术合同交易额达到目标（到 2025 年超过 200 万元） | 科技局的统计看板按年显示登记的技术合同交易额和目标进度 |
| 成果转化收入的 60% 归成果完成团队 | 签订技术合同时，合同中写明收益分配；平台按合同记录各方应得款项 |
| 每年选派科技特派员（100 名）到企业、合作社和村 | 科技特派员名册、年度选派和服务记录 |
| 对乡镇、企业和科技特派员进行绩效评估 | 科技局的绩效评估页面，指标来自平台上的真实记录 |
| 发布政策，汇交成果信息 | 本栏目；开放数据接口与州级平台交换成果和需求 |

## 对成果持有方

- 高校、院所和企业可以在平台发布科技成果，写明转让、许可、作价投资或合作开发的方式和价格。
- 成果转化取得的收入，方案要求将 60% 用于成果完成团队。签约前请在合同的分配条款中写清楚团队成员和比例。

## 对企业

- 在平台发布技术需求，平台会推荐可能解决问题的成果；也可以请技术经纪人协助洽谈。
- 签订的技术合同可以向科技局申请认定登记，登记后的合同可能享受税收优惠（由税务机关认定）。

## 对乡镇

- 科技特派员的选派、服务和绩效评估按年度进行，乡镇可在平台查看本乡镇的技术合同和服务情况。
`,
  },
  {
    key: "law-2015",
    kind: "policy",
    status: "published",
    title: "中华人民共和国促进科技成果转化法（2015年修正）",
    docNumber: "中华人民共和国主席令第三十二号",
    issuer: "全国人民代表大会常务委员会",
    issuedOn: "2015-08-29",
    effectiveOn: "2015-10-01",
    summary: "科技成果转化的基本法律：单位自主处置成果，转化收入留归单位，完成人获得不低于 50% 的奖励。",
    publishedAt: "2026-01-06T09:00:00+08:00",
    body: `${OFFICIAL}

## 要点

1. **自主处置。** 国家设立的研究开发机构和高等院校，对其持有的科技成果可以自主决定转让、许可或者作价投资。
2. **收入留归单位。** 科技成果转化取得的收入全部留归本单位，主要用于奖励有关人员和继续开展科研与成果转化。
3. **奖励和报酬（第四十五条）。** 单位没有规定、也没有与科技人员约定的，按下列标准奖励完成和转化成果的人员：
   - 转让或者许可：从净收入中提取不低于 50%；
   - 作价投资：从形成的股份或者出资比例中提取不低于 50%；
   - 自行实施或者与他人合作实施：投产后连续三至五年，每年从营业利润中提取不低于 5%。
4. **技术合同和技术市场。** 技术交易可以通过技术市场和技术转移服务机构进行，技术合同依法认定登记。

## 在本平台

- 成果持有方在平台上挂牌、竞价或协商，签订的技术合同在平台上形成并签署。
- 合同的收益分配条款中可以写明完成人的奖励比例，平台在付款和分账时按合同执行。
`,
  },
  {
    key: "state-council-2016-16",
    kind: "policy",
    status: "published",
    title: "国务院印发《实施〈中华人民共和国促进科技成果转化法〉若干规定》",
    docNumber: "国发〔2016〕16号",
    issuer: "国务院",
    issuedOn: "2016-02-26",
    summary: "落实促进科技成果转化法的具体规定：自主处置不审批，收入留归单位，奖励不低于 50%，奖励不受工资总额限制。",
    publishedAt: "2026-01-06T10:00:00+08:00",
    body: `${OFFICIAL}

## 要点

- **不再审批。** 研究开发机构、高等院校转让、许可或者作价投资其科技成果，除涉及国家秘密、国家安全外，不需要审批或者备案。
- **收入留归单位。** 转化收入全部留归单位，纳入单位预算，不上缴国库。
- **奖励比例。** 转让、许可净收入中用于奖励的比例不低于 50%；作价投资形成的股份或出资比例中用于奖励的比例不低于 50%。
- **工资总额。** 科技成果转化的奖励和报酬支出计入单位当年工资总额，但不受当年工资总额限制，也不纳入工资总额基数。
- **兼职与创业。** 科技人员可以在岗兼职、离岗创业，按规定保留人事关系。
- **担任领导职务的人员。** 可以按规定获得现金奖励，获取股权激励受到限制；具体按正式文本执行。

## 在本平台

- 高校和院所的技术转移机构可以直接在平台上挂牌、签约，不必等待主管部门审批（涉密成果除外）。
- 签订的合同可申请技术合同认定登记，登记信息是统计和绩效评估的依据。
`,
  },
  {
    key: "registration-rules-2026",
    kind: "policy",
    status: "draft",
    title: "技术合同认定登记管理办法（2026年）",
    issuer: "待核对（以正式文本为准）",
    effectiveOn: "2026-03-01",
    summary: "2026 年 3 月 1 日起施行，取代 2000 年的办法和 2001 年的规则。发布前请核对发文机关、文号和成文日期。",
    body: `> 草稿：发布前请按正式文本填写发文机关、发文字号和成文日期，并上传正式文本的 PDF。

${OFFICIAL}

## 要点

- 新的《技术合同认定登记管理办法》和配套的《技术合同认定登记规则》自 2026 年 3 月 1 日起施行，2000 年的办法和 2001 年的规则同时废止。
- 全国技术合同登记系统由工业和信息化部火炬高技术产业开发中心负责；西畴县科学技术局作为技术合同登记点，在省技术市场管理机构指导下办理登记。
- 由卖方申请登记；技术进口合同由境内买方申请。
- 登记点在 15 个工作日内审查；重大合同或有争议的合同为 30 个工作日。要求补正的，自收到补正材料之日起重新计算。
- 登记编号为 16 位：年份 4 位、省和地市代码 4 位、登记点编号 2 位、年度流水号 6 位。

## 不予登记的情形

当事人不明确；标的不明确；价款、报酬或使用费不明确；不属于技术合同，或名称与权利义务不符且未改正；含有非法垄断技术或不合理限制条款；缺少或不符合要求的证明材料；没有盖章或印章与当事人名称不符；合同无效或尚未生效。
`,
  },
  {
    key: "notice-registration-2026",
    kind: "notice",
    status: "published",
    title: "关于开展2026年度技术合同认定登记工作的通知",
    issuer: "西畴县科学技术局",
    issuedOn: "2026-03-02",
    summary: "2026 年起按新办法办理技术合同认定登记，平台上签订的合同可直接在线申请。",
    publishedAt: "2026-03-02T09:00:00+08:00",
    body: `各乡镇、县直有关部门，各有关企业、高校和科研院所：

2026 年 3 月 1 日起，技术合同认定登记按新的《技术合同认定登记管理办法》和《技术合同认定登记规则》办理。现将本县 2026 年度的有关安排通知如下。

## 一、谁来申请

技术合同由卖方（技术的提供方）申请登记；技术进口合同由境内的买方申请。

## 二、怎么申请

1. **在本平台签订的合同**：合同签署后，在合同页面提交认定登记申请，合同信息和双方资料自动带入，核对后提交即可。
2. **在平台外签订的合同**：注册并登录平台，填写登记表并上传已签署的合同扫描件和证明材料。

## 三、审查时限

登记点在 15 个工作日内审查；技术交易额较大或有争议的合同为 30 个工作日。需要补正的，自补正材料送达之日起重新计算。审查进度可在平台上随时查看。

## 四、登记证明

登记后，平台出具登记证明（网页和 PDF），证明上的二维码可以公开核验登记状态。登记后的合同可能享受的税收优惠在合同页面列出，是否享受由税务机关认定。

西畴县科学技术局
2026 年 3 月 2 日
`,
  },
  {
    key: "notice-commissioners-2026",
    kind: "notice",
    status: "published",
    title: "关于做好2026年度科技特派员选派和服务工作的通知",
    issuer: "西畴县科学技术局",
    issuedOn: "2026-04-10",
    summary: "按实施方案每年选派 100 名科技特派员，服务记录在平台上填报，年度绩效评估以平台记录为依据。",
    publishedAt: "2026-04-10T09:00:00+08:00",
    body: `各乡镇、各派出单位：

按照《西畴县促进科技成果转移转化实施方案》（西政办发〔2019〕114号）的要求，本县每年选派 100 名科技特派员到企业、农民专业合作社和村开展服务。现就 2026 年度工作通知如下。

## 一、选派

各乡镇根据产业需要提出服务需求，派出单位推荐人选，县科技局统一确定选派名单和服务对象，并在平台的科技特派员名册中登记。

## 二、服务记录

科技特派员在平台上记录每次服务：培训、试验示范、技术指导等，写明日期、地点和服务人数。记录是年度绩效评估的依据，请及时、如实填报。

## 三、绩效评估

年终由县科技局按平台记录开展绩效评估，评估指标、权重和计算方法在平台上公开。
`,
  },
  {
    key: "notice-registration-2025",
    kind: "notice",
    status: "withdrawn",
    title: "关于开展2025年度技术合同认定登记工作的通知",
    issuer: "西畴县科学技术局",
    issuedOn: "2025-03-03",
    summary: "2025 年度技术合同认定登记工作安排（已撤回）。",
    publishedAt: "2025-03-03T09:00:00+08:00",
    withdrawnAt: "2026-03-01T09:00:00+08:00",
    withdrawReason: "本通知依据的 2000 年《技术合同认定登记管理办法》自 2026 年 3 月 1 日起废止，2026 年度工作请见新的通知。",
    body: `各有关单位：

2025 年度技术合同认定登记工作按现行办法办理，由卖方向县科学技术局提交登记申请和合同文本，登记点在规定时限内审查并出具登记证明。
`,
  },
];

/** Loads the demo policies; changes nothing for a key already there. */
export async function seedDemoPolicies(log: (msg: string) => void = () => {}) {
  const u = await User.findOne({ email: "bureau@demo.chengguo.cn" }, { _id: 1 }).lean();
  if (!u) throw new Error("seed user bureau@demo.chengguo.cn is missing");
  const bureau = (await getSessionUserById(String(u._id)))!;
  let created = 0;
  for (const p of DEMO_POLICIES) {
    if (await Policy.exists({ seedKey: p.key })) continue;
    const id = await createPolicy(bureau, {
      kind: p.kind,
      title: p.title,
      docNumber: p.docNumber,
      issuer: p.issuer,
      issuedOn: p.issuedOn,
      effectiveOn: p.effectiveOn,
      summary: p.summary,
      body: p.body,
    });
    await Policy.updateOne({ _id: id }, { $set: { seedKey: p.key } });
    if (p.status !== "draft") await publishPolicy(bureau, id, { at: new Date(p.publishedAt!) });
    if (p.status === "withdrawn") await withdrawPolicy(bureau, id, { reason: p.withdrawReason }, { at: new Date(p.withdrawnAt!) });
    created++;
  }
  log(`policies and notices: ${DEMO_POLICIES.length} (${created} new)`);
}
