import test from 'ava'
import { createSlicer } from '@sibyl/service-kit/time/slice-work'
import { bootstrapInterval, bootstrapIntervalSliced } from './bootstrap-interval.ts'
import { createSeededRandom } from './create-seeded-random.ts'

const mean = (sample: readonly (readonly number[])[]) => {
  const all = sample.flat()
  return all.length > 0 ? all.reduce((a, b) => a + b, 0) / all.length : Number.NaN
}

test('seeded: the same evidence and seed give the same interval; it contains the point', (t) => {
  const units = [[0.9, 0.8], [0.7], [0.95, 0.6, 0.85], [0.4]]
  const pointBps = Math.round(mean(units) * 10_000)
  const a = bootstrapInterval({ units, statistic: mean, pointBps, seed: 'q1' })
  const b = bootstrapInterval({ units, statistic: mean, pointBps, seed: 'q1' })
  t.deepEqual(a, b)
  t.true(a[0] <= pointBps && pointBps <= a[1])
  t.true(a[0] < a[1])
  t.true(Number.isInteger(a[0]) && Number.isInteger(a[1]))
})

test('computed in slices on the event loop, the interval is the same', async (t) => {
  const units = [[0.9, 0.8], [0.7], [0.95, 0.6, 0.85], [0.4]]
  const parameters = { units, statistic: mean, pointBps: Math.round(mean(units) * 10_000), seed: 'q1', resamples: 2000 }
  t.deepEqual(await bootstrapIntervalSliced(parameters, createSlicer({ sliceMs: 0.01 })), bootstrapInterval(parameters))
})

test('degenerate cases: one unit with one item, no units, a statistic that is never finite', (t) => {
  t.deepEqual(bootstrapInterval({ units: [[0.7]], statistic: mean, pointBps: 7000, seed: 's' }), [7000, 7000])
  t.deepEqual(bootstrapInterval({ units: [], statistic: mean, pointBps: 6000, seed: 's' }), [6000, 6000])
  t.deepEqual(bootstrapInterval({ units: [[1], [0]], statistic: () => Number.NaN, pointBps: 5000, seed: 's' }), [5000, 5000])
  t.deepEqual(bootstrapInterval({ units: [[1], [0]], statistic: mean, pointBps: Number.NaN, seed: 's', resamples: Number.NaN }), [0, 10_000])
})

test('the interval is widened to the point when every resample lies on one side of it', (t) => {
  // A statistic that is always 0.9 on resamples, while the point given is 0.5.
  t.deepEqual(bootstrapInterval({ units: [[1], [2]], statistic: () => 0.9, pointBps: 5000, seed: 's' }), [5000, 9000])
})

test('coverage: over simulated studies, the 90 % interval holds the true mean about 90 % of the time', (t) => {
  // 300 studies of 25 Bernoulli(0.7) units each; the percentile bootstrap of the mean should cover 0.7 near
  // the nominal rate (it runs a little under with n = 25, as the percentile bootstrap does).
  const random = createSeededRandom('coverage')
  let covered = 0
  const studies = 300
  for (let s = 0; s < studies; s++) {
    const units = Array.from({ length: 25 }, () => [random() < 0.7 ? 1 : 0])
    const point = Math.round(mean(units) * 10_000)
    const [low, high] = bootstrapInterval({ units, statistic: mean, pointBps: point, seed: `study-${s}`, level: 0.9 })
    if (low <= 7000 && 7000 <= high) covered++
  }
  t.log(`coverage ${((100 * covered) / studies).toFixed(1)} % at nominal 90 %`)
  t.true(covered / studies > 0.82 && covered / studies < 0.96)
})
