import PDFDocument from "pdfkit";
import QRCode from "qrcode";
import type { Types } from "mongoose";
import { Registration, type RegistrationDoc } from "~/models/registration.server.ts";
import { amountInWords } from "~/utils/amount-in-words.ts";
import { chinaDate } from "~/utils/china-time.ts";
import type { ContractCategory } from "~/utils/contracts.ts";
import { publicUrl } from "~/utils/env.server.ts";
import { NotFoundError } from "~/utils/errors.ts";
import { createI18n } from "~/utils/i18n.ts";
import { hasRole } from "~/utils/permissions.ts";
import { ENTITY_TYPES, groupedNumber, type VerificationState } from "~/utils/registration.ts";
import { cjkFont, embedCjkFont, type CjkFont } from "../contracts/pdf.server.ts";
import { yuanText } from "../contracts/rules.ts";
import type { Actor } from "../kernel/actor.ts";
import { maybeId } from "../kernel/ids.server.ts";
import { taxBenefits, type TaxBenefit } from "./tax-benefits.ts";

/**
 * 技术合同登记证明 (issue 15, point 3): the certificate of a registered contract as a page and as a
 * PDF drawn with the contract PDF's embedded CJK font (services/contracts/pdf.server.ts). It shows
 * the number (4-4-2-6), the contract, both parties with their codes, signing date and validity, the
 * amounts in figures and in capitals (大写), the registration point, date and registrar, the
 * contract's text hash and a QR code opening the public verification page (/verify/<number>, on
 * the site's public address, APP_URL). Readers: the applicant, both parties' organisations, the
 * bureau and admins; anyone else, and a registration without a number, is a 404.
 */

export type RegistrationRow = RegistrationDoc & { _id: Types.ObjectId; updatedAt: Date };

export interface CertificateParty {
  name: string;
  creditCode: string | null;
  region: string;
  country: string;
  entityType: string;
  entityTypeLabel: string;
}

export interface CertificateHistoryLine {
  action: "changed" | "cancelled";
  at: string;
  by: string;
  note: string;
  changes: string[];
}

export interface CertificateView {
  id: string;
  number: string;
  groupedNumber: string;
  state: VerificationState;
  projectName: string;
  category: ContractCategory;
  subCategory: string;
  seller: CertificateParty;
  buyer: CertificateParty;
  signedOn: string;
  validFrom: string;
  validTo: string;
  contractAmount: number;
  contractAmountWords: string;
  technologyAmount: number;
  technologyAmountWords: string;
  nonTechItems: { label: string; amount: number }[];
  point: { code: string; name: string };
  registeredAt: string;
  registrar: string;
  changedAt: string | null;
  cancelledAt: string | null;
  contractHash: string | null;
  verifyUrl: string;
  history: CertificateHistoryLine[];
  taxBenefits: TaxBenefit[];
}

/** The public address of a number's verification page (what the QR code opens). */
export const verifyUrlOf = (number: string): string => `${publicUrl()}/verify/${number}`;

export function verificationState(r: Pick<RegistrationDoc, "status" | "changedAt">): VerificationState {
  if (r.status === "cancelled") return "cancelled";
  return r.changedAt ? "changed" : "registered";
}

/** May the actor read this registration's certificate? The applicant (person or organisation), either party's organisation, the bureau, admins. */
export function mayReadCertificate(actor: Actor, r: Pick<RegistrationDoc, "applicant" | "seller" | "buyer">): boolean {
  if (hasRole(actor, "bureau") || hasRole(actor, "admin")) return true;
  if (actor.id && r.applicant?.user && String(r.applicant.user) === actor.id) return true;
  const org = actor.organization?.id;
  if (!org) return false;
  return [r.applicant?.organization, r.seller.organization, r.buyer.organization].some((o) => o && String(o) === org);
}

/** A numbered registration (registered, or cancelled since) by id; none, or not numbered: 404. */
export async function loadNumbered(id: string): Promise<RegistrationRow> {
  const _id = maybeId(id);
  const r = _id ? ((await Registration.findById(_id).lean()) as RegistrationRow | null) : null;
  if (!r || !r.number || (r.status !== "registered" && r.status !== "cancelled")) throw new NotFoundError();
  return r;
}

