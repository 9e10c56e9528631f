/**
 * Statistics for benchmark results, from simple-statistics (a well-kept, dependency-free library
 * whose median and quantiles are the textbook definitions: the median of an even count is the
 * mean of the middle two, as libevent's bench figures have always been read).
 */
import { max, mean, min, quantileSorted, sampleStandardDeviation } from "simple-statistics";

/** The median of `xs` (the mean of the middle two for an even count); NaN for none. */
export function median(xs: readonly number[]): number {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  return s.length ? quantileSorted(s, 0.5) : NaN;
}

/** What the JSON output says about a list of samples. */
export interface Summary {
  count: number;
  median: number;
  /** First and third quartiles. */
  q1: number;
  q3: number;
  min: number;
  max: number;
  mean: number;
  /** Sample standard deviation (0 for a single sample). */
  stdev: number;
}

/** Median, quartiles, range, mean and standard deviation of the finite values of `xs`; null for none. */
export function summarize(xs: readonly number[]): Summary | null {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (s.length === 0) return null;
  return {
    count: s.length,
    median: quantileSorted(s, 0.5),
    q1: quantileSorted(s, 0.25),
    q3: quantileSorted(s, 0.75),
    min: min(s),
    max: max(s),
    mean: mean(s),
    stdev: s.length > 1 ? sampleStandardDeviation(s) : 0,
  };
}
