/**
 * Installs a trained pair judge (the folder train-pair-model.py wrote) as the node's judge:
 *
 *   npx tsx judge-lab/src/pair-model/install-pair-model.ts --from DIR [--data DIR] [--models DIR] [--no-write]
 *
 * 1. copies pair-judge.onnx and its vocabulary (pair-judge-vocab.json, a word list, from train-pair-model.py;
 *    or pair-judge-tokenizer.json, the sentence encoder's tokenizer, from train-use-pair-model.py) to
 *    oracle-node/src/nlp/pair-judge/, removing the other kind's vocabulary;
 * 2. records them, with their sha256 and the training record, in oracle-node/src/resolve/judge-model.json
 *    (`pairJudge`): the node signs that file's hash, which therefore names the pair judge's files too;
 * 3. fits the fusion of the pair model's polarity with the logistic judge's (PairJudgeFiles.fusion) on the
 *    in-domain TRAIN gold pairs (--no-fusion: the pair model alone);
 * 4. fits the end-to-end scale of the combination (P(YES) = σ(scale · L), no intercept) through the node's own
 *    judgeText with the new judge, on the in-domain TRAIN claims only (fever_symmetric on its gold sentence,
 *    fool_me_twice on its gold sentences and again with the retrieved distractors), as train-judge.ts does for
 *    the logistic judge. Held-out rows are never read here.
 */
import { copyFileSync, createReadStream, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createHash } from 'node:crypto'
import { join, relative, resolve } from 'node:path'
import { createEmbedder } from '@sibyl/oracle-node/nlp/embedder'
import { judgeText } from '@sibyl/oracle-node/resolve/judge-text'
import { judgeModelPath, loadJudgeModel } from '@sibyl/oracle-node/resolve/load-judge-model'
import { featurizePairs } from '@sibyl/oracle-node/resolve/featurize-pairs'
import { scoreEvidence, type JudgeModel } from '@sibyl/oracle-node/resolve/score-evidence'
import { resolveTestDataDir } from '@sibyl/oracle-node/testing/test-data-dir'
import { resolveTestModelsDir } from '@sibyl/oracle-node/testing/test-models-dir'
import { loadJudgeDataset } from '../load-judge-dataset.ts'

const args = process.argv.slice(2)
const arg = (name: string) => {
  const i = args.indexOf(name)
  return i >= 0 ? args[i + 1] : undefined
}
const from = arg('--from')
if (from === undefined) throw new Error('--from DIR (the output folder of train-pair-model.py) is required')
const dataDir = resolve(arg('--data') ?? resolveTestDataDir())
const modelsDir = resolve(arg('--models') ?? resolveTestModelsDir())
const write = !args.includes('--no-write')
const targetDir = resolve(import.meta.dirname, '../../../oracle-node/src/nlp/pair-judge')
const modelFile = judgeModelPath

const sha256 = (file: string) =>
  new Promise<string>((done, fail) => {
    const h = createHash('sha256')
    createReadStream(file).on('data', (c) => h.update(c)).on('end', () => done(h.digest('hex'))).on('error', fail)
  })

