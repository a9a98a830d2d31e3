/**
 * Adds the sentence encoder's own token ids to the rows of export-pair-rows.ts, for train-use-pair-model.py
 * (USE-lite's two transformer layers, fine-tuned, under a cross-attention head).
 *
 *   npx tsx judge-lab/src/pair-model/export-pair-pieces.ts --rows ROWS.jsonl --tokenizer tokenizer.json --out PIECES.jsonl
 *
 * The tokenizer.json is the one the node then ships beside the model (pair-judge/pair-judge-tokenizer.json), read
 * by the runtime's own encode-pieces.ts, so training and runtime ids agree.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { createPieceTokenizer, encodePieces } from '@sibyl/oracle-node/nlp/encode-pieces'

const args = process.argv.slice(2)
const value = (name: string) => {
  const i = args.indexOf(name)
  return i >= 0 ? args[i + 1] : undefined
}
const rowsPath = value('--rows')
const out = value('--out')
const tokenizerPath = value('--tokenizer')
if (rowsPath === undefined || out === undefined || tokenizerPath === undefined) throw new Error('--rows FILE --tokenizer tokenizer.json --out FILE are required')

const tokenizer = createPieceTokenizer(resolve(tokenizerPath))
const lines: string[] = []
for (const line of readFileSync(rowsPath, 'utf8').split('\n')) {
  if (line.trim() === '') continue
  const r = JSON.parse(line) as { source: string; label: string; premiseText: string; hypothesisText: string }
  const { premise, hypothesis } = encodePieces(tokenizer, r.premiseText, r.hypothesisText)
  lines.push(JSON.stringify({ source: r.source, label: r.label, p: premise, h: hypothesis }))
}
writeFileSync(out, `${lines.join('\n')}\n`)
process.stdout.write(`${lines.length} pairs -> ${out}\n`)
