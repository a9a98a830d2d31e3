/**
 * Compares exported pair models on the validation rows their training held back (never the held-out rows of
 * ../shared/data): accuracy overall and per source, how often two models agree on the label, the largest
 * difference in a probability, and throughput, each model run as the node runs it (CPU, one thread).
 *
 *   /usr/bin/python3 judge-lab/src/pair-model/train-use-pair-model.py --pieces PIECES --encoder ENC --out DIR --dump-valid VALID
 *   npx tsx judge-lab/src/pair-model/compare-pair-models.ts --valid VALID MODEL.onnx [MODEL.onnx ...]
 *
 * Used to decide whether the 8-bit model (quantize-pair-model.py) may replace the float one; the figures are in
 * judge-lab/README.md.
 */
import { createPairModelRunner, type PairJudgement } from '@sibyl/oracle-node/nlp/create-pair-judge'
import { encodedPair, readJsonLines } from './pieces-file.ts'

const LABELS = ['entailment', 'neutral', 'contradiction'] as const
type Row = { source: string; label: (typeof LABELS)[number] | 'not_entailment'; p: number[]; h: number[] }

const args = process.argv.slice(2)
const at = args.indexOf('--valid')
if (at < 0 || args[at + 1] === undefined) throw new Error('--valid FILE (rows written by train-use-pair-model.py --dump-valid) is required')
const validPath = args[at + 1]!
const models = args.filter((_, i) => i !== at && i !== at + 1)
if (models.length === 0) throw new Error('name at least one model')

const rows = readJsonLines<Row>(validPath)
const encoded = rows.map((r) => encodedPair(r.p, r.h))
const argmax = (j: PairJudgement) => LABELS[[j.entailment, j.neutral, j.contradiction].reduce((best, v, i, all) => (v > all[best]! ? i : best), 0)]!
const correct = (row: Row, j: PairJudgement) => (row.label === 'not_entailment' ? argmax(j) !== 'entailment' : argmax(j) === row.label)

const results: PairJudgement[][] = []
for (const onnxPath of models) {
  // Each pair alone, as the node runs an 8-bit graph (its activations are quantized per call).
  const runner = createPairModelRunner({ onnxPath, executionProvider: 'cpu', batchSize: 1 })
  await runner.run(encoded.slice(0, 4)) // starts the session outside the timing
  const t0 = performance.now()
  const out = await runner.run(encoded)
  const seconds = (performance.now() - t0) / 1000
  results.push(out)
  const bySource = new Map<string, [number, number]>()
  rows.forEach((r, i) => {
    const s = bySource.get(r.source) ?? [0, 0]
    s[0] += correct(r, out[i]!) ? 1 : 0
    s[1] += 1
    bySource.set(r.source, s)
  })
  const ok = [...bySource.values()].reduce((n, s) => n + s[0], 0)
  console.log(`${onnxPath}: ${((100 * ok) / rows.length).toFixed(2)} % of ${rows.length} validation pairs, ${(rows.length / seconds).toFixed(0)} pairs/s`)
  console.log(`  ${[...bySource].sort().map(([k, [a, n]]) => `${k} ${((100 * a) / n).toFixed(1)}`).join(', ')}`)
}
for (let k = 1; k < models.length; k++) {
  let agree = 0
  let maxDiff = 0
  rows.forEach((_, i) => {
    const a = results[0]![i]!
    const b = results[k]![i]!
    if (argmax(a) === argmax(b)) agree++
    maxDiff = Math.max(maxDiff, ...LABELS.map((l) => Math.abs(a[l] - b[l])))
  })
  console.log(`${models[k]} vs ${models[0]}: same label on ${((100 * agree) / rows.length).toFixed(2)} %, largest probability difference ${maxDiff.toFixed(3)}`)
}
