import { createHash } from "node:crypto";
import { diffLines } from "diff";
import {
  CLAUSE_KEYS,
  CONTRACT_SUB_CATEGORIES,
  GENERATED_CLAUSES,
  TEAM_MIN_PERCENT,
  type ClauseKey,
  type ContractCategory,
  type DistributionShare,
} from "~/schemas/contract.ts";
import type { Terms } from "~/schemas/terms.ts";
import type { FieldErrors } from "~/utils/errors.ts";

/**
 * The contract's pure rules (no I/O): which category the agreed terms suggest, the template of
 * each category pre-filled from the terms, the price split, the canonical text and its hash,
 * the diff between versions, and the revenue-distribution rule (县方案 §2).
 */

export interface Suggestion {
  category: ContractCategory;
  subCategory: string;
  /** 作价投资: the price is paid in shares. */
  paidInShares: boolean;
}

/** transfer → 技术转让; license → 技术许可; cooperation → 合作开发; equity → 技术转让 paid in shares. */
export function suggestCategory(terms: Pick<Terms, "transactionMode">, hasPatents: boolean): Suggestion {
  switch (terms.transactionMode) {
    case "license":
      return { category: "license", subCategory: hasPatents ? "patent" : "know-how", paidInShares: false };
    case "cooperation":
      return { category: "development", subCategory: "cooperative", paidInShares: false };
    case "equity":
      return { category: "transfer", subCategory: hasPatents ? "patent" : "know-how", paidInShares: true };
    default:
      return { category: "transfer", subCategory: hasPatents ? "patent" : "know-how", paidInShares: false };
  }
}

export function isSubCategoryOf(category: ContractCategory, sub: string): boolean {
  return (CONTRACT_SUB_CATEGORIES[category] as readonly string[]).includes(sub);
}

/** The contract's title as the registration rules name it. */
export const CATEGORY_TITLES: Record<ContractCategory, string> = {
  development: "技术开发合同",
  transfer: "技术转让合同",
  license: "技术许可合同",
  consulting: "技术咨询合同",
  service: "技术服务合同",
};
export const SUB_CATEGORY_TITLES: Record<string, string> = {
  "development.commissioned": "委托开发",
  "development.cooperative": "合作开发",
  "transfer.patent": "专利权转让",
  "transfer.patent-application": "专利申请权转让",
  "transfer.know-how": "技术秘密转让",
  "transfer.other": "其他技术转让",
  "license.patent": "专利实施许可",
  "license.know-how": "技术秘密使用许可",
  "license.other": "其他技术许可",
  "consulting.general": "技术咨询",
  "service.general": "技术服务",
  "service.training": "技术培训",
  "service.intermediary": "技术中介",
};
export const CLAUSE_TITLES: Record<ClauseKey, string> = {
  definitions: "第一条 名词和术语",
  parties: "第二条 合同当事人",
  subject: "第三条 标的与技术内容",
  deliverables: "第四条 交付与验收",
  schedule: "第五条 履行期限与进度",
  price: "第六条 价款与支付方式",
  confidentiality: "第七条 保密",
  improvements: "第八条 后续改进成果的归属",
  warranties: "第九条 知识产权担保",
  liability: "第十条 违约责任",
  disputes: "第十一条 争议解决",
};

const EXCLUSIVITY_TEXT: Record<string, string> = { exclusive: "独占许可", sole: "排他许可", "non-exclusive": "普通许可" };

export interface TemplateContext {
  category: ContractCategory;
  subCategory: string;
  paidInShares: boolean;
  listingTitle: string;
  patentNumbers: readonly string[];
  terms: Terms;
}

