import type { ActionFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { safeRedirect } from "~/auth/forms";
import { assertSameOrigin } from "~/auth/origin.server";
import { localeCookie } from "~/i18n/locale.server";

export async function loader() {
  return redirect("/");
}

export async function action({ request }: ActionFunctionArgs) {
  assertSameOrigin(request);
  const form = await request.formData();
  const lang = form.get("lang") === "en" ? "en" : "zh-CN";
  return redirect(safeRedirect(form.get("redirectTo")), { headers: { "Set-Cookie": await localeCookie.serialize(lang) } });
}
