// This domain's strings through the current locale. They are also merged into the app's
// dictionary (app/i18n/messages.ts); these hooks work with or without that merge.
import { useLocale, useT } from "~/i18n/i18n";
import type { MessageKey } from "~/i18n/messages";
import * as messages from "./messages";

export type Vars = Record<string, string | number>;

export function fill(template: string, vars?: Vars) {
  return vars ? template.replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k] ?? `{${k}}`)) : template;
}

/** A translate hook over one domain's dictionaries. */
export function domainT<K extends string>(zh: Record<K, string>, en: Record<K, string>) {
  return function useDomainT() {
    const locale = useLocale();
    const dict = locale === "en" ? en : zh;
    return (key: K, vars?: Vars) => fill(dict[key] ?? key, vars);
  };
}

/** Validation messages are keys of this domain or of the app; anything else is shown as it is. */
export function domainErrorText<K extends string>(zh: Record<K, string>, en: Record<K, string>) {
  return function useDomainErrorText() {
    const locale = useLocale();
    const t = useT();
    const dict: Record<string, string> = locale === "en" ? en : zh;
    const one = (error: string) => {
      // "key|name=value|…": a message with values.
      const [key, ...pairs] = error.split("|");
      const vars = Object.fromEntries(pairs.map((p) => p.split("=", 2) as [string, string]));
      if (key in dict) return fill(dict[key], vars);
      return key.includes(".") && !key.includes(" ") ? t(key as MessageKey, vars) : error;
    };
    return (errors: string[] | undefined) => errors?.map(one).join("；");
  };
}

export type PointsKey = keyof typeof messages.zhCN;
export const usePointsT = domainT<PointsKey>(messages.zhCN, messages.en);
export const usePointsErrorText = domainErrorText<PointsKey>(messages.zhCN, messages.en);
