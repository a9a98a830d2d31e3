/**
 * Writes the labelled pairs the pair model may learn from: every pair of ../shared/train, plus the train side
 * of the fixed split of ../shared/data (load-judge-dataset.ts) — exactly the rows listed in
 * eval/judge-training-rows.json, so that `npm run eval` never reports a row the model saw.
 *
 *   npx tsx judge-lab/src/pair-model/export-pair-rows.ts --out /tmp/pair-rows.jsonl [--data DIR] [--train DIR]
 *
 * One JSON object a line: { source, premise, hypothesis, label }, the texts as the node's own tokenizer splits them, with label entailment | neutral | contradiction
 * | not_entailment (FEVER pairs that say only "not supported"). Fool Me Twice distractor sentences (retrieved,
 * not gold) become neutral pairs: they teach the model that a sentence of the right page can say nothing.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { judgeTrainingRowsPath, type JudgeTrainingRows } from '@sibyl/eval/judge-training-rows'
import { tokenizeWords } from '@sibyl/oracle-node/nlp/tokenize-words'
import { PAIR_MAX_PREMISE_TOKENS, PAIR_MAX_HYPOTHESIS_TOKENS } from '@sibyl/oracle-node/nlp/pair-judge-limits'
import { loadJudgeDataset, type JudgeLabel } from '../load-judge-dataset.ts'

const args = process.argv.slice(2)
const value = (name: string) => {
  const i = args.indexOf(name)
  return i >= 0 ? args[i + 1] : undefined
}
const repoRoot = resolve(import.meta.dirname, '../../..')
const dataDir = resolve(value('--data') ?? join(repoRoot, '../shared/data'))
const trainDir = resolve(value('--train') ?? join(repoRoot, '../shared/train'))
const out = value('--out')
if (out === undefined) throw new Error('--out FILE is required')

const NLI: Record<JudgeLabel, string> = { support: 'entailment', refute: 'contradiction', neither: 'neutral' }
const allowed = JSON.parse(readFileSync(judgeTrainingRowsPath, 'utf8')) as JudgeTrainingRows
const allowedIds = new Set(Object.entries(allowed.datasets).flatMap(([d, ids]) => ids.map((id) => `${d}:${id}`)))

const lines: string[] = []
const push = (source: string, premise: string, hypothesis: string, label: string) => lines.push(JSON.stringify({ source, label, premise: tokenizeWords(premise, PAIR_MAX_PREMISE_TOKENS), hypothesis: tokenizeWords(hypothesis, PAIR_MAX_HYPOTHESIS_TOKENS), premiseText: premise, hypothesisText: hypothesis }))

for (const folder of ['snli_esnli', 'mnli_train_taxinli', 'fever_pairs', 'med_monotonicity', 'breaking_nli_lexical']) {
  for (const line of readFileSync(join(trainDir, folder, 'data.jsonl'), 'utf8').split('\n')) {
    if (line.trim() === '') continue
    const r = JSON.parse(line) as { premise: string; hypothesis: string; label: string }
    push(folder, r.premise, r.hypothesis, r.label)
  }
}
let shared = 0
for (const p of loadJudgeDataset(dataDir)) {
  // The split says train, and the eval's list agrees: both must, or the row stays out.
  if (p.split !== 'train' || !allowedIds.has(`${p.dataset}:${p.rowId}`)) continue
  push(p.dataset, p.evidence, p.claim, NLI[p.label])
  shared++
  const gold = new Set(p.goldSentences ?? [])
  for (const s of (p.retrieved ?? []).filter((x) => !gold.has(x)).slice(0, 3)) push(`${p.dataset}_distractor`, s, p.claim, 'neutral')
}
writeFileSync(out, `${lines.join('\n')}\n`)
process.stdout.write(`${lines.length} pairs (${shared} from the train split of ${dataDir}) -> ${out}\n`)
