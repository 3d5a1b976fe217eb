// Translation for the assignments/statistics screens: this domain's strings first, then the
// app's dictionary (status.*, kind.*, common.*, v.*). Works whether or not ./messages.ts has been
// merged into ~/i18n/messages.
import { useLocale } from "~/i18n/i18n";
import { translate, type Locale, type MessageKey } from "~/i18n/messages";
import { en, zhCN } from "./messages";

export type StatsKey = keyof typeof zhCN;
export type AnyKey = StatsKey | MessageKey;

export function statsTranslate(locale: Locale, key: AnyKey, vars?: Record<string, string | number>) {
  const own = (locale === "en" ? en : zhCN) as Record<string, string>;
  const template = own[key];
  if (template === undefined) return translate(locale, key as MessageKey, vars);
  return vars ? template.replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k] ?? `{${k}}`)) : template;
}

export function useStatsT() {
  const locale = useLocale();
  return (key: AnyKey, vars?: Record<string, string | number>) => statsTranslate(locale, key, vars);
}

/** A validation message: one of ours or the app's (keys contain a dot); anything else as it is. */
export function useStatsErrorText() {
  const t = useStatsT();
  return (errors: string[] | undefined) => errors?.map((e) => (e.includes(".") && !e.includes(" ") ? t(e as AnyKey) : e)).join("；");
}

export function formatRate(rate: number | null) {
  return rate === null ? "—" : `${Math.round(rate * 1000) / 10}%`;
}
