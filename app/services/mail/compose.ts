/**
 * One layout for every mail: a greeting, paragraphs, an optional button-like link, a footer.
 * Returns the plain text (what every client shows) and the same content as escaped HTML.
 */
export interface MailContent {
  greeting?: string;
  paragraphs: readonly string[];
  action?: { label: string; url: string };
  footer: string;
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

export function composeMail(c: MailContent): { text: string; html: string } {
  const text = [
    ...(c.greeting ? [c.greeting, ""] : []),
    ...c.paragraphs.flatMap((p) => [p, ""]),
    ...(c.action ? [`${c.action.label}: ${c.action.url}`, ""] : []),
    "—",
    c.footer,
  ].join("\n");
  const html = [
    '<div style="font-family:sans-serif;line-height:1.6;max-width:36em">',
    ...(c.greeting ? [`<p>${escapeHtml(c.greeting)}</p>`] : []),
    ...c.paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`),
    ...(c.action
      ? [
          `<p><a href="${escapeHtml(c.action.url)}">${escapeHtml(c.action.label)}</a></p>`,
          `<p style="color:#666;font-size:90%">${escapeHtml(c.action.url)}</p>`,
        ]
      : []),
    `<hr><p style="color:#666;font-size:90%">${escapeHtml(c.footer)}</p>`,
    "</div>",
  ].join("\n");
  return { text, html };
}
