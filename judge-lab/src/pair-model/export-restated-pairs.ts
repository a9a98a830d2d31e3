/**
 * Writes extra TRAINING pairs in which the passage restates the statement with more detail, and the same statements
 * with their year moved (restate-statement.ts says which and why), for train-use-pair-model.py --extra, which adds
 * them to the training side only.
 *
 *   npx tsx judge-lab/src/pair-model/export-restated-pairs.ts --rows ROWS.jsonl --pieces PIECES.jsonl --valid VALID.jsonl \
 *       --tokenizer tokenizer.json --out RESTATED.jsonl [--count 3000] [--seed restated-1]
 *
 * The statements come from the training rows only: ROWS and PIECES are export-pair-rows.ts and export-pair-pieces.ts
 * (same order, one line each), VALID is train-use-pair-model.py --dump-valid, and a statement that is the statement
 * of any validation row is never used. Statements with one year come from any source; those without, from the
 * FEVER, MultiNLI and SNLI pairs (the lexical and monotonicity sets' hypotheses are not reports). The output has the
 * layout of PIECES (source "restated" or "restated_year"), plus the texts.
 */
import { writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { createPieceTokenizer, encodePieces } from '@sibyl/oracle-node/nlp/encode-pieces'
import { createSeededRandom } from '@sibyl/oracle-node/resolve/analysis/create-seeded-random'
import { readJsonLines } from './pieces-file.ts'
import { restatedPairs, usableStatement, yearsOf } from './restate-statement.ts'

const args = process.argv.slice(2)
const value = (name: string) => {
  const i = args.indexOf(name)
  return i >= 0 ? args[i + 1] : undefined
}
const [rowsPath, piecesPath, validPath, tokenizerPath, out] = ['--rows', '--pieces', '--valid', '--tokenizer', '--out'].map(value)
if (!rowsPath || !piecesPath || !validPath || !tokenizerPath || !out) throw new Error('--rows --pieces --valid --tokenizer --out are required')
const count = Number(value('--count') ?? 3000)

type Row = { source: string; hypothesisText: string }
type Pieces = { h: number[] }
const rows = readJsonLines<Row>(rowsPath)
const pieces = readJsonLines<Pieces>(piecesPath)
if (rows.length !== pieces.length) throw new Error(`${rowsPath} has ${rows.length} rows, ${piecesPath} ${pieces.length}: not the same export`)
const validStatements = new Set(readJsonLines<Pieces>(validPath).map((v) => JSON.stringify(v.h)))

const seen = new Set<string>()
const withYear: string[] = []
const plain: string[] = []
rows.forEach((r, i) => {
  const s = usableStatement(r.hypothesisText)
  if (s === undefined || seen.has(s) || validStatements.has(JSON.stringify(pieces[i]!.h))) return
  seen.add(s)
  const years = yearsOf(s).length
  if (years === 1) withYear.push(s)
  else if (years === 0 && /^(fever_pairs|mnli|snli)/.test(r.source)) plain.push(s)
})

const pairs = restatedPairs(withYear, plain, count, createSeededRandom(value('--seed') ?? 'restated-1'))
const tokenizer = createPieceTokenizer(resolve(tokenizerPath))
const lines = pairs.map(({ source, label, premise, hypothesis }) => {
  const { premise: p, hypothesis: h } = encodePieces(tokenizer, premise, hypothesis)
  return JSON.stringify({ source, label, p, h, premiseText: premise, hypothesisText: hypothesis })
})
writeFileSync(out, `${lines.join('\n')}\n`)
const moved = pairs.filter((p) => p.source === 'restated_year').length
process.stdout.write(`${lines.length} pairs (${lines.length - moved} restated, ${moved} with another year) from ${withYear.length} statements with a year and ${plain.length} without -> ${out}\n`)
