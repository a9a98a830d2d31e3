/**
 * A small pool of worker threads for CPU-heavy work on attacker-chosen input (parsing pages and JSON,
 * reading prices and scores), so that no page can hold the node's event loop: the chain loop, NATS pings,
 * publishing and metrics keep running while a worker chews.
 *
 * Each task has a time budget. A worker still busy when it runs out is terminated (a synchronous parse
 * cannot be interrupted any other way) and replaced; the task comes back as `budget_exceeded`. The queue is
 * bounded: a task that finds it full is refused at once (`queue_full`) instead of piling up memory. Failures
 * are values; nothing here throws for a bad task.
 *
 * The queue is fair between groups (a group is one question): a free worker takes the next task of the next
 * group in turn, so a question whose pages burn their whole budget delays another question by one task at a
 * time, not by all of its own. A task that lost its time to the queue rather than to its own work fails as
 * `queue_timeout` (see expire()), so a caller can tell "this page is too heavy" from "the node was busy" and
 * try again later instead of deciding without that source.
 *
 * A worker that dies before it has loaded its modules is a failed start. Three in a row mark the pool down:
 * tasks fail at once (`no_worker`) instead of waiting, and starts go on with a doubling, capped backoff, so
 * a passing cause (memory, a file being replaced) does not leave the node with no workers until a restart.
 */
import { availableParallelism } from 'node:os'
import type { Logger } from 'pino'
import type { Gauge } from 'prom-client'
import { BaseError } from '@sibyl/protocol/errors'
import { pageWorkerNiceness } from './serve-worker-tasks.ts'
import { startTsWorker, type WorkerIsolation } from './start-ts-worker.ts'

export type WorkerPoolFailureReason = 'budget_exceeded' | 'queue_timeout' | 'queue_full' | 'no_worker' | 'worker_failed' | 'closed'

export type WorkerPoolResult<T> = { ok: true; value: T } | { ok: false; reason: WorkerPoolFailureReason; message: string }

export type WorkerPoolOptions = {
  /** The worker module (a file URL): it must call `serveWorkerTasks` from serve-worker-tasks.ts. */
  entry: URL
  /** Threads; default min(2, available cores). */
  size?: number
  /** Tasks waiting for a free worker before new ones are refused. */
  maxQueue?: number
  /** Default budget of one task, from the moment a worker takes it. */
  taskTimeoutMs?: number
  /** Heap of one worker; a page that balloons past it kills only that worker. */
  maxOldGenerationSizeMb?: number
  /** Threads of this process (default) or a child process per worker (start-ts-worker.ts). */
  isolation?: WorkerIsolation
  /** Wait before a start that follows three failed starts in a row, doubling per failure up to `max`. */
  restartBackoffMs?: { initial: number; max: number }
  /** Set to the number of workers ready for a task (sibyl_page_workers). */
  workersGauge?: Pick<Gauge, 'set'>
  logger?: Logger
}

export type WorkerPoolRunOptions = {
  /** CPU budget of this task, counted from the moment a worker takes it; default the pool's taskTimeoutMs. */
  timeoutMs?: number
  /**
   * The most this task may take in all, queueing included (the time its question has left): past it the task
   * fails, whether it is still waiting or running (queue_timeout or budget_exceeded, see expire()).
   */
  maxTotalMs?: number
  /** Tasks of one group (one question) take turns with other groups' tasks; default a group of its own. */
  group?: unknown
  /** Objects moved to the worker instead of copied. */
  transfer?: ArrayBuffer[]
}

export type WorkerPool = {
  run<T>(task: unknown, options?: WorkerPoolRunOptions): Promise<WorkerPoolResult<T>>
  /** Workers ready for a task, starting, busy, tasks waiting, workers replaced; for metrics and tests. */
  stats(): { workers: number; starting: number; busy: number; queued: number; replaced: number }
  /** Resolves once every worker has loaded its modules (or the pool is down: starts keep failing). */
  whenReady(): Promise<void>
  close(): Promise<void>
}

export class WorkerPoolError extends BaseError {
  override name = 'WorkerPoolError' as const
}

