// Near-copy detection for reflections, on Chinese text: character 3-gram shingles over the
// normalised text (NFKC, lower case, letters and digits only — punctuation, spaces and Markdown
// syntax drop out), compared by containment: the share of one text's shingles that also occur in
// the other. Reordering sentences keeps almost every shingle, and changing a few words loses only
// the shingles that overlap them, so a lightly edited copy stays far above the threshold; two
// honest posts on the same lesson share terms of the lesson ("危险源", "安全生产") and little else.
// Calibrated on tests/fixtures/reflections (copies ≥ 0.6, honest pairs ≤ 0.15).

export const SHINGLE = 3;
/** Flag for the reviewer at or above this share of shared shingles. */
export const SIMILARITY_THRESHOLD = 0.5;

export type Normalised = { chars: string[]; origin: number[] };

const KEEP = /[\p{L}\p{N}]/u;

/** Letters and digits of the text, normalised, with the index in the original string of each. */
export function normalise(text: string): Normalised {
  const chars: string[] = [];
  const origin: number[] = [];
  let index = 0;
  for (const cp of text) {
    for (const c of cp.normalize("NFKC").toLowerCase()) {
      if (KEEP.test(c)) {
        chars.push(c);
        origin.push(index);
      }
    }
    index += cp.length;
  }
  return { chars, origin };
}

export function shingles(n: Normalised, k = SHINGLE): Set<string> {
  const out = new Set<string>();
  for (let i = 0; i + k <= n.chars.length; i++) out.add(n.chars.slice(i, i + k).join(""));
  return out;
}

export type Fingerprint = { normalised: Normalised; shingles: Set<string> };

export function fingerprint(text: string): Fingerprint {
  const normalised = normalise(text);
  return { normalised, shingles: shingles(normalised) };
}

function shared(a: Set<string>, b: Set<string>) {
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let n = 0;
  for (const s of small) if (large.has(s)) n += 1;
  return n;
}

/**
 * How much of `a` comes from `b` (0–1). With `both`, also how much of `b` is in `a` (a short old
 * post pasted whole into a longer new one), taking the larger. Texts too short to judge score 0.
 */
export function similarity(a: Fingerprint, b: Fingerprint, { both = true } = {}): number {
  if (a.shingles.size < 10 || b.shingles.size < 10) return 0;
  const n = shared(a.shingles, b.shingles);
  const ofA = n / a.shingles.size;
  return both ? Math.max(ofA, n / b.shingles.size) : ofA;
}

export type Segment = { text: string; shared: boolean };

/**
 * The text cut into runs that are shared with `other` (some shingle covering the character
 * occurs in it) and runs that are not; punctuation between two shared characters joins the run.
 */
export function highlight(text: string, other: Set<string>, k = SHINGLE): Segment[] {
  const n = normalise(text);
  const marked = new Array<boolean>(n.chars.length).fill(false);
  for (let i = 0; i + k <= n.chars.length; i++) {
    if (other.has(n.chars.slice(i, i + k).join(""))) for (let j = i; j < i + k; j++) marked[j] = true;
  }
  // Shared ranges in the original string.
  const ranges: [number, number][] = [];
  for (let i = 0; i < marked.length; i++) {
    if (!marked[i]) continue;
    let j = i;
    while (j + 1 < marked.length && marked[j + 1]) j++;
    const start = n.origin[i];
    const endChar = n.origin[j];
    const end = endChar + (text.codePointAt(endChar)! > 0xffff ? 2 : 1);
    const last = ranges.at(-1);
    // Only punctuation and spaces between two shared runs: one run.
    if (last && !/[\p{L}\p{N}]/u.test(text.slice(last[1], start))) last[1] = end;
    else ranges.push([start, end]);
    i = j;
  }
  const segments: Segment[] = [];
  let at = 0;
  for (const [start, end] of ranges) {
    if (start > at) segments.push({ text: text.slice(at, start), shared: false });
    segments.push({ text: text.slice(start, end), shared: true });
    at = end;
  }
  if (at < text.length) segments.push({ text: text.slice(at), shared: false });
  return segments;
}

export type Candidate = { key: number; text: string; both?: boolean };

/** The candidate most like `text`, with its score; null when there is none. */
export function mostSimilar(text: string, candidates: Iterable<Candidate>): { key: number; score: number } | null {
  const mine = fingerprint(text);
  let best: { key: number; score: number } | null = null;
  for (const c of candidates) {
    const score = similarity(mine, fingerprint(c.text), { both: c.both ?? true });
    if (!best || score > best.score) best = { key: c.key, score };
  }
  return best;
}
