import type { PolicyAttachmentView, PolicyRow } from "~/services/policies/queries.server.ts";

/**
 * Policies and notices in the API (issue 15, point 8): the facts, the Markdown body as written
 * and as the site renders it (safe HTML), attachments with their download address.
 */
export function apiPolicy(p: PolicyRow & { body: string; attachments: PolicyAttachmentView[]; html?: string }) {
  return {
    id: p.id,
    kind: p.kind,
    title: p.title,
    docNumber: p.docNumber,
    issuer: p.issuer,
    issuedOn: p.issuedOn,
    effectiveOn: p.effectiveOn,
    summary: p.summary,
    publishedAt: p.publishedAt,
    url: `/policies/${p.id}`,
    body: p.body,
    ...(p.html !== undefined ? { html: p.html } : {}),
    attachments: p.attachments.map((a) => ({
      id: a.id,
      filename: a.filename,
      contentType: a.contentType,
      size: a.size,
      url: `/policies/${p.id}/files/${a.id}`,
    })),
  };
}
