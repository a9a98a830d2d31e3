import test from 'ava'
import { trackLongestTimerGap } from '../testing/track-longest-timer-gap.ts'
import { createSlicer, runSliced, runToCompletion, yieldToLoop } from './slice-work.ts'

function* countTo(n: number, log: number[]): Generator<void, number, undefined> {
  let sum = 0
  for (let i = 1; i <= n; i++) {
    sum += i
    log.push(i)
    yield
  }
  return sum
}

test('sliced and unsliced runs give the same result', async (t) => {
  t.is(runToCompletion(countTo(100, [])), 5050)
  t.is(await runSliced(countTo(100, []), createSlicer()), 5050)
})

test('the slicer gives the loop a turn once the slice is spent, and only then', async (t) => {
  let clock = 0
  const slicer = createSlicer({ sliceMs: 10, now: () => clock })
  // Within the slice: no turn is given, the pause resolves as a microtask.
  clock = 9
  await slicer.pause()
  t.is(slicer.yields(), 0)
  // Past it: one turn, and the slice starts again.
  clock = 10
  await slicer.pause()
  t.is(slicer.yields(), 1)
  await slicer.pause()
  t.is(slicer.yields(), 1)
})

test('a long sliced job lets timers run while it works; the same job unsliced does not', async (t) => {
  const busy = function* (ms: number): Generator<void, string, undefined> {
    const end = performance.now() + ms
    while (performance.now() < end) {
      for (let i = 0; i < 1000; i++) Math.sqrt(i)
      yield
    }
    return 'done'
  }
  let fired = 0
  const timer = setInterval(() => fired++, 1)
  try {
    runToCompletion(busy(60))
    t.is(fired, 0, 'nothing ran while the unsliced job held the loop')
    const slicer = createSlicer({ sliceMs: 5 })
    t.is(await runSliced(busy(60), slicer), 'done')
    t.true(slicer.yields() >= 2, `${slicer.yields()} turns`)
    t.true(fired > 0, 'the timer ran between slices')
  } finally {
    clearInterval(timer)
  }
})

test('yieldToLoop lets a pending immediate run first, and bad slice lengths are refused', async (t) => {
  const order: string[] = []
  setImmediate(() => order.push('immediate'))
  await yieldToLoop()
  order.push('after')
  t.deepEqual(order, ['immediate', 'after'])
  for (const sliceMs of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) t.throws(() => createSlicer({ sliceMs }), { instanceOf: RangeError })
})

test('jobs sharing one slicer hold the loop for one slice between turns, not one slice each', async (t) => {
  const busyFor = function* (ms: number): Generator<void, void, undefined> {
    const end = performance.now() + ms
    while (performance.now() < end) {
      const stepEnd = performance.now() + 0.5
      while (performance.now() < stepEnd) {
        // one short step
      }
      yield
    }
  }
  // The longest stretch between two runs of a timer while eight jobs run at once.
  const longestGap = async (slicerFor: () => ReturnType<typeof createSlicer>) => {
    const gaps = trackLongestTimerGap(1)
    await new Promise((r) => setTimeout(r, 5))
    gaps.reset()
    await Promise.all(Array.from({ length: 8 }, () => runSliced(busyFor(60), slicerFor())))
    return gaps.stop()
  }
  const shared = createSlicer({ sliceMs: 5 })
  const separate = await longestGap(() => createSlicer({ sliceMs: 5 }))
  const together = await longestGap(() => shared)
  t.log(`longest gap: ${separate.toFixed(1)} ms with a slicer per job, ${together.toFixed(1)} ms with one shared`)
  // A slicer each: eight slices of 5 ms back to back (about 40 ms); shared: one slice and a step per job.
  t.true(together < separate / 2, `shared ${together.toFixed(1)} ms, separate ${separate.toFixed(1)} ms`)
})
