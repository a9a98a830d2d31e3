/**
 * An interval for a probability the node computed from evidence, by the bootstrap: the evidence's
 * independent units (groups of articles, or sources) are drawn with replacement, and within each drawn unit
 * its items (passages) are drawn with replacement too; the statistic is computed again on every resample,
 * and the interval is the central `level` share of those values (percentile bootstrap).
 *
 * Seeded (create-seeded-random.ts), so every node holding the same evidence and the same seed reports the
 * same interval. The interval always contains the point estimate: a resample distribution that lies all on
 * one side of it (which happens with a handful of units) is widened to reach the point. With one unit and
 * one item per unit nothing varies, and the interval is the point itself — the documented degenerate case:
 * the interval measures how much the answer depends on which evidence was read, not whether the one source
 * read is right.
 */
import { runSliced, runToCompletion, type Slicer } from '@sibyl/service-kit/time/slice-work'
import { createSeededRandom } from './create-seeded-random.ts'

export type BootstrapIntervalParameters<T> = {
  /** The independent units, each with the items resampled inside it (an empty unit is drawn as empty). */
  units: readonly (readonly T[])[]
  /** The probability (0..1) on a resample; a non-finite value drops that resample. */
  statistic: (sample: readonly (readonly T[])[]) => number
  /** The point estimate in basis points; the interval contains it. */
  pointBps: number
  seed: string
  /** Resamples (default 200, at most 2,000). */
  resamples?: number
  /** Central coverage (default DEFAULT_INTERVAL_LEVEL). */
  level?: number
  /** False: resample units only, keep each unit's items as they are (default true). */
  resampleItems?: boolean
}

/** [lowBps, highBps], integers in 0..10,000, low ≤ point ≤ high. */
export type ConfidenceInterval = [lowBps: number, highBps: number]

export const DEFAULT_INTERVAL_LEVEL = 0.9
export const DEFAULT_RESAMPLES = 200
const MAX_RESAMPLES = 2000

export function bootstrapInterval<T>(parameters: BootstrapIntervalParameters<T>): ConfidenceInterval {
  return runToCompletion(bootstrapSteps(parameters))
}

/** The same interval, computed in slices on the node's event loop (one resample per step). */
export function bootstrapIntervalSliced<T>(parameters: BootstrapIntervalParameters<T>, slicer: Slicer): Promise<ConfidenceInterval> {
  return runSliced(bootstrapSteps(parameters), slicer)
}

function* bootstrapSteps<T>(parameters: BootstrapIntervalParameters<T>): Generator<void, ConfidenceInterval, undefined> {
  const point = clampBps(parameters.pointBps)
  const { units, statistic } = parameters
  const resamples = Math.min(MAX_RESAMPLES, Math.max(0, Math.floor(finiteOr(parameters.resamples, DEFAULT_RESAMPLES))))
  const level = Math.min(1, Math.max(0, finiteOr(parameters.level, DEFAULT_INTERVAL_LEVEL)))
  const inner = parameters.resampleItems ?? true
  if (units.length === 0 || resamples === 0) return [point, point]

  const random = createSeededRandom(`bootstrap:${parameters.seed}`)
  const draw = (n: number) => Math.min(n - 1, Math.floor(random() * n))
  const values: number[] = []
  for (let r = 0; r < resamples; r++) {
    const sample: (readonly T[])[] = []
    for (let u = 0; u < units.length; u++) {
      const unit = units[draw(units.length)]!
      sample.push(inner && unit.length > 1 ? unit.map(() => unit[draw(unit.length)]!) : unit)
    }
    const v = statistic(sample)
    if (Number.isFinite(v)) values.push(Math.min(1, Math.max(0, v)))
    yield
  }
  if (values.length === 0) return [point, point]
  values.sort((a, b) => a - b)
  const tail = (1 - level) / 2
  const low = clampBps(10_000 * quantile(values, tail))
  const high = clampBps(10_000 * quantile(values, 1 - tail))
  return [Math.min(low, point), Math.max(high, point)]
}

/** Linear interpolation between order statistics (type 7), over sorted values. */
function quantile(sorted: readonly number[], q: number): number {
  const h = (sorted.length - 1) * q
  const lo = Math.floor(h)
  const hi = Math.min(sorted.length - 1, lo + 1)
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!)
}

function clampBps(v: number): number {
  return Number.isFinite(v) ? Math.min(10_000, Math.max(0, Math.round(v))) : 0
}

function finiteOr(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isFinite(value) ? value : fallback
}
