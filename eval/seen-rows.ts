/**
 * Rows the node's code has already seen, which the evaluation must not report as held-out figures:
 * - the rows the text judge was trained on (eval/judge-training-rows.json, written by the training
 *   script);
 * - the rows of the shared sample that hand-written resolvers were developed or tuned against
 *   (eval/development-rows.json).
 * Rows are matched by dataset folder name and row id, so another folder of the same layout (the held-out
 * part, other rows) is entirely unseen.
 */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { readJudgeTrainingRows } from './judge-training-rows.ts'

export type SeenRows = {
  /** Why the row was seen, or undefined when it is unseen. */
  why(dataset: string, id: string): string | undefined
}

type DevelopmentManifest = { datasets: Record<string, { why: string; ids: string[] }> }

const developmentRowsPath = fileURLToPath(new URL('./development-rows.json', import.meta.url))

export function loadSeenRows(): SeenRows {
  const trained = readJudgeTrainingRows()
  const development = (JSON.parse(readFileSync(developmentRowsPath, 'utf8')) as DevelopmentManifest).datasets
  const developed = new Map(Object.entries(development).map(([dataset, d]) => [dataset, { why: d.why, ids: new Set(d.ids) }]))
  return {
    why(dataset, id) {
      if (trained.get(dataset)?.has(id)) return 'the text judge was trained on it'
      const d = developed.get(dataset)
      return d?.ids.has(id) ? d.why : undefined
    },
  }
}
