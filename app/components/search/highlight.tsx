import { Fragment } from "react";
import type { HighlightPart } from "~/utils/highlight.ts";

/**
 * Text with the matched words in <mark>. The parts come from Meilisearch's formatted text split
 * on private tags (app/utils/highlight.ts), so everything is rendered as text: nothing a seller wrote
 * can become markup.
 */
export function Highlighted({ parts }: { parts: readonly HighlightPart[] }) {
  return <>{parts.map((p, i) => (p.mark ? <mark key={i}>{p.text}</mark> : <Fragment key={i}>{p.text}</Fragment>))}</>;
}
