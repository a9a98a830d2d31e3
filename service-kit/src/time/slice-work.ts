/**
 * Cooperative slicing of CPU-bound work on the main thread. A long computation written as a generator that
 * `yield`s between steps runs either to completion at once (`runToCompletion`, for scripts and tests) or in
 * slices (`runSliced`): after each step the slicer checks the clock and, once `sliceMs` have passed since the
 * loop last had a turn, waits for `setImmediate`, so timers, sockets, NATS pings and metrics are served between
 * slices. Both give the same result; only when the work yields differs. A step must itself be short (a
 * resample, one text's signature).
 *
 * One slicer is meant to be shared by every job of a process (`loopSlicer`): the slice is the loop's, not the
 * job's. Jobs that find it spent wait for the same turn, and after it the first to run spends the new slice
 * while the others take one step each and wait again, so the loop is held for at most `sliceMs` plus one step
 * per job, however many questions are judged at once (with a slicer each, N jobs held it N slices in a row).
 */
export type Slicer = {
  /** Resolves at once when the slice has time left, else after the event loop has had a turn. */
  pause(): Promise<void>
  /** Turns given to the event loop so far. */
  yields(): number
}

export type CreateSlicerParameters = {
  /** The longest stretch of work between turns of the event loop (default 8 ms). */
  sliceMs?: number
  now?: () => number
}

export const DEFAULT_SLICE_MS = 8

export function createSlicer({ sliceMs = DEFAULT_SLICE_MS, now = () => performance.now() }: CreateSlicerParameters = {}): Slicer {
  if (!(sliceMs > 0) || !Number.isFinite(sliceMs)) throw new RangeError(`sliceMs must be a positive number, got ${sliceMs}`)
  let sliceStart = now()
  let yields = 0
  // The turn every job that found the slice spent is waiting for: one setImmediate, however many wait.
  let turn: Promise<void> | undefined
  return {
    pause() {
      if (now() - sliceStart < sliceMs) return Promise.resolve()
      turn ??= new Promise<void>((resolve) =>
        setImmediate(() => {
          yields++
          sliceStart = now()
          turn = undefined
          resolve()
        }),
      )
      return turn
    },
    yields: () => yields,
  }
}

/** The process's slicer: every job on the node's event loop shares its slices. */
export const loopSlicer: Slicer = createSlicer()

/** Runs the steps with no pause: for callers off the main loop (training, evaluation, tests). */
export function runToCompletion<R>(steps: Generator<unknown, R, undefined>): R {
  for (;;) {
    const next = steps.next()
    if (next.done) return next.value
  }
}

/** Runs the steps, pausing between them as the slicer says. */
export async function runSliced<R>(steps: Generator<unknown, R, undefined>, slicer: Slicer): Promise<R> {
  for (;;) {
    const next = steps.next()
    if (next.done) return next.value
    await slicer.pause()
  }
}

/** One turn of the event loop: timers and sockets waiting behind the current job run first. */
export function yieldToLoop(): Promise<void> {
  return new Promise<void>((resolve) => setImmediate(resolve))
}
