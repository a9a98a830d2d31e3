/**
 * End-to-end measurement of the text judge (judgeText: ranking + hypotheses + scoring + combination +
 * abstention) on the HELD-OUT rows only (split rule in load-judge-dataset.ts).
 *
 *   npx tsx judge-lab/src/eval-judge.ts [--models DIR] [--data DIR] [--min-confidence-bps 6000] [--top-k 4] [--split test|train]
 *
 * `--split train` runs the same measurement on training rows: that is where judge settings (top-k) are
 * chosen; the test rows are only for the figures reported.
 *
 * Each claim becomes a yes/no question ("<claim>?", outcomes YES/NO) with one source:
 * - fool_me_twice: the 10 retrieved sentences of the claim's Wikipedia page plus the gold ones (deduplicated),
 *   so the judge must find the evidence among distractors;
 * - fever_symmetric: the one gold evidence sentence.
 * SUPPORTS is YES, REFUTES is NO. Prints forced-choice accuracy / macro-F1 (threshold 0) vs the majority
 * class, and at the threshold: abstain rate and accuracy on answered rows.
 */
import { resolve } from 'node:path'
import { classify, majorityBaseline } from '@sibyl/eval/metrics'
import { createEmbedder } from '@sibyl/oracle-node/nlp/embedder'
import { judgeText } from '@sibyl/oracle-node/resolve/judge-text'
import { loadJudgeModel } from '@sibyl/oracle-node/resolve/load-judge-model'
import { resolveTestDataDir } from '@sibyl/oracle-node/testing/test-data-dir'
import { resolveTestModelsDir } from '@sibyl/oracle-node/testing/test-models-dir'
import { loadJudgeDataset } from './load-judge-dataset.ts'

const args = process.argv.slice(2)
const arg = (name: string) => {
  const i = args.indexOf(name)
  return i >= 0 ? args[i + 1] : undefined
}
const minConfidenceBps = Number(arg('--min-confidence-bps') ?? 6000)
const topKPerSource = Number(arg('--top-k') ?? 4)
const split = arg('--split') === 'train' ? 'train' : 'test'
const started = Date.now()
const embedder = await createEmbedder({ modelsDir: resolve(arg('--models') ?? resolveTestModelsDir()), executionProvider: 'cpu' })
const judge = loadJudgeModel()
const rows = loadJudgeDataset(resolve(arg('--data') ?? resolveTestDataDir())).filter(
  (p) => p.split === split && (p.dataset === 'fever_symmetric' || p.dataset === 'fool_me_twice'),
)

for (const dataset of ['fever_symmetric', 'fool_me_twice'] as const) {
  const gold: string[] = []
  const forced: string[] = []
  let answered = 0
  let correctAnswered = 0
  let goldPassageUsed = 0
  for (const row of rows.filter((r) => r.dataset === dataset)) {
    const passages = dataset === 'fool_me_twice' ? [...new Set([...row.retrieved!, ...row.goldSentences!])] : [row.evidence]
    const result = await judgeText({
      embedder,
      judge,
      question: `${row.claim.trim().replace(/[.?!]+$/, '')}?`,
      outcomes: ['YES', 'NO'],
      documents: [{ sourceIndex: 0, passages, weight: 10 }],
      minConfidenceBps: 0,
      topKPerSource,
    })
    const label = row.label === 'support' ? 'YES' : 'NO'
    const pYes = result.outcomeProbabilitiesBps[0]!
    const prediction = pYes >= 5000 ? 'YES' : 'NO'
    gold.push(label)
    forced.push(prediction)
    if (Math.max(pYes, 10_000 - pYes) >= minConfidenceBps) {
      answered++
      if (prediction === label) correctAnswered++
    }
    if (row.goldSentences && result.usedPassages.some((p) => row.goldSentences!.includes(p.text))) goldPassageUsed++
  }
  const m = classify(gold, forced)
  const majority = majorityBaseline(gold)
  console.log(
    `${dataset} ${split === 'test' ? 'held-out' : 'TRAIN'} n=${m.n} top-k ${topKPerSource} end-to-end: forced accuracy ${(100 * m.accuracy).toFixed(1)}%, macro-F1 ${(100 * m.macroF1).toFixed(1)}%, ` +
      `majority (${majority?.label ?? '-'}) ${(100 * (majority?.accuracy ?? Number.NaN)).toFixed(1)}%; at ${minConfidenceBps} bps: answered ${answered}/${m.n} ` +
      `(abstain ${(100 * (1 - answered / m.n)).toFixed(1)}%), accuracy on answered ${answered ? ((100 * correctAnswered) / answered).toFixed(1) : '-'}%` +
      (dataset === 'fool_me_twice' ? `; a gold sentence among the passages used: ${goldPassageUsed}/${m.n}` : ''),
  )
}
await embedder.dispose()
console.log(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`)
