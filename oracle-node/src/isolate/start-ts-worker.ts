/**
 * Starts a worker thread on a TypeScript module. tsx's loader is registered inside the worker (hooks
 * registered on the main thread are not inherited by workers on every Node version we support), then the
 * entry is imported. A failure to start is posted as `{ type: 'boot-failed', message }` before the worker
 * exits, so its owner can log it.
 *
 * With `niceness`, the thread lowers its own scheduling priority first, before tsx and the entry load: that
 * load is about a second of CPU, and a worker replaced under load (a page overran its budget) must not take
 * it from the event loop's thread. The same steps as lowerThreadPriority (serve-worker-tasks.ts), written out
 * here because this script runs before any TypeScript can be loaded.
 */
import { Worker, type ResourceLimits } from 'node:worker_threads'

// Evaluated as a CommonJS script, hence require.
const bootstrap = `const { workerData, parentPort } = require('node:worker_threads');
if (typeof workerData.niceness === 'number' && process.platform === 'linux') {
  try {
    const tid = Number(require('node:fs').readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(tid) && tid > 0 && tid !== process.pid) require('node:os').setPriority(tid, workerData.niceness);
  } catch {}
}
import(workerData.loader)
  .then((tsx) => { tsx.register(); return import(workerData.entry) })
  .catch((e) => { parentPort.postMessage({ type: 'boot-failed', message: String(e && e.message || e).slice(0, 500) }); process.exit(1) })`

export function startTsWorker(entry: URL, options: { resourceLimits?: ResourceLimits; data?: unknown; niceness?: number } = {}): Worker {
  return new Worker(bootstrap, {
    eval: true,
    workerData: { loader: import.meta.resolve('tsx/esm/api'), entry: entry.href, data: options.data, niceness: options.niceness },
    ...(options.resourceLimits ? { resourceLimits: options.resourceLimits } : {}),
  })
}
