import { createCookie } from "@remix-run/node";
import type { Locale } from "./messages";

export const localeCookie = createCookie("lang", { path: "/", sameSite: "lax", httpOnly: true, maxAge: 60 * 60 * 24 * 365 });

/** zh-CN unless the member chose English (cookie). */
export async function getLocale(request: Request): Promise<Locale> {
  const value = await localeCookie.parse(request.headers.get("cookie"));
  return value === "en" ? "en" : "zh-CN";
}
