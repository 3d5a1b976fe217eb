// The rules of live battles (双人对战 / 四人赛) as pure functions, shared by the server and the page:
// how wide a rating gap matchmaking accepts, what an answer scores, how players are placed, and
// the rating (Elo) update. Nothing here touches the database.

export const BATTLE_SIZES = [2, 4] as const;
export type BattleSize = (typeof BATTLE_SIZES)[number];

export function isBattleSize(value: unknown): value is BattleSize {
  return (BATTLE_SIZES as readonly unknown[]).includes(value);
}

export const START_RATING = 1200;
export const QUESTIONS_PER_BATTLE = 5;
/** A member who waits this long without a match is told so and may try again. */
export const MATCH_TIMEOUT_MS = 30_000;

// ---------------------------------------------------------------------------------------------
// Matchmaking

/** Rating gap accepted at once, and how much it widens per second of waiting. */
export const MATCH_BASE_GAP = 100;
export const MATCH_GAP_PER_SECOND = 30;

/** The rating gap a member who has waited `waitedMs` accepts: 100 at once, 400 after 10 s, 1,000 after 30 s. */
export function matchWindow(waitedMs: number): number {
  return MATCH_BASE_GAP + (MATCH_GAP_PER_SECOND * Math.max(0, waitedMs)) / 1000;
}

/**
 * Two waiting members may meet when their gap is within the wider of their two windows: the one
 * who has waited longer accepts a wider range, so long waits end even for unusual ratings.
 */
export function compatible(a: { rating: number; waitedMs: number }, b: { rating: number; waitedMs: number }): boolean {
  return Math.abs(a.rating - b.rating) <= Math.max(matchWindow(a.waitedMs), matchWindow(b.waitedMs));
}

export type Waiting = {
  userId: number;
  rating: number;
  waitedMs: number;
  group: string;
};

/**
 * Groups of `size` from the waiting members, longest wait first: each group is an anchor (the
 * member who has waited longest of those left) and the members closest to it in rating that are
 * compatible with it and in its group (the same committee, whose banks they share). Members left
 * over keep waiting.
 */
export function formGroups(waiting: readonly Waiting[], size: number): Waiting[][] {
  const left = waiting.slice().sort((a, b) => b.waitedMs - a.waitedMs || a.userId - b.userId);
  const groups: Waiting[][] = [];
  for (let i = 0; i < left.length; i++) {
    const anchor = left[i];
    const others = left
      .filter((w, j) => j !== i && w.group === anchor.group && compatible(anchor, w))
      .sort((a, b) => Math.abs(a.rating - anchor.rating) - Math.abs(b.rating - anchor.rating) || b.waitedMs - a.waitedMs);
    if (others.length < size - 1) continue;
    const group = [anchor, ...others.slice(0, size - 1)];
    groups.push(group);
    const taken = new Set(group.map((w) => w.userId));
    for (let j = left.length - 1; j >= 0; j--) if (taken.has(left[j].userId)) left.splice(j, 1);
    i = -1;
  }
  return groups;
}

// ---------------------------------------------------------------------------------------------
// Scoring

/** The first right answer to a question scores 3; every later right answer 1; a wrong or missing answer 0. */
export const FIRST_CORRECT_POINTS = 3;
export const LATER_CORRECT_POINTS = 1;

/** Points for an answer, given how many right answers to the same question the server took before it. */
export function answerPoints(correct: boolean, rightBefore: number): number {
  if (!correct) return 0;
  return rightBefore === 0 ? FIRST_CORRECT_POINTS : LATER_CORRECT_POINTS;
}

export type Standing = {
  userId: number;
  score: number;
  correctMs: number;
  forfeited: boolean;
};

/**
 * Places 1…n: players who stayed come before those who left; then the higher score; then the
 * less time over right answers. Players equal on all three share a place (1, 1, 3).
 */
export function placesOf(players: readonly Standing[]): Map<number, number> {
  const key = (p: Standing) => [p.forfeited ? 1 : 0, -p.score, p.correctMs];
  const cmp = (a: Standing, b: Standing) => {
    const ka = key(a);
    const kb = key(b);
    for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return ka[i] - kb[i];
    return 0;
  };
  const sorted = players.slice().sort(cmp);
  const places = new Map<number, number>();
  sorted.forEach((p, i) => {
    const previous = sorted[i - 1];
    places.set(p.userId, previous && cmp(previous, p) === 0 ? places.get(previous.userId)! : i + 1);
  });
  return places;
}

/** A player won when alone in first place and still in the battle. */
export function isWinner(player: { userId: number; forfeited: boolean }, places: Map<number, number>): boolean {
  if (player.forfeited || places.get(player.userId) !== 1) return false;
  return [...places.values()].filter((p) => p === 1).length === 1;
}

// ---------------------------------------------------------------------------------------------
// Ratings

export const ELO_K = 32;

/** The chance Elo gives a player rated `rating` against one rated `other`. */
export function expectedScore(rating: number, other: number): number {
  return 1 / (1 + 10 ** ((other - rating) / 400));
}

/**
 * Multi-player Elo as pairwise games: every pair of players is one game (a better place wins, an
 * equal place draws), and each player's change is K/(n−1) times the sum over their games of
 * (result − expected), rounded. With two players this is plain Elo with K = 32.
 */
export function eloUpdate(players: readonly { rating: number; place: number }[], k = ELO_K): number[] {
  const n = players.length;
  if (n < 2) return players.map((p) => p.rating);
  return players.map((p, i) => {
    let sum = 0;
    players.forEach((q, j) => {
      if (i === j) return;
      const result = p.place < q.place ? 1 : p.place > q.place ? 0 : 0.5;
      sum += result - expectedScore(p.rating, q.rating);
    });
    return Math.round(p.rating + (k / (n - 1)) * sum);
  });
}
