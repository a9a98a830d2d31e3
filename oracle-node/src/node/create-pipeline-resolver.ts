/**
 * The production judge: read every source of the spec under the fetch policy, then resolve by question type
 * with the sentence encoder and the trained text judge (or the structured readers), and package what was read
 * and computed as the observation's evidence bundle (protocol/src/evidence-bundle.ts). The evidence hash the
 * node signs is the bundle's hash: a Merkle root over the header (question, models, the judge's own answer)
 * and one leaf per source (raw bytes or their hash, extracted text, passages judged and their scores, or the
 * values a structured reader found).
 *
 * A question names its own pages, so every page is hostile until read: its sources are read under one
 * per-question budget (sources, bytes, one deadline; isolate/read-question-sources.ts), and the parsing, the
 * structured readers and the evidence bundle's encoding and hashing run in page workers (isolate/), so that no
 * page can hold the event loop. The sentence encoder runs on a thread of its own for the same reason
 * (isolate/create-worker-embedder.ts).
 */
import { ZeroAddress, ZeroHash } from 'ethers'
import type { Logger } from 'pino'
import { encodeAnswer, ANSWER_UNRESOLVABLE } from '@sibyl/protocol/answers'
import { hashEvidenceBundle, type EvidenceHeader } from '@sibyl/protocol/evidence-bundle'
import type { NodeConfig } from '../config/node-config.ts'
import type { NodeMetrics } from '../metrics/node-metrics.ts'
import { createWorkerEmbedder } from '../isolate/create-worker-embedder.ts'
import { cacheEmbeddings } from '../nlp/cache-embeddings.ts'
import type { SourceFetcher } from '../sources/create-source-fetcher.ts'
import type { WorkerPool } from '../isolate/create-worker-pool.ts'
import { createPageWorkerPool } from '../isolate/create-page-worker-pool.ts'
import { defaultQuestionBudget, readQuestionSources, type QuestionBudget } from '../isolate/read-question-sources.ts'
import { DEFAULT_TOP_K_PER_SOURCE } from '../resolve/judge-text.ts'
import { resolveQuestion } from '../resolve/resolve-question.ts'
import { buildEvidenceBundle } from '../evidence/build-evidence-bundle.ts'
import { readDiscoveryQuestion } from '../sources/discovery/read-discovery-question.ts'
import type { EvidenceTask, EvidenceTaskResult } from '../isolate/run-evidence-task.ts'
import type { ResolveOutcome, Resolver } from './resolver.ts'
import { createConfiguredFetcher } from './create-configured-fetcher.ts'
import { openPipelineJudge } from './open-pipeline-judge.ts'
import { pipelineModelHash, pipelineModelId } from './pipeline-models.ts'