/** The free clauses of a category's template, pre-filled from the agreed terms. */
export function templateClauses(ctx: TemplateContext): Record<ClauseKey, string> {
  const t = ctx.terms;
  const subject = `「${ctx.listingTitle}」${ctx.patentNumbers.length ? `（专利号：${ctx.patentNumbers.join("、")}）` : ""}`;
  const territory = t.territory ?? "中华人民共和国境内";
  const term = t.termMonths ? `${t.termMonths} 个月` : "合同约定的期限";
  const subjectText: Record<ContractCategory, string> = {
    development: `${ctx.subCategory === "cooperative" ? "双方共同投资、分工参与" : "委托方委托研究开发方"}就${subject}进行研究开发，研究开发的目标、内容和技术指标见附件《技术要求》。`,
    transfer: `让与方将${subject}${ctx.subCategory === "patent" ? "的专利权" : ctx.subCategory === "patent-application" ? "的专利申请权" : "的技术秘密"}转让给受让方${ctx.paidInShares ? "，受让方以股权（作价投资）支付价款" : ""}，转让范围：${territory}。`,
    license: `许可方许可被许可方在${territory}内以${EXCLUSIVITY_TEXT[t.licenseExclusivity ?? "non-exclusive"]}方式实施${subject}，许可期限 ${term}。`,
    consulting: `受托方就${subject}为委托方提供可行性论证、技术预测或专题调查等咨询意见，咨询报告的内容与格式见附件。`,
    service: `受托方以${subject}相关的专业技术知识为委托方解决特定技术问题${ctx.subCategory === "training" ? "，并对委托方指定人员进行技术培训" : ctx.subCategory === "intermediary" ? "，并为双方订立技术合同提供中介服务" : ""}。`,
  };
  const milestones = t.milestones.length
    ? t.milestones
        .map((m, i) => `（${i + 1}）${m.title}：${m.dueInDays != null ? `合同生效后 ${m.dueInDays} 日内完成` : "按双方约定完成"}。`)
        .join("\n")
    : "自合同生效之日起按双方约定的进度履行。";
  return {
    definitions: "本合同所称“技术资料”指实施本合同标的所必需的图纸、工艺文件、配方、数据及说明书；“生效日”指双方均完成签署之日。",
    parties: "",
    subject: subjectText[ctx.category],
    deliverables:
      "交付方应按附件所列清单交付技术资料和成果；接收方应在收到后 30 日内按约定的技术指标组织验收，并出具书面验收意见。逾期未提出异议的，视为验收合格。",
    schedule: milestones,
    price: "",
    confidentiality: "双方对在订立和履行本合同中知悉的对方技术秘密和商业信息负有保密义务，保密期限至该信息公开之日止，合同终止后仍然有效。",
    improvements:
      "任何一方对合同标的作出的后续改进，其成果归改进方所有；另一方在同等条件下享有优先受让或许可的权利，具体办法由双方另行约定。",
    warranties:
      "让与方/许可方保证是合同标的的合法拥有者，保证所提供的技术完整、无误、有效，能够达到约定的技术目标，并保证不侵犯任何第三方的合法权利。",
    liability: "任何一方违反本合同约定的，应承担继续履行、采取补救措施或赔偿损失等违约责任；逾期付款的，按逾期金额每日万分之三支付违约金。",
    disputes: "因本合同引起的争议，双方应协商解决；协商不成的，可提请文山州仲裁委员会仲裁，或向合同签订地有管辖权的人民法院起诉。",
  };
}

export interface Amounts {
  contractAmount: number;
  technologyAmount: number;
  nonTechItems: readonly { label: string; amount: number }[];
}

/** 成交额 = 技术交易额 + the itemised non-technical parts, to the fen; else an error on `contractAmount`. */
export function amountProblems(a: Amounts): FieldErrors {
  const errors: FieldErrors = {};
  const sum = a.technologyAmount + a.nonTechItems.reduce((s, i) => s + i.amount, 0);
  if (sum !== a.contractAmount) errors.contractAmount = ["contracts.errors.amountMismatch"];
  if (a.technologyAmount > a.contractAmount) errors.technologyAmount = ["contracts.errors.technologyAboveTotal"];
  return errors;
}

export interface PartyText {
  name: string;
  organizationName: string | null;
}

