import i18next, { type i18n } from "i18next";
import { initReactI18next } from "react-i18next";
import en from "~/locales/en.ts";
import admin from "~/locales/modules/admin.ts";
import accounts from "~/locales/modules/accounts.ts";
import cancellation from "~/locales/modules/cancellation.ts";
import contracts from "~/locales/modules/contracts.ts";
import desk from "~/locales/modules/desk.ts";
import contractPdf from "~/locales/modules/contract-pdf.ts";
import api from "~/locales/modules/api.ts";
import forms from "~/locales/modules/forms.ts";
import ledger from "~/locales/modules/ledger.ts";
import settlement from "~/locales/modules/settlement.ts";
import workspace from "~/locales/modules/workspace.ts";
import payouts from "~/locales/modules/payouts.ts";
import policies from "~/locales/modules/policies.ts";
import listing from "~/locales/modules/listing.ts";
import matching from "~/locales/modules/matching.ts";
import matchFeedback from "~/locales/modules/match-feedback.ts";
import notifications from "~/locales/modules/notifications.ts";
import offers from "~/locales/modules/offers.ts";
import payments from "~/locales/modules/payments.ts";
import prices from "~/locales/modules/prices.ts";
import rooms from "~/locales/modules/rooms.ts";
import pages from "~/locales/modules/pages.ts";
import recommendations from "~/locales/modules/recommendations.ts";
import search from "~/locales/modules/search.ts";
import trading from "~/locales/modules/trading.ts";
import work from "~/locales/modules/work.ts";
import buyRequests from "~/locales/modules/buy-requests.ts";
import registrationCertificate from "~/locales/modules/registration-certificate.ts";
import statistics from "~/locales/modules/statistics.ts";
import commissioners from "~/locales/modules/commissioners.ts";
import registration from "~/locales/modules/registration.ts";
import vocabulary from "~/locales/modules/vocabulary.ts";
import zhCN from "~/locales/zh-CN.ts";

export const LOCALES = ["zh-CN", "en"] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = "zh-CN";
export const LOCALE_COOKIE = "lng";

type Tree = { [key: string]: string | Tree };
function deepMerge(...trees: object[]): Tree {
  const out: Tree = {};
  for (const t of trees as Tree[]) {
    for (const [k, v] of Object.entries(t)) {
      const prev = out[k];
      out[k] = typeof v === "object" && typeof prev === "object" ? deepMerge(prev, v) : v;
    }
  }
  return out;
}

/** The base messages plus one module per feature area (app/locales/modules), merged per language. */
const MODULES = [
  listing,
  forms,
  pages,
  api,
  search,
  matching,
  trading,
  offers,
  payments,
  rooms,
  prices,
  recommendations,
  work,
  notifications,
  admin,
  accounts,
  contracts,
  contractPdf,
  ledger,
  settlement,
  workspace,
  payouts,
  cancellation,
  buyRequests,
  registrationCertificate,
  policies,
  statistics,
  commissioners,
  desk,
  registration,
  vocabulary,
  matchFeedback,
] as const;
export const resources = {
  "zh-CN": { common: deepMerge(zhCN, ...MODULES.map((m) => m["zh-CN"])) },
  en: { common: deepMerge(en, ...MODULES.map((m) => m.en)) },
};

export function isLocale(v: unknown): v is Locale {
  return typeof v === "string" && (LOCALES as readonly string[]).includes(v);
}

/** zh-CN first; English only when the reader chose it (the `lng` cookie). */
export function localeFromCookieHeader(header: string | null): Locale {
  const m = header?.match(/(?:^|;\s*)lng=([^;]+)/);
  const v = m ? decodeURIComponent(m[1]!) : undefined;
  return isLocale(v) ? v : DEFAULT_LOCALE;
}

/** A fresh i18next instance (one per server request; one for the browser). Resources are bundled. */
export function createI18n(locale: Locale): i18n {
  const instance = i18next.createInstance();
  void instance.use(initReactI18next).init({
    lng: locale,
    fallbackLng: DEFAULT_LOCALE,
    supportedLngs: [...LOCALES],
    defaultNS: "common",
    ns: ["common"],
    resources,
    initImmediate: false,
    interpolation: { escapeValue: false },
  });
  return instance;
}

const shared = new Map<Locale, i18n>();
/**
 * One instance per language for the server's requests (creating one costs about a millisecond,
 * twice per page). Safe to share: the resources are bundled and read-only, and nothing on the
 * server changes an instance's language.
 */
export function sharedI18n(locale: Locale): i18n {
  let instance = shared.get(locale);
  if (!instance) shared.set(locale, (instance = createI18n(locale)));
  return instance;
}
