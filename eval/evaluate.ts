/**
 * Runs every known dataset adapter over the dataset folders present in a data directory and collects the
 * figures. Rows the node has already seen (seen-rows.ts) are never part of the main figures: a dataset whose
 * rows were all seen is measured on them only as a separate, labelled "development" figure.
 */
import { readdirSync } from 'node:fs'
import { createEmbedder } from '@sibyl/oracle-node/nlp/embedder'
import { loadJudgeModel } from '@sibyl/oracle-node/resolve/load-judge-model'
import type { AdapterResult, BaselineFigures, DatasetAdapter, NodeParts, Task } from './dataset-adapter.ts'
import { withEmbeddingCache } from './embedding-cache.ts'
import type { MajorityBaseline } from './metrics.ts'
import { hasDataset, readRows } from './read-dataset.ts'
import type { SeenRows } from './seen-rows.ts'

export type EvaluateParameters = {
  dataDir: string
  modelsDir: string
  adapters: readonly DatasetAdapter[]
  /** Folders some adapter knows, run or not (the rest of the data directory is reported as unknown). */
  knownFolders?: readonly string[]
  seen: SeenRows
  minConfidenceBps: number
  /** At most this many rows per dataset (in file order), for a quick run. */
  limit?: number
  /** Bound of the run's embedding cache (default 100,000 texts); small values exercise eviction. */
  embeddingCacheEntries?: number
  /** False: the logistic judge even when judge-model.json names a pair judge (for comparisons). Default true. */
  pairJudge?: boolean
  log?: (line: string) => void
}

export type DatasetFigures = {
  n: number
  accuracy: number | null
  macroF1: number | null
  abstainRate: number | null
  answeredAccuracy: number | null
  answered: number
  ece: number | null
  /** Accuracy and macro-F1 are on the best outcome ('forced') or on the answer at the threshold. */
  scoredOn: 'forced' | 'answered'
  majority: MajorityBaseline | null
  baselines: BaselineFigures[]
  seconds: number
  rowsPerSecond: number
  extra: Record<string, unknown>
}

export type DatasetReport = DatasetFigures & {
  task: Task
  protocol: string
  /** 'held-out': figures on rows the node never saw; 'none': every row was seen (see `development`). */
  rows: 'held-out' | 'none'
  /** Rows left out of the figures because the node saw them (training or development). */
  seenRowsLeftOut: number
  /**
   * The figures on the seen rows, which are NOT held-out figures: when every row was seen, and for the
   * hand-written readers (structured, main text) also next to their held-out figures, so one run shows both.
   */
  development?: DatasetFigures & { why: string }
  /** Set when the adapter failed on this folder (the other datasets still run). */
  error?: string
}

export type EvaluationReport = {
  datasets: Record<string, DatasetReport>
  /** Folders of the data directory no adapter knows. */
  unknownFolders: string[]
  /** Known datasets whose folder is absent. */
  missing: string[]
  seconds: number
  embedding: { modelId: string; device: string } | undefined
  /** Which text judge ran: the pair judge's architecture and the sha256 of its ONNX file, or 'logistic'. */
  judge: string | undefined
}

