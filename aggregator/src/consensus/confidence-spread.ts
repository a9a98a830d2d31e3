/**
 * The network's spread of confidence in one round: min, median and max of the signed confidenceBps, and of the
 * ends of the intervals the nodes published with them (the observation message's optional confidenceInterval).
 * The median is the lower one for an even count, as ResolutionOracle takes it for the contested rule.
 */
import type { ConfidenceSpread } from '@sibyl/protocol/messages'

type Bps = { minBps: number; medianBps: number; maxBps: number }

function spreadOf(values: readonly number[]): Bps {
  const sorted = [...values].sort((a, b) => a - b)
  return { minBps: sorted[0]!, medianBps: sorted[Math.floor((sorted.length - 1) / 2)]!, maxBps: sorted[sorted.length - 1]! }
}

export type ConfidenceSpreadParameters = readonly { confidenceBps: number; confidenceInterval?: readonly [number, number] | undefined }[]

/** Undefined for no observations; `interval` only when at least one carried an interval. */
export function confidenceSpread(observations: ConfidenceSpreadParameters): ConfidenceSpread | undefined {
  if (observations.length === 0) return undefined
  const intervals = observations.flatMap((o) => (o.confidenceInterval ? [o.confidenceInterval] : []))
  return {
    observations: observations.length,
    ...spreadOf(observations.map((o) => o.confidenceBps)),
    ...(intervals.length > 0
      ? { interval: { observations: intervals.length, low: spreadOf(intervals.map((i) => i[0])), high: spreadOf(intervals.map((i) => i[1])) } }
      : {}),
  }
}