export async function createPipelineResolver({
  config,
  logger,
  metrics,
  fetcher = createConfiguredFetcher(config.sources),
  modelCacheDir,
  nowMs = () => Date.now(),
  pagePool,
  questionBudget = {},
}: {
  config: NodeConfig
  logger: Logger
  metrics?: NodeMetrics
  /** Where npm-installed models live; omitted, the default cache folder is worked out from the process. */
  modelCacheDir?: string
  /** Shared with the node's other readers so the per-host limit holds across them. */
  fetcher?: Pick<SourceFetcher, 'fetch' | 'policy'>
  /** Wall clock for the bundle's createdAtMs. */
  nowMs?: () => number
  /**
   * Threads that parse pages and read structured answers, off the event loop; omitted, a pool of
   * min(2, cores) page workers is started with the resolver (its threads do not keep the process alive).
   */
  pagePool?: Pick<WorkerPool, 'run'>
  /** Per-question limits on sources, bytes and time (defaults: defaultQuestionBudget). */
  questionBudget?: Partial<QuestionBudget>
}): Promise<Resolver> {
  const budget: QuestionBudget = { ...defaultQuestionBudget, ...questionBudget }
  const ownPool = pagePool
    ? undefined
    : createPageWorkerPool({
        taskTimeoutMs: budget.pageTaskMs,
        logger: logger.child({ unit: 'page-workers' }),
        isolation: config.workers?.isolation,
        ...(metrics ? { workersGauge: metrics.pageWorkers } : {}),
      })
  const pool: Pick<WorkerPool, 'run'> = pagePool ?? ownPool!
  // The encoder runs on a thread of its own: onnxruntime-node's session runs are synchronous.
  const loadedEmbedder = await createWorkerEmbedder(
    {
      modelsDir: config.model.modelsDir,
      modelId: config.model.embeddingModel,
      allowRemoteModels: config.model.allowRemoteModels,
      executionProvider: config.model.device,
      batchSize: config.model.batchSize,
      ...(modelCacheDir === undefined ? {} : { modelCacheDir }),
    },
    // Logs where the model came from (configured folder, npm-installed default, hub) and a first-use conversion.
    { logger: logger.child({ unit: 'models' }), isolation: config.workers?.isolation },
  )
  const embedder = cacheEmbeddings(loadedEmbedder, { maxEntries: config.model.embeddingCacheEntries })
  for (const warning of embedder.warnings) logger.warn({ model: embedder.modelId }, warning)
  logger.info({ model: embedder.modelId, device: embedder.device, modelHash: embedder.modelHash }, `model loaded on ${embedder.device}`)
  const { judge, judgeId, judgeHash } = await openPipelineJudge(config, logger.child({ unit: 'models' }))
  if (!embedder.modelHash) logger.warn({ model: embedder.modelId }, 'model weights could not be hashed')
  const modelHash = pipelineModelHash(embedder.modelHash, judgeHash)
  const modelId = pipelineModelId(embedder.modelId, judgeId)
  const models = [
    { role: 'embedder', id: embedder.modelId, hash: embedder.modelHash ?? ZeroHash },
    { role: 'judge', id: judgeId, hash: judgeHash },
  ]
  const minConfidenceBps = config.model.minConfidenceBps
  // Workers load their modules while the models load; a question should not wait for (or stall on) that.
  await ownPool?.whenReady()

  return async (request, spec, { nowSec, logger: log, round = 0, chainId = 0n, contract = ZeroAddress, signer = ZeroAddress }): Promise<ResolveOutcome> => {
    const header = (
      fields: Pick<EvidenceHeader, 'questionType' | 'answer' | 'confidenceBps' | 'reason' | 'outcomeProbabilitiesBps' | 'value' | 'confidenceIntervalBps' | 'articlesRead' | 'discovery'>,
    ): Omit<EvidenceHeader, 'version'> => ({
      kind: 'resolution',
      chainId,
      contract,
      requestId: request.requestId,
      round,
      signer,
      node: config.name,
      spec: request.spec,
      nowSec,
      createdAtMs: nowMs(),
      modelId,
      modelHash,
      models,
      device: embedder.device,
      minConfidenceBps,
      topKPerSource: DEFAULT_TOP_K_PER_SOURCE,
      ...fields,
    })
    if (!spec) {
      // The question itself is broken: say so on-chain instead of staying silent (the bundle holds the spec).
      const reason = 'invalid spec'
      const evidence = buildEvidenceBundle({ header: header({ questionType: 'invalid', answer: ANSWER_UNRESOLVABLE, confidenceBps: 10_000, reason, outcomeProbabilitiesBps: [], value: '' }), sources: [] })
      return { kind: 'observed', answer: ANSWER_UNRESOLVABLE, confidenceBps: 10_000, evidenceHash: hashEvidenceBundle(evidence.bundle), evidence, modelId, modelHash, reason }
    }
    if (!config.questionTypes.includes(spec.type)) return { kind: 'skip', reason: `question type ${spec.type} not served` }
    const { reads, documents, starvedSources, group } = await readQuestionSources({ fetcher, pool }, spec, { nowSec, budget })
    reads.forEach((read, sourceIndex) => {
      metrics?.fetches.inc()
      if (read.ok) return
      metrics?.fetchErrors.inc({ reason: read.reason })
      log.warn({ source: spec.sources[sourceIndex]!.url, reason: read.reason, message: read.message }, 'source failed')
    })
    // A discovery question also reads the articles its feeds (and, when it asks, this operator's sources) list.
    const discovered =
      spec.type === 'text' && spec.discover !== undefined
        ? await readDiscoveryQuestion(
            { fetcher, pool },
            { spec: { ...spec, discover: spec.discover }, nowSec, specDocuments: documents, operator: config.discovery, budget: { maxArticles: config.discovery.maxArticles, timeMs: config.discovery.timeMs, pageTaskMs: budget.pageTaskMs } },
          )
        : undefined
    if (discovered) {
      log.info({ candidates: discovered.candidates, read: discovered.readable, feeds: discovered.report.map((f) => ({ url: f.url, origin: f.origin, failure: f.failure || undefined, inWindow: f.inWindow })) }, 'discovery')
      if (discovered.starved > 0) return { kind: 'retry', reason: `no page worker free for ${discovered.starved} article(s) (the node is busy)` }
      if (discovered.readable === 0) return { kind: 'retry', reason: 'discovery found nothing to read (every feed and page failed)' }
    } else if (documents.length === 0) return { kind: 'retry', reason: 'every source failed' }
    // A source the node had no page worker for was never judged: answering without it would let whoever loads
    // the pool (other questions' heavy pages) choose which sources decide this one, and the signing journal
    // would make that answer final for the round. Try again once the pool has room.
    if (starvedSources.length > 0) {
      metrics?.pageWorkerStarvations.inc(starvedSources.length)
      return { kind: 'retry', reason: `no page worker free for ${starvedSources.length} of ${spec.sources.length} sources (the node is busy)` }
    }
    const result = await resolveQuestion({ embedder, judge }, spec, documents, {
      minConfidenceBps,
      nowSec,
      topKPerSource: DEFAULT_TOP_K_PER_SOURCE,
      ...(discovered ? { discovery: discovered.input } : {}),
    })
    const answer = encodeAnswer(result.answer)
    // The bundle (and so the signed evidence hash) binds the interval; it must hold the confidence, as the protocol checks.
    const [low, high] = result.confidenceInterval
    const confidenceInterval: [number, number] = [Math.max(0, Math.min(low, result.confidenceBps)), Math.min(10_000, Math.max(high, result.confidenceBps))]
    // Encoding and hashing megabytes of raw pages is a stall of its own: it runs in a page worker too.
    const task: EvidenceTask & { kind: 'evidence' } = {
      kind: 'evidence',
      header: header({
        questionType: spec.type,
        answer,
        confidenceBps: result.confidenceBps,
        reason: result.reason.slice(0, 1000),
        outcomeProbabilitiesBps: result.outcomeProbabilitiesBps ?? [],
        value: result.value ?? '',
        confidenceIntervalBps: confidenceInterval,
        articlesRead: result.articlesRead,
        ...(discovered ? { discovery: discovered.report } : {}),
      }),
      sources: { reads: discovered ? [...reads, ...discovered.reads] : reads, ...(result.judgedPairs ? { judgedPairs: result.judgedPairs } : {}), votes: result.votes },
    }
    // Bounded like a question's reads: behind a full queue it gives up (retry) instead of holding the round.
    const built = await pool.run<EvidenceTaskResult>(task, { timeoutMs: budget.pageTaskMs, maxTotalMs: budget.timeMs, group })
    if (!built.ok) return { kind: 'retry', reason: `evidence bundle not built: ${built.message}` }
    const { evidenceHash, ...evidence } = built.value
    return {
      kind: 'observed',
      answer,
      confidenceBps: result.confidenceBps,
      confidenceInterval,
      articlesRead: result.articlesRead,
      evidenceHash,
      evidence: { ...evidence, bundleHash: evidenceHash },
      modelId,
      modelHash,
      reason: result.reason,
    }
  }
}