export interface CanonicalInput extends Amounts {
  category: ContractCategory;
  subCategory: string;
  paidInShares: boolean;
  listingTitle: string;
  seller: PartyText;
  buyer: PartyText;
  milestones: readonly { title: string; amount: number }[];
  royaltyPercent: number | null;
  clauses: Readonly<Record<string, string>>;
}

/** Yuan with both decimals, from integer fen (a contract states the amount to the fen). */
export const yuanText = (fen: number) => `${Math.trunc(fen / 100)}.${String(Math.abs(fen % 100)).padStart(2, "0")}`;
const yuan = (fen: number) => `人民币 ${yuanText(fen)} 元`;
const partyLine = (role: string, p: PartyText) =>
  `${role}：${p.organizationName ?? p.name}${p.organizationName ? `（经办人：${p.name}）` : ""}`;

/** The generated clauses: the parties and the price in stages. */
function generatedClause(key: ClauseKey, c: CanonicalInput): string {
  if (key === "parties") return [partyLine("甲方（卖方）", c.seller), partyLine("乙方（买方）", c.buyer)].join("\n");
  const lines = [
    `成交额（合同总金额）：${yuan(c.contractAmount)}；其中技术交易额：${yuan(c.technologyAmount)}。`,
    ...c.nonTechItems.map((i) => `非技术性款项 · ${i.label}：${yuan(i.amount)}。`),
  ];
  if (c.paidInShares) lines.push("价款以乙方（或其指定企业）的股权支付（作价投资），股权比例与登记办法见附件。");
  if (c.milestones.length) lines.push(...c.milestones.map((m, i) => `分期付款（${i + 1}）${m.title}：${yuan(m.amount)}。`));
  if (c.royaltyPercent != null) lines.push(`提成：按乙方实施本技术所得销售额的 ${c.royaltyPercent}% 按期支付。`);
  return lines.join("\n");
}

/**
 * The one text that is versioned, diffed, signed and hashed: title, category, then every clause in
 * order. Stable for the same input, LF line ends, no trailing spaces.
 */
export function canonicalText(c: CanonicalInput): string {
  const sub = SUB_CATEGORY_TITLES[`${c.category}.${c.subCategory}`] ?? c.subCategory;
  const parts = [`${CATEGORY_TITLES[c.category]}（${sub}）`, `项目名称：${c.listingTitle}`, ""];
  for (const key of CLAUSE_KEYS) {
    const body = GENERATED_CLAUSES.includes(key) ? generatedClause(key, c) : (c.clauses[key] ?? "");
    parts.push(CLAUSE_TITLES[key], body.replace(/\r\n?/g, "\n").trim(), "");
  }
  return (
    parts
      .join("\n")
      .replace(/[ \t]+$/gm, "")
      .trimEnd() + "\n"
  );
}

export function textHash(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

export interface DiffLine {
  kind: "added" | "removed" | "same";
  text: string;
}

/** A line diff between two versions' texts (the `diff` package). */
export function versionDiff(before: string, after: string): DiffLine[] {
  const out: DiffLine[] = [];
  for (const part of diffLines(before, after)) {
    const kind = part.added ? "added" : part.removed ? "removed" : "same";
    for (const line of part.value.replace(/\n$/, "").split("\n")) out.push({ kind, text: line });
  }
  return out;
}

/** Organisations whose conversion income goes at least 60% to the team (专业技术机构). */
export function needsDistribution(sellerOrgType: string | null | undefined): boolean {
  return sellerOrgType === "university" || sellerOrgType === "institute";
}

/** The team's total share must be at least 60% (县方案 §2) and no share may exceed the whole. */
export function distributionProblems(shares: readonly DistributionShare[]): FieldErrors {
  if (!shares.length) return { distribution: ["contracts.errors.distributionRequired"] };
  const total = shares.reduce((s, x) => s + x.percent, 0);
  if (total > 100) return { distribution: ["contracts.errors.distributionAbove100"] };
  if (total < TEAM_MIN_PERCENT) return { distribution: ["contracts.errors.distributionBelow60"] };
  return {};
}
