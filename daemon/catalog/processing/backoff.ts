/** Exponential backoff with jitter: 30 s, 1 min, 2 min… capped at 6 h. */
export function backoffSeconds(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(6 * 3600, 30 * 2 ** Math.max(0, attempt - 1));
  return Math.round(base * (0.8 + 0.4 * random()));
}
