/**
 * The production judge: read every source of the spec under the fetch policy, then resolve by question type
 * with the sentence encoder and the trained text judge (or the structured readers). The evidence hash binds
 * the exact bytes each source contributed: keccak256 over the per-source keccak256 hashes in spec order
 * (zero for a source that failed), where a source's bytes are its HTML for structured types and its extracted
 * text for text questions.
 */
import { ZeroHash, concat, keccak256 } from 'ethers'
import jsSha3 from 'js-sha3'
import type { Logger } from 'pino'
import { encodeAnswer, ANSWER_UNRESOLVABLE } from '@sibyl/protocol/answers'
import type { QuestionSpec } from '@sibyl/protocol/question-spec'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { NodeConfig } from '../config/node-config.ts'
import type { NodeMetrics } from '../metrics/node-metrics.ts'
import { createEmbedder } from '../nlp/embedder.ts'
import { cacheEmbeddings } from '../nlp/cache-embeddings.ts'
import { readSource, type ReadSourceSuccess } from '../sources/read-source.ts'
import type { SourceFetcher } from '../sources/create-source-fetcher.ts'
import { loadJudgeModel } from '../resolve/load-judge-model.ts'
import { resolveQuestion, type SourceDocument } from '../resolve/resolve-question.ts'
import type { ResolveOutcome, Resolver } from './resolver.ts'
import { combineEvidence } from './combine-evidence.ts'
import { createConfiguredFetcher } from './create-configured-fetcher.ts'

const JUDGE_ID = 'sibyl-judge-v1'

/** keccak256 of a page's bytes; js-sha3 hashes large buffers several times faster than ethers' keccak. */
function keccakBytes(bytes: Uint8Array): string {
  return `0x${jsSha3.keccak256(bytes)}`
}

function sourceEvidence(spec: QuestionSpec, read: ReadSourceSuccess): Buffer {
  return spec.type === 'text' || read.html === undefined ? read.evidenceBytes : Buffer.from(read.html, 'utf8')
}


export async function createPipelineResolver({
  config,
  logger,
  metrics,
  fetcher = createConfiguredFetcher(config.sources),
  modelCacheDir,
}: {
  config: NodeConfig
  logger: Logger
  metrics?: NodeMetrics
  /** Where npm-installed models live; omitted, the default cache folder is worked out from the process. */
  modelCacheDir?: string
  /** Shared with the node's other readers so the per-host limit holds across them. */
  fetcher?: Pick<SourceFetcher, 'fetch'>
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
  const judgePath = fileURLToPath(new URL('../resolve/judge-model.json', import.meta.url))
  const judge = loadJudgeModel(judgePath)
  const judgeHash = keccak256(readFileSync(judgePath))
  // The signed model hash names both the encoder weights and the judge's weights (zero for the encoder when
  // a hub load could not be hashed: the aggregator then sees weights nobody can check).
  if (!embedder.modelHash) logger.warn({ model: embedder.modelId }, 'model weights could not be hashed')
  const modelHash = keccak256(concat([embedder.modelHash ?? ZeroHash, judgeHash]))
  const modelId = `${embedder.modelId}+${JUDGE_ID}`
  return async (request, spec, { nowSec, logger: log }): Promise<ResolveOutcome> => {
    if (!spec) {
      // The question itself is broken: say so on-chain instead of staying silent.
      return { kind: 'observed', answer: ANSWER_UNRESOLVABLE, confidenceBps: 10_000, evidenceHash: keccak256(Buffer.from(request.spec, 'utf8')), modelId, modelHash, reason: 'invalid spec' }
    }
    if (!config.questionTypes.includes(spec.type)) return { kind: 'skip', reason: `question type ${spec.type} not served` }
    const reads = await Promise.all(spec.sources.map((source) => readSource(fetcher, source)))
    const documents: SourceDocument[] = []
    const perSource: string[] = []
    reads.forEach((read, sourceIndex) => {
      metrics?.fetches.inc()
      if (!read.ok) {
        metrics?.fetchErrors.inc({ reason: read.reason })
        log.warn({ source: spec.sources[sourceIndex]!.url, reason: read.reason, message: read.message }, 'source failed')
        perSource.push(ZeroHash)
        return
      }
      perSource.push(keccakBytes(sourceEvidence(spec, read)))
      documents.push({
        sourceIndex,
        text: read.document.text,
        passages: read.document.passages,
        ...(read.html === undefined ? {} : { html: read.html }),
        weight: spec.sources[sourceIndex]!.weight,
      })
    })
    if (documents.length === 0) return { kind: 'retry', reason: 'every source failed' }
    const result = await resolveQuestion({ embedder, judge }, spec, documents, { minConfidenceBps: config.model.minConfidenceBps, nowSec })
    return {
      kind: 'observed',
      answer: encodeAnswer(result.answer),
      confidenceBps: result.confidenceBps,
      evidenceHash: combineEvidence(perSource),
      modelId,
      modelHash,
      reason: result.reason,
    }
  }
}
