/**
 * Entry of the pair-judge thread (create-worker-pair-judge.ts): starts the cross-attention NLI model here and
 * judges (premise, hypothesis) pairs on request. onnxruntime-node runs a session synchronously on the calling
 * thread, so a question's batch of pairs held the node's event loop past the 100 ms bound when the model lived
 * on the main thread.
 */
import { createPairJudge, type CreatePairJudgeParameters, type PairJudge, type PairJudgement } from '../nlp/create-pair-judge.ts'
import { loadHfPairJudge, type LoadHfPairJudgeParameters } from '../nlp/create-hf-pair-judge.ts'
import { workerInitData, workerPort } from './worker-port.ts'

/** The built-in pair judge (its checked files), or a Hugging Face NLI model by id (create-hf-pair-judge.ts). */
export type PairJudgeWorkerInit =
  | ({ kind?: 'builtin' } & Pick<CreatePairJudgeParameters, 'onnxPath' | 'vocabPath' | 'inputs' | 'executionProvider' | 'batchSize' | 'quantized'>)
  | ({ kind: 'hf' } & Pick<LoadHfPairJudgeParameters, 'modelId' | 'modelsDir' | 'allowRemoteModels' | 'executionProvider' | 'batchSize'>)

/** What a started judge says about itself: a Hugging Face judge's id, label order and the hash of its files. */
export type PairJudgeIdentity = { modelId: string; modelHash: string; labels: string[] } | undefined

export type PairJudgeWorkerMessage =
  | { type: 'ready'; identity: PairJudgeIdentity }
  | { type: 'judged'; id: number; judgements: PairJudgement[]; device: 'cpu' | 'cuda' | undefined }
  | { type: 'error'; id: number | undefined; message: string }

const port = workerPort()!
const post = (message: PairJudgeWorkerMessage) => port.postMessage(message)

async function open(init: PairJudgeWorkerInit): Promise<{ judge: PairJudge; identity: PairJudgeIdentity }> {
  if (init.kind === 'hf') {
    const { kind: _, ...parameters } = init
    const judge = await loadHfPairJudge(parameters)
    return { judge, identity: { modelId: judge.modelId, modelHash: judge.modelHash, labels: judge.labels } }
  }
  const { kind: _, ...parameters } = init
  return { judge: createPairJudge(parameters), identity: undefined }
}

try {
  const { judge, identity } = await open(workerInitData<PairJudgeWorkerInit>())
  port.on('message', async ({ id, pairs }: { id: number; pairs: { premise: string; hypothesis: string }[] }) => {
    try {
      const judgements = await judge.judgePairs(pairs)
      post({ type: 'judged', id, judgements, device: judge.device() })
    } catch (e) {
      post({ type: 'error', id, message: String((e as Error)?.message ?? e).slice(0, 500) })
    }
  })
  post({ type: 'ready', identity })
} catch (e) {
  post({ type: 'error', id: undefined, message: String((e as Error)?.message ?? e).slice(0, 500) })
  process.exit(1)
}
