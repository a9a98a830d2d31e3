/**
 * One adapter per dataset: it knows the dataset's folder, row ids and labels, turns each row into what the
 * node is asked (a question spec and its source documents, a page, a market question), runs the node's own
 * code on it and maps the answer back onto the dataset's classes. The runner (run.ts) picks the rows,
 * times the adapter and writes the figures.
 */
import type { Embedder } from '@sibyl/oracle-node/nlp/embedder'
import type { LoadJudgeModelReturnType } from '@sibyl/oracle-node/resolve/load-judge-model'
import type { JudgedFigures } from './metrics.ts'
import type { Row } from './read-dataset.ts'

export type Task = 'claim verification' | 'NLI' | 'structured' | 'main text' | 'question type'

/** The node's parts an adapter may use, built once by the runner. */
export type NodeParts = {
  embedder: Pick<Embedder, 'embed'>
  judge: LoadJudgeModelReturnType
  /** The node's default operating threshold (node config `model.minConfidenceBps`). */
  minConfidenceBps: number
}

export type AdapterContext = {
  dataDir: string
  /** The dataset folder name (several adapters may read one folder). */
  folder: string
  /** Loads the node's models on first use (extraction and structured adapters never need them). */
  node: () => Promise<NodeParts>
  /** The node's default operating threshold (node config `model.minConfidenceBps`). */
  minConfidenceBps: number
  log: (line: string) => void
}

/** A baseline measured on the same rows, shown next to the node. */
export type BaselineFigures = {
  name: string
  accuracy: number
  macroF1: number
  abstainRate?: number
}

export type AdapterResult = {
  figures: JudgedFigures
  baselines: BaselineFigures[]
  /** Dataset-specific figures (score accuracy, token F1 precision/recall, confusion, coverage table). */
  extra: Record<string, unknown>
}

export type DatasetAdapter = {
  /** The key in results (usually the folder name). */
  name: string
  folder: string
  task: Task
  /** One line: what the node is asked and how its answer is scored. */
  protocol: string
  rowId: (row: Row) => string
  evaluate: (context: AdapterContext, rows: readonly Row[]) => Promise<AdapterResult>
}
