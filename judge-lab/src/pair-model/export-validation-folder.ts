/**
 * Writes the pair judge's NLI validation pairs (never trained on) as a data folder of the eval's layout, so the
 * node's whole path (`npm run eval -- --data DIR`) can be run on them and set beside the model's own reading:
 *
 *   npx tsx judge-lab/src/pair-model/export-validation-folder.ts --rows ROWS.jsonl --valid VALID.jsonl --out DIR
 *
 * ROWS.jsonl: export-pair-rows.ts (the texts); VALID.jsonl: train-use-pair-model.py --dump-valid (the pieces). A
 * validation row is found back by its pieces, cut by the runtime's own tokenizer (the one shipped beside the judge)
 * to the limits the training script applies. SNLI pairs go to snli_subset/, MultiNLI pairs to mnli_dev_matched/,
 * under new ids (`valid-N`), so the eval reports every one of them; the SOURCE.md of each comes from --data
 * (default ../shared/data).
 */
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { createPieceTokenizer, encodePieces } from '@sibyl/oracle-node/nlp/encode-pieces'
import { PAIR_MAX_HYPOTHESIS_PIECES, PAIR_MAX_PREMISE_PIECES } from '@sibyl/oracle-node/nlp/pair-judge-limits'
import { resolveTestDataDir } from '@sibyl/oracle-node/testing/test-data-dir'
import { readJsonLines } from './pieces-file.ts'

const args = process.argv.slice(2)
const value = (name: string) => {
  const i = args.indexOf(name)
  return i >= 0 ? args[i + 1] : undefined
}
const rowsPath = value('--rows')
const validPath = value('--valid')
const out = value('--out')
if (rowsPath === undefined || validPath === undefined || out === undefined) throw new Error('--rows ROWS.jsonl --valid VALID.jsonl --out DIR are required')
const dataDir = resolve(value('--data') ?? resolveTestDataDir())

/** Which eval dataset a training source's pairs stand in for (NLI sources only). */
const datasetOf = (source: string) => (source.startsWith('snli') ? 'snli_subset' : source.startsWith('mnli') ? 'mnli_dev_matched' : undefined)
const key = (source: string, p: number[], h: number[]) => `${source}|${p.join()}|${h.join()}`

type PiecesRow = { source: string; label: string; p: number[]; h: number[] }
type TextRow = { source: string; label: string; premiseText: string; hypothesisText: string }
const wanted = new Set(readJsonLines<PiecesRow>(validPath).filter((r) => datasetOf(r.source)).map((r) => key(r.source, r.p, r.h)))
const tokenizer = createPieceTokenizer(resolve(import.meta.dirname, '../../../oracle-node/src/nlp/pair-judge/pair-judge-tokenizer.json'))
const found = new Map<string, TextRow>()
for (const r of readJsonLines<TextRow>(rowsPath)) {
  if (datasetOf(r.source) === undefined) continue
  const { premise, hypothesis } = encodePieces(tokenizer, r.premiseText, r.hypothesisText)
  const k = key(r.source, premise.slice(0, PAIR_MAX_PREMISE_PIECES), hypothesis.slice(0, PAIR_MAX_HYPOTHESIS_PIECES))
  if (wanted.has(k) && !found.has(k)) found.set(k, r)
}
if (found.size < wanted.size) throw new Error(`${wanted.size - found.size} of ${wanted.size} validation pairs not found in ${rowsPath}: another tokenizer or another rows file`)

const lines = new Map<string, string[]>()
let n = 0
for (const r of found.values()) {
  const dataset = datasetOf(r.source)!
  const id = `valid-${++n}`
  if (!lines.has(dataset)) lines.set(dataset, [])
  lines.get(dataset)!.push(JSON.stringify({ id, caption_id: id, source: r.source, premise: r.premiseText, hypothesis: r.hypothesisText, label: r.label }))
}
for (const [dataset, rows] of lines) {
  mkdirSync(join(out, dataset), { recursive: true })
  writeFileSync(join(out, dataset, 'data.jsonl'), `${rows.join('\n')}\n`)
  copyFileSync(join(dataDir, dataset, 'SOURCE.md'), join(out, dataset, 'SOURCE.md'))
  process.stdout.write(`${dataset}: ${rows.length} validation pairs -> ${join(out, dataset)}\n`)
}
