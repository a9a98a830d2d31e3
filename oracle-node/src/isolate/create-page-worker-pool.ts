/** The pool of page workers (page-worker.ts): what the node's resolver reads pages and builds evidence with. */
import { createWorkerPool, type WorkerPool, type WorkerPoolOptions } from './create-worker-pool.ts'

export function createPageWorkerPool(options: Omit<WorkerPoolOptions, 'entry'> = {}): WorkerPool {
  return createWorkerPool({ ...options, entry: new URL('./page-worker.ts', import.meta.url) })
}
