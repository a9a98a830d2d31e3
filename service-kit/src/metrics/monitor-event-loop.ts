/**
 * How long the event loop was blocked, as two gauges on the given registry:
 *
 * - `sibyl_event_loop_max_block_ms`: the longest stretch the loop spent on its own work (or in a blocking call)
 *   without coming back to its timers, since monitoring started or was last reset. A probe timer fires every
 *   `resolutionMs`; each gap between firings, less the time the thread spent runnable but waiting for a core
 *   (the second field of Linux's `/proc/thread-self/schedstat`), is what the loop itself held. A node whose loop
 *   is held stops reading the chain, publishing and answering NATS pings all at once, so this is the number the
 *   chaos suite holds to its bound (100 ms). Where schedstat is unreadable (not Linux) nothing is subtracted,
 *   so the figure errs high, never low.
 * - `sibyl_event_loop_max_delay_ms`: the longest gap on the wall clock, waiting for a core included: what a
 *   timer in this process actually saw. On a machine with more runnable processes than cores this is mostly the
 *   scheduler's doing, not the process's; it is kept beside the first so the two can be told apart.
 *
 * Both err high by up to one resolution of timer slack.
 */
import { readFileSync } from 'node:fs'
import { Gauge, type Registry } from 'prom-client'

export const eventLoopMaxBlockMetricName = 'sibyl_event_loop_max_block_ms'
export const eventLoopMaxDelayMetricName = 'sibyl_event_loop_max_delay_ms'
/** Stalls longer than this are reported to onStall unless told otherwise. */
export const DEFAULT_REPORT_STALLS_OVER_MS = 50

export type MonitorEventLoopParameters = {
  registry: Registry
  /** Probe period; at most 10 ms so a 100 ms bound is measured, not missed. */
  resolutionMs?: number
  /** Nanoseconds this thread has spent runnable but not running; injected in tests. Default: schedstat. */
  readRunQueueWaitNs?: () => number | undefined
  /**
   * Told of every stall of the loop's own longer than `reportStallsOverMs` (default 50), as it ends: its length and
   * the monotonic clock (µs, the clock of `--cpu-prof` profiles) when it ended, so a log line can be matched with a
   * profile. A stall is reported once, by the probe that sees it.
   */
  onStall?: (stall: StallReport) => void
  reportStallsOverMs?: number
}

/**
 * One stall: `ownMs` (the gap less waiting for a core), `wallMs` (the gap), `onCpuMs` (of the gap, the time the
 * thread ran on a CPU: what is left of ownMs was spent blocked, in a system call or waiting for another thread
 * such as the garbage collector's helpers; undefined where schedstat is unreadable), `majorFaults` (page faults
 * of the process that had to read the disk during the gap: code or data paged back in) and `endedAtMonotonicUs`.
 */
export type StallReport = { ownMs: number; wallMs: number; onCpuMs?: number; majorFaults?: number; endedAtMonotonicUs: number }

export type EventLoopMonitor = {
  /** Longest own stall since start or the last reset, in milliseconds (0 before the first probe). */
  maxBlockMs(): number
  /** Longest wall-clock gap since start or the last reset, waiting for a core included, in milliseconds. */
  maxDelayMs(): number
  /** Forgets what was seen: the next reading covers only what comes after. */
  reset(): void
  /** Stops probing; the gauges keep their last values. */
  stop(): void
}

/** "<ns on a cpu> <ns runnable, waiting for a cpu> <timeslices>" of the calling thread, or undefined. */
function readSchedstat(): [onCpuNs: number, waitNs: number] | undefined {
  try {
    const [onCpu, wait] = readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ').map(Number)
    return Number.isFinite(onCpu) && Number.isFinite(wait) ? [onCpu!, wait!] : undefined
  } catch {
    return undefined
  }
}

/** Major page faults of the process so far (getrusage: no file to open), or undefined. */
function readMajorFaults(): number | undefined {
  const faults = process.resourceUsage().majorPageFault
  return Number.isFinite(faults) ? faults : undefined
}

function readSchedstatWaitNs(): number | undefined {
  return readSchedstat()?.[1]
}

