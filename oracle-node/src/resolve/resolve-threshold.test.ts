import test from 'ava'
import { formatFixedPoint, resolveThreshold } from './resolve-threshold.ts'

test('compares fixed-point values with decimal thresholds exactly', (t) => {
  const at = (value: bigint, decimals: number, threshold: string, comparison: 'gt' | 'gte' | 'lt' | 'lte') =>
    resolveThreshold({ value, decimals, threshold, comparison }).answer.index
  t.is(at(11901n, 2, '119.00', 'gt'), 0)
  t.is(at(11900n, 2, '119.00', 'gt'), 1)
  t.is(at(11900n, 2, '119', 'gte'), 0)
  t.is(at(11900n, 2, '119.001', 'gte'), 1) // 119.000 < 119.001
  t.is(at(11900n, 2, '119.001', 'lt'), 0)
  t.is(at(-5n, 0, '-4', 'lte'), 0)
  t.is(at(10n ** 30n + 1n, 18, '1000000000000', 'gt'), 0) // beyond float precision: 1e12 + 1e-18
  t.is(at(10n ** 30n, 18, '1000000000000', 'gt'), 1)
  t.regex(resolveThreshold({ value: 11901n, decimals: 2, threshold: '119.00', comparison: 'gt' }).reason, /119\.01 > 119\.00 is true/)
})

test('formatFixedPoint', (t) => {
  t.is(formatFixedPoint(11901n, 2), '119.01')
  t.is(formatFixedPoint(5n, 3), '0.005')
  t.is(formatFixedPoint(-5n, 2), '-0.05')
  t.is(formatFixedPoint(42n, 0), '42')
})