export async function evaluate(parameters: EvaluateParameters): Promise<EvaluationReport> {
  const { dataDir, adapters, seen } = parameters
  const log = parameters.log ?? (() => {})
  const started = performance.now()
  let nodeParts: Promise<NodeParts> | undefined
  let embedding: EvaluationReport['embedding']
  let judgeName: string | undefined
  let dispose: (() => Promise<void>) | undefined
  const node = () =>
    (nodeParts ??= (async () => {
      const embedder = await createEmbedder({ modelsDir: parameters.modelsDir, executionProvider: 'cpu', batchSize: 64 })
      dispose = () => embedder.dispose()
      embedding = { modelId: embedder.modelId, device: embedder.device }
      log(`embedding model ${embedder.modelId} on ${embedder.device}`)
      const judge = loadJudgeModel(undefined, { executionProvider: 'cpu', pairJudge: parameters.pairJudge ?? true })
      judgeName = judge.pairJudge ? `pair judge ${String(judge.model.pairJudge?.training.arch)} ${judge.model.pairJudge?.sha256.onnx.slice(0, 12)}` : 'logistic'
      log(`judge: ${judgeName}`)
      return { embedder: withEmbeddingCache(embedder, parameters.embeddingCacheEntries), judge, minConfidenceBps: parameters.minConfidenceBps }
    })())

  const datasets: Record<string, DatasetReport> = {}
  const missing: string[] = []
  for (const adapter of adapters) {
    if (!hasDataset(dataDir, adapter.folder)) {
      missing.push(adapter.name)
      continue
    }
    const all = readRows(dataDir, adapter.folder)
    const unseen = all.filter((row) => seen.why(adapter.folder, adapter.rowId(row)) === undefined)
    const seenRows = all.filter((row) => seen.why(adapter.folder, adapter.rowId(row)) !== undefined)
    const take = <T>(rows: T[]) => (parameters.limit === undefined ? rows : rows.slice(0, parameters.limit))
    const context = { dataDir, folder: adapter.folder, node, minConfidenceBps: parameters.minConfidenceBps, log }
    const run = async (rows: ReturnType<typeof readRows>): Promise<DatasetFigures> => {
      // Load the models outside the timed part, so rows per second measure judging only.
      if (adapter.task === 'claim verification' || adapter.task === 'NLI') await node()
      const t0 = performance.now()
      const result = await adapter.evaluate(context, rows)
      return figuresOf(result, (performance.now() - t0) / 1000)
    }
    try {
      if (unseen.length > 0) {
        log(`${adapter.name}: ${Math.min(unseen.length, parameters.limit ?? Infinity)} of ${unseen.length} unseen rows (${seenRows.length} seen rows left out)`)
        const figures = await run(take(unseen))
        datasets[adapter.name] = { task: adapter.task, protocol: adapter.protocol, rows: 'held-out', seenRowsLeftOut: seenRows.length, ...figures }
        if (seenRows.length > 0 && (adapter.task === 'structured' || adapter.task === 'main text')) {
          const why = seen.why(adapter.folder, adapter.rowId(seenRows[0]!)) ?? ''
          datasets[adapter.name]!.development = { ...(await run(take(seenRows))), why }
        }
      } else if (seenRows.length > 0) {
        const why = seen.why(adapter.folder, adapter.rowId(seenRows[0]!)) ?? ''
        log(`${adapter.name}: every row was seen (${why}); development figures only`)
        const development = await run(take(seenRows))
        datasets[adapter.name] = {
          task: adapter.task,
          protocol: adapter.protocol,
          rows: 'none',
          seenRowsLeftOut: seenRows.length,
          ...emptyFigures(development.scoredOn),
          development: { ...development, why },
        }
      } else {
        datasets[adapter.name] = { task: adapter.task, protocol: adapter.protocol, rows: 'none', seenRowsLeftOut: 0, ...emptyFigures('forced') }
      }
      log(`${adapter.name}: done in ${(datasets[adapter.name]!.development ?? datasets[adapter.name]!).seconds.toFixed(1)} s`)
    } catch (error) {
      // One broken dataset must not cost the figures of the others; the error is in the results.
      const message = error instanceof Error ? error.message : String(error)
      log(`${adapter.name}: failed: ${message}`)
      datasets[adapter.name] = { task: adapter.task, protocol: adapter.protocol, rows: 'none', seenRowsLeftOut: seenRows.length, ...emptyFigures('forced'), error: message }
    }
  }
  const known = new Set(parameters.knownFolders ?? adapters.map((a) => a.folder))
  const unknownFolders = readdirSync(dataDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && !known.has(d.name))
    .map((d) => d.name)
    .sort()
  await dispose?.()
  return { datasets, unknownFolders, missing, seconds: (performance.now() - started) / 1000, embedding, judge: judgeName }
}

function finite(v: number): number | null {
  return Number.isFinite(v) ? v : null
}

function figuresOf(result: AdapterResult, seconds: number): DatasetFigures {
  const f = result.figures
  return {
    n: f.n,
    accuracy: finite(f.accuracy),
    macroF1: finite(f.macroF1),
    abstainRate: finite(f.abstainRate),
    answeredAccuracy: finite(f.answeredAccuracy),
    answered: f.answered,
    ece: finite(f.ece),
    scoredOn: f.scoredOn,
    majority: f.majority ?? null,
    baselines: result.baselines,
    seconds,
    rowsPerSecond: seconds > 0 ? f.n / seconds : 0,
    extra: result.extra,
  }
}

function emptyFigures(scoredOn: DatasetFigures['scoredOn']): DatasetFigures {
  return { n: 0, accuracy: null, macroF1: null, abstainRate: null, answeredAccuracy: null, answered: 0, ece: null, scoredOn, majority: null, baselines: [], seconds: 0, rowsPerSecond: 0, extra: {} }
}
