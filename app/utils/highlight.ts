/**
 * Highlighted text without HTML: Meilisearch marks the matched words with two private tags that
 * cannot occur in listing text (search/query.ts asks for them); the server splits its formatted
 * text into plain and marked parts, and the page renders them as text and <mark> elements
 * (components/search/highlight.tsx). Pure and browser-safe.
 */

/** Highlight tags that cannot occur in listing text; split into parts, never parsed as HTML. */
export const HIGHLIGHT_PRE = "\u0001";
export const HIGHLIGHT_POST = "\u0002";

export interface HighlightPart {
  text: string;
  mark: boolean;
}

// eslint-disable-next-line no-control-regex -- the private highlight tags are control characters on purpose
const HIGHLIGHT_SPLIT = /([\u0001\u0002])/;

/**
 * Splits Meilisearch's formatted text on the private tags into plain parts and marked parts.
 * Unbalanced tags are tolerated; tags never reach the page.
 */
export function highlightParts(formatted: string | null | undefined): HighlightPart[] {
  const out: HighlightPart[] = [];
  let mark = false;
  for (const piece of String(formatted ?? "").split(HIGHLIGHT_SPLIT)) {
    if (piece === HIGHLIGHT_PRE) mark = true;
    else if (piece === HIGHLIGHT_POST) mark = false;
    else if (piece) {
      const last = out[out.length - 1];
      if (last && last.mark === mark) last.text += piece;
      else out.push({ text: piece, mark });
    }
  }
  return out;
}

/** Whether Meilisearch marked anything in this formatted text. */
export const hasHighlight = (formatted: string | null | undefined) => !!formatted && formatted.includes(HIGHLIGHT_PRE);
