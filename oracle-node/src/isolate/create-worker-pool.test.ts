import test from 'ava'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Gauge, Registry } from 'prom-client'
import { createWorkerPool, defaultWorkerPoolSize } from './create-worker-pool.ts'
import { pageWorkerNiceness } from './serve-worker-tasks.ts'

const entry = new URL('./testing/test-worker.ts', import.meta.url)

test('a task runs in a worker and its result comes back', async (t) => {
  const pool = createWorkerPool({ entry, size: 1 })
  try {
    t.deepEqual(await pool.run({ kind: 'echo', value: { a: [1, 2n] } }), { ok: true, value: { a: [1, 2n] } })
  } finally {
    await pool.close()
  }
})

test('a task past its budget is cut: budget_exceeded, the worker is replaced', async (t) => {
  const pool = createWorkerPool({ entry, size: 1 })
  try {
    await pool.whenReady()
    const started = performance.now()
    const spun = await pool.run({ kind: 'spin' }, { timeoutMs: 300 })
    const elapsedMs = performance.now() - started
    t.like(spun, { ok: false, reason: 'budget_exceeded' })
    t.true(elapsedMs >= 290 && elapsedMs < 3_000, `took ${elapsedMs} ms`)
    t.is(pool.stats().replaced, 1)
    // The replacement serves the next task.
    t.deepEqual(await pool.run({ kind: 'echo', value: 'next' }, { timeoutMs: 10_000 }), { ok: true, value: 'next' })
  } finally {
    await pool.close()
  }
})

test('the total bound counts time spent queued behind other tasks', async (t) => {
  const pool = createWorkerPool({ entry, size: 1 })
  try {
    await pool.whenReady()
    const first = pool.run({ kind: 'sleep', ms: 400 })
    const second = await pool.run({ kind: 'echo', value: 1 }, { maxTotalMs: 100 })
    t.like(second, { ok: false, reason: 'budget_exceeded' })
    t.deepEqual(await first, { ok: true, value: 'slept' })
  } finally {
    await pool.close()
  }
})

test('a handler that throws or a worker that exits fails that task only', async (t) => {
  const pool = createWorkerPool({ entry, size: 1 })
  try {
    const thrown = await pool.run({ kind: 'throw' })
    t.like(thrown, { ok: false, reason: 'worker_failed' })
    t.regex(thrown.ok ? '' : thrown.message, /the handler failed/)
    t.like(await pool.run({ kind: 'exit' }), { ok: false, reason: 'worker_failed' })
    t.deepEqual(await pool.run({ kind: 'echo', value: 'alive' }, { timeoutMs: 10_000 }), { ok: true, value: 'alive' })
  } finally {
    await pool.close()
  }
})

test('a full queue refuses at once; a closed pool refuses', async (t) => {
  const pool = createWorkerPool({ entry, size: 1, maxQueue: 1 })
  await pool.whenReady()
  const running = pool.run({ kind: 'sleep', ms: 300 })
  const queued = pool.run({ kind: 'echo', value: 'queued' })
  t.like(await pool.run({ kind: 'echo', value: 'refused' }), { ok: false, reason: 'queue_full' })
  t.deepEqual(await running, { ok: true, value: 'slept' })
  t.deepEqual(await queued, { ok: true, value: 'queued' })
  await pool.close()
  t.like(await pool.run({ kind: 'echo', value: 'late' }), { ok: false, reason: 'closed' })
})

test('a worker entry that cannot start: the pool is down, tasks fail at once instead of hanging', async (t) => {
  const pool = createWorkerPool({ entry: new URL('./testing/no-such-worker.ts', import.meta.url), size: 1 })
  try {
    await pool.whenReady()
    t.like(await pool.run({ kind: 'echo', value: 1 }), { ok: false, reason: 'no_worker' })
    t.is(pool.stats().workers, 0)
  } finally {
    await pool.close()
  }
})

test('the default size is min(2, cores), at least 1', (t) => {
  t.is(defaultWorkerPoolSize(1), 1)
  t.is(defaultWorkerPoolSize(16), 2)
  t.is(defaultWorkerPoolSize(0), 1)
})

