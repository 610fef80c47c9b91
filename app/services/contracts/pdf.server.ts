import fs from "node:fs";
import PDFDocument from "pdfkit";
import type { Actor } from "../kernel/actor.ts";
import { formatDateTime } from "~/utils/china-time.ts";
import { env } from "~/utils/env.server.ts";
import { DomainError, NotFoundError } from "~/utils/errors.ts";
import { getContractPage, type ContractPage, type ContractView, type SignatureView } from "./queries.server.ts";
import { CATEGORY_TITLES, SUB_CATEGORY_TITLES, yuanText } from "./rules.ts";

/**
 * The contract as a PDF (issue 14, point 3), drawn on the server with pdfkit. Chinese needs a CJK
 * font embedded in the file: Noto Sans CJK from Debian's fonts-noto-cjk by default (CJK_FONT_PATH,
 * a .ttc collection read by its face name CJK_FONT_NAME, or a .ttf/.otf). pdfkit embeds only the
 * glyphs the document uses (a subset) and writes a ToUnicode map, so the text stays searchable and
 * copyable while the file stays small. The labels are Chinese only: the contract itself is.
 */

/** The CJK font is not where CJK_FONT_PATH says: the PDF cannot be drawn (503, a notice on the page). */
export class CjkFontMissingError extends DomainError {
  override readonly status = 503;
  constructor(public readonly fontPath: string) {
    super("contractPdf.fontMissing");
  }
}

export interface CjkFont {
  path: string;
  /** The face inside a .ttc collection (its PostScript name); ignored for a single font file. */
  name: string;
}

export const cjkFont = (): CjkFont => ({ path: env().CJK_FONT_PATH, name: env().CJK_FONT_NAME });

/** Whether the PDF can be drawn here; the pages show a notice instead of the link when not. */
export const cjkFontAvailable = (font: CjkFont = cjkFont()): boolean => fs.existsSync(font.path);

// The collection is ~19 MB: read it once per process rather than per PDF.
let loaded: { path: string; bytes: Buffer } | undefined;
function fontBytes(font: CjkFont): Buffer {
  if (loaded?.path === font.path) return loaded.bytes;
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(font.path);
  } catch {
    throw new CjkFontMissingError(font.path);
  }
  loaded = { path: font.path, bytes };
  return bytes;
}

/**
 * Embeds the CJK font in `doc` as "cjk" and selects it (a .ttc collection by its face name). Shared
 * with the registration certificate (services/registration/certificate.server.ts). Throws
 * CjkFontMissingError when the file is not there.
 */
export function embedCjkFont(doc: PDFKit.PDFDocument, font: CjkFont = cjkFont()): void {
  const bytes = fontBytes(font);
  const fontArgs: [string, Buffer, string?] = /\.ttc$/i.test(font.path) ? ["cjk", bytes, font.name] : ["cjk", bytes];
  const parsed = parsedFont(font, fontArgs);
  if (parsed) doc.registerFont("cjk", parsed as Buffer);
  else doc.registerFont(...fontArgs);
  doc.font("cjk");
}

/**
 * The font as fontkit parsed it, once per process. Given bytes, pdfkit parses the face anew for
 * every document, and fontkit reads its tables lazily (the CFF outlines of 65,000 glyphs, cmap,
 * GSUB…): 0.3–0.6 s of every PDF on two busy cores (docs/benchmarks.md, certificate-pdf).
 * pdfkit (0.20) also takes a parsed font (anything with `layout`); each document still makes
 * its own subset of it. We take the one pdfkit parses for a first document; should a pdfkit
 * version not have it there, every document parses its own again, as before.
 */
let parsedCache: { key: string; font: unknown } | undefined;
function parsedFont(font: CjkFont, fontArgs: [string, Buffer, string?]): unknown {
  const key = `${font.path}\n${font.name}`;
  if (parsedCache?.key === key) return parsedCache.font;
  const probe = new PDFDocument({ autoFirstPage: false });
  probe.registerFont(...fontArgs);
  probe.font("cjk");
  const parsed = (probe as unknown as { _font?: { font?: { layout?: unknown } } })._font?.font;
  probe.end();
  if (typeof parsed?.layout !== "function") return undefined;
  parsedCache = { key, font: parsed };
  return parsed;
}

export interface ContractPdfInput {
  dealId: string;
  listingTitle: string;
  seller: { name: string; organizationName: string | null };
  buyer: { name: string; organizationName: string | null };
  contract: ContractView;
}

const SIDE_TITLES = { seller: "甲方（卖方）", buyer: "乙方（买方）" } as const;
const GREY = "#555555";
const yuan = (fen: number) => `人民币 ${yuanText(fen)} 元`;
const party = (p: { name: string; organizationName: string | null }) =>
  p.organizationName ? `${p.organizationName}（经办人：${p.name}）` : p.name;