const record = JSON.parse(readFileSync(join(from, 'training-record.json'), 'utf8')) as Record<string, unknown>
// The reference batch stays: create-pair-judge.test.ts checks the ONNX file against it.
mkdirSync(targetDir, { recursive: true })
const staged = write ? targetDir : from
const pieces = existsSync(join(from, 'pair-judge-tokenizer.json'))
const vocabFile = pieces ? 'pair-judge-tokenizer.json' : 'pair-judge-vocab.json'
if (write) {
  copyFileSync(join(from, 'pair-judge.onnx'), join(targetDir, 'pair-judge.onnx'))
  copyFileSync(join(from, vocabFile), join(targetDir, vocabFile))
  rmSync(join(targetDir, pieces ? 'pair-judge-vocab.json' : 'pair-judge-tokenizer.json'), { force: true })
}
const model = JSON.parse(readFileSync(modelFile, 'utf8')) as JudgeModel
const base = resolve(modelFile, '..')
model.pairJudge = {
  onnx: relative(base, join(staged, 'pair-judge.onnx')),
  vocab: relative(base, join(staged, vocabFile)),
  ...(pieces ? { inputs: 'pieces' as const } : {}),
  sha256: { onnx: await sha256(join(staged, 'pair-judge.onnx')), vocab: await sha256(join(staged, vocabFile)) },
  training: { script: `judge-lab/src/pair-model/${pieces ? 'train-use-pair-model.py' : 'train-pair-model.py'}`, ...record },
}
const tmpModel = join(from, 'judge-model.candidate.json')
// Paths in the candidate are relative to the real judge-model.json; written beside it only at the end.
const candidate = { ...model, pairJudge: { ...model.pairJudge, onnx: resolve(base, model.pairJudge.onnx), vocab: resolve(base, model.pairJudge.vocab) } }
writeFileSync(tmpModel, JSON.stringify(candidate))
const embedder = await createEmbedder({ modelsDir, batchSize: 64, executionProvider: 'cpu' })
const dataset = loadJudgeDataset(dataDir)

// Fusion: the pair model and the logistic judge, one polarity per pair, fitted on in-domain TRAIN gold pairs
// (support / refute) by L2-penalised logistic regression.
if (!args.includes('--no-fusion')) {
  const plain = loadJudgeModel(tmpModel, { executionProvider: 'cpu' })
  const gold = dataset.filter((p) => p.split === 'train' && p.label !== 'neither' && ['fever_symmetric', 'fool_me_twice', 'climate_fever'].includes(p.dataset))
  const features = await featurizePairs({ embedder, lexicon: plain.lexicon, pairs: gold.map((p) => ({ claim: p.claim, evidence: p.evidence })) })
  const judged = await plain.pairJudge!.judgePairs(gold.map((p) => ({ premise: p.evidence, hypothesis: p.claim })))
  const x = gold.map((_, i) => {
    const j = judged[i]!
    return [1, logit(scoreEvidence(plain.model, features[i]!).polarity), logit(j.entailment / Math.max(1e-9, j.entailment + j.contradiction)), logit(j.entailment)]
  })
  const w = fitLogistic(x, gold.map((p) => (p.label === 'support' ? 1 : 0)), 1)
  model.pairJudge.fusion = { bias: round(w[0]!), logistic: round(w[1]!), pair: round(w[2]!), entail: round(w[3]!) }
  model.pairJudge.training.fusion = { pairs: gold.length, from: 'gold (claim, evidence) pairs of the TRAIN split of fever_symmetric, fool_me_twice, climate_fever; L2 1' }
  candidate.pairJudge = { ...candidate.pairJudge, fusion: model.pairJudge.fusion }
  writeFileSync(tmpModel, JSON.stringify(candidate))
  process.stdout.write(`fusion ${JSON.stringify(model.pairJudge.fusion)} from ${gold.length} train pairs\n`)
}
const judge = loadJudgeModel(tmpModel, { executionProvider: 'cpu' })

