/** Polls a condition with a stated bound: the one way Sibyl's services and tests wait for something. */
import { BaseError } from '@sibyl/protocol/errors'

export class PollTimeoutError extends BaseError {
  override name = 'PollTimeoutError' as const
}

export type PollUntilOptions = {
  /** Give up after this long (default 60 s). */
  timeoutMs?: number
  /** Pause between tries (default 200 ms). */
  everyMs?: number
  signal?: AbortSignal
  /** The clock; tests pass their own. */
  nowMs?: () => number
}

/**
 * Calls `fn` until it returns a value (anything but undefined or false) and returns it. A try that throws
 * counts as "not yet"; the last error is the cause of the timeout.
 */
export async function pollUntil<T>(what: string, fn: () => Promise<T | undefined | false>, options: PollUntilOptions = {}): Promise<T> {
  const nowMs = options.nowMs ?? Date.now
  const deadline = nowMs() + (options.timeoutMs ?? 60_000)
  let last: unknown
  for (;;) {
    if (options.signal?.aborted) throw new PollTimeoutError(`Stopped while waiting for ${what}.`)
    try {
      const value = await fn()
      if (value !== undefined && value !== false) return value
    } catch (error) {
      last = error
    }
    if (nowMs() >= deadline) break
    await new Promise((r) => setTimeout(r, options.everyMs ?? 200))
  }
  throw new PollTimeoutError(`Timed out waiting for ${what}.`, last === undefined ? {} : { cause: last })
}
