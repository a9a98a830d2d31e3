/**
 * The shape shared by the claim-verification and NLI adapters: each row becomes a yes/no question to the
 * node (ask-yes-no.ts) over the row's evidence; YES, NO and an abstention are mapped onto the dataset's
 * classes. Rows whose label the dataset leaves out are skipped.
 */
import { askYesNo } from '../ask-yes-no.ts'
import type { AdapterResult, DatasetAdapter, Task } from '../dataset-adapter.ts'
import { ABSTAIN, coverageAt, summarizeJudged, type JudgedRow } from '../metrics.ts'
import { intervalCalibration, type IntervalRow } from '../interval-calibration.ts'
import { DEFAULT_INTERVAL_LEVEL } from '@sibyl/oracle-node/resolve/analysis/bootstrap-interval'
import type { Row } from '../read-dataset.ts'

export type TextJudgeAdapterParameters = {
  name: string
  folder: string
  task: Task
  protocol: string
  /** The gold class of a row, or undefined to leave the row out. */
  gold: (row: Row) => string | undefined
  claim: (row: Row) => string
  passages: (row: Row) => string[]
  url?: (row: Row) => string | undefined
  /** The classes YES and NO stand for. */
  yes: string
  no: string
  /** The class an abstention stands for, where the dataset has one ("not enough info", "neutral"). */
  abstainClass?: string
}

export const COVERAGE_THRESHOLDS = [0.6, 0.7, 0.8, 0.9, 0.95] as const

export function createTextJudgeAdapter(p: TextJudgeAdapterParameters): DatasetAdapter {
  return {
    name: p.name,
    folder: p.folder,
    task: p.task,
    protocol: p.protocol,
    rowId: (row) => String(row.id),
    async evaluate(context, rows): Promise<AdapterResult> {
      const node = await context.node()
      const judged: JudgedRow[] = []
      const intervals: IntervalRow[] = []
      const map = (v: string) => (v === 'YES' ? p.yes : v === 'NO' ? p.no : ABSTAIN)
      for (const row of rows) {
        const gold = p.gold(row)
        if (gold === undefined) continue
        const url = p.url?.(row)
        const verdict = await askYesNo(node, { claim: p.claim(row), passages: p.passages(row), ...(url ? { url } : {}) })
        judged.push({ id: String(row.id), gold, forced: map(verdict.forced), answered: map(verdict.answered), confidence: verdict.confidence })
        if (verdict.confidence !== undefined && verdict.interval !== undefined) intervals.push({ confidence: verdict.confidence, interval: verdict.interval, correct: map(verdict.forced) === gold })
      }
      const figures = summarizeJudged(judged, p.abstainClass === undefined ? {} : { abstainClass: p.abstainClass })
      return {
        figures,
        baselines: figures.majority ? [{ name: `majority (${figures.majority.label})`, accuracy: figures.majority.accuracy, macroF1: figures.majority.macroF1 }] : [],
        extra: {
          coverage: coverageAt(judged, COVERAGE_THRESHOLDS),
          confusion: confusion(judged.map((j) => j.gold), judged.map((j) => j.answered)),
          // How often the interval holds the accuracy of rows of its confidence (interval-calibration.ts).
          intervals: intervalCalibration(intervals, { nominal: DEFAULT_INTERVAL_LEVEL }),
        },
      }
    },
  }
}

/** gold -> answered -> count. */
export function confusion(gold: readonly string[], predicted: readonly string[]): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {}
  gold.forEach((g, i) => {
    const row = (out[g] ??= {})
    row[predicted[i]!] = (row[predicted[i]!] ?? 0) + 1
  })
  return out
}
