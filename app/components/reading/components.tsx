// What a reading's MDX renders with: the four author components and comfortable styles for the
// Markdown elements (headings, lists, links, code…), for large type on a phone.
import type { ComponentPropsWithoutRef } from "react";
import type { MDXContentProps } from "mdx-bundler/client";
import { Figure } from "./figure";
import { KeyPoint } from "./key-point";
import { Quote } from "./quote";
import { Term } from "./term";

export type ReadingComponents = NonNullable<MDXContentProps["components"]>;

export const readingComponents: ReadingComponents = {
  KeyPoint,
  Quote,
  Figure,
  Term,
  h2: ({ children, ...props }: ComponentPropsWithoutRef<"h2">) => (
    <h2 className="mb-3 mt-8 text-[1.35rem] font-bold leading-snug text-gray-950" {...props}>
      {children}
    </h2>
  ),
  h3: ({ children, ...props }: ComponentPropsWithoutRef<"h3">) => (
    <h3 className="mb-2 mt-6 text-[1.2rem] font-bold leading-snug text-gray-950" {...props}>
      {children}
    </h3>
  ),
  h4: ({ children, ...props }: ComponentPropsWithoutRef<"h4">) => (
    <h4 className="mb-2 mt-5 font-bold text-gray-950" {...props}>
      {children}
    </h4>
  ),
  p: (props: ComponentPropsWithoutRef<"p">) => <p className="my-4" {...props} />,
  ul: (props: ComponentPropsWithoutRef<"ul">) => <ul className="my-4 list-disc space-y-1 pl-6" {...props} />,
  ol: (props: ComponentPropsWithoutRef<"ol">) => <ol className="my-4 list-decimal space-y-1 pl-6" {...props} />,
  li: (props: ComponentPropsWithoutRef<"li">) => <li className="pl-1 [&>p]:my-1" {...props} />,
  a: ({ children, ...props }: ComponentPropsWithoutRef<"a">) => (
    <a className="link" {...props}>
      {children}
    </a>
  ),
  strong: (props: ComponentPropsWithoutRef<"strong">) => <strong className="font-bold text-gray-950" {...props} />,
  blockquote: (props: ComponentPropsWithoutRef<"blockquote">) => (
    <blockquote className="my-4 border-l-4 border-gray-300 pl-4 text-gray-700 [&>:first-child]:mt-0 [&>:last-child]:mb-0" {...props} />
  ),
  code: (props: ComponentPropsWithoutRef<"code">) => <code className="rounded bg-gray-100 px-1 text-[0.9em]" {...props} />,
  pre: (props: ComponentPropsWithoutRef<"pre">) => (
    <pre className="my-4 overflow-x-auto rounded-lg bg-gray-100 p-3 text-base leading-normal [&>code]:bg-transparent [&>code]:p-0" {...props} />
  ),
  hr: (props: ComponentPropsWithoutRef<"hr">) => <hr className="my-8 border-gray-200" {...props} />,
  img: ({ alt, ...props }: ComponentPropsWithoutRef<"img">) => (
    <img alt={alt ?? ""} loading="lazy" decoding="async" className="mx-auto my-4 block h-auto max-w-full rounded-lg" {...props} />
  ),
};