/** Failures that say the node was short of workers, not that the task's input was too much for one. */
export function isPoolShortage(reason: WorkerPoolFailureReason): boolean {
  return reason === 'queue_timeout' || reason === 'queue_full' || reason === 'no_worker' || reason === 'closed'
}

type Job = {
  task: unknown
  group: unknown
  timeoutMs: number
  /** performance.now() when run() was called, and past which the task is abandoned, queued or running. */
  submittedAt: number
  deadline: number
  /** performance.now() when a worker took it. */
  startedAt: number | undefined
  transfer: ArrayBuffer[]
  /** While queued: the total deadline; while running: the smaller of the run budget and the deadline. */
  timer: NodeJS.Timeout | undefined
  settle: (result: WorkerPoolResult<unknown>) => void
}

type Slot = { worker: ReturnType<typeof startTsWorker>; ready: boolean; job: Job | undefined }

type WorkerReply = { type: 'ready' } | { type: 'boot-failed'; message: string } | { type: 'result'; value: unknown } | { type: 'error'; message: string }

export function defaultWorkerPoolSize(availableCores: number): number {
  return Math.max(1, Math.min(2, availableCores))
}

export function createWorkerPool(options: WorkerPoolOptions): WorkerPool {
  const size = options.size ?? defaultWorkerPoolSize(availableParallelism())
  const maxQueue = options.maxQueue ?? 64
  const taskTimeoutMs = options.taskTimeoutMs ?? 5_000
  const backoff = options.restartBackoffMs ?? { initial: 1_000, max: 60_000 }
  if (!Number.isInteger(size) || size < 1 || size > 64) throw new WorkerPoolError(`pool size must be an integer in [1, 64], got ${size}`)
  if (!Number.isInteger(maxQueue) || maxQueue < 0) throw new WorkerPoolError(`maxQueue must be a non-negative integer, got ${maxQueue}`)
  if (!(backoff.initial > 0 && backoff.max >= backoff.initial)) throw new WorkerPoolError(`restartBackoffMs needs 0 < initial <= max, got ${backoff.initial}, ${backoff.max}`)
  const log = options.logger
  const slots: Slot[] = []
  // One queue per group, in turn order: the group served last goes to the back (Map keeps insertion order).
  const queues = new Map<unknown, Job[]>()
  let queued = 0
  let lastServed: unknown
  let closed = false
  let replaced = 0
  // Workers that died before they were ready, in a row: past maxBootFailures the pool is down and starts back off.
  let bootFailures = 0
  const maxBootFailures = 3
  const restarts = new Set<NodeJS.Timeout>()
  const readyCount = () => slots.filter((s) => s.ready).length
  const isDown = () => bootFailures >= maxBootFailures && readyCount() === 0
  const reportWorkers = () => options.workersGauge?.set(readyCount())
  const readyWaiters: Array<() => void> = []
  const settleReadyWaiters = () => {
    if (slots.some((s) => !s.ready) && !closed && !isDown()) return
    for (const resolve of readyWaiters.splice(0)) resolve()
  }

  function spawn(): Slot {
    // Lowered from the thread's first instruction: a replacement boots while the node is busy (start-ts-worker.ts).
    const worker = startTsWorker(options.entry, { niceness: pageWorkerNiceness, resourceLimits: { maxOldGenerationSizeMb: options.maxOldGenerationSizeMb ?? 512 }, isolation: options.isolation })
    const slot: Slot = { worker, ready: false, job: undefined }
    worker.on('message', (reply: WorkerReply) => {
      if (reply.type === 'ready') {
        slot.ready = true
        if (bootFailures >= maxBootFailures) log?.info({ failedStarts: bootFailures }, 'page worker started again')
        bootFailures = 0
        if (!slot.job) worker.unref()
        reportWorkers()
        settleReadyWaiters()
        dispatch()
        return
      }
      if (reply.type === 'boot-failed') {
        log?.error({ message: reply.message }, 'page worker failed to start')
        return
      }
      const job = finish(slot)
      if (!job) return
      worker.unref()
      if (reply.type === 'result') job.settle({ ok: true, value: reply.value })
      else job.settle({ ok: false, reason: 'worker_failed', message: reply.message.slice(0, 300) })
      dispatch()
    })
    const onGone = (why: string) => {
      const index = slots.indexOf(slot)
      if (index < 0) return // already replaced (a timeout terminates on purpose)
      const job = finish(slot)
      slots.splice(index, 1)
      reportWorkers()
      job?.settle({ ok: false, reason: 'worker_failed', message: why.slice(0, 300) })
      if (!slot.ready) bootFailures++
      if (!closed) {
        replaced++
        if (bootFailures < maxBootFailures) {
          log?.warn({ why }, 'page worker died; replacing it')
          slots.push(spawn())
        } else {
          const delayMs = Math.min(backoff.max, backoff.initial * 2 ** Math.min(bootFailures - maxBootFailures, 30))
          log?.error({ why, failedStarts: bootFailures, retryInMs: delayMs }, 'page workers fail to start; trying again after a pause')
          const timer = setTimeout(() => {
            restarts.delete(timer)
            if (!closed) slots.push(spawn())
          }, delayMs)
          // A pool waiting to retry does not keep the process alive on its own.
          timer.unref()
          restarts.add(timer)
        }
      }
      if (isDown()) failQueued('no_worker', `no page worker could start: ${why}`)
      settleReadyWaiters()
      dispatch()
    }
    worker.on('error', (e) => onGone(`worker error: ${e.message}`))
    worker.on('exit', (code) => onGone(`worker exited with code ${code}`))
    // Held (ref'd) only while it starts or works: an idle pool never keeps the process alive on its own.
    return slot
  }

  function finish(slot: Slot): Job | undefined {
    const job = slot.job
    if (job?.timer) clearTimeout(job.timer)
    slot.job = undefined
    return job
  }

  function enqueue(job: Job): void {
    const jobs = queues.get(job.group)
    if (jobs) jobs.push(job)
    else queues.set(job.group, [job])
    queued++
  }

  /**
   * The next task of the first group in turn order other than the one served last (unless it is the only one
   * waiting); that group goes to the back. Skipping the last served matters when its queue had run empty and
   * refilled: it would otherwise come first again ahead of a group that was waiting.
   */
  function dequeue(): Job | undefined {
    let picked: { group: unknown; jobs: Job[] } | undefined
    for (const [group, jobs] of queues) {
      picked ??= { group, jobs }
      if (group !== lastServed) {
        picked = { group, jobs }
        break
      }
    }
    if (!picked) return undefined
    queues.delete(picked.group)
    const job = picked.jobs.shift()!
    if (picked.jobs.length > 0) queues.set(picked.group, picked.jobs)
    queued--
    lastServed = picked.group
    return job
  }

  function unqueue(job: Job): boolean {
    const jobs = queues.get(job.group)
    const index = jobs?.indexOf(job) ?? -1
    if (index < 0) return false
    jobs!.splice(index, 1)
    if (jobs!.length === 0) queues.delete(job.group)
    queued--
    return true
  }

  function failQueued(reason: WorkerPoolFailureReason, message: string): void {
    for (const jobs of queues.values()) {
      for (const job of jobs) {
        clearTimeout(job.timer)
        job.settle({ ok: false, reason, message: message.slice(0, 300) })
      }
    }
    queues.clear()
    queued = 0
  }

  /**
   * The total bound ran out. Whose fault: a task that had its whole own budget ahead of it when it was
   * submitted and then waited at least half of that budget for a worker lost its time to the queue
   * (`queue_timeout`). Otherwise it is the task's own: it ran its budget out, or came with too little of its
   * question's time left (a slow fetch), or waited only briefly (behind its own question's other pages).
   * The half-budget bar keeps one page of a question from making the question look starved by timing its
   * arrival behind the question's other, quick pages.
   */
  function expire(job: Job): void {
    const nowMs = performance.now()
    const hadFullBudget = job.deadline - job.submittedAt >= job.timeoutMs
    const waitedMs = (job.startedAt ?? nowMs) - job.submittedAt
    const ranOwnBudget = job.startedAt !== undefined && nowMs - job.startedAt >= job.timeoutMs - 1
    const starved = hadFullBudget && waitedMs >= job.timeoutMs / 2 && !ranOwnBudget
    const budget = starved
      ? `queue timeout: waited ${Math.round(waitedMs)} ms for a page worker; the question's time ran out`
      : `budget exceeded: not done within ${job.timeoutMs} ms of work or the question's time`
    const reason: WorkerPoolFailureReason = starved ? 'queue_timeout' : 'budget_exceeded'
    if (unqueue(job)) {
      job.settle({ ok: false, reason, message: `${budget} (still waiting for a worker)` })
      return
    }
    const slot = slots.find((s) => s.job === job)
    if (!slot) return
    finish(slot)
    const index = slots.indexOf(slot)
    if (index >= 0) slots.splice(index, 1)
    reportWorkers()
    // terminate() stops even a synchronous loop; the slot leaves the pool first so its exit is not a "death".
    void slot.worker.terminate()
    replaced++
    if (!closed) slots.push(spawn())
    job.settle({ ok: false, reason, message: budget })
    dispatch()
  }

  function dispatch(): void {
    for (const slot of slots) {
      if (queued === 0) return
      if (!slot.ready || slot.job) continue
      const job = dequeue()!
      slot.job = job
      job.startedAt = performance.now()
      slot.worker.ref()
      clearTimeout(job.timer)
      job.timer = setTimeout(() => expire(job), Math.max(1, Math.min(job.timeoutMs, job.deadline - job.startedAt)))
      try {
        slot.worker.postMessage({ type: 'task', task: job.task }, job.transfer)
      } catch (e) {
        finish(slot)
        job.settle({ ok: false, reason: 'worker_failed', message: `task could not be sent: ${(e as Error).message}`.slice(0, 300) })
      }
    }
  }

  for (let i = 0; i < size; i++) slots.push(spawn())
  reportWorkers()

  return {
    run<T>(task: unknown, runOptions: WorkerPoolRunOptions = {}): Promise<WorkerPoolResult<T>> {
      if (closed) return Promise.resolve({ ok: false, reason: 'closed', message: 'the worker pool is closed' })
      if (isDown()) return Promise.resolve({ ok: false, reason: 'no_worker', message: 'no page worker could start; starts are being retried' })
      const busy = slots.filter((s) => s.job !== undefined || !s.ready).length
      if (busy >= slots.length && queued >= maxQueue) {
        return Promise.resolve({ ok: false, reason: 'queue_full', message: `${queued} tasks already waiting for a page worker` })
      }
      const timeoutMs = Math.max(1, Math.floor(runOptions.timeoutMs ?? taskTimeoutMs))
      const totalMs = Math.max(1, Math.floor(runOptions.maxTotalMs ?? Number.MAX_SAFE_INTEGER))
      return new Promise((resolve) => {
        const submittedAt = performance.now()
        const job: Job = {
          task,
          // A task with no group is a group of its own: it takes its turn like any question.
          group: runOptions.group ?? Symbol('task'),
          timeoutMs,
          submittedAt,
          deadline: submittedAt + totalMs,
          startedAt: undefined,
          transfer: runOptions.transfer ?? [],
          timer: undefined,
          settle: resolve as (r: WorkerPoolResult<unknown>) => void,
        }
        // setTimeout's longest delay is 2^31 - 1 ms; a task with no total bound needs no queue timer.
        if (totalMs < 2 ** 31) job.timer = setTimeout(() => expire(job), totalMs)
        enqueue(job)
        dispatch()
      })
    },
    whenReady: () =>
      new Promise<void>((resolve) => {
        readyWaiters.push(resolve)
        settleReadyWaiters()
      }),
    stats: () => ({
      workers: readyCount(),
      starting: slots.filter((s) => !s.ready).length + restarts.size,
      busy: slots.filter((s) => s.job).length,
      queued,
      replaced,
    }),
    async close() {
      closed = true
      for (const timer of restarts) clearTimeout(timer)
      restarts.clear()
      settleReadyWaiters()
      failQueued('closed', 'the worker pool closed')
      const all = slots.splice(0)
      reportWorkers()
      for (const slot of all) finish(slot)?.settle({ ok: false, reason: 'closed', message: 'the worker pool closed' })
      await Promise.all(all.map((s) => s.worker.terminate()))
    },
  }
}
