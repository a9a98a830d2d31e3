import test from 'ava'
import { createEmbedder, type Embedder } from '../nlp/embedder.ts'
import { resolveTestModelsDir } from '../nlp/test-models-dir.ts'
import { featurizePairs } from './featurize-pairs.ts'
import { buildHypotheses, judgeText, winnerCue } from './judge-text.ts'
import { loadJudgeDataset } from './load-judge-dataset.ts'
import { loadJudgeModel, JudgeModelError } from './load-judge-model.ts'
import { measureClassification } from './measure-classification.ts'
import { predictLogistic } from './score-evidence.ts'
import { resolveTestDataDir } from './test-data-dir.ts'

// The real model and the committed judge, loaded once for this file.
let embedderPromise: Promise<Embedder> | undefined
const getEmbedder = () => (embedderPromise ??= createEmbedder({ modelsDir: resolveTestModelsDir(), batchSize: 64, executionProvider: 'cpu' }))
const judge = loadJudgeModel()

// Measured with this model on the held-out rows (split rule in load-judge-dataset.ts); the assertions allow
// 3 points of slack for numeric differences across CPUs / onnxruntime builds.
const MEASURED = {
  fever_symmetric: { accuracy: 0.705, majority: 0.5 },
  fool_me_twice: { accuracy: 0.626, majority: 0.521 },
} as const
const TOLERANCE = 0.03

test('held-out fever_symmetric and fool_me_twice: accuracy and macro-F1 vs the majority class', async (t) => {
  const embedder = await getEmbedder()
  const test = loadJudgeDataset(resolveTestDataDir()).filter((p) => p.split === 'test')
  const features = await featurizePairs({ embedder, lexicon: judge.lexicon, pairs: test })
  for (const dataset of ['fever_symmetric', 'fool_me_twice'] as const) {
    const idx = test.flatMap((p, i) => (p.dataset === dataset ? [i] : []))
    const probs = idx.map((i) => predictLogistic(judge.model.polarity, features[i]!))
    const gold = idx.map((i) => test[i]!.label)
    const pred = probs.map((p) => (p >= 0.5 ? 'support' : 'refute'))
    const m = measureClassification(gold, pred)
    const answered = idx.map((_, k) => Math.max(probs[k]!, 1 - probs[k]!) >= 0.6)
    const nAnswered = answered.filter(Boolean).length
    const correctAnswered = answered.filter((a, k) => a && pred[k] === gold[k]).length
    t.log(
      `${dataset} held-out n=${m.n}: accuracy ${(100 * m.accuracy).toFixed(1)}%, macro-F1 ${(100 * m.macroF1).toFixed(1)}%, ` +
        `majority (${m.majorityLabel}) ${(100 * m.majorityAccuracy).toFixed(1)}%; at 6000 bps: abstain ${(100 * (1 - nAnswered / m.n)).toFixed(1)}%, ` +
        `accuracy on answered ${nAnswered ? ((100 * correctAnswered) / nAnswered).toFixed(1) : '-'}% (${nAnswered} rows)`,
    )
    const measured = MEASURED[dataset]
    t.is(Math.round(1000 * m.majorityAccuracy) / 1000, measured.majority)
    t.true(m.accuracy >= m.majorityAccuracy + (measured.accuracy - measured.majority) - TOLERANCE, `${dataset} accuracy ${m.accuracy}`)
  }
})

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
    statements: [{ statement: 'the Chiefs win Super Bowl LVIII', outcomeIndex: 1 }],
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
