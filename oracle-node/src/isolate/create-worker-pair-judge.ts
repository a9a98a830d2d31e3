/**
 * The pair judge on a thread of its own: the same createPairJudge (nlp/create-pair-judge.ts), so the same
 * probabilities, but its synchronous model runs no longer hold the node's event loop. The thread starts on the
 * first call (the node may never see a text question); the main thread only posts pairs and receives three
 * numbers per pair.
 *
 * If the thread fails to start or dies, the calls in flight fail (the question is retried like any failed
 * judgement) and the next call starts a fresh thread.
 */
import type { Logger } from 'pino'
import { BaseError } from '@sibyl/protocol/errors'
import type { PairJudge, PairJudgement } from '../nlp/create-pair-judge.ts'
import type { Device } from '../nlp/load-model.ts'
import type { PairJudgeIdentity, PairJudgeWorkerInit, PairJudgeWorkerMessage } from './pair-judge-worker.ts'
import { HUB_TOKEN_ENV, startTsWorker, type WorkerIsolation } from './start-ts-worker.ts'

export class WorkerPairJudgeError extends BaseError {
  override name = 'WorkerPairJudgeError' as const
}

type Pending = { resolve: (judgements: PairJudgement[]) => void; reject: (error: Error) => void }
type Thread = { worker: ReturnType<typeof startTsWorker>; pending: Map<number, Pending>; ready: Promise<PairJudgeIdentity> }

export type WorkerPairJudge = PairJudge & {
  /**
   * Starts the thread (if it is not running) and returns what the judge says about itself: for a Hugging Face
   * judge its id, labels and the hash of its files (the node signs that hash), for the built-in one undefined.
   */
  identify: () => Promise<PairJudgeIdentity>
  dispose: () => Promise<void>
}

export function createWorkerPairJudge(init: PairJudgeWorkerInit, { logger, isolation }: { logger?: Pick<Logger, 'error'>; isolation?: WorkerIsolation } = {}): WorkerPairJudge {
  const entry = new URL('./pair-judge-worker.ts', import.meta.url)
  let nextId = 0
  let disposed = false
  let current: Thread | undefined
  let device: Device | undefined

  function start(): Thread {
    // The model's arrays live outside the JS heap; the heap bound only stops a runaway tokenizer.
    const worker = startTsWorker(entry, { data: init, resourceLimits: { maxOldGenerationSizeMb: 512 }, isolation, keepEnv: HUB_TOKEN_ENV })
    const pending = new Map<number, Pending>()
    const settle = (id: number, outcome: { judgements: PairJudgement[] } | { error: Error }) => {
      const p = pending.get(id)
      pending.delete(id)
      if (pending.size === 0) worker.unref()
      if ('error' in outcome) p?.reject(outcome.error)
      else p?.resolve(outcome.judgements)
    }
    const ready = new Promise<PairJudgeIdentity>((resolve, reject) => {
      worker.on('message', (message: PairJudgeWorkerMessage | { type: 'boot-failed'; message: string }) => {
        if (message.type === 'ready') resolve(message.identity)
        else if (message.type === 'judged') {
          device = message.device ?? device
          settle(message.id, { judgements: message.judgements })
        } else if (message.type === 'error' && message.id !== undefined) {
          settle(message.id, { error: new WorkerPairJudgeError('Judging pairs failed', { details: message.message }) })
        } else reject(new WorkerPairJudgeError('The pair judge did not start', { details: message.message }))
      })
      worker.on('error', (e) => reject(new WorkerPairJudgeError('The pair-judge thread failed', { cause: e })))
      worker.on('exit', (code) => {
        reject(new WorkerPairJudgeError(`The pair-judge thread exited with code ${code} before it was ready`))
        for (const p of pending.values()) p.reject(new WorkerPairJudgeError(`The pair-judge thread exited with code ${code}`))
        pending.clear()
        if (current === thread && !disposed) {
          logger?.error({ code }, 'pair-judge thread exited; the next call starts another')
          current = undefined
        }
      })
    })
    const thread: Thread = { worker, pending, ready }
    return thread
  }

  const startThread = async (): Promise<Thread> => {
    current ??= start()
    const t = current
    try {
      await t.ready
    } catch (error) {
      if (current === t) current = undefined
      throw error
    }
    return t
  }

  return {
    async identify() {
      if (disposed) throw new WorkerPairJudgeError('The pair judge is disposed')
      const t = await startThread()
      if (t.pending.size === 0) t.worker.unref()
      return t.ready
    },
    async judgePairs(pairs) {
      if (disposed) throw new WorkerPairJudgeError('The pair judge is disposed')
      if (pairs.length === 0) return []
      const t = await startThread()
      const id = nextId++
      return new Promise<PairJudgement[]>((resolve, reject) => {
        t.pending.set(id, { resolve, reject })
        t.worker.ref()
        t.worker.postMessage({ id, pairs: pairs.map((p) => ({ premise: p.premise, hypothesis: p.hypothesis })) })
      })
    },
    device: () => device,
    async dispose() {
      disposed = true
      await current?.worker.terminate()
      current = undefined
    },
  }
}
