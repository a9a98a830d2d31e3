/**
 * The side of a worker that talks to its owner, the same whether startTsWorker ran it as a thread of the node's
 * process or as a child process of its own (`isolation: 'process'`): messages go through the thread's
 * parentPort, or through the child's IPC channel (structured clone, as postMessage). Transfer lists only
 * matter to a thread; a child copies.
 */
import { parentPort, workerData } from 'node:worker_threads'

export type WorkerPort = {
  postMessage: (message: unknown, transfer?: ArrayBuffer[]) => void
  on: (event: 'message', listener: (message: never) => void) => void
}

/** The environment variable that carries a child process worker's start data (JSON). */
export const WORKER_DATA_ENV = 'SIBYL_WORKER_DATA'

export function workerPort(): WorkerPort | undefined {
  if (parentPort) return parentPort as unknown as WorkerPort
  const send = process.send?.bind(process)
  if (!send) return undefined
  return {
    postMessage: (message) => {
      send(message)
    },
    on: (_event, listener) => {
      process.on('message', listener as (message: unknown) => void)
    },
  }
}

/** The data the owner started this worker with. */
export function workerInitData<T>(): T {
  if (parentPort) return (workerData as { data: T }).data
  const raw = process.env[WORKER_DATA_ENV]
  if (raw === undefined) throw new Error(`a worker process needs ${WORKER_DATA_ENV}`)
  return JSON.parse(raw) as T
}