const rows: { logOdds: number; y: 0 | 1 }[] = []
for (const pair of dataset) {
  if (pair.split !== 'train' || pair.label === 'neither' || (pair.dataset !== 'fever_symmetric' && pair.dataset !== 'fool_me_twice')) continue
  const protocols = pair.dataset === 'fool_me_twice' ? [pair.goldSentences!, [...new Set([...pair.retrieved!, ...pair.goldSentences!])]] : [[pair.evidence]]
  for (const passages of protocols) {
    const result = await judgeText({
      embedder,
      judge,
      question: `${pair.claim.replace(/\s+/g, ' ').trim().replace(/[.?!\s]+$/, '')}?`,
      outcomes: ['YES', 'NO'],
      documents: [{ sourceIndex: 0, passages, weight: 10 }],
      minConfidenceBps: 0,
    })
    rows.push({ logOdds: result.evidenceLogOdds[0]!, y: pair.label === 'support' ? 1 : 0 })
  }
}
await embedder.dispose()
const scale = fitScale(rows)
const correct = rows.filter((r) => (r.logOdds >= 0 ? 1 : 0) === r.y).length
model.pairJudge.combination = { scale: Number(scale.toPrecision(6)) }
model.pairJudge.training.combination = { rows: rows.length, trainAccuracy: Number((correct / rows.length).toFixed(4)), from: 'judgeText on fever_symmetric and fool_me_twice TRAIN claims (fool_me_twice with and without retrieved distractors)' }
process.stdout.write(`end-to-end scale ${scale.toFixed(4)} from ${rows.length} train questions (forced-choice accuracy on them ${((100 * correct) / rows.length).toFixed(1)} %)\n`)
if (write) {
  writeFileSync(modelFile, `${JSON.stringify(model)}\n`)
  loadJudgeModel(modelFile) // the file must load the way the node loads it
  process.stdout.write(`wrote ${modelFile} and ${targetDir}\n`)
}

/** argmax_a Σ log σ(±a·L) by Newton's method (a ≥ 0.05). */
function fitScale(points: { logOdds: number; y: 0 | 1 }[]): number {
  let a = 1
  for (let iter = 0; iter < 100; iter++) {
    let g = 0
    let h = 1e-9
    for (const r of points) {
      const p = 1 / (1 + Math.exp(-a * r.logOdds))
      g += (r.y - p) * r.logOdds
      h += p * (1 - p) * r.logOdds * r.logOdds
    }
    const next = Math.max(0.05, a + g / h)
    if (Math.abs(next - a) < 1e-9) break
    a = next
  }
  return a
}

function logit(p: number): number {
  const q = Math.min(1 - 1e-6, Math.max(1e-6, p))
  return Math.log(q / (1 - q))
}

function round(v: number): number {
  return Number(v.toPrecision(6))
}

/** Logistic regression by Newton's method, L2 penalty `lambda` on every weight but the first (the bias). */
function fitLogistic(x: number[][], y: number[], lambda: number): number[] {
  const d = x[0]!.length
  let w = new Array<number>(d).fill(0)
  for (let iter = 0; iter < 50; iter++) {
    const g = new Array<number>(d).fill(0)
    const h = Array.from({ length: d }, () => new Array<number>(d).fill(0))
    x.forEach((xi, n) => {
      const p = 1 / (1 + Math.exp(-xi.reduce((a, v, k) => a + v * w[k]!, 0)))
      for (let a = 0; a < d; a++) {
        g[a]! += (y[n]! - p) * xi[a]!
        for (let b = 0; b < d; b++) h[a]![b]! += p * (1 - p) * xi[a]! * xi[b]!
      }
    })
    for (let a = 1; a < d; a++) {
      g[a]! -= lambda * w[a]!
      h[a]![a]! += lambda
    }
    const step = solve(h, g)
    w = w.map((v, k) => v + step[k]!)
    if (Math.max(...step.map(Math.abs)) < 1e-9) break
  }
  return w
}

/** Gaussian elimination with partial pivoting (a small symmetric positive definite system). */
function solve(a: number[][], b: number[]): number[] {
  const n = b.length
  const m = a.map((row, i) => [...row, b[i]!])
  for (let c = 0; c < n; c++) {
    let piv = c
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[piv]![c]!)) piv = r
    ;[m[c], m[piv]] = [m[piv]!, m[c]!]
    for (let r = 0; r < n; r++) {
      if (r === c) continue
      const f = m[r]![c]! / m[c]![c]!
      for (let k = c; k <= n; k++) m[r]![k]! -= f * m[c]![k]!
    }
  }
  return m.map((row, i) => row[n]! / row[i]!)
}
