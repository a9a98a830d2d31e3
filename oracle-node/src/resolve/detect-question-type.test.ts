import test from 'ava'
import { detectQuestionType } from './detect-question-type.ts'

const typeOf = (q: string) => detectQuestionType(q).type

test('one game between two sides is sports.winner; a league, cup or award is text', (t) => {
  t.is(typeOf('Will Qatar win on 2026-06-13?'), 'sports.winner')
  t.is(typeOf('Will the Kansas City Chiefs beat the Buffalo Bills on January 26?'), 'sports.winner')
  t.is(typeOf('Lakers vs. Celtics'), 'sports.winner')
  t.deepEqual(detectQuestionType('Will the Chiefs beat the 49ers?').teams, { first: 'Chiefs', second: '49ers' })
  t.is(typeOf('Will Barcelona win La Liga 2025–26?'), 'text')
  t.is(typeOf('Will the Denver Nuggets win the NBA Western Conference Finals?'), 'text')
  t.is(typeOf('Will Argentina win Group J in the 2026 FIFA World Cup?'), 'text')
})

test('a published number against a bound is numeric.threshold, with the bound and comparison read', (t) => {
  t.like(detectQuestionType('Will Bitcoin dip to $45,000 in February?'), { type: 'numeric.threshold', threshold: '45000', comparison: 'lte' })
  t.like(detectQuestionType('EdgeX FDV above $4B one day after launch?'), { type: 'numeric.threshold', threshold: '4', comparison: 'gt' })
  t.like(detectQuestionType('Will inflation reach more than 3.5% in 2026?'), { type: 'numeric.threshold', threshold: '3.5', comparison: 'gt' })
  t.like(detectQuestionType('Will there be less than 16 named storms this season?'), { type: 'numeric.threshold', threshold: '16', comparison: 'lt' })
  t.like(detectQuestionType('Will any model score 95% or higher on the benchmark?'), { type: 'numeric.threshold', threshold: '95', comparison: 'gte' })
  t.is(typeOf('Will NVIDIA (NVDA) close at $210–215 in 2025?'), 'numeric.threshold')
  t.is(typeOf('Will 10-12 rocket launches reach orbit in 2025?'), 'numeric.threshold')
})

test('years, dates, ranks and durations are not bounds', (t) => {
  t.is(typeOf('Will OpenAI IPO by December 31 2025?'), 'text')
  t.is(typeOf('Will the treaty be renewed until at least February 5, 2027?'), 'text')
  t.is(typeOf('Will Chelsea finish in the top 4 of the standings?'), 'text')
  t.is(typeOf("Will the album be #1 for 14 straight weeks?"), 'text')
  t.is(typeOf('Will the card keep its cash back for at least 18 months?'), 'text')
  t.is(typeOf('Will a new moon landing happen by 2030?'), 'text')
})

test('first person, conditional and market-on-market questions are unsupported', (t) => {
  t.is(typeOf('Will I finish my novel this year?'), 'unsupported')
  t.is(typeOf('Will Trump win the Nobel Peace Prize iff there is a ceasefire?'), 'unsupported')
  t.is(typeOf('Will the price of gold be above $3,000 according to Polymarket?'), 'unsupported')
  t.is(typeOf('Will the US and Iran sign a nuclear deal before 2027?'), 'text')
})
