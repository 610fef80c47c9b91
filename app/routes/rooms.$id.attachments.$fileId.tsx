import type { LoaderFunctionArgs } from "@remix-run/node";
import { openRoomAttachment } from "~/services/rooms/attachments.server.ts";
import { ForbiddenError, NotFoundError } from "~/utils/errors.ts";
import { createI18n, localeFromCookieHeader } from "~/utils/i18n.ts";
import { requireUser } from "~/web/auth.server.ts";
import { fileResponse } from "~/web/files.server.ts";

/**
 * GET /rooms/:id/attachments/:fileId — a file of a deal room, streamed from GridFS, for members
 * only (anyone else: 404, as if neither room nor file existed). A confidential file answers 403
 * until the NDA is complete (a buyer-side and a seller-side member accepted it) and the reader accepted it too. Never cached: access can
 * change, and the content is the parties' business. `?download=1` saves instead of showing.
 */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const roomId = params.id ?? "";
  let file: Awaited<ReturnType<typeof openRoomAttachment>>;
  try {
    file = await openRoomAttachment(user, roomId, params.fileId ?? "");
  } catch (e) {
    const locale = localeFromCookieHeader(request.headers.get("Cookie"));
    const t = createI18n(locale).t;
    if (e instanceof ForbiddenError) {
      const back = { href: `/rooms/${encodeURIComponent(roomId)}`, text: t("rooms.attachments.backToRoom") };
      return page(context.cspNonce, locale, 403, `🔒 ${t("rooms.attachments.forbiddenTitle")}`, t(e.message), back);
    }
    if (e instanceof NotFoundError) {
      return page(context.cspNonce, locale, 404, t("errorPage.notFound"), t("errorPage.notFoundText"), {
        href: "/rooms",
        text: t("rooms.page.backToList"),
      });
    }
    throw e;
  }
  return fileResponse(request, file, "private, no-store");
}

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * A small page of its own: this route streams files, so it has no React page to fall back on. Its
 * one inline <style> carries the request's CSP nonce (server/security-headers.ts).
 */
function page(
  nonce: string | undefined,
  lang: string,
  status: number,
  title: string,
  text: string,
  back: { href: string; text: string },
): Response {
  const html = `<!doctype html><html lang="${escape(lang)}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escape(title)}</title><style${nonce ? ` nonce="${escape(nonce)}"` : ""}>body{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;text-align:center;color:#1f2328}p.s{font-size:3rem;font-weight:700;color:#b3261e;margin:0}a{color:#8c1d17}</style></head><body><p class="s">${status}</p><h1>${escape(title)}</h1><p data-testid="attachment-error">${escape(text)}</p><p><a href="${escape(back.href)}">${escape(back.text)}</a></p></body></html>`;
  return new Response(html, {
    status,
    headers: {
      "Content-Type": "text/html; charset=utf-8",
      "X-Content-Type-Options": "nosniff",
      "Cache-Control": "private, no-store",
    },
  });
}
