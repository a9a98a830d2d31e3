import test from 'ava'
import { createHostLimiter } from './create-host-limiter.ts'

const deferred = () => {
  let resolve!: () => void
  const promise = new Promise<void>((r) => (resolve = r))
  return { promise, resolve }
}

test('at most maxConcurrentPerHost tasks run per host; other hosts are not held up', async (t) => {
  const limiter = createHostLimiter({ maxConcurrentPerHost: 2 })
  const signal = new AbortController().signal
  const gates = [deferred(), deferred(), deferred()]
  const runs = gates.map((g) => limiter.run('a.test', signal, () => g.promise))
  await Promise.resolve()
  t.deepEqual(limiter.load('a.test'), { running: 2, waiting: 1 })
  t.is(await limiter.run('b.test', signal, async () => 'b'), 'b')
  gates[0]!.resolve()
  await runs[0]
  t.deepEqual(limiter.load('a.test'), { running: 2, waiting: 0 })
  gates[1]!.resolve()
  gates[2]!.resolve()
  await Promise.all(runs)
  t.deepEqual(limiter.load('a.test'), { running: 0, waiting: 0 })
})

test('a waiter that aborts leaves the queue and takes no slot; a failing task frees its slot', async (t) => {
  const limiter = createHostLimiter({ maxConcurrentPerHost: 1 })
  const gate = deferred()
  const first = limiter.run('h', new AbortController().signal, () => gate.promise)
  const controller = new AbortController()
  const waiting = limiter.run('h', controller.signal, async () => 'never')
  controller.abort(new Error('gave up'))
  await t.throwsAsync(waiting, { message: 'gave up' })
  t.deepEqual(limiter.load('h'), { running: 1, waiting: 0 })
  gate.resolve()
  await first
  await t.throwsAsync(limiter.run('h', new AbortController().signal, async () => Promise.reject(new Error('boom'))), { message: 'boom' })
  t.deepEqual(limiter.load('h'), { running: 0, waiting: 0 })
})

test('a nonsensical limit is refused', (t) => {
  t.throws(() => createHostLimiter({ maxConcurrentPerHost: 0 }), { instanceOf: RangeError })
})