const party = (p: RegistrationDoc["seller"]): CertificateParty => ({
  name: p.name,
  creditCode: p.creditCode || null,
  region: p.region,
  country: p.country ?? "156",
  entityType: p.entityType,
  entityTypeLabel: ENTITY_TYPES[p.entityType as keyof typeof ENTITY_TYPES] ?? p.entityType,
});

export function certificateView(r: RegistrationRow): CertificateView {
  const number = r.number!;
  return {
    id: String(r._id),
    number,
    groupedNumber: groupedNumber(number),
    state: verificationState(r),
    projectName: r.projectName,
    category: r.category as ContractCategory,
    subCategory: r.subCategory,
    seller: party(r.seller),
    buyer: party(r.buyer),
    signedOn: chinaDate(r.signedOn),
    validFrom: chinaDate(r.validFrom),
    validTo: chinaDate(r.validTo),
    contractAmount: r.contractAmount,
    contractAmountWords: amountInWords(r.contractAmount),
    technologyAmount: r.technologyAmount,
    technologyAmountWords: amountInWords(r.technologyAmount),
    nonTechItems: (r.nonTechItems ?? []).map((i) => ({ label: i.label, amount: i.amount })),
    point: { code: r.point?.code ?? "", name: r.point?.name ?? "" },
    registeredAt: chinaDate(r.registeredAt),
    registrar: r.registrar?.name ?? "",
    changedAt: r.changedAt ? chinaDate(r.changedAt) : null,
    cancelledAt: r.cancelledAt ? chinaDate(r.cancelledAt) : null,
    contractHash: r.contractHash || null,
    verifyUrl: verifyUrlOf(number),
    history: (r.history ?? [])
      .filter((h) => h.action === "changed" || h.action === "cancelled")
      .map((h) => ({
        action: h.action as "changed" | "cancelled",
        at: chinaDate(h.at),
        by: h.by?.name ?? "",
        note: h.note ?? "",
        changes: [...(h.changes ?? [])],
      })),
    taxBenefits: taxBenefits({
      category: r.category as ContractCategory,
      subCategory: r.subCategory,
      seller: r.seller,
      buyer: r.buyer,
      validFrom: r.validFrom,
      validTo: r.validTo,
    }),
  };
}

/** The certificate's facts and its QR code (SVG) for the page. */
export async function getCertificate(actor: Actor, id: string): Promise<CertificateView & { qrSvg: string }> {
  const r = await loadNumbered(id);
  if (!mayReadCertificate(actor, r)) throw new NotFoundError();
  const view = certificateView(r);
  const qrSvg = await QRCode.toString(view.verifyUrl, { type: "svg", errorCorrectionLevel: "M", margin: 1, width: 160 });
  return { ...view, qrSvg };
}

const GREY = "#555555";
const figures = (fen: number) => `人民币 ${yuanText(fen)} 元`;

