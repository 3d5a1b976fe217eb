import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import {
  Form,
  Link,
  Links,
  Meta,
  Outlet,
  Scripts,
  ScrollRestoration,
  isRouteErrorResponse,
  useLocation,
  useRouteError,
  useRouteLoaderData,
} from "@remix-run/react";
import { useEffect } from "react";
import { getViewer, sessionRefreshCookie } from "~/auth/session.server";
import { flushReports, pendingReports } from "~/courses/progress-queue";
import { hasAnyRole } from "~/auth/policy.server";
import { useT } from "~/i18n/i18n";
import { getLocale } from "~/i18n/locale.server";
import styles from "./tailwind.css?url";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: styles },
  { rel: "icon", href: "/favicon.svg", type: "image/svg+xml" },
];

export const meta: MetaFunction = () => [{ title: "网上党校" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const [locale, viewer, refresh] = await Promise.all([getLocale(request), getViewer({ request, context }), sessionRefreshCookie({ request, context })]);
  return data(
    {
      locale,
      // Nothing more of the member: pages such as the lesson page are shared between members (app/courses/lesson-page.server.ts).
      viewer: viewer && { manages: hasAnyRole(viewer), mustChangePassword: viewer.mustChangePassword },
    },
    refresh ? { headers: { "Set-Cookie": refresh } } : undefined,
  );
}

function Header() {
  const root = useRouteLoaderData<typeof loader>("root");
  const t = useT();
  const location = useLocation();
  const viewer = root?.viewer;
  return (
    <header className="bg-party-700 text-white">
      <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:bg-white focus:p-2 focus:text-black">
        {t("nav.skip")}
      </a>
      <div className="mx-auto flex max-w-5xl flex-wrap items-center gap-x-4 gap-y-2 px-4 py-3">
        <Link to="/" className="text-xl font-bold tracking-wide">
          {t("app.name")}
        </Link>
        <nav aria-label="main" className="ml-auto flex flex-wrap items-center gap-x-4 gap-y-1 text-base">
          {viewer && !viewer.mustChangePassword && viewer.manages ? (
            <Link to="/admin/units" className="underline-offset-4 hover:underline">
              {t("nav.admin")}
            </Link>
          ) : null}
          <Form method="post" action="/lang" className="inline">
            <input type="hidden" name="redirectTo" value={location.pathname + location.search} />
            <input type="hidden" name="lang" value={root?.locale === "en" ? "zh-CN" : "en"} />
            <button type="submit" className="underline-offset-4 hover:underline">
              {t("lang.switch")}
            </button>
          </Form>
          {viewer ? (
            <Form method="post" action="/logout" className="inline">
              <button type="submit" className="underline-offset-4 hover:underline">
                {t("nav.logout")}
              </button>
            </Form>
          ) : null}
        </nav>
      </div>
    </header>
  );
}

export function Layout({ children }: { children: React.ReactNode }) {
  const root = useRouteLoaderData<typeof loader>("root");
  return (
    <html lang={root?.locale ?? "zh-CN"}>
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="theme-color" content="#a50f15" />
        <Meta />
        <Links />
      </head>
      <body className="min-h-screen bg-gray-50 text-gray-900">
        <Header />
        <main id="main" className="mx-auto max-w-5xl px-4 py-5">
          {children}
        </main>
        <ScrollRestoration />
        <Scripts />
      </body>
    </html>
  );
}

export default function App() {
  // Progress kept in this browser while offline goes out on the next page load.
  useEffect(() => {
    if (pendingReports() > 0) void flushReports();
  }, []);
  return <Outlet />;
}

export function ErrorBoundary() {
  const error = useRouteError();
  const t = useT();
  const status = isRouteErrorResponse(error) ? error.status : 500;
  const message = status === 403 ? t("error.forbidden") : status === 404 ? t("error.notFound") : t("error.generic");
  return (
    <div className="card mx-auto max-w-md text-center">
      <h1 className="text-2xl font-bold">
        {t("error.title")} ({status})
      </h1>
      <p className="mt-3">{message}</p>
      <Link to="/" className="btn mt-5">
        {t("error.home")}
      </Link>
    </div>
  );
}
