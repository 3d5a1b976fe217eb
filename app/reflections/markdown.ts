// Markdown of reflections and comments to HTML, the same on the server (the post page) and in the
// browser (the live preview). micromark (CommonMark) with its safe defaults: raw HTML is never
// passed through (it is not even parsed: "<script>" stays text and is escaped), and link targets
// with a protocol other than http, https, mailto, irc, ircs and xmpp are dropped (so javascript:,
// vbscript:, data: and their entity- or whitespace-disguised forms give an empty href). On top of
// that: images are switched off (no tracking pixels or requests on the reader's behalf: "![a](u)"
// reads as "!" and a link), links whose target was dropped lose their href, the others get rel="nofollow noopener noreferrer ugc", and headings move
// down two levels so a post's "#" never competes with the page's own heading.
import { micromark } from "micromark";
import { countReadingText } from "~/content/count";

const options = {
  allowDangerousHtml: false,
  allowDangerousProtocol: false,
  extensions: [{ disable: { null: ["labelStartImage", "htmlFlow", "htmlText"] } }],
};

/** Longest Markdown accepted for a post (characters); comments are far shorter. */
export const MAX_MARKDOWN = 20_000;

export function renderMarkdown(markdown: string): string {
  const html = micromark(markdown.slice(0, MAX_MARKDOWN), options);
  return html
    // A target the sanitiser dropped leaves href="": no link at all, rather than one to this page.
    .replace(/<a href="">/g, "<a>")
    .replace(/<a href="/g, '<a rel="nofollow noopener noreferrer ugc" href="')
    .replace(/<(\/?)h([1-6])>/g, (_, slash: string, level: string) => `<${slash}h${Math.min(6, Number(level) + 2)}>`);
}

const ENTITIES: Record<string, string> = { "&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&#x27;": "'", "&#39;": "'" };

/** The text a reader sees (tags dropped, entities decoded), for counting and comparing. */
export function markdownToText(markdown: string): string {
  return renderMarkdown(markdown)
    .replace(/<[^>]*>/g, " ")
    .replace(/&(?:amp|lt|gt|quot|#x27|#39);/g, (e) => ENTITIES[e] ?? e);
}

/** Length as the minimum-length rule counts it: CJK characters plus words of Latin text. */
export function reflectionLength(markdown: string): number {
  return countReadingText(markdownToText(markdown));
}
