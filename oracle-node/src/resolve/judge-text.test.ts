/**
 * Unit tests of judgeText with the real encoder and the committed judge. Its accuracy on the held-out rows is
 * measured in judge-lab (judge-lab/src/judge-held-out.test.ts), where the labelled data is read.
 */
import test from 'ava'
import { createEmbedder, type Embedder } from '../nlp/embedder.ts'
import { resolveTestModelsDir } from '../testing/test-models-dir.ts'
import { buildHypotheses, judgeText, winnerCue } from './judge-text.ts'
import { loadJudgeModel, JudgeModelError } from './load-judge-model.ts'

// The real model and the committed judge, loaded once for this file.
let embedderPromise: Promise<Embedder> | undefined
const getEmbedder = () => (embedderPromise ??= createEmbedder({ modelsDir: resolveTestModelsDir(), batchSize: 64, executionProvider: 'cpu' }))
const judge = loadJudgeModel()

const superBowl = [
  'Tickets for the big game in Las Vegas sold out within hours.',
  'The Kansas City Chiefs beat the San Francisco 49ers 25-22 in overtime to win Super Bowl LVIII on Sunday night.',
  'Taylor Swift celebrated with Travis Kelce on the field after the game.',
  'Patrick Mahomes was named the most valuable player for the third time.',
]

test('judgeText: a yes/no question answered from a relevant passage, with the passage it used', async (t) => {
  const embedder = await getEmbedder()
  const result = await judgeText({
    embedder,
    judge,
    question: 'Did the Kansas City Chiefs win Super Bowl LVIII?',
    outcomes: ['YES', 'NO'],
    documents: [{ sourceIndex: 0, passages: superBowl, weight: 10 }],
    minConfidenceBps: 5000,
  })
  t.log(result.reason)
  t.deepEqual(result.answer, { kind: 'outcome', index: 0 })
  t.true(result.usedPassages.some((p) => p.passageIndex === 1))
  t.is(result.outcomeProbabilitiesBps.reduce((a, b) => a + b, 0), 10_000)
})

test('judgeText: a choice question uses the winner cue; irrelevant sources and high thresholds abstain', async (t) => {
  const embedder = await getEmbedder()
  const base = { embedder, judge, question: 'Who won Super Bowl LVIII?', outcomes: ['San Francisco 49ers', 'Kansas City Chiefs'] }
  const won = await judgeText({ ...base, documents: [{ sourceIndex: 0, passages: superBowl, weight: 10 }], minConfidenceBps: 6000 })
  t.log(won.reason)
  t.deepEqual(won.answer, { kind: 'outcome', index: 1 })

  const offTopic = ['Add the flour and stir until smooth.', 'Bake for twenty minutes at 180 degrees.']
  const silent = await judgeText({ ...base, documents: [{ sourceIndex: 0, passages: offTopic, weight: 10 }], minConfidenceBps: 6000 })
  t.deepEqual(silent.answer, { kind: 'unresolvable' })
  const early = await judgeText({ ...base, documents: [{ sourceIndex: 0, passages: offTopic, weight: 10 }], minConfidenceBps: 6000, beforeEventTime: true })
  t.deepEqual(early.answer, { kind: 'tooEarly' })
  const strict = await judgeText({ ...base, documents: [{ sourceIndex: 0, passages: superBowl, weight: 10 }], minConfidenceBps: 9999 })
  t.deepEqual(strict.answer, { kind: 'unresolvable' })
  t.regex(strict.reason, /abstained/)
})

test('buildHypotheses and winnerCue', (t) => {
  t.like(buildHypotheses('Did the Chiefs win Super Bowl LVIII?', ['NO', 'YES']), {
    kind: 'yes-no',
    yesIndex: 1,
    statements: [{ statement: 'the Chiefs won Super Bowl LVIII', outcomeIndex: 1 }],
  })
  t.deepEqual(
    buildHypotheses('Which team won the 2024 NBA Finals?', ['Celtics', 'Mavericks']).statements.map((s) => s.statement),
    ['Celtics won the 2024 NBA Finals', 'Mavericks won the 2024 NBA Finals'],
  )
  t.is(buildHypotheses('Will the election be won by a party?', ['Labour', 'Conservative']).statements[0]!.statement, 'the election be won by a party: Labour')
  const outcomes = ['Kansas City Chiefs', 'San Francisco 49ers']
  const passage = 'The Chiefs beat the 49ers 25-22 in overtime.'
  t.is(winnerCue(passage, outcomes[0]!, outcomes), 1)
  t.is(winnerCue(passage, outcomes[1]!, outcomes), -1)
  t.is(winnerCue('The 49ers lost a close one.', outcomes[1]!, outcomes), -1)
  t.is(winnerCue('Nothing about the game.', outcomes[0]!, outcomes), 0)
})

test('a missing or mismatched judge model is a clear error', (t) => {
  t.throws(() => loadJudgeModel('/nonexistent/judge-model.json'), { instanceOf: JudgeModelError, message: /Cannot read the judge model/ })
})

test('judgeText with the pair judge: a source that plainly denies the event makes NO the more probable outcome; the logistic judge alone said YES', async (t) => {
  const embedder = await getEmbedder()
  t.truthy(judge.pairJudge, 'judge-model.json names the pair judge')
  const denial = [
    'The Harbor Heritage Trust runs three museums on the island.',
    'The Gull Island Lighthouse Museum did not reopen to visitors in March as planned, and it will stay closed until September.',
    'Ferry service to the island continues on its normal schedule.',
  ]
  const ask = (j: typeof judge) =>
    judgeText({ embedder, judge: j, question: 'Did the Gull Island Lighthouse Museum reopen to visitors in March 2025?', outcomes: ['YES', 'NO'], documents: [{ sourceIndex: 0, passages: denial, weight: 10 }], minConfidenceBps: 6000 })
  const result = await ask(judge)
  t.log(result.reason)
  t.true(result.outcomeProbabilitiesBps[1]! > result.outcomeProbabilitiesBps[0]!, 'NO is the more probable outcome')
  t.not(result.answer.kind === 'outcome' && result.answer.index === 0, true, 'never YES')
  const logistic = await ask(loadJudgeModel(undefined, { pairJudge: false }))
  t.log('logistic judge alone:', logistic.reason)
  t.true(logistic.outcomeProbabilitiesBps[0]! > logistic.outcomeProbabilitiesBps[1]!, 'the old judge read the denial as support')
})

