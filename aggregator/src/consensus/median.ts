/**
 * Medians of bigints, exactly as FeedAggregator computes them: for an even count the upper of the two
 * middle values (no averaging, so the result is always a value some node signed).
 */
export function compareBigint(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/** The upper median; mirrors FeedAggregator._upperMedian. Throws on an empty list (a caller bug). */
export function upperMedian(values: readonly bigint[]): bigint {
  if (values.length === 0) throw new RangeError('median of nothing')
  const sorted = [...values].sort(compareBigint)
  return sorted[sorted.length >> 1]!
}

export function absBigint(x: bigint): bigint {
  return x < 0n ? -x : x
}
