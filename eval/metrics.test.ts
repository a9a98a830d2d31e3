import test from 'ava'
import { ABSTAIN, classify, coverageAt, expectedCalibrationError, majorityBaseline, summarizeJudged, type JudgedRow } from './metrics.ts'

test('classify: accuracy and macro-F1 over the gold classes', (t) => {
  // gold A A B B, predicted A B B B: A F1 = 2/3, B F1 = 0.8
  const f = classify(['A', 'A', 'B', 'B'], ['A', 'B', 'B', 'B'])
  t.is(f.accuracy, 0.75)
  t.true(Math.abs(f.macroF1 - (2 / 3 + 0.8) / 2) < 1e-12)
  // A prediction outside the gold classes is simply wrong and adds no class.
  t.is(classify(['A', 'B'], ['C', 'B']).macroF1, (0 + 1) / 2)
  t.true(Number.isNaN(classify([], []).accuracy))
  t.throws(() => classify(['A'], []))
})

test('majorityBaseline: the most frequent class, ties broken alphabetically', (t) => {
  t.like(majorityBaseline(['B', 'A', 'B']), { label: 'B', accuracy: 2 / 3 })
  t.like(majorityBaseline(['B', 'A']), { label: 'A', accuracy: 0.5, macroF1: (2 / 3 + 0) / 2 })
  t.is(majorityBaseline([]), undefined)
})

test('expectedCalibrationError: 0 when confidence matches accuracy, the gap otherwise', (t) => {
  t.is(expectedCalibrationError([0.75, 0.75, 0.75, 0.75], [true, true, true, false]), 0)
  t.true(Math.abs(expectedCalibrationError([0.95, 0.95], [false, false]) - 0.95) < 1e-12)
  // two bins, half the rows each: |1 - 0.65| and |0 - 0.35|
  t.true(Math.abs(expectedCalibrationError([0.65, 0.35], [true, false]) - 0.35) < 1e-12)
})

const row = (gold: string, forced: string, answered: string, confidence?: number): JudgedRow => ({ id: `${gold}${forced}${answered}`, gold, forced, answered, confidence })

test('summarizeJudged: best outcome scored where every row has an answer, the thresholded answer where abstaining is a class', (t) => {
  const rows = [row('YES', 'YES', 'YES', 0.9), row('NO', 'NO', ABSTAIN, 0.55), row('NO', 'YES', ABSTAIN, 0.52), row('YES', 'YES', 'YES', 0.8)]
  const forced = summarizeJudged(rows)
  t.like(forced, { scoredOn: 'forced', accuracy: 0.75, abstainRate: 0.5, answeredAccuracy: 1, answered: 2 })
  const settled = summarizeJudged([row('NEI', 'YES', ABSTAIN, 0.55), row('YES', 'YES', 'YES', 0.9), row('NEI', 'NO', 'NO', 0.7)], { abstainClass: 'NEI' })
  t.like(settled, { scoredOn: 'answered', accuracy: 2 / 3, answeredAccuracy: 0.5 })
  t.true(Math.abs(settled.abstainRate - 1 / 3) < 1e-12)
})

test('coverageAt: abstain rate and accuracy on answered rows per threshold', (t) => {
  const rows = [row('YES', 'YES', 'YES', 0.9), row('NO', 'YES', 'YES', 0.7), row('NO', 'NO', ABSTAIN, 0.55)]
  t.deepEqual(
    coverageAt(rows, [0.5, 0.8]).map((c) => [c.answered, c.answeredAccuracy]),
    [
      [3, 2 / 3],
      [1, 1],
    ],
  )
})