const round2 = (ms: number): number => Math.round(ms * 100) / 100

export function monitorEventLoop({ registry, resolutionMs = 10, readRunQueueWaitNs = readSchedstatWaitNs, onStall, reportStallsOverMs = DEFAULT_REPORT_STALLS_OVER_MS }: MonitorEventLoopParameters): EventLoopMonitor {
  if (!Number.isInteger(resolutionMs) || resolutionMs < 1 || resolutionMs > 10) {
    throw new RangeError(`resolutionMs must be an integer in [1, 10], got ${resolutionMs}`)
  }
  // One read of schedstat per probe gives both the wait (unless a test injects it) and, for stall reports, the
  // time on a CPU; the probe runs 100 times a second, so it opens one file, not two.
  const ownSchedstat = readRunQueueWaitNs === readSchedstatWaitNs
  let sched: [onCpuNs: number, waitNs: number] | undefined
  const readSample = () => {
    sched = ownSchedstat || onStall ? readSchedstat() : undefined
    return { waitNs: ownSchedstat ? sched?.[1] : readRunQueueWaitNs(), onCpuNs: onStall ? sched?.[0] : undefined, faults: onStall ? readMajorFaults() : undefined }
  }
  let lastMs = performance.now()
  const first = readSample()
  let lastWaitNs = first.waitNs
  let lastOnCpuNs = first.onCpuNs
  let lastFaults = first.faults
  let maxBlockMs = 0
  let maxDelayMs = 0
  const probe = (): void => {
    const nowMs = performance.now()
    const { waitNs, onCpuNs, faults } = readSample()
    const lateMs = Math.max(0, nowMs - lastMs - resolutionMs)
    const waitedMs = waitNs !== undefined && lastWaitNs !== undefined ? Math.max(0, (waitNs - lastWaitNs) / 1e6) : 0
    maxDelayMs = Math.max(maxDelayMs, lateMs)
    maxBlockMs = Math.max(maxBlockMs, lateMs - waitedMs)
    if (onStall && lateMs - waitedMs > reportStallsOverMs) {
      const onCpuMs = onCpuNs !== undefined && lastOnCpuNs !== undefined ? round2(Math.max(0, (onCpuNs - lastOnCpuNs) / 1e6)) : undefined
      const majorFaults = faults !== undefined && lastFaults !== undefined ? faults - lastFaults : undefined
      onStall({
        ownMs: round2(lateMs - waitedMs),
        wallMs: round2(lateMs),
        ...(onCpuMs === undefined ? {} : { onCpuMs }),
        ...(majorFaults === undefined ? {} : { majorFaults }),
        endedAtMonotonicUs: Number(process.hrtime.bigint() / 1000n),
      })
    }
    lastOnCpuNs = onCpuNs
    lastFaults = faults
    lastMs = nowMs
    lastWaitNs = waitNs
  }
  const timer = setInterval(probe, resolutionMs)
  timer.unref()
  let stopped = false

  // One process may start monitoring more than once (tests, a restart in place): replace the registered gauges.
  for (const [name, help, read] of [
    [eventLoopMaxBlockMetricName, 'Longest event-loop stall of the process itself (waiting for a core excluded) since monitoring started or was reset, in milliseconds', () => maxBlockMs],
    [eventLoopMaxDelayMetricName, 'Longest event-loop delay on the wall clock (waiting for a core included) since monitoring started or was reset, in milliseconds', () => maxDelayMs],
  ] as const) {
    if (registry.getSingleMetric(name)) registry.removeSingleMetric(name)
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        if (!stopped) probe()
        this.set(round2(read()))
      },
    })
  }
  return {
    maxBlockMs: () => {
      if (!stopped) probe()
      return round2(maxBlockMs)
    },
    maxDelayMs: () => {
      if (!stopped) probe()
      return round2(maxDelayMs)
    },
    reset() {
      lastMs = performance.now()
      const sample = readSample()
      lastWaitNs = sample.waitNs
      lastOnCpuNs = sample.onCpuNs
      lastFaults = sample.faults
      maxBlockMs = 0
      maxDelayMs = 0
    },
    stop() {
      stopped = true
      clearInterval(timer)
    },
  }
}
