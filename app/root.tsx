import { json, type LinksFunction, type LoaderFunctionArgs, type MetaFunction, type SerializeFrom } from "@remix-run/node";
import {
  Form,
  Link,
  Links,
  Meta,
  NavLink,
  Outlet,
  Scripts,
  ScrollRestoration,
  useLoaderData,
  useLocation,
  useRouteLoaderData,
} from "@remix-run/react";
import { useEffect, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { AuthenticityTokenInput, AuthenticityTokenProvider } from "remix-utils/csrf/react";
import { GeneralErrorBoundary } from "~/components/error-boundary.tsx";
import { useNonce } from "~/components/nonce.tsx";
import stylesheet from "~/styles/app.css";
import { unreadCount } from "~/services/notifications/inbox.server.ts";
import { localeFromCookieHeader, type Locale } from "~/utils/i18n.ts";
import { NAV_ITEMS } from "~/utils/navigation.ts";
import { can } from "~/utils/permissions.ts";
import { getUser } from "~/web/auth.server.ts";
import { csrfProtection } from "~/web/forms.server.ts";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: stylesheet },
  {
    rel: "icon",
    href: "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 32 32'%3E%3Crect width='32' height='32' rx='6' fill='%23b3261e'/%3E%3Ctext x='16' y='23' font-size='18' text-anchor='middle' fill='white'%3E%E6%88%90%3C/text%3E%3C/svg%3E",
  },
];

export const meta: MetaFunction = () => [{ title: "成果 · 西畴县科技成果转移转化交易平台" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const [user, [csrfToken, csrfCookie]] = await Promise.all([getUser(request), csrfProtection().commitToken(request)]);
  const locale = localeFromCookieHeader(request.headers.get("Cookie"));
  const unread = user ? await unreadCount(user.id) : 0;
  // The page's request id (server/request-id.ts): the error page shows it when the page itself failed to render.
  const requestId = context?.requestId || null;
  return json({ user, locale, csrfToken, unread, requestId }, { headers: csrfCookie ? { "Set-Cookie": csrfCookie } : undefined });
}

export type RootLoaderData = typeof loader;

/** The logged-in user from the root loader, or null. */
export function useOptionalUser() {
  return useRouteLoaderData<typeof loader>("root")?.user ?? null;
}

function Document({ locale, children }: { locale: Locale; children: ReactNode }) {
  const nonce = useNonce(); // the CSP nonce for Remix's inline scripts
  return (
    <html lang={locale}>
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <Meta />
        <Links />
      </head>
      <body>
        {children}
        <ScrollRestoration nonce={nonce} />
        <Scripts nonce={nonce} />
      </body>
    </html>
  );
}

function LanguageSwitch({ locale }: { locale: Locale }) {
  const { t } = useTranslation();
  const location = useLocation();
  return (
    <Form method="post" action="/set-language" className="lang-switch" aria-label={t("nav.language")}>
      <AuthenticityTokenInput />
      <input type="hidden" name="redirectTo" value={location.pathname + location.search} />
      <button type="submit" name="lng" value="zh-CN" aria-pressed={locale === "zh-CN"} lang="zh-CN">
        中文
      </button>
      <button type="submit" name="lng" value="en" aria-pressed={locale === "en"} lang="en">
        English
      </button>
    </Form>
  );
}

type RootData = SerializeFrom<typeof loader>;

function Header({ data }: { data: RootData }) {
  const { t } = useTranslation();
  const user = data.user;
  const items = NAV_ITEMS.filter((i) => (i.permission ? can(user, i.permission) : i.auth ? !!user : true));
  const nav = (
    <ul className="nav-list">
      {items.map((i) => (
        <li key={i.to}>
          <NavLink to={i.to} end={i.to === "/"}>
            {t(i.label)}
            {i.to === "/notifications" && data.unread > 0 ? (
              <span className="badge badge--count" aria-label={t("notifications.unread", { count: data.unread })}>
                {data.unread > 99 ? "99+" : data.unread}
              </span>
            ) : null}
          </NavLink>
        </li>
      ))}
    </ul>
  );
  return (
    <header className="site-header">
      <div className="header-inner">
        <Link to="/" className="brand">
          <span className="brand-mark" aria-hidden="true">
            成
          </span>
          <span className="brand-text">
            <strong>{t("app.name")}</strong>
            <small>{t("app.title")}</small>
          </span>
        </Link>
        <nav aria-label={t("nav.menu")} className="main-nav">
          {nav}
        </nav>
        <div className="header-tools">
          <LanguageSwitch locale={data.locale} />
          {user ? (
            <div className="user-menu">
              <span className="user-name" data-testid="user-name">
                {user.name}
              </span>
              <Form method="post" action="/logout">
                <AuthenticityTokenInput />
                <button type="submit" className="button button--ghost">
                  {t("nav.logout")}
                </button>
              </Form>
            </div>
          ) : (
            <div className="user-menu">
              <Link to="/login" className="button button--ghost">
                {t("nav.login")}
              </Link>
              <Link to="/register" className="button">
                {t("nav.register")}
              </Link>
            </div>
          )}
        </div>
        {/* Small screens: the same links in a disclosure that works without JavaScript. */}
        <details className="mobile-nav">
          <summary>{t("nav.menu")}</summary>
          {nav}
        </details>
      </div>
    </header>
  );
}

export default function App() {
  const data = useLoaderData<typeof loader>();
  const { i18n } = useTranslation();
  useEffect(() => {
    // After a language switch the root loader revalidates; follow it in the browser.
    if (i18n.language !== data.locale) void i18n.changeLanguage(data.locale);
  }, [data.locale, i18n]);
  return (
    <Document locale={data.locale}>
      <AuthenticityTokenProvider token={data.csrfToken}>
        <Shell data={data}>
          <Outlet />
        </Shell>
      </AuthenticityTokenProvider>
    </Document>
  );
}

function Shell({ data, children }: { data: RootData; children: ReactNode }) {
  const { t } = useTranslation();
  return (
    <>
      <a href="#main" className="skip-link">
        {t("app.skip")}
      </a>
      <Header data={data} />
      <main id="main" className="main">
        {children}
      </main>
      <footer className="site-footer">{t("app.footer")}</footer>
    </>
  );
}

/** Errors keep the site's header and footer when the root loader ran (e.g. a 404), so the reader can go on. */
export function ErrorBoundary() {
  const data = useRouteLoaderData<typeof loader>("root");
  return (
    <Document locale={data?.locale ?? "zh-CN"}>
      {data ? (
        <AuthenticityTokenProvider token={data.csrfToken}>
          <Shell data={data}>
            <GeneralErrorBoundary />
          </Shell>
        </AuthenticityTokenProvider>
      ) : (
        <main id="main" className="main">
          <GeneralErrorBoundary />
        </main>
      )}
    </Document>
  );
}
