/**
 * Which labelled rows the committed judge was trained on (judge-training-rows.json, written by
 * oracle-node/scripts/train-judge.ts next to judge-model.json): dataset folder name -> row ids of its
 * data.jsonl. An evaluation must never report on these rows; rows of any other folder (or other ids) are
 * unseen by the judge. Scripts and the evaluation read this; the node does not.
 */
import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { JudgeModelError } from './load-judge-model.ts'

export type JudgeTrainingRows = {
  /** How the rows were chosen (the split rule), for the record. */
  rule: string
  datasets: Record<string, string[]>
}

export const judgeTrainingRowsPath = fileURLToPath(new URL('./judge-training-rows.json', import.meta.url))

/** dataset -> ids the judge was trained on. A missing manifest is an error: nothing could be reported safely. */
export function readJudgeTrainingRows(path: string = judgeTrainingRowsPath): Map<string, Set<string>> {
  if (!existsSync(path)) throw new JudgeModelError(`${path} is missing; run oracle-node/scripts/train-judge.ts`)
  const manifest = JSON.parse(readFileSync(path, 'utf8')) as JudgeTrainingRows
  return new Map(Object.entries(manifest.datasets).map(([dataset, ids]) => [dataset, new Set(ids)]))
}
