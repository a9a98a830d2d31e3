/**
 * A service's last word to NATS on the way out: drain (subscriptions end, publishes in flight reach the server),
 * then close. With the server gone for good a drain never ends (its flush waits for a reconnect) and the client
 * keeps dialling, which holds the process open: so the drain has a time limit, and the connection is closed
 * whatever happened to it.
 */
import type { NatsConnection } from '@nats-io/nats-core'
import { waitWithin } from '../time/wait-within.ts'

/** How long a service's drain may take by default: publishes in flight reach a live server well within it. */
export const DRAIN_TIMEOUT_MS = 5000

/** Resolves `drained` when the drain finished in time, `closed` when it was cut short or failed. Never throws. */
export async function drainWithin(nc: Pick<NatsConnection, 'drain' | 'close' | 'isClosed'>, timeoutMs = DRAIN_TIMEOUT_MS): Promise<'drained' | 'closed'> {
  // drain() throws at once on a closed or draining connection: a failure like any other here.
  const drain = (async () => nc.drain())()
  const { status } = await waitWithin(drain, timeoutMs)
  if (!nc.isClosed()) await nc.close().catch(() => undefined)
  return status === 'done' ? 'drained' : 'closed'
}