test('judgeText: the confidence interval is seeded by the evidence, holds the point, and is the point when nothing can be resampled', async (t) => {
  const embedder = await getEmbedder()
  const base = { embedder, judge, question: 'Did the Kansas City Chiefs win Super Bowl LVIII?', outcomes: ['YES', 'NO'], minConfidenceBps: 5000 }
  const documents = [
    { sourceIndex: 0, passages: superBowl, weight: 10 },
    { sourceIndex: 1, passages: ['The 49ers lost Super Bowl LVIII in overtime.', 'Las Vegas hosted the game for the first time.'], weight: 5 },
  ]
  const a = await judgeText({ ...base, documents })
  const b = await judgeText({ ...base, documents })
  t.log(a.reason, a.confidenceInterval)
  t.deepEqual(a.confidenceInterval, b.confidenceInterval)
  t.true(a.confidenceInterval[0] <= a.confidenceBps && a.confidenceBps <= a.confidenceInterval[1])
  t.true(a.confidenceInterval[0] < a.confidenceInterval[1])
  const lone = await judgeText({ ...base, documents: [{ sourceIndex: 0, passages: [superBowl[1]!], weight: 10 }] })
  t.deepEqual(lone.confidenceInterval, [lone.confidenceBps, lone.confidenceBps])
  const none = await judgeText({ ...base, intervalResamples: 0, documents })
  t.deepEqual(none.confidenceInterval, [none.confidenceBps, none.confidenceBps])
})

test('judgeText: a source that names another winner never answers YES; one that names the asked one as the loser answers NO; the pair model alone read both as support', async (t) => {
  const embedder = await getEmbedder()
  const ask = (question: string, passages: string[]) =>
    judgeText({ embedder, judge, question, outcomes: ['YES', 'NO'], documents: [{ sourceIndex: 0, passages, weight: 10 }], minConfidenceBps: 6000 })
  const cases: [string, string[], 'NO' | 'not YES'][] = [
    ['Did Maria Lopez win the Springfield mayoral election?', ['John Carter won the Springfield mayoral election on Tuesday with 54% of the vote.'], 'not YES'],
    ['Did Apple acquire Perplexity?', ['Samsung acquired Perplexity in a deal valued at 14 billion dollars, the companies said.'], 'not YES'],
    ['Did Maria Lopez win the Springfield mayoral election?', ['John Carter won the Springfield mayoral election on Tuesday, defeating Maria Lopez by 400 votes.'], 'NO'],
    ['Did the Kansas City Chiefs win Super Bowl LIX?', ['The Philadelphia Eagles won Super Bowl LIX, beating the Kansas City Chiefs 40-22.'], 'NO'],
  ]
  for (const [question, passages, want] of cases) {
    const result = await ask(question, passages)
    const pair = result.judgedPairs[0]!
    t.log(question, result.reason, `support ${pair.support.toFixed(2)} refute ${pair.refute.toFixed(2)} neither ${pair.neither.toFixed(2)}`)
    t.not(result.answer.kind === 'outcome' && result.answer.index === 0, true, `${question}: never YES`)
    if (want === 'NO') t.true(result.answer.kind === 'outcome' && result.answer.index === 1, `${question}: NO`)
    const [raw] = await judge.pairJudge!.judgePairs([{ premise: passages[0]!, hypothesis: buildHypotheses(question, ['YES', 'NO']).statements[0]!.statement }])
    t.true(raw!.entailment > raw!.contradiction, `${question}: the pair model alone reads the other winner as support`)
  }
  // The winner named: still YES.
  const right = await ask('Did Maria Lopez win the Springfield mayoral election?', ['Maria Lopez won the Springfield mayoral election on Tuesday with 54% of the vote.'])
  t.true(right.answer.kind === 'outcome' && right.answer.index === 0, right.reason)
})

test('judgeText: a source that states the opposite event answers NO; the pair model alone read it as support', async (t) => {
  const embedder = await getEmbedder()
  const cases: [string, string][] = [
    ['Did Carlos Alcaraz win the Wimbledon final?', 'Carlos Alcaraz lost the Wimbledon final to Jannik Sinner in four sets on Sunday.'],
    ['Did Apple shares rise on Monday?', 'Apple shares fell 3% on Monday after the company cut its sales forecast.'],
    ['Did the company report a profit in the third quarter?', 'The company reported a loss of 40 million dollars in the third quarter.'],
  ]
  for (const [question, passage] of cases) {
    const result = await judgeText({ embedder, judge, question, outcomes: ['YES', 'NO'], documents: [{ sourceIndex: 0, passages: [passage], weight: 10 }], minConfidenceBps: 6000 })
    t.log(question, result.reason)
    t.true(result.answer.kind === 'outcome' && result.answer.index === 1, `${question}: NO`)
    const [raw] = await judge.pairJudge!.judgePairs([{ premise: passage, hypothesis: buildHypotheses(question, ['YES', 'NO']).statements[0]!.statement }])
    t.true(raw!.entailment > raw!.contradiction, `${question}: the pair model alone reads the opposite as support`)
  }
})
