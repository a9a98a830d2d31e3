/**
 * The production judge: read every source of the spec under the fetch policy, then resolve by question type
 * with the sentence encoder and the trained text judge (or the structured readers), and package what was read
 * and computed as the observation's evidence bundle (protocol/src/evidence-bundle.ts). The evidence hash the
 * node signs is the bundle's hash: a Merkle root over the header (question, models, the judge's own answer)
 * and one leaf per source (raw bytes or their hash, extracted text, passages judged and their scores, or the
 * values a structured reader found).
 */
import { ZeroAddress, ZeroHash } from 'ethers'
import type { Logger } from 'pino'
import { encodeAnswer, ANSWER_UNRESOLVABLE } from '@sibyl/protocol/answers'
import { hashEvidenceBundle, type EvidenceHeader } from '@sibyl/protocol/evidence-bundle'
import type { NodeConfig } from '../config/node-config.ts'
import type { NodeMetrics } from '../metrics/node-metrics.ts'
import { createEmbedder } from '../nlp/embedder.ts'
import { cacheEmbeddings } from '../nlp/cache-embeddings.ts'
import { readSource } from '../sources/read-source.ts'
import type { SourceFetcher } from '../sources/create-source-fetcher.ts'
import { DEFAULT_TOP_K_PER_SOURCE } from '../resolve/judge-text.ts'
import { resolveQuestion, type SourceDocument } from '../resolve/resolve-question.ts'
import { buildEvidenceBundle, buildEvidenceSources } from '../evidence/build-evidence-bundle.ts'
import type { ResolveOutcome, Resolver } from './resolver.ts'
import { createConfiguredFetcher } from './create-configured-fetcher.ts'
import { loadPipelineJudge, pipelineModelHash, pipelineModelId } from './pipeline-models.ts'

export async function createPipelineResolver({
  config,
  logger,
  metrics,
  fetcher = createConfiguredFetcher(config.sources),
  modelCacheDir,
  nowMs = () => Date.now(),
}: {
  config: NodeConfig
  logger: Logger
  metrics?: NodeMetrics
  /** Where npm-installed models live; omitted, the default cache folder is worked out from the process. */
  modelCacheDir?: string
  /** Shared with the node's other readers so the per-host limit holds across them. */
  fetcher?: Pick<SourceFetcher, 'fetch'>
  /** Wall clock for the bundle's createdAtMs. */
  nowMs?: () => number
}): Promise<Resolver> {
  const loadedEmbedder = await createEmbedder({
    modelsDir: config.model.modelsDir,
    modelId: config.model.embeddingModel,
    allowRemoteModels: config.model.allowRemoteModels,
    executionProvider: config.model.device,
    batchSize: config.model.batchSize,
    ...(modelCacheDir === undefined ? {} : { modelCacheDir }),
    // Logs where the model came from (configured folder, npm-installed default, hub) and a first-use conversion.
    logger: logger.child({ unit: 'models' }),
  })
  const embedder = cacheEmbeddings(loadedEmbedder, { maxEntries: config.model.embeddingCacheEntries })
  for (const warning of embedder.warnings) logger.warn({ model: embedder.modelId }, warning)
  logger.info({ model: embedder.modelId, device: embedder.device, modelHash: embedder.modelHash }, `model loaded on ${embedder.device}`)
  const { judge, judgeId, judgeHash } = loadPipelineJudge()
  if (!embedder.modelHash) logger.warn({ model: embedder.modelId }, 'model weights could not be hashed')
  const modelHash = pipelineModelHash(embedder.modelHash, judgeHash)
  const modelId = pipelineModelId(embedder.modelId)
  const models = [
    { role: 'embedder', id: embedder.modelId, hash: embedder.modelHash ?? ZeroHash },
    { role: 'judge', id: judgeId, hash: judgeHash },
  ]
  const minConfidenceBps = config.model.minConfidenceBps

  return async (request, spec, { nowSec, logger: log, round = 0, chainId = 0n, contract = ZeroAddress, signer = ZeroAddress }): Promise<ResolveOutcome> => {
    const header = (fields: Pick<EvidenceHeader, 'questionType' | 'answer' | 'confidenceBps' | 'reason' | 'outcomeProbabilitiesBps' | 'value'>): Omit<EvidenceHeader, 'version'> => ({
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
    const reads = await Promise.all(spec.sources.map((source) => readSource(fetcher, source)))
    const documents: SourceDocument[] = []
    reads.forEach((read, sourceIndex) => {
      metrics?.fetches.inc()
      if (!read.ok) {
        metrics?.fetchErrors.inc({ reason: read.reason })
        log.warn({ source: spec.sources[sourceIndex]!.url, reason: read.reason, message: read.message }, 'source failed')
        return
      }
      documents.push({
        sourceIndex,
        text: read.document.text,
        passages: read.document.passages,
        ...(read.html === undefined ? {} : { html: read.html }),
        ...(read.value === undefined ? {} : { json: read.value }),
        weight: spec.sources[sourceIndex]!.weight,
      })
    })
    if (documents.length === 0) return { kind: 'retry', reason: 'every source failed' }
    const result = await resolveQuestion({ embedder, judge }, spec, documents, { minConfidenceBps, nowSec, topKPerSource: DEFAULT_TOP_K_PER_SOURCE })
    const answer = encodeAnswer(result.answer)
    const evidence = buildEvidenceBundle({
      header: header({
        questionType: spec.type,
        answer,
        confidenceBps: result.confidenceBps,
        reason: result.reason.slice(0, 1000),
        outcomeProbabilitiesBps: result.outcomeProbabilitiesBps ?? [],
        value: result.value ?? '',
      }),
      sources: buildEvidenceSources({ reads, ...(result.judgedPairs ? { judgedPairs: result.judgedPairs } : {}), votes: result.votes }),
    })
    return {
      kind: 'observed',
      answer,
      confidenceBps: result.confidenceBps,
      evidenceHash: hashEvidenceBundle(evidence.bundle),
      evidence,
      modelId,
      modelHash,
      reason: result.reason,
    }
  }
}
