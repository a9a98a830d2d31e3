/**
 * How well the node's confidence intervals hold the probability they are about.
 *
 * A node reports, for its chosen outcome, a probability p and an interval [low, high] around it. The true
 * probability that such an answer is right is not observed row by row, but it is for rows of similar
 * confidence: the rows are sorted by p and cut into `bins` bins of (nearly) equal count, and the accuracy of
 * a bin estimates the true probability of every row in it. Coverage is the share of rows whose interval
 * contains the accuracy of its bin; at a well-made interval it is near the nominal level. The reliability
 * summary lists, per bin, the mean confidence, the accuracy (with its own binomial standard error: a bin of
 * thirty rows cannot pin the accuracy closer than about ±0.08), the mean interval and the bin's coverage.
 * Pure functions; NaN where there is nothing to measure.
 */

export type IntervalRow = {
  /** The probability of the chosen outcome, 0..1. */
  confidence: number
  /** [low, high], 0..1. */
  interval: readonly [number, number]
  /** Whether the chosen outcome was the gold one. */
  correct: boolean
}

export type ReliabilityBin = {
  n: number
  confidenceRange: [number, number]
  meanConfidence: number
  accuracy: number
  /** Binomial standard error of `accuracy`. */
  accuracyStdError: number
  meanLow: number
  meanHigh: number
  /** Share of the bin's rows whose interval contains `accuracy`. */
  coverage: number
}

export type IntervalCalibration = {
  n: number
  /** The central coverage the intervals were built for. */
  nominal: number
  coverage: number
  meanWidth: number
  /** Share of rows whose interval contains its own point (1 by construction; a check). */
  containsPoint: number
  /** Share of rows whose interval is the point itself (nothing could be resampled). */
  degenerate: number
  reliability: ReliabilityBin[]
}

export function intervalCalibration(rows: readonly IntervalRow[], options: { nominal: number; bins?: number }): IntervalCalibration {
  const usable = rows.filter((r) => Number.isFinite(r.confidence) && Number.isFinite(r.interval[0]) && Number.isFinite(r.interval[1]))
  const n = usable.length
  const bins = Math.max(1, Math.min(options.bins ?? 5, n))
  const sorted = [...usable].sort((a, b) => a.confidence - b.confidence)
  const reliability: ReliabilityBin[] = []
  let covered = 0
  for (let b = 0; b < bins && n > 0; b++) {
    const part = sorted.slice(Math.floor((b * n) / bins), Math.floor(((b + 1) * n) / bins))
    if (part.length === 0) continue
    const accuracy = part.filter((r) => r.correct).length / part.length
    const inside = part.filter((r) => r.interval[0] <= accuracy && accuracy <= r.interval[1]).length
    covered += inside
    reliability.push({
      n: part.length,
      confidenceRange: [part[0]!.confidence, part[part.length - 1]!.confidence],
      meanConfidence: mean(part.map((r) => r.confidence)),
      accuracy,
      accuracyStdError: Math.sqrt((accuracy * (1 - accuracy)) / part.length),
      meanLow: mean(part.map((r) => r.interval[0])),
      meanHigh: mean(part.map((r) => r.interval[1])),
      coverage: inside / part.length,
    })
  }
  return {
    n,
    nominal: options.nominal,
    coverage: n === 0 ? Number.NaN : covered / n,
    meanWidth: mean(usable.map((r) => r.interval[1] - r.interval[0])),
    containsPoint: n === 0 ? Number.NaN : usable.filter((r) => r.interval[0] <= r.confidence && r.confidence <= r.interval[1]).length / n,
    degenerate: n === 0 ? Number.NaN : usable.filter((r) => r.interval[0] === r.interval[1]).length / n,
    reliability,
  }
}

function mean(values: readonly number[]): number {
  return values.length === 0 ? Number.NaN : values.reduce((a, b) => a + b, 0) / values.length
}
