/**
 * The worker side of create-worker-pool.ts: answers each task posted to this thread with the handler's
 * result, one at a time, and says `ready` once its modules are loaded (the pool starts a task's clock only
 * on a ready worker). A handler's exception is sent back as a failure of that task, never a dead thread.
 */
import { readlinkSync } from 'node:fs'
import { setPriority } from 'node:os'
import { workerPort } from './worker-port.ts'

/** Niceness of a page worker thread: the event loop's thread (nice 0) wins a contended core. */
export const pageWorkerNiceness = 10

/**
 * Lowers this thread's scheduling priority where the platform allows it per thread (Linux: setpriority on a
 * thread id, found through /proc/thread-self). Elsewhere the whole process would be lowered, so nothing is
 * done. Best effort: a refusal leaves the thread as it was.
 */
export function lowerThreadPriority(niceness: number): boolean {
  if (process.platform !== 'linux') return false
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop())
    if (!Number.isInteger(tid) || tid <= 0 || tid === process.pid) return false
    setPriority(tid, niceness)
    return true
  } catch {
    return false
  }
}

export function serveWorkerTasks(handle: (task: unknown) => unknown): void {
  const port = workerPort()
  if (!port) throw new Error('serveWorkerTasks runs only inside a worker (thread or process)')
  // A page worker competes for the cores with the node's event loop; the loop must win (sibyl_event_loop_max_block_ms).
  lowerThreadPriority(pageWorkerNiceness)
  port.on('message', async (message: { type: 'task'; task: unknown }) => {
    try {
      const value = await handle(message.task)
      port.postMessage({ type: 'result', value })
    } catch (e) {
      port.postMessage({ type: 'error', message: String((e as Error)?.stack ?? e).slice(0, 2000) })
    }
  })
  port.postMessage({ type: 'ready' })
}
