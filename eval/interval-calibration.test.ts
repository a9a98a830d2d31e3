import test from 'ava'
import { intervalCalibration } from './interval-calibration.ts'

const rows = (specs: [confidence: number, low: number, high: number, correct: boolean][]) => specs.map(([confidence, low, high, correct]) => ({ confidence, interval: [low, high] as const, correct }))

test('coverage counts rows whose interval holds the accuracy of their confidence bin', (t) => {
  // Bin 1 (p≈0.6): 2 of 4 right, accuracy 0.5; intervals [0.4,0.7] hold it, [0.55,0.65] do not.
  // Bin 2 (p≈0.9): 4 of 4 right, accuracy 1; only intervals reaching 1 hold it.
  const r = intervalCalibration(
    rows([
      [0.6, 0.4, 0.7, true],
      [0.61, 0.4, 0.7, false],
      [0.62, 0.55, 0.65, true],
      [0.63, 0.55, 0.65, false],
      [0.9, 0.8, 1, true],
      [0.91, 0.8, 1, true],
      [0.92, 0.85, 0.95, true],
      [0.93, 0.9, 0.93, true],
    ]),
    { nominal: 0.9, bins: 2 },
  )
  t.is(r.n, 8)
  t.is(r.coverage, 4 / 8)
  t.deepEqual(r.reliability.map((b) => [b.n, b.accuracy, b.coverage]), [[4, 0.5, 0.5], [4, 1, 0.5]])
  t.is(r.containsPoint, 1)
  t.is(r.degenerate, 0)
  t.true(Math.abs(r.meanWidth - (0.3 * 2 + 0.1 * 2 + 0.2 * 2 + 0.1 + 0.03) / 8) < 1e-12)
})

test('nothing to measure is NaN, not 0; non-finite rows are left out', (t) => {
  const empty = intervalCalibration([], { nominal: 0.9 })
  t.true(Number.isNaN(empty.coverage))
  t.deepEqual(empty.reliability, [])
  const r = intervalCalibration(rows([[Number.NaN, 0, 1, true], [0.7, 0.7, 0.7, true]]), { nominal: 0.9 })
  t.is(r.n, 1)
  t.is(r.degenerate, 1)
})
