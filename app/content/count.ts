// How much there is to read, for the reading-time rule (about 500 Chinese characters a minute):
// every CJK character counts one, and every word of Latin (or other alphabetic) text counts one.
// Punctuation, spaces and symbols count nothing.

const CJK = String.raw`\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}`;

/**
 * One match per CJK character, or per word: letters and digits of other scripts, joined by an
 * apostrophe, hyphen, dot or comma between two of them ("don't", "ISO-45001", "3.5", "1,000").
 */
const UNIT = new RegExp(
  String.raw`[${CJK}]|(?:(?![${CJK}])[\p{L}\p{N}\p{M}])+(?:['’.,\-](?:(?![${CJK}])[\p{L}\p{N}\p{M}])+)*`,
  "gu",
);

/** Reading units in plain text: CJK characters plus words of Latin text. */
export function countReadingText(text: string): number {
  let count = 0;
  for (const _ of text.matchAll(UNIT)) count += 1;
  return count;
}
