// Which path each side's requests took, and what Hearth's engine did between them: requests that reused the suffix's
// cache, requests that evaluated the suffix again in order, and the tokens Hearth's engine evaluated in the background
// (its suffix cache's refresh in the typist's gap before a request). The prompt-token criterion counts what a request
// evaluates while the user waits; this is the rest of the prompt work, reported beside it so it is not taken for free.
import { mean, median } from "../report";
import type { Sample } from "./engine-report";

/** A request evaluating more than this many prompt tokens (issue 16's criterion) with a prefix-first prompt took the in-order path. */
export const SMALL_EVAL = 32;

export interface PathCounts {
  requests: number;
  /** Requests that moved a suffix's cache instead of evaluating it; null where the side does not say. */
  reusedSuffix: number | null;
  /** Prefix-first requests that evaluated more than SMALL_EVAL tokens: the suffix again, in order. */
  inOrder: number;
}

export function pathCounts(samples: readonly Sample[]): PathCounts {
  const told = samples.filter((s) => s.reusedSuffixTokens !== undefined);
  return {
    requests: samples.length,
    reusedSuffix: told.length === 0 ? null : told.filter((s) => s.reusedSuffixTokens! > 0).length,
    inOrder: samples.filter((s) => s.shape.order === "psm" && s.evaluated > SMALL_EVAL).length,
  };
}

export interface BackgroundStats {
  /** Gaps before a request whose background work the engine reported. */
  gaps: number;
  /** Of which gaps in which a refresh ran (any token evaluated). */
  refreshed: number;
  p50: number;
  mean: number;
  max: number;
}

/** Hearth's tokens evaluated in the gap before each request, or null when no sample says. */
export function backgroundStats(samples: readonly Sample[]): BackgroundStats | null {
  const tokens = samples.map((s) => s.backgroundTokens).filter((n): n is number => n !== undefined);
  if (tokens.length === 0) return null;
  return {
    gaps: tokens.length,
    refreshed: tokens.filter((n) => n > 0).length,
    p50: median(tokens),
    mean: mean(tokens),
    max: Math.max(...tokens),
  };
}

/** Flat figures under `prefix` (a file's `f1`, or a regime's `f1_fifo`, then the side). */
export function backgroundFigures(prefix: string, stats: BackgroundStats | null): Record<string, number | null> {
  return {
    [`${prefix}_background_tokens_p50`]: stats && stats.p50,
    [`${prefix}_background_tokens_mean`]: stats && Math.round(stats.mean * 10) / 10,
    [`${prefix}_background_tokens_max`]: stats && stats.max,
    [`${prefix}_background_refresh_share`]: stats && Math.round((stats.refreshed / stats.gaps) * 1000) / 1000,
  };
}

/** "N tokens p50 per gap (mean M, max X), a refresh in P% of G gaps": Hearth's background work in words. */
export function backgroundText(stats: BackgroundStats | null): string {
  if (stats === null) return "not reported";
  const gaps = `${stats.gaps} gap${stats.gaps === 1 ? "" : "s"}`;
  if (stats.refreshed === 0) return `none in ${gaps}`;
  return `${stats.p50} tokens p50 per gap (mean ${(Math.round(stats.mean * 10) / 10).toString()}, max ${stats.max}), a refresh in ${Math.round((100 * stats.refreshed) / stats.gaps)}% of ${gaps}`;
}