/** Draws the certificate; resolves with the PDF's bytes. Chinese only: the certificate is. */
export async function renderCertificatePdf(v: CertificateView, font: CjkFont = cjkFont()): Promise<Buffer> {
  const t = createI18n("zh-CN").t;
  const L = (key: string, params?: Record<string, string>) => t(`registrationCertificate.${key}`, params ?? {});
  const doc = new PDFDocument({
    size: "A4",
    margins: { top: 56, bottom: 56, left: 56, right: 56 },
    info: { Title: `${L("title")} ${v.groupedNumber}`, Subject: v.projectName, Creator: "成果 chengguo" },
    lang: "zh-CN",
    displayTitle: true,
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on("data", (chunk: Buffer) => chunks.push(chunk));
    doc.on("end", () => resolve(Buffer.concat(chunks)));
    doc.on("error", reject);
  });
  try {
    embedCjkFont(doc, font);
  } catch (e) {
    doc.end();
    await done.catch(() => undefined);
    throw e;
  }
  const left = doc.page.margins.left;
  const width = doc.page.width - left - doc.page.margins.right;
  const row = (label: string, value: string) => {
    doc.fontSize(10).fillColor(GREY).text(`${label}：`, { continued: true }).fillColor("black").text(value, { width });
  };
  const words = (text: string) => doc.fontSize(10).fillColor("black").text(text, { width, indent: 24 });
  const heading = (text: string) => {
    doc.moveDown(0.6).fontSize(12).fillColor("black").text(text, { width });
    doc.moveDown(0.2);
  };

  doc.fontSize(18).text(L("title"), { align: "center", width });
  doc
    .moveDown(0.3)
    .fontSize(12)
    .text(`${L("number")}：${v.groupedNumber}`, { align: "center", width });
  if (v.state !== "registered") {
    const at = v.state === "cancelled" ? v.cancelledAt : v.changedAt;
    doc
      .moveDown(0.2)
      .fontSize(11)
      .fillColor(v.state === "cancelled" ? "#b00020" : "#8a6d00")
      .text(L(`stateLine.${v.state}`, { at: at ?? "" }), { align: "center", width });
  }
  doc.fillColor("black").moveDown(0.8);

  row(L("projectName"), v.projectName);
  row(L("category"), `${t(`contracts.categories.${v.category}`)} · ${t(`contracts.subCategories.${v.category}.${v.subCategory}`)}`);
  for (const side of ["seller", "buyer"] as const) {
    const p = v[side];
    heading(`${L(side)}：${p.name}`);
    row(L("creditCode"), p.creditCode ?? "—");
    row(L("region"), p.region);
    row(L("entityType"), `${p.entityType} ${p.entityTypeLabel}`);
  }
  heading(L("sectionContract"));
  row(L("signedOn"), v.signedOn);
  row(L("validity"), L("validityRange", { from: v.validFrom, to: v.validTo }));
  row(L("contractAmount"), figures(v.contractAmount));
  words(L("inWords", { words: v.contractAmountWords }));
  row(L("technologyAmount"), figures(v.technologyAmount));
  words(L("inWords", { words: v.technologyAmountWords }));
  row(L("hash"), v.contractHash ?? L("hashNone"));

  heading(L("sectionRegistration"));
  row(L("point"), `${v.point.name}（${v.point.code}）`);
  row(L("registeredAt"), v.registeredAt);
  row(L("registrar"), v.registrar);

  // The QR code, drawn as vector squares (sharp at any zoom), with the address under it.
  const qr = QRCode.create(v.verifyUrl, { errorCorrectionLevel: "M" });
  const size = 120;
  const cell = size / qr.modules.size;
  doc.moveDown(1);
  if (doc.y + size + 60 > doc.page.height - doc.page.margins.bottom) doc.addPage();
  const x0 = left;
  const y0 = doc.y;
  doc.save().fillColor("black");
  for (let y = 0; y < qr.modules.size; y++)
    for (let x = 0; x < qr.modules.size; x++) if (qr.modules.get(x, y)) doc.rect(x0 + x * cell, y0 + y * cell, cell, cell);
  doc.fill().restore();
  doc
    .fontSize(10)
    .fillColor("black")
    .text(L("qr"), x0 + size + 16, y0 + 8, { width: width - size - 16 })
    .fontSize(9)
    .fillColor(GREY)
    .text(L("qrHint"), { width: width - size - 16 })
    .fillColor("black")
    .text(v.verifyUrl, { width: width - size - 16, link: v.verifyUrl });
  doc.end();
  return done;
}

/** The certificate as a PDF for its readers (others: 404). */
export async function certificatePdf(actor: Actor, id: string): Promise<{ bytes: Buffer; filename: string }> {
  const r = await loadNumbered(id);
  if (!mayReadCertificate(actor, r)) throw new NotFoundError();
  const bytes = await renderCertificatePdf(certificateView(r));
  return { bytes, filename: `registration-${r.number}.pdf` };
}
