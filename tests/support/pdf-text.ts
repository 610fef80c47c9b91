import { inflateSync } from "node:zlib";

/**
 * Just enough of a PDF reader to check what pdfkit wrote (no PDF library is installed): the
 * objects, their Flate streams, the page count, the embedded fonts (name, font file, CID kind) and
 * each page's text decoded the way a PDF viewer copies it — through the font's ToUnicode CMap.
 * It reads pdfkit's own output (uncompressed object headers, hex strings in Tj/TJ), not every PDF.
 */

export interface PdfObject {
  id: number;
  dict: string;
  stream: Buffer | null;
}

export interface PdfFont {
  /** The BaseFont of the Type0 font, e.g. "ABCDEF+NotoSansCJKsc-Regular". */
  baseFont: string;
  /** The descendant CIDFont's subtype: CIDFontType0 (CFF outlines) or CIDFontType2 (TrueType). */
  cidSubtype: string;
  /** FontFile2 (TrueType), FontFile3 (CFF/OpenType): which stream embeds the glyphs. */
  fontFile: string | null;
  /** Its size in bytes after decompression. */
  fontFileBytes: number;
  hasToUnicode: boolean;
}

export interface PdfSummary {
  pageCount: number;
  fonts: PdfFont[];
  /** Each page's text through ToUnicode, one string per Tj/TJ joined by newlines. */
  pages: string[];
  info: string;
}

function objects(pdf: Buffer): Map<number, PdfObject> {
  const out = new Map<number, PdfObject>();
  const latin = pdf.toString("latin1");
  const re = /(\d+) 0 obj\s*/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(latin))) {
    const id = Number(m[1]);
    const start = m.index + m[0].length;
    const end = latin.indexOf("endobj", start);
    const body = latin.slice(start, end);
    const s = body.indexOf("stream");
    let stream: Buffer | null = null;
    let dict = body;
    if (s >= 0 && /^\s*<</.test(body)) {
      dict = body.slice(0, s);
      let from = start + s + "stream".length;
      if (latin[from] === "\r") from++;
      if (latin[from] === "\n") from++;
      const len = Number(/\/Length (\d+)/.exec(dict)?.[1] ?? -1);
      const raw = len >= 0 ? pdf.subarray(from, from + len) : pdf.subarray(from, latin.indexOf("endstream", from));
      stream = /\/FlateDecode/.test(dict) ? inflateSync(raw) : Buffer.from(raw);
    }
    out.set(id, { id, dict, stream });
    re.lastIndex = end;
  }
  return out;
}

const ref = (dict: string, key: string): number | null => {
  const m = new RegExp(`/${key}\\s+(\\d+) 0 R`).exec(dict);
  return m ? Number(m[1]) : null;
};

/** A ToUnicode CMap (bfchar and bfrange, with arrays) as glyph code → text. */
export function parseToUnicode(cmap: string): Map<number, string> {
  const map = new Map<number, string>();
  const utf16 = (hex: string) => {
    const units: number[] = [];
    for (let i = 0; i < hex.length; i += 4) units.push(parseInt(hex.slice(i, i + 4), 16));
    return String.fromCharCode(...units);
  };
  for (const block of cmap.matchAll(/beginbfchar([\s\S]*?)endbfchar/g))
    for (const [, code, text] of block[1]!.matchAll(/<([0-9a-fA-F]+)>\s*<([0-9a-fA-F\s]+)>/g))
      map.set(parseInt(code!, 16), utf16(text!.replace(/\s+/g, "")));
  for (const block of cmap.matchAll(/beginbfrange([\s\S]*?)endbfrange/g)) {
    for (const [, lo, hi, rest] of block[1]!.matchAll(/<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*(\[[^\]]*\]|<[0-9a-fA-F\s]+>)/g)) {
      const a = parseInt(lo!, 16);
      const b = parseInt(hi!, 16);
      if (rest!.startsWith("[")) {
        // An entry may hold several UTF-16 units (a ligature such as "ff": <0066 0066>).
        const items = [...rest!.matchAll(/<([0-9a-fA-F\s]*)>/g)].map((x) => x[1]!.replace(/\s+/g, ""));
        items.forEach((h, i) => map.set(a + i, utf16(h)));
      } else {
        const first = parseInt(rest!.slice(1, -1), 16);
        for (let c = a; c <= b; c++) map.set(c, String.fromCharCode(first + (c - a)));
      }
    }
  }
  return map;
}

