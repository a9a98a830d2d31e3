/**
 * The sentence encoder on a thread of its own: the same createEmbedder (nlp/embedder.ts), so the same vectors,
 * but its synchronous model runs no longer hold the node's event loop. The main thread only posts texts and
 * receives vectors (moved, not copied).
 *
 * A load failure rejects like createEmbedder does. If the thread dies later, the calls in flight fail (the
 * question is retried like any failed judgement) and the next call starts a fresh thread, loading the model
 * again.
 */
import type { Logger } from 'pino'
import { BaseError } from '@sibyl/protocol/errors'
import type { Embedder } from '../nlp/embedder.ts'
import type { EmbedderWorkerInit, EmbedderWorkerMessage } from './embedder-worker.ts'
import { HUB_TOKEN_ENV, startTsWorker, type WorkerIsolation } from './start-ts-worker.ts'

export class WorkerEmbedderError extends BaseError {
  override name = 'WorkerEmbedderError' as const
}

type Pending = { resolve: (vectors: Float32Array[]) => void; reject: (error: Error) => void }
type Thread = { worker: ReturnType<typeof startTsWorker>; pending: Map<number, Pending> }

export async function createWorkerEmbedder(
  init: EmbedderWorkerInit,
  { logger, isolation }: { logger?: Pick<Logger, 'info' | 'warn' | 'error'>; isolation?: WorkerIsolation } = {},
): Promise<Embedder> {
  const entry = new URL('./embedder-worker.ts', import.meta.url)
  let nextId = 0
  let disposed = false
  let current: Thread | undefined

  function start(): { thread: Thread; ready: Promise<Extract<EmbedderWorkerMessage, { type: 'ready' }>['info']> } {
    // The model's arrays live outside the JS heap; the heap bound only stops a runaway tokenizer.
    const worker = startTsWorker(entry, { data: init, resourceLimits: { maxOldGenerationSizeMb: 1024 }, isolation, keepEnv: HUB_TOKEN_ENV })
    const thread: Thread = { worker, pending: new Map() }
    const ready = new Promise<Extract<EmbedderWorkerMessage, { type: 'ready' }>['info']>((resolve, reject) => {
      worker.on('message', (message: EmbedderWorkerMessage | { type: 'boot-failed'; message: string }) => {
        if (message.type === 'ready') {
          worker.unref()
          resolve(message.info)
        } else if (message.type === 'log') {
          logger?.[message.level](message.fields as object, message.message ?? '')
        } else if (message.type === 'vectors') {
          // From a worker process each vector is a view into the whole message's buffer; the node's cache keeps
          // vectors for long, so each gets its own 2 KiB (a transferred vector from a thread already has).
          thread.pending.get(message.id)?.resolve(message.vectors.map((v) => (v.byteLength === v.buffer.byteLength ? v : new Float32Array(v))))
          thread.pending.delete(message.id)
          if (thread.pending.size === 0) worker.unref()
        } else if (message.type === 'error' && message.id !== undefined) {
          thread.pending.get(message.id)?.reject(new WorkerEmbedderError('Embedding failed', { details: message.message }))
          thread.pending.delete(message.id)
          if (thread.pending.size === 0) worker.unref()
        } else {
          reject(new WorkerEmbedderError('The embedding model did not load', { details: message.message }))
        }
      })
      worker.on('error', (e) => reject(new WorkerEmbedderError('The embedder thread failed', { cause: e })))
      worker.on('exit', (code) => {
        reject(new WorkerEmbedderError(`The embedder thread exited with code ${code} before it was ready`))
        for (const p of thread.pending.values()) p.reject(new WorkerEmbedderError(`The embedder thread exited with code ${code}`))
        thread.pending.clear()
        if (current === thread && !disposed) {
          logger?.error({ code }, 'embedder thread exited; the next call starts another')
          current = undefined
        }
      })
    })
    return { thread, ready }
  }

  const first = start()
  const info = await first.ready
  current = first.thread
  let restarting: Promise<Thread> | undefined

  async function thread(): Promise<Thread> {
    if (current) return current
    restarting ??= (async () => {
      const next = start()
      await next.ready
      current = next.thread
      return next.thread
    })().finally(() => {
      restarting = undefined
    })
    return restarting
  }

  return {
    ...info,
    async embed(texts) {
      if (disposed) throw new WorkerEmbedderError('The embedder is disposed')
      if (texts.length === 0) return []
      const t = await thread()
      const id = nextId++
      return new Promise<Float32Array[]>((resolve, reject) => {
        t.pending.set(id, { resolve, reject })
        t.worker.ref()
        t.worker.postMessage({ id, texts: [...texts] })
      })
    },
    async dispose() {
      disposed = true
      await current?.worker.terminate()
      current = undefined
    },
  }
}
