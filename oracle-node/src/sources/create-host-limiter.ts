/**
 * A counting semaphore per host: at most `maxConcurrentPerHost` requests to one host at a time, so a
 * question whose eight sources all name one site does not hammer it, and a slow host cannot take every
 * connection. State lives in the returned object (one per fetcher), never in the module.
 */

export type HostLimiterParameters = {
  maxConcurrentPerHost: number
}

export type HostLimiter = {
  /**
   * Runs `task` once a slot for `host` is free. Waiting is abortable: if `signal` aborts first the
   * promise rejects with the signal's reason and no slot is taken.
   */
  run<T>(host: string, signal: AbortSignal, task: () => Promise<T>): Promise<T>
  /** Requests running or waiting for a host (0 when idle); for tests and metrics. */
  load(host: string): { running: number; waiting: number }
}

export type CreateHostLimiterReturnType = HostLimiter

type HostState = { running: number; waiters: Array<() => void> }

export function createHostLimiter({ maxConcurrentPerHost }: HostLimiterParameters): CreateHostLimiterReturnType {
  if (!Number.isInteger(maxConcurrentPerHost) || maxConcurrentPerHost < 1) {
    throw new RangeError(`maxConcurrentPerHost must be a positive integer, got ${maxConcurrentPerHost}`)
  }
  const hosts = new Map<string, HostState>()

  const acquire = (host: string, signal: AbortSignal): Promise<void> => {
    let state = hosts.get(host)
    if (!state) {
      state = { running: 0, waiters: [] }
      hosts.set(host, state)
    }
    if (signal.aborted) return Promise.reject(signal.reason)
    if (state.running < maxConcurrentPerHost) {
      state.running++
      return Promise.resolve()
    }
    const s = state
    return new Promise<void>((resolve, reject) => {
      const wake = () => {
        signal.removeEventListener('abort', onAbort)
        s.running++
        resolve()
      }
      const onAbort = () => {
        const i = s.waiters.indexOf(wake)
        if (i >= 0) s.waiters.splice(i, 1)
        if (s.running === 0 && s.waiters.length === 0) hosts.delete(host)
        reject(signal.reason)
      }
      s.waiters.push(wake)
      signal.addEventListener('abort', onAbort, { once: true })
    })
  }

  const release = (host: string) => {
    const state = hosts.get(host)
    if (!state) return
    state.running--
    const next = state.waiters.shift()
    if (next) next()
    else if (state.running === 0) hosts.delete(host)
  }

  return {
    async run(host, signal, task) {
      await acquire(host, signal)
      try {
        return await task()
      } finally {
        release(host)
      }
    },
    load(host) {
      const state = hosts.get(host)
      return { running: state?.running ?? 0, waiting: state?.waiters.length ?? 0 }
    },
  }
}
