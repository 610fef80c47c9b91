import { sharedI18n, localeFromCookieHeader } from "~/utils/i18n.ts";

/** A translator in the reader's language (the lng cookie), for meta titles and messages made in loaders. */
export function requestT(request: Request) {
  const i18n = sharedI18n(localeFromCookieHeader(request.headers.get("Cookie")));
  return i18n.t.bind(i18n);
}

/** "<part> · <part> · 成果": the meta title, most specific first. */
export function pageTitle(t: ReturnType<typeof requestT>, ...parts: (string | null | undefined)[]): string {
  return [...parts.filter(Boolean), t("app.name")].join(" · ");
}