/** Draws the PDF; resolves with its bytes. */
export async function renderContractPdf(input: ContractPdfInput, font: CjkFont = cjkFont()): Promise<Buffer> {
  const c = input.contract;
  fontBytes(font); // fails before the document is started when the font is missing
  const title = `${CATEGORY_TITLES[c.category]}（${SUB_CATEGORY_TITLES[`${c.category}.${c.subCategory}`] ?? c.subCategory}）`;
  const signed = c.status === "signed";
  const doc = new PDFDocument({
    size: "A4",
    margins: { top: 56, bottom: 64, left: 56, right: 56 },
    bufferPages: true,
    info: { Title: `${title} · ${input.listingTitle}`, Subject: `SHA-256 ${c.textHash}`, Creator: "成果 chengguo" },
    lang: "zh-CN",
    displayTitle: true,
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on("data", (chunk: Buffer) => chunks.push(chunk));
    doc.on("end", () => resolve(Buffer.concat(chunks)));
    doc.on("error", reject);
  });
  embedCjkFont(doc, font);
  const width = doc.page.width - doc.page.margins.left - doc.page.margins.right;

  const heading = (text: string) => {
    doc.moveDown(0.8).fontSize(12).fillColor("black").text(text, { width });
    doc.moveDown(0.3).fontSize(10);
  };
  const row = (label: string, value: string) => {
    doc.fontSize(10).fillColor(GREY).text(`${label}：`, { continued: true }).fillColor("black").text(value, { width });
  };

  doc.fontSize(18).text(title, { align: "center", width });
  doc
    .moveDown(0.3)
    .fontSize(11)
    .fillColor(signed ? "black" : "#b00020");
  doc.text(signed ? `已签署 · 第 ${c.version} 版` : `草稿（未生效）· 第 ${c.version} 版`, { align: "center", width });
  doc.fillColor("black").moveDown(0.8);

  row("项目名称", input.listingTitle);
  row(
    "合同类别",
    `${CATEGORY_TITLES[c.category].replace(/合同$/, "")} · ${SUB_CATEGORY_TITLES[`${c.category}.${c.subCategory}`] ?? c.subCategory}${c.paidInShares ? " · 以股权支付（作价投资）" : ""}`,
  );
  row(SIDE_TITLES.seller, party(input.seller));
  row(SIDE_TITLES.buyer, party(input.buyer));
  row("版本", `第 ${c.version} 版`);
  row("文本 SHA-256", c.textHash);

  heading("金额");
  row("成交额（合同总金额）", yuan(c.contractAmount));
  row("技术交易额", yuan(c.technologyAmount));
  if (c.nonTechItems.length) for (const i of c.nonTechItems) row(`非技术性款项 · ${i.label}`, yuan(i.amount));
  else row("非技术性款项", "无");

  heading("合同全文");
  doc.fontSize(10).fillColor("black").text(c.text.trimEnd(), { width, lineGap: 3 });

  heading("签署");
  for (const side of ["seller", "buyer"] as const) {
    const s: SignatureView | undefined = c.signatures.find((x) => x.side === side);
    doc.fontSize(10).fillColor("black").text(SIDE_TITLES[side], { width });
    if (!s) {
      doc.fillColor(GREY).text("尚未签署", { width, indent: 12 }).fillColor("black");
      continue;
    }
    doc.fillColor("black");
    for (const [label, value] of [
      ["签署人", s.name],
      ["单位", s.organizationName ?? "—"],
      ["时间", `${formatDateTime(s.at)}（北京时间）`],
      ["IP", s.ip],
      ["签署版本", `第 ${s.version} 版`],
      ["所签文本 SHA-256", s.textHash],
    ] as const)
      doc
        .fillColor(GREY)
        .text(`${label}：`, { continued: true, indent: 12 })
        .fillColor("black")
        .text(value, { width: width - 12 });
  }
  if (c.distribution.length) {
    heading("收益分配方案（甲方内部，不属于签署文本）");
    for (const d of c.distribution) doc.text(`${d.name}：${d.percent}%`, { width });
  }

  // Page numbers (and, on a draft, the mark) on every page, once the page count is known.
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    const bottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0; // writing inside the bottom margin must not open a new page
    doc
      .fontSize(8)
      .fillColor(GREY)
      .text(`第 ${i + 1} 页 / 共 ${range.count} 页 · SHA-256 ${c.textHash.slice(0, 16)}…`, doc.page.margins.left, doc.page.height - 40, {
        width,
        align: "center",
        lineBreak: false,
      });
    if (!signed) {
      doc.fontSize(11).fillColor("#b00020").text("草稿 · 未生效", doc.page.margins.left, 28, { width, align: "right", lineBreak: false });
    }
    doc.page.margins.bottom = bottom;
  }
  doc.fillColor("black");
  doc.end();
  return done;
}

/** The deal's contract as a PDF, for whoever may read the contract (loadDealFor; others: 404). */
export async function contractPdf(actor: Actor, dealId: string): Promise<{ bytes: Buffer; filename: string; page: ContractPage }> {
  const page = await getContractPage(actor, dealId);
  if (!page.contract) throw new NotFoundError();
  const bytes = await renderContractPdf({
    dealId: page.dealId,
    listingTitle: page.listing.title,
    seller: page.seller,
    buyer: page.buyer,
    contract: page.contract,
  });
  return { bytes, filename: `contract-${page.dealId}-v${page.contract.version}.pdf`, page };
}
