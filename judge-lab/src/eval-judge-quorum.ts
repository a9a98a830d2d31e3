/**
 * Several judges per network: each judge alone, then a simulated network of nodes running different judges, on
 * the HELD-OUT rows only (split rule in load-judge-dataset.ts), end to end through judgeText as a node runs it.
 *
 *   npx tsx judge-lab/src/eval-judge-quorum.ts [--models DIR] [--data DIR] [--min-confidence-bps 6000] [--nodes A,A,B,C]
 *
 * The judges (each a different signed modelHash on a real network):
 *   A  production: the trained pair judge fused with the logistic judge (what `model.judge: builtin` runs);
 *   B  the logistic judge over encoder features alone (judge-model.json without its pair judge);
 *   C  the pair judge alone, its probabilities unfused (what a node with another pair model would look like).
 * A network of n nodes (default A,A,B,C: n = 4, quorum q = n − ⌊(n−1)/3⌋ = 3) commits an answer only when q nodes
 * give it; a node below the confidence floor abstains. Reported per dataset: each judge's forced accuracy and its
 * accuracy / abstain rate at the floor, and the network's commit rate and accuracy of what it committed.
 *
 * Same yes/no framing as eval-judge.ts (fool_me_twice: the page's retrieved sentences plus the gold ones).
 */
import { resolve } from 'node:path'
import { quorumFor } from '@sibyl/protocol/quorum'
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
const nodes = (arg('--nodes') ?? 'A,A,B,C').split(',').map((s) => s.trim())
const started = Date.now()

const production = loadJudgeModel()
const judges: Record<string, Parameters<typeof judgeText>[0]['judge']> = {
  A: production,
  B: loadJudgeModel(undefined, { pairJudge: false }),
  C: { ...production, model: { ...production.model, pairJudge: production.model.pairJudge ? { ...production.model.pairJudge, fusion: undefined } : undefined } },
}
for (const n of nodes) if (!(n in judges)) throw new Error(`unknown judge ${n}: use ${Object.keys(judges).join(', ')}`)
const q = quorumFor(nodes.length)

const embedder = await createEmbedder({ modelsDir: resolve(arg('--models') ?? resolveTestModelsDir()), executionProvider: 'cpu' })
const rows = loadJudgeDataset(resolve(arg('--data') ?? resolveTestDataDir())).filter(
  (p) => p.split === 'test' && (p.dataset === 'fever_symmetric' || p.dataset === 'fool_me_twice'),
)

const pct = (a: number, b: number) => (b === 0 ? '-' : `${((100 * a) / b).toFixed(1)}%`)
for (const dataset of ['fever_symmetric', 'fool_me_twice'] as const) {
  const mine = rows.filter((r) => r.dataset === dataset)
  const alone = Object.fromEntries(Object.keys(judges).map((k) => [k, { forced: 0, answered: 0, right: 0 }]))
  let committed = 0
  let committedRight = 0
  for (const row of mine) {
    const passages = dataset === 'fool_me_twice' ? [...new Set([...row.retrieved!, ...row.goldSentences!])] : [row.evidence]
    const label = row.label === 'support' ? 'YES' : 'NO'
    const answers: Record<string, string | undefined> = {}
    for (const [name, judge] of Object.entries(judges)) {
      const result = await judgeText({
        embedder,
        judge,
        question: `${row.claim.trim().replace(/[.?!]+$/, '')}?`,
        outcomes: ['YES', 'NO'],
        documents: [{ sourceIndex: 0, passages, weight: 10 }],
        minConfidenceBps: 0,
        topKPerSource: 4,
      })
      const pYes = result.outcomeProbabilitiesBps[0]!
      const prediction = pYes >= 5000 ? 'YES' : 'NO'
      const s = alone[name]!
      if (prediction === label) s.forced++
      const confident = Math.max(pYes, 10_000 - pYes) >= minConfidenceBps
      if (confident) {
        s.answered++
        if (prediction === label) s.right++
      }
      answers[name] = confident ? prediction : undefined
    }
    const votes = new Map<string, number>()
    for (const n of nodes) {
      const a = answers[n]
      if (a !== undefined) votes.set(a, (votes.get(a) ?? 0) + 1)
    }
    const winner = [...votes].find(([, c]) => c >= q)?.[0]
    if (winner !== undefined) {
      committed++
      if (winner === label) committedRight++
    }
  }
  for (const [name, s] of Object.entries(alone)) {
    console.log(`${dataset} held-out n=${mine.length} judge ${name}: forced ${pct(s.forced, mine.length)}; at ${minConfidenceBps} bps answered ${pct(s.answered, mine.length)}, right on answered ${pct(s.right, s.answered)}`)
  }
  console.log(`${dataset} held-out n=${mine.length} network ${nodes.join(',')} (q=${q}): committed ${pct(committed, mine.length)}, right on committed ${pct(committedRight, committed)}`)
}
await embedder.dispose()
console.log(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`)
