import test from 'ava'
import { upperMedian } from './median.ts'
import { isDeviation, rejectOutliers } from './reject-outliers.ts'
import { decideOutcome } from './decide-outcome.ts'
import { decideFeedValue } from './decide-feed-value.ts'

const params = { madMultiplierMilli: 3000n, minDeviationBps: 50n }
const votes = (answers: bigint[]) => answers.map((answer, i) => ({ signer: `0x${String(i).padStart(40, '0')}`, answer }))

test('upper median matches the contract: odd middle, even upper middle', (t) => {
  t.is(upperMedian([3n, 1n, 2n]), 2n)
  t.is(upperMedian([4n, 1n, 3n, 2n]), 3n)
  t.is(upperMedian([-5n]), -5n)
  t.throws(() => upperMedian([]))
})

test('MAD rejects a wild value and keeps honest spread', (t) => {
  const r = rejectOutliers([100_00n, 100_05n, 99_98n, 1_000_00n], (v) => v, params)
  t.deepEqual(r.inliers, [100_00n, 100_05n, 99_98n])
  t.deepEqual(r.outliers.map((o) => o.item), [1_000_00n])
})

test('MAD of zero: a value one tick off the agreed value is kept by the floor, a far one is not', (t) => {
  const r = rejectOutliers([11901n, 11901n, 11901n, 11902n, 13000n], (v) => v, params)
  t.deepEqual(r.inliers, [11901n, 11901n, 11901n, 11902n])
  t.deepEqual(r.outliers.map((o) => o.item), [13000n])
})

test('negative values and huge integers stay exact', (t) => {
  const big = 10n ** 40n
  const r = rejectOutliers([-big, -big - 1n, -big + 1n, big], (v) => v, params)
  t.deepEqual(r.outliers.map((o) => o.item), [big])
})

test('outcome: quorum of agreeing signers wins, dissenters listed', (t) => {
  const r = decideOutcome(votes([1n, 1n, 0n, 1n]), 3)
  t.true(r.reached)
  if (!r.reached) return
  t.is(r.answer, 1n)
  t.is(r.agreeing.length, 3)
  t.deepEqual(r.dissenting.map((v) => v.answer), [0n])
})

test('outcome: no quorum is reported with the leading answer, not forced', (t) => {
  const r = decideOutcome(votes([1n, 1n, 0n, 0n]), 3)
  t.false(r.reached)
  if (r.reached) return
  t.is(r.leading?.count, 2)
  t.false(decideOutcome([], 3).reached)
  t.false(decideOutcome(votes([1n]), 0).reached, 'no active operators means no quorum')
})

test('feed: one wild value rejected, median of the rest committed', (t) => {
  const r = decideFeedValue(votes([11901n, 11903n, 11899n, 119010n]), { ...params, quorum: 3, minAnswer: 1n, maxAnswer: 10n ** 12n })
  t.true(r.reached)
  if (!r.reached) return
  t.is(r.answer, 11901n)
  t.deepEqual(r.outliers.map((o) => [o.item.answer, o.reason]), [[119010n, 'deviation']])
})

test('feed: out-of-bounds values go before the median is taken; too few inliers is no quorum', (t) => {
  const r = decideFeedValue(votes([100n, 101n, -5n, 0n]), { ...params, quorum: 3, minAnswer: 1n, maxAnswer: 1000n })
  t.false(r.reached)
  t.deepEqual(r.outliers.map((o) => o.reason), ['out-of-bounds', 'out-of-bounds'])
})

test('isDeviation is the rule rejectOutliers applies: beyond k MADs and beyond the floor', (t) => {
  // median 10000, floor 50 bps = 50; MAD 10, k = 3: a distance must exceed 30 and 50.
  const spread = { median: 10_000n, mad: 10n }
  t.false(isDeviation(50n, spread, params))
  t.true(isDeviation(51n, spread, params))
  t.false(isDeviation(40n, { median: 10_000n, mad: 0n }, params), 'MAD 0: the floor alone')
  t.true(isDeviation(31n, { median: 100n, mad: 10n }, params), 'floor of 0.5 at this median: the MAD decides')
  const r = rejectOutliers([9_990n, 10_000n, 10_010n, 10_051n + 10n], (v) => v, params)
  for (const v of [9_990n, 10_000n, 10_010n, 10_061n]) {
    t.is(
      r.outliers.some((o) => o.item === v),
      isDeviation(v > r.median ? v - r.median : r.median - v, r, params),
    )
  }
})
