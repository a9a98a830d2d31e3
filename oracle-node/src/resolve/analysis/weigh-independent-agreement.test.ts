import test from 'ava'
import { weighIndependentAgreement } from './weigh-independent-agreement.ts'

const yes = (p: number, weight = 1) => ({ probabilities: [p, 1 - p], weight })

test('independent agreeing groups outweigh one confident contradicting group', (t) => {
  const r = weighIndependentAgreement({ verdicts: [yes(0.8), yes(0.75), yes(0.7), yes(0.05)], outcomeCount: 2 })
  t.is(r.outcomeIndex, 0)
  t.true(r.probability > 0.5 && r.probability < 1)
  // The same contradicting group alone decides for NO.
  t.is(weighIndependentAgreement({ verdicts: [yes(0.05)], outcomeCount: 2 }).outcomeIndex, 1)
})

test('credibility weights, not counts: a heavier outlet moves the pool more; weight 0 mutes; the pool is a consensus, not a sum', (t) => {
  const light = weighIndependentAgreement({ verdicts: [yes(0.8, 1), yes(0.2, 1)], outcomeCount: 2 })
  t.is(Math.round(light.probability * 1000), 500)
  const heavy = weighIndependentAgreement({ verdicts: [yes(0.8, 3), yes(0.2, 1)], outcomeCount: 2 })
  t.is(heavy.outcomeIndex, 0)
  t.is(Math.round(heavy.probability * 1000), 667) // logit (3 · ln 4 − ln 4) / 4 = ln 2
  const muted = weighIndependentAgreement({ verdicts: [yes(0.8, 1), yes(0.01, 0)], outcomeCount: 2 })
  t.is(Math.round(muted.probability * 1000), 800)
  // Agreeing groups set the consensus; repeating it does not make it more certain (the interval narrows instead).
  const two = weighIndependentAgreement({ verdicts: [yes(0.8), yes(0.8), yes(0.8)], outcomeCount: 2 })
  t.is(Math.round(two.probability * 1000), 800)
  const scaled = weighIndependentAgreement({ verdicts: [yes(0.8, 10), yes(0.3, 5)], outcomeCount: 2 })
  t.is(scaled.probability, weighIndependentAgreement({ verdicts: [yes(0.8, 2), yes(0.3, 1)], outcomeCount: 2 }).probability, 'only weight ratios matter')
})

test('a choice question pools per outcome; probabilities sum to 1', (t) => {
  const r = weighIndependentAgreement({
    verdicts: [
      { probabilities: [0.2, 0.6, 0.2], weight: 1 },
      { probabilities: [0.1, 0.7, 0.2], weight: 2 },
      { probabilities: [0.5, 0.3, 0.2], weight: 1 },
    ],
    outcomeCount: 3,
  })
  t.is(r.outcomeIndex, 1)
  t.is(Math.round(r.probabilities.reduce((a, b) => a + b, 0) * 1e9), 1e9)
})

test('hostile input: NaN, infinite and negative weights or probabilities, wrong lengths, nothing at all: never NaN', (t) => {
  const cases = [
    [],
    [{ probabilities: [Number.NaN, 0.5], weight: 1 }],
    [{ probabilities: [0.9, 0.1], weight: Number.NaN }, { probabilities: [0.9, 0.1], weight: -3 }, { probabilities: [0.9, 0.1], weight: Number.POSITIVE_INFINITY }],
    [{ probabilities: [0.9], weight: 1 }],
    [{ probabilities: [0, 0], weight: 1 }],
    [{ probabilities: [1, 0], weight: 1e300 }, { probabilities: [0, 1], weight: 1e-300 }],
  ]
  for (const verdicts of cases) {
    const r = weighIndependentAgreement({ verdicts, outcomeCount: 2 })
    t.true(Number.isFinite(r.probability) && r.probabilities.every(Number.isFinite), JSON.stringify(verdicts))
    t.true(r.outcomeIndex === 0 || r.outcomeIndex === 1)
  }
  t.is(weighIndependentAgreement({ verdicts: [], outcomeCount: 2 }).probability, 0.5)
  // Certainty is clamped as the judge clamps its log-odds.
  const sure = weighIndependentAgreement({ verdicts: Array.from({ length: 50 }, () => yes(1)), outcomeCount: 2 })
  t.true(sure.probability < 0.998)
})