export function readPdf(pdf: Buffer): PdfSummary {
  if (pdf.subarray(0, 5).toString("latin1") !== "%PDF-") throw new Error("not a PDF");
  const objs = objects(pdf);
  const fonts: PdfFont[] = [];
  const byId = new Map<number, Map<number, string>>();
  for (const o of objs.values()) {
    if (!/\/Subtype\s*\/Type0/.test(o.dict)) continue;
    const baseFont = /\/BaseFont\s*\/([^\s/>]+)/.exec(o.dict)?.[1] ?? "";
    const tu = ref(o.dict, "ToUnicode");
    const descId = /\/DescendantFonts\s*\[\s*(\d+) 0 R/.exec(o.dict)?.[1];
    const desc = descId ? objs.get(Number(descId)) : undefined;
    const cidSubtype = desc ? (/\/Subtype\s*\/(\w+)/.exec(desc.dict)?.[1] ?? "") : "";
    const fd = desc ? objs.get(ref(desc.dict, "FontDescriptor") ?? -1) : undefined;
    const fileKey = fd ? (/\/(FontFile[23]?)\s+\d+ 0 R/.exec(fd.dict)?.[1] ?? null) : null;
    const file = fd && fileKey ? objs.get(ref(fd.dict, fileKey) ?? -1) : undefined;
    fonts.push({ baseFont, cidSubtype, fontFile: fileKey, fontFileBytes: file?.stream?.length ?? 0, hasToUnicode: tu != null });
    if (tu != null) byId.set(o.id, parseToUnicode(objs.get(tu)?.stream?.toString("latin1") ?? ""));
  }
  const pageObjs = [...objs.values()].filter((o) => /\/Type\s*\/Page\b/.test(o.dict));
  const pages = pageObjs.map((p) => {
    // The page's font resources: /F1 12 0 R …
    const resId = ref(p.dict, "Resources");
    const resDict = resId != null ? (objs.get(resId)?.dict ?? "") : p.dict;
    const fontDictMatch = /\/Font\s*<<([^>]*)>>/.exec(resDict);
    const names = new Map<string, number>();
    if (fontDictMatch) for (const [, name, id] of fontDictMatch[1]!.matchAll(/\/(\w+)\s+(\d+) 0 R/g)) names.set(name!, Number(id));
    const contentIds = /\/Contents\s*\[([^\]]*)\]/.exec(p.dict)?.[1] ?? /\/Contents\s+(\d+ 0 R)/.exec(p.dict)?.[1] ?? "";
    const content = [...contentIds.matchAll(/(\d+) 0 R/g)].map((m) => objs.get(Number(m[1]))?.stream?.toString("latin1") ?? "").join("\n");
    const lines: string[] = [];
    let current: Map<number, string> | undefined;
    for (const op of content.matchAll(/\/(\w+)\s+[\d.]+\s+Tf|(\[[^\]]*\])\s*TJ|<([0-9a-fA-F]*)>\s*Tj/g)) {
      if (op[1]) {
        current = byId.get(names.get(op[1]) ?? -1);
        continue;
      }
      const hexes = op[2] ? [...op[2].matchAll(/<([0-9a-fA-F]*)>/g)].map((x) => x[1]!) : [op[3]!];
      let line = "";
      for (const h of hexes) for (let i = 0; i + 4 <= h.length; i += 4) line += current?.get(parseInt(h.slice(i, i + 4), 16)) ?? "\uFFFD";
      lines.push(line);
    }
    return lines.join("\n");
  });
  const pagesRoot = [...objs.values()].find((o) => /\/Type\s*\/Pages\b/.test(o.dict));
  const pageCount = Number(/\/Count\s+(\d+)/.exec(pagesRoot?.dict ?? "")?.[1] ?? 0);
  const infoId = /\/Info\s+(\d+) 0 R/.exec(pdf.toString("latin1").slice(-2048))?.[1];
  return { pageCount, fonts, pages, info: infoId ? (objs.get(Number(infoId))?.dict ?? "") : "" };
}
