/**
 * Replay as a service: loads the models a bundle names (the sentence encoder by id, from the models folder,
 * the npm-installed default, or the hub where allowed, as a node does) and the judge this code carries, checks
 * that their hashes are the ones the bundle records and that together they make the signed `modelHash`, then
 * replays. A bundle judged with weights this machine does not have is reported, not replayed with others.
 */
import type { Logger } from 'pino'
import { evidenceMismatches, type EvidenceBundle, type EvidenceExpectation } from '@sibyl/protocol/evidence-bundle'
import { createEmbedder, type Embedder } from '../nlp/embedder.ts'
import type { ExecutionProvider } from '../nlp/load-model.ts'
import { loadPipelineJudge, pipelineModelHash, type PipelineJudge } from '../node/pipeline-models.ts'
import { replayEvidence, type ReplayEvidenceReturnType } from './replay-evidence.ts'

export type CreateReplayerParameters = {
  modelsDir?: string
  /** Models folder of npm-installed defaults (see model-cache-dir.ts); null skips it. */
  modelCacheDir?: string | null
  allowRemoteModels?: boolean
  /** Where the encoder runs for replay (default cpu). */
  device?: ExecutionProvider
  logger?: Logger
}

export type Replayer = {
  /** `expected`: the signed observation the bundle stands behind; given, a bundle that is not its evidence is refused (replayEvidence). */
  replay: (bundle: EvidenceBundle, expected?: EvidenceExpectation) => Promise<ReplayEvidenceReturnType & { device: string; replayMs: number }>
  close: () => Promise<void>
}

export function createReplayer(parameters: CreateReplayerParameters = {}): Replayer {
  const embedders = new Map<string, Promise<Embedder>>()
  let judge: PipelineJudge | undefined
  const embedderFor = (modelId: string) => {
    let loading = embedders.get(modelId)
    if (!loading) {
      loading = createEmbedder({
        modelsDir: parameters.modelsDir,
        modelId,
        allowRemoteModels: parameters.allowRemoteModels ?? false,
        executionProvider: parameters.device ?? 'cpu',
        ...(parameters.modelCacheDir === undefined ? {} : { modelCacheDir: parameters.modelCacheDir }),
        ...(parameters.logger ? { logger: parameters.logger } : {}),
      })
      // A failed load is not cached: the next bundle tries again.
      loading.catch(() => embedders.delete(modelId))
      embedders.set(modelId, loading)
    }
    return loading
  }

  return {
    async replay(bundle, expected) {
      const started = performance.now()
      const done = (r: ReplayEvidenceReturnType, device: string) => ({ ...r, device, replayMs: performance.now() - started })
      const { header } = bundle
      const mismatches = expected ? evidenceMismatches(header, expected) : []
      if (mismatches.length > 0) return done({ ok: false, reason: `the bundle is not the evidence of this observation: ${mismatches.join('; ')}` }, 'none')
      if (header.questionType !== 'text') {
        // Structured readers and a broken spec use no weights: the code replays them on the stored pages.
        return done(await replayEvidence({ embedder: { embed: async () => [] }, judge: (judge ??= loadPipelineJudge()).judge }, bundle, expected), 'cpu')
      }
      const encoderEntry = header.models.find((m) => m.role === 'embedder')
      const judgeEntry = header.models.find((m) => m.role === 'judge')
      if (!encoderEntry || !judgeEntry) return done({ ok: false, reason: 'the bundle names no embedder or no judge' }, 'none')
      judge ??= loadPipelineJudge()
      if (judge.judgeHash !== judgeEntry.hash.toLowerCase()) return done({ ok: false, reason: `judge ${judgeEntry.id} ${judgeEntry.hash} is not the judge this code carries (${judge.judgeHash})` }, 'none')
      let embedder: Embedder
      try {
        embedder = await embedderFor(encoderEntry.id)
      } catch (error) {
        return done({ ok: false, reason: `model ${encoderEntry.id} is not available here: ${(error as Error).message.split('\n')[0]}` }, 'none')
      }
      if ((embedder.modelHash ?? '').toLowerCase() !== encoderEntry.hash.toLowerCase()) {
        return done({ ok: false, reason: `model ${encoderEntry.id} here hashes to ${embedder.modelHash}, the node judged with ${encoderEntry.hash}` }, embedder.device)
      }
      if (pipelineModelHash(embedder.modelHash, judge.judgeHash) !== header.modelHash.toLowerCase()) {
        return done({ ok: false, reason: `encoder and judge do not combine into the bundle's modelHash ${header.modelHash}` }, embedder.device)
      }
      return done(await replayEvidence({ embedder, judge: judge.judge }, bundle, expected), embedder.device)
    },
    async close() {
      for (const loading of embedders.values()) await (await loading.catch(() => undefined))?.dispose()
      embedders.clear()
    },
  }
}
