import MarkdownIt from "markdown-it";

/**
 * The body of a policy or notice, Markdown → HTML on the server, safely: raw HTML in the source
 * is shown as text (html: false), links go only to http(s) and mailto (validateLink), images only
 * from http(s) or the site itself, and every link opens without handing over the referrer or the
 * window (rel="noopener noreferrer"). The page inserts the result as HTML, so this is the one
 * place that decides what may reach it.
 */
const SAFE_LINK = /^(https?:|mailto:)/i;
/** A path on this site ("/policies/…"), never a protocol-relative "//host". */
const SITE_PATH = /^\/(?!\/)/;

const md = new MarkdownIt({ html: false, linkify: true, typographer: false, breaks: false });

md.validateLink = (url: string): boolean => {
  const u = url.trim();
  return SAFE_LINK.test(u) || SITE_PATH.test(u) || u.startsWith("#");
};

const defaultLinkOpen = md.renderer.rules.link_open ?? ((tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options));
md.renderer.rules.link_open = (tokens, idx, options, env, self) => {
  const token = tokens[idx]!;
  const href = String(token.attrGet("href") ?? "");
  if (/^https?:/i.test(href)) {
    token.attrSet("rel", "noopener noreferrer nofollow");
    token.attrSet("target", "_blank");
  }
  return defaultLinkOpen(tokens, idx, options, env, self);
};

export function renderPolicyMarkdown(source: string): string {
  return md.render(source);
}

/** Plain text of the body's start, for a list's summary when the author gave none. */
export function markdownExcerpt(source: string, max = 120): string {
  const plain = source
    .replace(/```[\s\S]*?```/g, " ")
    .replace(/!\[[^\]]*\]\([^)]*\)/g, " ")
    .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/^\s*(?:#{1,6}|>|[-*+]|\d+\.)\s+/gm, "")
    .replace(/[*_`~]+/g, "")
    .replace(/[|]+/g, " ")
    .replace(/\s+/g, " ")
    .trim();
  return plain.length > max ? `${plain.slice(0, max)}…` : plain;
}
