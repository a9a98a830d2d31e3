/**
 * Which labelled rows the committed judge was trained on (judge-training-rows.json beside this file, written
 * by train-judge.ts when it writes oracle-node/src/resolve/judge-model.json): dataset folder name -> row ids of
 * its data.jsonl. An evaluation must never report on these rows; rows of any other folder (or other ids) are
 * unseen by the judge. It lives here, not beside judge-model.json, because only training and evaluation read
 * it; the node ships the model alone.
 */
import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { JudgeModelError } from '@sibyl/oracle-node/resolve/load-judge-model'

export type JudgeTrainingRows = {
  /** How the rows were chosen (the split rule), for the record. */
  rule: string
  datasets: Record<string, string[]>
}

export const judgeTrainingRowsPath = fileURLToPath(new URL('./judge-training-rows.json', import.meta.url))

/** dataset -> ids the judge was trained on. A missing manifest is an error: nothing could be reported safely. */
export function readJudgeTrainingRows(path: string = judgeTrainingRowsPath): Map<string, Set<string>> {
  if (!existsSync(path)) throw new JudgeModelError(`${path} is missing; run npm run train -w @sibyl/judge-lab`)
  const manifest = JSON.parse(readFileSync(path, 'utf8')) as JudgeTrainingRows
  return new Map(Object.entries(manifest.datasets).map(([dataset, ids]) => [dataset, new Set(ids)]))
}
