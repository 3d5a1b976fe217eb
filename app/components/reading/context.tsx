// The locale of a reading's components: ReadingView provides it, so the components need no router
// (they also render in tests and outside Remix, e.g. with react-dom/server).
import { createContext, useContext } from "react";
import { translate, type Locale, type MessageKey } from "~/i18n/messages";

export const ReadingLocaleContext = createContext<Locale>("zh-CN");

export function useReadingT() {
  const locale = useContext(ReadingLocaleContext);
  return (key: MessageKey, vars?: Record<string, string | number>) => translate(locale, key, vars);
}
