/**
 * Throughput measured so that the noise of a shared machine hits every contender alike. A repetition is a
 * pass over `unitsPerRepetition` small units of work (one batch, a few dozen signatures); for each unit every
 * contender runs once, back to back, in an order that flips from one unit to the next (ABC, CBA, ABC…), so a
 * burst of load from elsewhere lands on all of them within a fraction of a second. The figure for a
 * contender is its items over the sum, across units, of the median time of that unit over the repetitions:
 * a burst that slows one unit of one repetition moves a median of that unit little, and the total over
 * units keeps the mix of the work (long and short batches) fixed. A ratio of two contenders is the ratio of
 * their figures, which come from the same units at the same moments.
 */

export type Contender = {
  name: string
  /** Does unit `k` of the work and returns how many items it handled (sentences, signatures, pairs). */
  unit: (k: number) => Promise<number> | number
}

export type MeasureInterleavedParameters = {
  contenders: readonly Contender[]
  repetitions: number
  unitsPerRepetition: number
  /** Units run once per contender before timing (JIT, caches, allocator); default 1. */
  warmupUnits?: number
  onRepetition?: (repetition: number, rates: Record<string, number>) => void
}

export type MeasureInterleavedReturnType = {
  /** Items per second, one entry per repetition (items over that repetition's summed time), by contender name. */
  rates: Record<string, number[]>
  /** Items per second from the per-unit median times (see the file comment), by contender name. */
  medians: Record<string, number>
}

export async function measureInterleaved(parameters: MeasureInterleavedParameters): Promise<MeasureInterleavedReturnType> {
  const { contenders, repetitions, unitsPerRepetition } = parameters
  if (contenders.length === 0 || repetitions < 1 || unitsPerRepetition < 1) {
    throw new RangeError('need at least one contender, one repetition and one unit')
  }
  const reversed = [...contenders].reverse()
  for (let w = 0; w < (parameters.warmupUnits ?? 1); w++) for (const c of contenders) await c.unit(w % unitsPerRepetition)
  const rates: Record<string, number[]> = Object.fromEntries(contenders.map((c) => [c.name, []]))
  // unitTimesMs[name][k][rep]; unitItems[name][k] (a unit handles the same items every repetition).
  const unitTimesMs: Record<string, number[][]> = Object.fromEntries(contenders.map((c) => [c.name, Array.from({ length: unitsPerRepetition }, () => [])]))
  const unitItems: Record<string, number[]> = Object.fromEntries(contenders.map((c) => [c.name, []]))
  for (let rep = 0; rep < repetitions; rep++) {
    for (let k = 0; k < unitsPerRepetition; k++) {
      for (const c of (k + rep) % 2 === 0 ? contenders : reversed) {
        const start = performance.now()
        const n = await c.unit(k)
        unitTimesMs[c.name]![k]!.push(performance.now() - start)
        unitItems[c.name]![k] = n
      }
    }
    const thisRep = Object.fromEntries(
      contenders.map((c) => [c.name, (sum(unitItems[c.name]!) * 1000) / sum(unitTimesMs[c.name]!.map((times) => times[rep]!))]),
    )
    for (const c of contenders) rates[c.name]!.push(thisRep[c.name]!)
    parameters.onRepetition?.(rep, thisRep)
  }
  const medians = Object.fromEntries(
    contenders.map((c) => [c.name, (sum(unitItems[c.name]!) * 1000) / sum(unitTimesMs[c.name]!.map((times) => median(times)))]),
  )
  return { rates, medians }
}

/** Ratio of two contenders' figures (measured on the same units at the same moments). */
export function pairedRatio(result: MeasureInterleavedReturnType, numerator: string, denominator: string): number {
  const a = result.medians[numerator]
  const b = result.medians[denominator]
  if (a === undefined || b === undefined) throw new RangeError(`no figures for ${numerator} / ${denominator}`)
  return a / b
}

/** Every per-repetition ratio numerator / denominator, for showing how stable a ratio was. */
export function ratios(result: MeasureInterleavedReturnType, numerator: string, denominator: string): number[] {
  return result.rates[numerator]!.map((x, i) => x / result.rates[denominator]![i]!)
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0)
}

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('median of nothing')
  const sorted = [...values].sort((x, y) => x - y)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

/** Spread of a contender's rates: (max - min) / median, to show how noisy the run was. */
export function spread(values: readonly number[]): number {
  return (Math.max(...values) - Math.min(...values)) / median(values)
}

export function formatRate(perSecond: number): string {
  return perSecond >= 100 ? Math.round(perSecond).toLocaleString('en') : perSecond.toFixed(1)
}
