/**
 * `npm run bench:contract-pdf [-- --runs 50] [--out contract.pdf]`
 *
 * How long the server takes to draw a signed contract's PDF (services/contracts/pdf.server.ts:
 * pdfkit with the embedded, subset Noto Sans CJK). A realistic contract — a patent transfer with
 * milestones, royalty, two non-technical items and both signatures — is drawn once cold (the font
 * read from disk and parsed), a few times to warm up, then `--runs` times; prints the cold time,
 * p50/p95/max of the warm runs, the file's size and its page count (`--out` keeps the file to look at).
 * No database: the drawing alone.
 */
import fs from "node:fs";
import { parseArgs } from "node:util";
import { canonicalText, templateClauses, textHash } from "~/services/contracts/rules.ts";
import { cjkFont, cjkFontAvailable, renderContractPdf, type ContractPdfInput } from "~/services/contracts/pdf.server.ts";
import { normalizeTerms } from "~/schemas/terms.ts";
import { percentiles, reportResults } from "./support.ts";

const { values } = parseArgs({ options: { runs: { type: "string", default: "50" }, out: { type: "string" } } });
const runs = Math.max(1, Number(values.runs) || 50);
const font = cjkFont();
if (!cjkFontAvailable(font)) {
  console.error(`no CJK font at ${font.path}: install Debian's fonts-noto-cjk or set CJK_FONT_PATH`);
  process.exit(1);
}

const listingTitle = "三七种苗脱毒快繁与高原烘干成套技术";
const terms = normalizeTerms({
  price: 1_200_000_00,
  transactionMode: "transfer",
  royaltyPercent: 3,
  territory: "云南省文山壮族苗族自治州",
  milestones: [
    { title: "入门费（合同生效后）", amount: 300_000_00, dueInDays: 15 },
    { title: "技术资料交付并验收合格", amount: 500_000_00, dueInDays: 90 },
    { title: "中试生产线试运行合格", amount: 400_000_00, dueInDays: 240 },
  ],
});
const seller = { name: "张教授", organizationName: "文山学院" };
const buyer = { name: "杨社长", organizationName: "西畴县兴街镇三七种植专业合作社" };
const base = { category: "transfer" as const, subCategory: "patent", paidInShares: false };
const clauses = templateClauses({ ...base, listingTitle, patentNumbers: ["ZL202310123456.7", "ZL202220987654.3"], terms });
const amounts = {
  contractAmount: 1_200_000_00,
  technologyAmount: 1_080_000_00,
  nonTechItems: [
    { label: "烘干设备（两套）", amount: 100_000_00 },
    { label: "安装调试材料", amount: 20_000_00 },
  ],
};
const text = canonicalText({ ...base, ...amounts, listingTitle, seller, buyer, milestones: terms.milestones, royaltyPercent: 3, clauses });
const hash = textHash(text);
const signature = (side: "seller" | "buyer", who: typeof seller, at: string, ip: string) => ({
  side,
  name: who.name,
  organizationName: who.organizationName,
  at,
  ip,
  textHash: hash,
  version: 2,
  voidedAt: null,
});
const input: ContractPdfInput = {
  dealId: "000000000000000000000001",
  listingTitle,
  seller,
  buyer,
  contract: {
    id: "000000000000000000000002",
    status: "signed",
    ...base,
    ...amounts,
    clauses,
    version: 2,
    text,
    textHash: hash,
    versions: [],
    signatures: [
      signature("seller", seller, "2026-12-01T02:15:00.000Z", "10.0.0.21"),
      signature("buyer", buyer, "2026-12-02T06:40:00.000Z", "10.0.0.57"),
    ],
    voidedSignatures: [],
    distribution: [
      { name: "张教授", percent: 40 },
      { name: "李博士", percent: 30 },
    ],
    signedAt: "2026-12-02T06:40:00.000Z",
  },
};

const time = async () => {
  const t0 = process.hrtime.bigint();
  const bytes = await renderContractPdf(input, font);
  return { ms: Number(process.hrtime.bigint() - t0) / 1e6, bytes };
};
const cold = await time();
if (values.out) fs.writeFileSync(values.out, cold.bytes);
for (let i = 0; i < 5; i++) await time();
const warm: number[] = [];
for (let i = 0; i < runs; i++) warm.push((await time()).ms);
warm.sort((a, b) => a - b);
const pct = (p: number) => warm[Math.min(warm.length - 1, Math.ceil((p / 100) * warm.length) - 1)]!;
const pages = (cold.bytes.toString("latin1").match(/\/Type \/Page\b/g) ?? []).length;
console.log(`contract PDF (${font.path}, face ${font.name}): ${text.length} characters of contract text`);
console.log(`  size ${(cold.bytes.length / 1024).toFixed(1)} KiB, ${pages} pages`);
console.log(`  cold (font read and parsed): ${cold.ms.toFixed(1)} ms`);
console.log(
  `  warm, ${runs} runs: p50 ${pct(50).toFixed(1)} ms, p95 ${pct(95).toFixed(1)} ms, max ${warm[warm.length - 1]!.toFixed(1)} ms`,
);
const f = percentiles(warm);
await reportResults({
  bench: "contract-pdf",
  title: "Contract PDF (drawing alone, no database)",
  params: { runs, font: font.path },
  rows: [
    {
      path: "renderContractPdf, warm",
      concurrency: 1,
      ...f,
      throughput: 1000 / (warm.reduce((a, b) => a + b, 0) / warm.length),
      throughputUnit: "PDF/s",
      goal: { text: "p95 < 500 ms", met: f.p95 < 500 },
    },
  ],
  notes: [`Cold (font read and parsed): ${cold.ms.toFixed(1)} ms; ${(cold.bytes.length / 1024).toFixed(1)} KiB, ${pages} pages.`],
});
