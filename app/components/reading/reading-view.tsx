// Renders a compiled reading (the `code` from loadReading) with the reading components, in
// comfortable phone typography: large type, line height 1.8, a readable line length.
import { getMDXComponent } from "mdx-bundler/client";
import { useMemo } from "react";
import { useLocale } from "~/i18n/i18n";
import type { Locale } from "~/i18n/messages";
import { readingComponents } from "./components";
import { ReadingLocaleContext } from "./context";

type Content = ReturnType<typeof getMDXComponent>;

// Evaluating the code (new Function) per server render would cost every request; the few readings
// in use at a time keep their component here.
const evaluated = new Map<string, Content>();
const MAX_EVALUATED = 32;

function contentFor(code: string): Content {
  let content = evaluated.get(code);
  if (!content) {
    content = getMDXComponent(code);
    if (evaluated.size >= MAX_EVALUATED) evaluated.delete(evaluated.keys().next().value as string);
    evaluated.set(code, content);
  }
  return content;
}

/** The root route's locale inside Remix; zh-CN where there is no router (tests, other renderers). */
function useLocaleOrDefault(): Locale {
  try {
    return useLocale();
  } catch {
    return "zh-CN";
  }
}

export function ReadingView({ code, locale, className = "" }: { code: string; locale?: Locale; className?: string }) {
  const routeLocale = useLocaleOrDefault();
  const Content = useMemo(() => contentFor(code), [code]);
  return (
    <ReadingLocaleContext.Provider value={locale ?? routeLocale}>
      <div className={`reading mx-auto max-w-[40rem] break-words text-[1.125rem] leading-[1.8] text-gray-900 ${className}`}>
        <Content components={readingComponents} />
      </div>
    </ReadingLocaleContext.Provider>
  );
}
