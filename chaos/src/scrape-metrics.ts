/**
 * Reads a service's health from outside: its event-loop block gauge from its Prometheus endpoint and its
 * resident memory from /proc. `sibyl_event_loop_max_block_ms` is the longest the process's event loop was
 * held by the process itself since start-up (a probe timer's gaps, less the time the thread waited for a core);
 * `sibyl_event_loop_max_delay_ms` is the same on the wall clock, waiting for a core included; prom-client's default
 * `*_nodejs_eventloop_lag_max_seconds` (the longest lag since the previous scrape) is read beside it.
 */
import { existsSync } from 'node:fs'
import { processTreeMemoryMb } from '@sibyl/service-kit/metrics/process-tree'

export type ServiceSample = {
  /** undefined when the endpoint did not answer or has no such gauge. */
  maxBlockMs: number | undefined
  /** The wall-clock figure, waiting for a core included. */
  maxDelayMs: number | undefined
  lagMaxMs: number | undefined
}

const GAUGE = /^sibyl_event_loop_max_block_ms(?:\{[^}]*\})?\s+([0-9.eE+-]+)\s*$/m
const DELAY_GAUGE = /^sibyl_event_loop_max_delay_ms(?:\{[^}]*\})?\s+([0-9.eE+-]+)\s*$/m
const DEFAULT_LAG = /^\w*nodejs_eventloop_lag_max_seconds(?:\{[^}]*\})?\s+([0-9.eE+-]+)\s*$/m

export async function scrapeService(metricsUrl: string): Promise<ServiceSample | undefined> {
  try {
    const res = await fetch(metricsUrl, { signal: AbortSignal.timeout(2000) })
    if (!res.ok) return undefined
    const text = await res.text()
    const gauge = GAUGE.exec(text)
    const delay = DELAY_GAUGE.exec(text)
    const lag = DEFAULT_LAG.exec(text)
    return { maxBlockMs: gauge ? Number(gauge[1]) : undefined, maxDelayMs: delay ? Number(delay[1]) : undefined, lagMaxMs: lag ? Number(lag[1]) * 1000 : undefined }
  } catch {
    return undefined
  }
}

/**
 * Resident memory of a service in MiB with its worker processes (the sum over its process tree: pages the
 * processes share, the Node.js binary among them, count once per process), or undefined when it is gone.
 */
export function residentMemoryMb(pid: number | undefined): number | undefined {
  if (pid === undefined || !existsSync(`/proc/${pid}`)) return undefined
  const mb = processTreeMemoryMb(pid, 'VmRSS')
  // A killed service not yet reaped (a zombie) has no resident set: gone, not 0 MiB.
  return mb > 0 ? Math.round(mb) : undefined
}
