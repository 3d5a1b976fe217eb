import { createCookie } from "@remix-run/node";
import type { Locale } from "./messages";

export const localeCookie = createCookie("lang", { path: "/", sameSite: "lax", httpOnly: true, maxAge: 60 * 60 * 24 * 365 });

/** zh-CN unless the member chose English (cookie). */
export async function getLocale(request: Request): Promise<Locale> {
  return localeOfCookie(request.headers.get("cookie"));
}

export async function localeOfCookie(cookieHeader: string | null): Promise<Locale> {
  const value = await localeCookie.parse(cookieHeader);
  return value === "en" ? "en" : "zh-CN";
}
