import test from 'ava'
import { Registry } from 'prom-client'
import { eventLoopMaxBlockMetricName, eventLoopMaxDelayMetricName, monitorEventLoop } from './monitor-event-loop.ts'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

function blockFor(ms: number): void {
  const until = performance.now() + ms
  while (performance.now() < until) {
    // busy: this is the stall being measured
  }
}

async function gaugeValue(registry: Registry, name: string = eventLoopMaxBlockMetricName): Promise<number> {
  const metric = registry.getSingleMetric(name)
  if (!metric) throw new Error('gauge not registered')
  const { values } = await metric.get()
  return values[0]!.value
}

test.serial('the gauge reports the longest stall since start, and a reset forgets it', async (t) => {
  const registry = new Registry()
  // No run-queue figure: the whole gap counts (the subtraction has its own tests below; with the real schedstat
  // on a busy machine, part of a busy-wait is spent preempted and rightly does not count).
  const monitor = monitorEventLoop({ registry, readRunQueueWaitNs: () => undefined })
  try {
    await sleep(50)
    blockFor(150)
    await sleep(30)
    const seen = await gaugeValue(registry)
    t.true(seen >= 135, `a 150 ms stall read as ${seen} ms`)
    t.true(seen < 1000, `read as ${seen} ms`)
    t.is(monitor.maxBlockMs(), seen)
    monitor.reset()
    await sleep(40)
    const after = await gaugeValue(registry)
    t.true(after < 150, `after a reset the old stall still shows: ${after} ms`)
    t.true((await registry.metrics()).includes(`${eventLoopMaxBlockMetricName} `))
  } finally {
    monitor.stop()
  }
})

test.serial('a resolution coarser than 10 ms is refused', (t) => {
  t.throws(() => monitorEventLoop({ registry: new Registry(), resolutionMs: 20 }), { instanceOf: RangeError })
})

test.serial('time spent waiting for a core is a delay, not a block', async (t) => {
  // The thread is "runnable but not running" all the time (every gap is waiting for a core): the scheduler's
  // doing, never the loop's, however late the timers fire.
  const registry = new Registry()
  const monitor = monitorEventLoop({ registry, readRunQueueWaitNs: () => performance.now() * 1e6 })
  try {
    await sleep(30)
    blockFor(200)
    await sleep(30)
    const block = await gaugeValue(registry)
    const delay = await gaugeValue(registry, eventLoopMaxDelayMetricName)
    t.true(delay >= 185, `the wall-clock delay read as ${delay} ms`)
    t.true(block < 50, `a stall spent waiting for a core read as a ${block} ms block`)
  } finally {
    monitor.stop()
  }
})

test.serial('a stall the thread spent running is a block', async (t) => {
  let waitNs = 0
  const registry = new Registry()
  const monitor = monitorEventLoop({ registry, readRunQueueWaitNs: () => waitNs })
  try {
    await sleep(30)
    blockFor(200)
    waitNs += 20e6 // 20 ms of it waiting for a core
    await sleep(30)
    const block = await gaugeValue(registry)
    t.true(block >= 165 && block < 1000, `a 200 ms stall with 20 ms of waiting read as ${block} ms`)
  } finally {
    monitor.stop()
  }
})

test.serial('a stall over the threshold is reported once, as it ends, on the monotonic clock of CPU profiles', async (t) => {
  const stalls: { ownMs: number; wallMs: number; endedAtMonotonicUs: number }[] = []
  const monitor = monitorEventLoop({ registry: new Registry(), readRunQueueWaitNs: () => undefined, reportStallsOverMs: 60, onStall: (s) => stalls.push(s) })
  try {
    await sleep(30)
    blockFor(30)
    await sleep(30)
    t.deepEqual(stalls, [], 'a 30 ms stall is under the threshold')
    const before = Number(process.hrtime.bigint() / 1000n)
    blockFor(120)
    await sleep(30)
    const after = Number(process.hrtime.bigint() / 1000n)
    t.is(stalls.length, 1)
    t.true(stalls[0]!.ownMs >= 105 && stalls[0]!.ownMs <= stalls[0]!.wallMs, JSON.stringify(stalls[0]))
    t.true(stalls[0]!.endedAtMonotonicUs >= before + 110_000 && stalls[0]!.endedAtMonotonicUs <= after, JSON.stringify({ before, after, stall: stalls[0] }))
  } finally {
    monitor.stop()
  }
})