test('worker starts that fail three times in a row: the pool keeps retrying, recovers, and reports its workers', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sibyl-flaky-'))
  const counter = join(dir, 'starts')
  writeFileSync(counter, '0 3')
  process.env.SIBYL_FLAKY_WORKER_COUNTER = counter
  const registry = new Registry()
  const gauge = new Gauge({ name: 'sibyl_page_workers', help: 'test', registers: [registry] })
  const pool = createWorkerPool({ entry: new URL('./testing/flaky-worker.ts', import.meta.url), size: 1, workersGauge: gauge, restartBackoffMs: { initial: 100, max: 400 } })
  try {
    await pool.whenReady()
    // Three failed starts: the pool is down for now, and says so at once instead of queueing.
    t.is(readFileSync(counter, 'utf8'), '3 3')
    const early = await pool.run({ value: 'too early' })
    t.false(early.ok)
    t.like(early, { reason: 'no_worker' })
    t.is((await gauge.get()).values[0]?.value, 0)
    // It tries again after a backoff, and the fourth start succeeds.
    const deadline = performance.now() + 20_000
    while (pool.stats().workers < 1 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 50))
    t.is(pool.stats().workers, 1, `starts: ${readFileSync(counter, 'utf8')}`)
    t.is((await gauge.get()).values[0]?.value, 1)
    t.deepEqual(await pool.run({ value: 'recovered' }, { timeoutMs: 10_000 }), { ok: true, value: 'recovered' })
  } finally {
    await pool.close()
    delete process.env.SIBYL_FLAKY_WORKER_COUNTER
    rmSync(dir, { recursive: true, force: true })
  }
})

test('tasks are served round-robin across groups: a question queued behind another question waits for one task, not all of them', async (t) => {
  const pool = createWorkerPool({ entry, size: 1 })
  try {
    await pool.whenReady()
    const order: string[] = []
    const track = (name: string, p: Promise<unknown>) => p.then(() => order.push(name))
    const flood = [0, 1, 2, 3].map((i) => track(`a${i}`, pool.run({ kind: 'sleep', ms: 150 }, { group: 'attacker' })))
    const honest = track('b0', pool.run({ kind: 'echo', value: 'honest' }, { group: 'honest' }))
    await Promise.all([...flood, honest])
    t.deepEqual(order.slice(0, 3), ['a0', 'b0', 'a1'])
  } finally {
    await pool.close()
  }
})

test('a task that expires while queued behind other work fails as queue_timeout, not as its own overrun', async (t) => {
  const pool = createWorkerPool({ entry, size: 1 })
  try {
    await pool.whenReady()
    const first = pool.run({ kind: 'sleep', ms: 400 })
    // Submitted with its whole 100 ms budget ahead of it, it waits 150 ms and never runs.
    const second = await pool.run({ kind: 'echo', value: 1 }, { timeoutMs: 100, maxTotalMs: 150 })
    t.like(second, { ok: false, reason: 'queue_timeout' })
    t.deepEqual(await first, { ok: true, value: 'slept' })
    // Its own overrun, on a worker it had to itself, stays budget_exceeded.
    t.like(await pool.run({ kind: 'spin' }, { timeoutMs: 200, maxTotalMs: 5_000 }), { ok: false, reason: 'budget_exceeded' })
  } finally {
    await pool.close()
  }
})

test('a worker runs at lowered priority from its first instruction, not only once its modules have loaded', async (t) => {
  if (process.platform !== 'linux') return t.pass('per-thread priority is lowered on Linux only')
  const pool = createWorkerPool({ entry: new URL('./testing/niceness-worker.ts', import.meta.url), size: 1 })
  try {
    // Loading tsx and the page modules takes about a second of CPU: at normal priority it competes with the event loop.
    t.deepEqual(await pool.run({}, { timeoutMs: 10_000 }), { ok: true, value: pageWorkerNiceness })
  } finally {
    await pool.close()
  }
})
