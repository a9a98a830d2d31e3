/**
 * Entry of the pair-judge thread (create-worker-pair-judge.ts): starts the cross-attention NLI model here and
 * judges (premise, hypothesis) pairs on request. onnxruntime-node runs a session synchronously on the calling
 * thread, so a question's batch of pairs held the node's event loop past the 100 ms bound when the model lived
 * on the main thread.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { createPairJudge, type CreatePairJudgeParameters, type PairJudgement } from '../nlp/create-pair-judge.ts'

export type PairJudgeWorkerInit = Pick<CreatePairJudgeParameters, 'onnxPath' | 'vocabPath' | 'executionProvider' | 'batchSize'>

export type PairJudgeWorkerMessage =
  | { type: 'ready' }
  | { type: 'judged'; id: number; judgements: PairJudgement[]; device: 'cpu' | 'cuda' | undefined }
  | { type: 'error'; id: number | undefined; message: string }

const port = parentPort!
const post = (message: PairJudgeWorkerMessage) => port.postMessage(message)

try {
  const judge = createPairJudge((workerData as { data: PairJudgeWorkerInit }).data)
  port.on('message', async ({ id, pairs }: { id: number; pairs: { premise: string; hypothesis: string }[] }) => {
    try {
      const judgements = await judge.judgePairs(pairs)
      post({ type: 'judged', id, judgements, device: judge.device() })
    } catch (e) {
      post({ type: 'error', id, message: String((e as Error)?.message ?? e).slice(0, 500) })
    }
  })
  post({ type: 'ready' })
} catch (e) {
  post({ type: 'error', id: undefined, message: String((e as Error)?.message ?? e).slice(0, 500) })
  process.exit(1)
}
