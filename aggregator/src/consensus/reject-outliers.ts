/**
 * Median-absolute-deviation outlier rejection in integer arithmetic. A value is an outlier when its distance
 * from the median exceeds `madMultiplier` times the MAD and also a floor of `minDeviationBps` of the median:
 * the floor keeps honest nodes that agree to the last digit (MAD 0) from throwing out a neighbour that read
 * one tick later. Multipliers are fixed point (x1000) so nothing here is a float.
 */
import { absBigint, upperMedian } from './median.ts'

export type RejectOutliersParameters = {
  /** MAD multiplier x1000 (3000 = 3 MADs). */
  madMultiplierMilli: bigint
  /** Distances within this share of |median| are never outliers. */
  minDeviationBps: bigint
}

export type RejectOutliersReturnType<T> = {
  median: bigint
  mad: bigint
  inliers: T[]
  outliers: { item: T; distance: bigint }[]
}

export function rejectOutliers<T>(
  items: readonly T[],
  valueOf: (item: T) => bigint,
  { madMultiplierMilli, minDeviationBps }: RejectOutliersParameters,
): RejectOutliersReturnType<T> {
  if (items.length === 0) return { median: 0n, mad: 0n, inliers: [], outliers: [] }
  const values = items.map(valueOf)
  const median = upperMedian(values)
  const mad = upperMedian(values.map((v) => absBigint(v - median)))
  const inliers: T[] = []
  const outliers: { item: T; distance: bigint }[] = []
  items.forEach((item, i) => {
    const distance = absBigint(values[i]! - median)
    if (isDeviation(distance, { median, mad }, { madMultiplierMilli, minDeviationBps })) outliers.push({ item, distance })
    else inliers.push(item)
  })
  return { median, mad, inliers, outliers }
}

/**
 * The rule for one value: its distance from the median is beyond `madMultiplier` MADs and beyond the floor.
 * Also used to judge a value that arrives after its round was decided, against that round's median and MAD.
 */
export function isDeviation(distance: bigint, { median, mad }: { median: bigint; mad: bigint }, parameters: RejectOutliersParameters): boolean {
  // distance > k * mad  <=>  distance * 1000 > madMultiplierMilli * mad
  const beyondMad = distance * 1000n > parameters.madMultiplierMilli * mad
  const beyondFloor = distance * 10_000n > absBigint(median) * parameters.minDeviationBps
  return beyondMad && beyondFloor
}
