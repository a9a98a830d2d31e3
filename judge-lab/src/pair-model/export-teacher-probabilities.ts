/**
 * Writes a trained judge's probabilities on every pair of a pieces file, one line per row in the file's order
 * ([entailment, neutral, contradiction]), for train-use-pair-model.py --soft-targets: the soft targets of
 * distillation from a judge whose training state is gone but whose graph ships (the node's own pair judge).
 *
 *   npx tsx judge-lab/src/pair-model/export-teacher-probabilities.ts --pieces PIECES.jsonl --model pair-judge.onnx --out SOFT.jsonl
 *
 * Each pair is run alone through the graph, as the node runs an 8-bit graph, by the node's own runner.
 */
import { createHash } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { createPairModelRunner } from '@sibyl/oracle-node/nlp/create-pair-judge'
import { PAIR_MAX_HYPOTHESIS_PIECES, PAIR_MAX_PREMISE_PIECES } from '@sibyl/oracle-node/nlp/pair-judge-limits'
import { encodedPair, readJsonLines } from './pieces-file.ts'

const args = process.argv.slice(2)
const value = (name: string) => {
  const i = args.indexOf(name)
  return i >= 0 ? args[i + 1] : undefined
}
const [piecesPath, onnxPath, out] = ['--pieces', '--model', '--out'].map(value)
if (!piecesPath || !onnxPath || !out) throw new Error('--pieces FILE --model pair-judge.onnx --out FILE are required')

// The training script's cut (MAX_P, MAX_H), so that the teacher reads what the student reads.
const encoded = readJsonLines<{ p: number[]; h: number[] }>(piecesPath).map((r) =>
  encodedPair(r.p.slice(0, PAIR_MAX_PREMISE_PIECES), r.h.slice(0, PAIR_MAX_HYPOTHESIS_PIECES)),
)
// quantized: one pair a call, whatever the graph (exactly what the node computes for the pair alone).
const runner = createPairModelRunner({ onnxPath, executionProvider: 'cpu', quantized: true })
const started = performance.now()
const probabilities = await runner.run(encoded)
const lines = probabilities.map((j) => JSON.stringify([j.entailment, j.neutral, j.contradiction].map((x) => Math.round(x * 1e6) / 1e6)))
writeFileSync(out, `${lines.join('\n')}\n`)
const sha256 = createHash('sha256').update(readFileSync(onnxPath)).digest('hex')
process.stdout.write(`${lines.length} rows in ${((performance.now() - started) / 1000).toFixed(0)} s by ${onnxPath} (sha256 ${sha256}) -> ${out}\n`)
